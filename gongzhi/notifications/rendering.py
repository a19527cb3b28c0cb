"""Turning a message key and a context into text, in one language, for one channel.

Templates use Django template syntax in a sandbox: an engine with no loaders and no tag
libraries, so an edited template cannot include files or load tags; output is plain text (no
HTML escaping: pages escape the text when they show it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from . import registry
from .defaults import ZH, Wording

SMS_CHANNEL = "sms"
ANY_CHANNEL = "any"
_MISSING = "\x00missing:%s\x00"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@cache
def _engine(strict: bool = False) -> Engine:
    return Engine(
        loaders=[],
        libraries={},
        autoescape=False,
        debug=False,
        string_if_invalid=_MISSING if strict else "",
    )


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def normalise_language(language: str | None) -> str:
    code = (language or "").lower()
    if code in languages():
        return code
    if code.startswith("zh"):
        return ZH
    base = code.split("-")[0]
    return base if base in languages() else settings.LANGUAGE_CODE


def default_wording(key: str, language: str) -> Wording | None:
    return registry.wording(key, language)


def default_source(key: str, channel: str, language: str) -> tuple[str, str] | None:
    """(subject, body) written in code for this key, channel and language."""
    wording = default_wording(key, language)
    if wording is None:
        return None
    return wording.subject, wording.sms if channel == SMS_CHANNEL else wording.body


def overrides(key: str, language: str) -> dict[str, tuple[str, str]]:
    """Active database templates for this key and language: channel → (subject, body)."""
    from .models import MessageTemplate

    rows = MessageTemplate.objects.active().filter(key=key, language=language).order_by("id")
    return {row.channel: (row.subject, row.body) for row in rows}


def source_for(
    key: str, channel: str, language: str, db: dict[str, tuple[str, str]] | None = None
) -> tuple[str, str]:
    """The template text to use: a database row for this channel, then one for any channel,
    then the code default; an unknown key falls back to the key itself and the context's text."""
    db = overrides(key, language) if db is None else db
    if channel in db:
        return db[channel]
    if ANY_CHANNEL in db:
        return db[ANY_CHANNEL]
    found = default_source(key, channel, language)
    if found is not None:
        return found
    return key, "{{ text|default:'' }}"


def signature(language: str) -> str:
    signatures: dict[str, str] = getattr(settings, "NOTIFY_SIGNATURE", {})
    return signatures.get(language) or signatures.get(ZH) or ""


def render_source(subject: str, body: str, context: dict[str, Any]) -> Rendered:
    ctx = Context(context, autoescape=False)
    engine = _engine()
    return Rendered(
        subject=" ".join(engine.from_string(subject).render(ctx).split())[:200],
        body=engine.from_string(body).render(ctx).strip(),
    )


def check_template(*, key: str, channel: str, subject: str, body: str) -> None:
    """Refuse a template that does not compile, fails to render against a sample context, or
    uses a variable the key's messages do not have (the sample context its domain registered).
    Raises ValidationError with the field at fault."""
    errors: dict[str, list[str]] = {}
    sample = registry.sample_context(key)
    context = {**sample, "text": ""}
    for field, source in (("subject", subject), ("body", body)):
        if not source:
            continue
        try:
            template = _engine(strict=True).from_string(source)
            out = template.render(Context(context, autoescape=False))
        except TemplateSyntaxError as exc:
            errors.setdefault(field, []).append(
                _("This template has an error: %(error)s") % {"error": exc}
            )
            continue
        except Exception as exc:  # noqa: BLE001  (any failure to render is the template's)
            errors.setdefault(field, []).append(
                _("This template cannot be rendered: %(error)s") % {"error": exc}
            )
            continue
        if any(mark in out for mark in ("{{", "}}", "{%", "%}")):
            errors.setdefault(field, []).append(
                # Not %-formatted: "{% is" is template syntax. xgettext:no-python-format
                _("This template has an error: a {{ or {% is not closed (or is left over).")
            )
            continue
        if "\x00missing:" in out:
            names = sorted(
                {part.split("\x00", 1)[0] for part in out.split("\x00missing:")[1:] if part}
            )
            errors.setdefault(field, []).append(
                _("Unknown variable: %(names)s. Messages may use: %(known)s.")
                % {"names": ", ".join(names), "known": ", ".join(sorted(sample))}
            )
    if errors:
        raise ValidationError(errors)
