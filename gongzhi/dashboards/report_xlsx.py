"""The report's numbers as .xlsx: a first sheet saying what the report is, then one sheet per
table of every section, with the same numbers as the PDF (rates in percent, times in hours),
written by triage's formatted workbook (frozen bold header, widths, dates as dates, text that
looks like a formula neutralised)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.triage.export import workbook

from .report import Content, ReportData, Section, stored

BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    base = BAD_SHEET_CHARS.sub(" ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base[:26]} {n}"
        n += 1
    taken.add(name.lower())
    return name


def render(*, title: str, data: ReportData, sections: list[tuple[Section, Content]]) -> bytes:
    taken: set[str] = set()
    about: list[list[Any]] = [
        [pgettext("report", "report"), title],
        [pgettext("report", "period"), data.period.label],
        [_("from"), data.period.date_from],
        [_("to"), data.period.date_to],
        [pgettext("report", "scope"), data.scope.label],
        [_("figures as of"), data.as_of],
        [pgettext("report", "units"), _("Rates are in percent, handling times in hours.")],
    ]
    sheets: list[tuple[str, list[str], list[list[Any]], list[int]]] = [
        (
            _sheet_name(pgettext("report", "Report"), taken),
            [pgettext("report", "item"), pgettext("report", "value")],
            about,
            [20, 60],
        )
    ]
    for section, content in sections:
        for table in content.tables:
            rows = [
                [stored(kind, value) for value, kind in zip(row, table.kinds, strict=True)]
                for row in table.rows
            ]
            widths = [max(10, min(60, w)) for w in (table.widths or [16] * len(table.headings))]
            name = _sheet_name(table.title or str(section.title), taken)
            sheets.append((name, [str(h) for h in table.headings], rows, widths))
    return workbook(sheets)
