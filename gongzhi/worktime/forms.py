"""The form an administrator enters a year's holiday notice with: for each holiday of the
notice its first and last day off and its make-up working days, typed as the notice writes
them (`1月1日`, `2027-01-01`, `2/6`; several make-up days in one field)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import ServiceError

from . import services
from .services import NOTICE_HOLIDAYS, HolidayPeriod, NoticePlan

_DATE = re.compile(r"(?:(\d{4})\s*[年\-/.]\s*)?(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")


def parse_dates(text: str, *, year: int, key: str = "") -> list[dt.date]:
    """The dates in a text as people copy them from a notice; a date without its year is in
    `year` (December's days of 元旦 in the year before). Raises ValueError on none or a bad one."""
    found: list[dt.date] = []
    for match in _DATE.finditer(text or ""):
        y, m, d = match.groups()
        month, day = int(m), int(d)
        in_year = int(y) if y else (year - 1 if key == "new_year" and month == 12 else year)
        try:
            found.append(dt.date(in_year, month, day))
        except ValueError as exc:
            raise ValueError(_("“%(text)s” is not a date.") % {"text": match.group(0)}) from exc
    if text.strip() and not found:
        raise ValueError(_("Write a date as 2027-01-01 or 1月1日."))
    return found


class HolidayNoticeForm(forms.Form):
    remarks = forms.CharField(
        label=gettext_lazy("Notice"),
        max_length=200,
        help_text=gettext_lazy("Its title or number, e.g. 国办发明电〔2026〕7号."),
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.plan: NoticePlan | None = None
        example = gettext_lazy("e.g. %(date)s") % {"date": f"{year}-01-01"}
        for key, name in NOTICE_HOLIDAYS:
            self.fields[f"{key}_start"] = forms.CharField(
                label=f"{name} · {_('First day off')}",
                required=False,
                widget=forms.TextInput(attrs={"placeholder": example}),
            )
            self.fields[f"{key}_end"] = forms.CharField(
                label=f"{name} · {_('Last day off')}", required=False
            )
            self.fields[f"{key}_make_up"] = forms.CharField(
                label=f"{name} · {_('Make-up working days')}", required=False
            )

    def rows(self) -> list[dict[str, Any]]:
        """The form's fields by holiday, for the template's table."""
        return [
            {
                "name": name,
                "start": self[f"{key}_start"],
                "end": self[f"{key}_end"],
                "make_up": self[f"{key}_make_up"],
            }
            for key, name in NOTICE_HOLIDAYS
        ]

    def _one(self, name: str, key: str) -> dt.date | None:
        try:
            dates = parse_dates(self.cleaned_data.get(name, ""), year=self.year, key=key)
        except ValueError as exc:
            self.add_error(name, str(exc))
            return None
        if len(dates) > 1:
            self.add_error(name, _("Enter one date here."))
            return None
        return dates[0] if dates else None

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        periods: list[HolidayPeriod] = []
        for key, name in NOTICE_HOLIDAYS:
            start = self._one(f"{key}_start", key)
            end = self._one(f"{key}_end", key)
            try:
                make_up = parse_dates(data.get(f"{key}_make_up", ""), year=self.year, key=key)
            except ValueError as exc:
                self.add_error(f"{key}_make_up", str(exc))
                continue
            if start is None and (end is not None or make_up):
                if f"{key}_start" not in self.errors:
                    self.add_error(f"{key}_start", _("Enter the first day off."))
                continue
            if start is not None:
                periods.append(HolidayPeriod(key, name, start, end or start, tuple(make_up)))
        if self.errors and not periods:
            return data
        # The holidays that could be read are checked too: every problem is shown at once.
        try:
            plan = services.plan_holiday_notice(year=self.year, periods=periods)
        except ServiceError as exc:
            for field, messages in exc.field_errors.items():
                if field not in self.errors:
                    for message in messages:
                        self.add_error(field, str(message))
            if not exc.field_errors:
                self.add_error(None, str(exc.message))
            return data
        if not self.errors:
            self.plan = plan
        return data
