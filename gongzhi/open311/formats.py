"""Open311 documents in both formats, and the W3C date-times they carry.

XML is schemaless and without a namespace, preceded by the UTF-8 declaration. JSON is the
Spark-convention mapping of the same XML: a container of repeated elements (`<services>` of
`<service>`, `<attributes>` of `<attribute>`) is an array, even with one element, so list
responses are top-level arrays; an empty element is `null`.

    doc = Items("services", "service", [{"service_code": "E0102", "metadata": True}])
    body = render(doc, "xml")
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405  (we only write XML, never parse it)

from django.utils import timezone

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# Characters XML 1.0 cannot carry at all (C0 controls other than tab/newline/return, lone
# surrogates, U+FFFE/U+FFFF): removed from every text value, in both formats.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Items:
    """A container element of repeated elements: `<tag><item>…</item>…</tag>` / a JSON array."""

    tag: str
    item: str
    items: list[Any]


@dataclass
class Obj:
    """A document whose root is one element with fields: `<tag>…</tag>` / a JSON object."""

    tag: str
    fields: dict[str, Any]


def w3c(value: dt.datetime | None) -> str:
    """2026-05-01T09:30:00+08:00: local time with its offset (the spec requires a zone)."""
    if value is None:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


_W3C = re.compile(
    r"^(?P<date>\d{4}(-\d{2}(-\d{2})?)?)"
    r"(?P<time>T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?P<zone>Z|[+-]\d{2}:?\d{2})?)?$"
)


def parse_w3c(text: str) -> dt.datetime:
    """A W3C date or date-time (2010-01-01T00:00:00Z, …+08:00, 2010-01-01). A time without a
    zone, or a date alone, is taken as local time. Raises ValueError otherwise."""
    value = (text or "").strip()
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    value = re.sub(r"(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?) (\d{2}:?\d{2})$", r"\1+\4", value)
    match = _W3C.match(value)
    if not match:
        raise ValueError(value)
    if not match.group("time"):
        parts = [int(p) for p in match.group("date").split("-")] + [1, 1]
        naive = dt.datetime(parts[0], parts[1], parts[2])  # noqa: DTZ001  (made aware below)
        return timezone.make_aware(naive)
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def clean_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c(value)
    if isinstance(value, float):
        return repr(value)
    return clean_text(str(value))


def _scalar_json(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.datetime):
        return w3c(value)
    return clean_text(str(value))


def _xml_fill(parent: ET.Element, value: Any) -> None:
    if isinstance(value, Items):
        for item in value.items:
            child = ET.SubElement(parent, value.item)
            _xml_fill(child, item)
    elif isinstance(value, dict):
        for key, sub in value.items():
            if isinstance(sub, Items):
                container = ET.SubElement(parent, sub.tag)
                _xml_fill(container, sub)
            else:
                child = ET.SubElement(parent, key)
                _xml_fill(child, sub)
    else:
        parent.text = _scalar_text(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, Items):
        return [_json_value(item) for item in value.items]
    if isinstance(value, dict):
        return {
            (sub.tag if isinstance(sub, Items) else key): _json_value(sub)
            for key, sub in value.items()
        }
    return _scalar_json(value)


def render(doc: Items | Obj, fmt: str) -> bytes:
    if fmt == "json":
        data = _json_value(doc if isinstance(doc, Items) else doc.fields)
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    root = ET.Element(doc.tag)
    _xml_fill(root, doc if isinstance(doc, Items) else doc.fields)
    ET.indent(root, space="  ")
    return (XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def error_document(errors: list[tuple[int, str]]) -> Items:
    return Items(
        "errors",
        "error",
        [{"code": code, "description": description} for code, description in errors],
    )
