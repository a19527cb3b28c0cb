"""The cockpit's periods, as they appear in its URLs: a month `2026-11`, a quarter `2026-Q4`,
a year `2026`, or any span `from=2026-11-03&to=2026-11-20`. Bad input is a `ServiceError` with
a message for the page, never a 500."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import ServiceError

MAX_DAYS = 366 * 5
EARLIEST = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class Period:
    key: str  # "2026-11", "2026-Q4", "2026" or "" for a custom span
    date_from: dt.date
    date_to: dt.date
    kind: str  # "month", "quarter", "year", "span"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)d-%(month)02d") % {
                "year": self.date_from.year,
                "month": self.date_from.month,
            }
        if self.kind == "quarter":
            return _("%(year)d Q%(quarter)d") % {
                "year": self.date_from.year,
                "quarter": (self.date_from.month - 1) // 3 + 1,
            }
        if self.kind == "year":
            return str(self.date_from.year)
        return f"{self.date_from:%Y-%m-%d} – {self.date_to:%Y-%m-%d}"

    def previous(self) -> Period:
        """The period just before (the month before, the quarter before …)."""
        if self.kind == "month":
            return month(_add_months(self.date_from, -1))
        if self.kind == "quarter":
            return quarter(_add_months(self.date_from, -3))
        if self.kind == "year":
            return year(self.date_from.year - 1)
        days = (self.date_to - self.date_from).days + 1
        return span(self.date_from - dt.timedelta(days=days), self.date_from - dt.timedelta(days=1))

    def year_before(self) -> Period:
        """The same period a year earlier."""
        if self.kind == "month":
            return month(self.date_from.replace(year=self.date_from.year - 1))
        if self.kind == "quarter":
            return quarter(self.date_from.replace(year=self.date_from.year - 1))
        if self.kind == "year":
            return year(self.date_from.year - 1)
        return span(_year_earlier(self.date_from), _year_earlier(self.date_to))

    def params(self) -> dict[str, str]:
        if self.kind == "span":
            return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        return {"period": self.key}


def _year_earlier(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _add_months(d: dt.date, n: int) -> dt.date:
    index = d.year * 12 + d.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(first: dt.date) -> dt.date:
    return _add_months(first, 1) - dt.timedelta(days=1)


def month(first: dt.date) -> Period:
    first = first.replace(day=1)
    return Period(f"{first:%Y-%m}", first, _month_end(first), "month")


def quarter(d: dt.date) -> Period:
    q = (d.month - 1) // 3
    first = dt.date(d.year, q * 3 + 1, 1)
    return Period(f"{d.year}-Q{q + 1}", first, _month_end(_add_months(first, 2)), "quarter")


def year(y: int) -> Period:
    return Period(str(y), dt.date(y, 1, 1), dt.date(y, 12, 31), "year")


def span(start: dt.date, end: dt.date) -> Period:
    return Period("", start, end, "span")


def current(today: dt.date | None = None) -> Period:
    """The default: this month (so far — its rates settle as its cases close)."""
    return month(today or timezone.localdate())


def parse(key: str | None, date_from: str | None = None, date_to: str | None = None) -> Period:
    """The period of the URL: `from`/`to` when both are given, else `period`, else this
    month."""
    if date_from or date_to:
        try:
            start = dt.date.fromisoformat(date_from or "")
            end = dt.date.fromisoformat(date_to or "")
        except ValueError as exc:
            raise ServiceError(_("Give the dates as YYYY-MM-DD.")) from exc
        if start > end:
            raise ServiceError(_("The start date must not be after the end date."))
        if (end - start).days > MAX_DAYS:
            raise ServiceError(_("Choose a period of at most five years."))
        return _checked(span(start, end))
    key = (key or "").strip()
    if not key:
        return current()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", key):
            return _checked(month(dt.date(int(m[1]), int(m[2]), 1)))
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", key):
            return _checked(quarter(dt.date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1)))
        if re.fullmatch(r"\d{4}", key):
            return _checked(year(int(key)))
    except ValueError:
        pass
    raise ServiceError(
        _("Unknown period %(key)s: use a month (2026-11), a quarter (2026-Q4) or a year (2026).")
        % {"key": key}
    )


def _checked(p: Period) -> Period:
    if p.date_from < EARLIEST or p.date_from.year > 2100:
        raise ServiceError(_("Choose a period between 2000 and 2100."))
    return p


def choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    """The periods offered in the menu: the last 13 months, 5 quarters and 3 years."""
    today = today or timezone.localdate()
    out = []
    for n in range(13):
        p = month(_add_months(today.replace(day=1), -n))
        out.append((p.key, p.label))
    for n in range(5):
        p = quarter(_add_months(today.replace(day=1), -3 * n))
        out.append((p.key, p.label))
    for n in range(3):
        p = year(today.year - n)
        out.append((p.key, p.label))
    return out


def trend_months(p: Period) -> Period:
    """The twelve months ending with the period's last month (the trend charts)."""
    last = p.date_to.replace(day=1)
    return span(_add_months(last, -11), p.date_to)
