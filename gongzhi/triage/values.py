"""Values as offices write them in spreadsheets: dates (Excel serial numbers, 2026/9/30,
2026-09-30 16:00, 2026年9月30日, 12/31/2017 11:59:58 PM), numbers, text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone

EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001  (serials are local, naive)
_CN = re.compile(
    r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})秒?)?分?)?$"
)
_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$"
)
_US = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?\s*([AaPp][Mm])?)?$"
)


def text(value: Any) -> str:
    """A cell as text with its white space normalised (exports carry tabs, newlines and
    full-width spaces); numbers read as floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\u3000", " ").split())


def parse_datetime(value: Any, formats: list[str] | tuple[str, ...] = ()) -> dt.datetime | None:
    """An aware datetime in the site's time zone, or None when the value is not a date
    (empty cells are the caller's business: "" gives None too)."""
    naive = _naive(value, formats)
    if naive is None:
        return None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def _naive(value: Any, formats: list[str] | tuple[str, ...]) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial numbers: 1900-01-01 … 9999-12-31
            return EXCEL_EPOCH + dt.timedelta(days=float(value))
        return None
    s = text(value)
    if not s:
        return None
    try:
        serial = float(s)
    except ValueError:
        pass
    else:
        return _naive(serial, formats) if re.fullmatch(r"\d{4,5}(\.\d+)?", s) else None
    for fmt in formats:
        try:
            return dt.datetime.strptime(s, fmt)  # noqa: DTZ007
        except ValueError:
            continue
    try:
        if m := _ISO.match(s):
            y, mo, d, h, mi, se = (int(g) if g else 0 for g in m.groups())
            return dt.datetime(y, mo, d, h, mi, se)  # noqa: DTZ001
        if m := _CN.match(s):
            y, mo, d, h, mi, se = (int(g) if g else 0 for g in m.groups())
            return dt.datetime(y, mo, d, h, mi, se)  # noqa: DTZ001
        if m := _US.match(s):
            mo, d, y, h, mi, se = (int(g) if g else 0 for g in m.groups()[:6])
            ampm = (m.group(7) or "").lower()
            if ampm == "pm" and h < 12:
                h += 12
            elif ampm == "am" and h == 12:
                h = 0
            return dt.datetime(y, mo, d, h, mi, se)  # noqa: DTZ001
    except ValueError:  # 2026-02-30, 25:00
        return None
    return None


def parse_float(value: Any) -> float | None:
    """A number, or None for an empty cell; ValueError for text that is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float(str(value).strip().replace(",", ""))
