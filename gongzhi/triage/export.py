"""Formatted .xlsx files: any filtered case list (the queue's filters and scope), the
indicators (`cases.measures.measure_table`, read only), and an import's validation report.

Every sheet has its header row frozen and bold, its column widths set, dates written as dates
(with a date format) and text that a spreadsheet would take for a formula (starting with =, +,
-, @, or a tab/carriage return before one) neutralised with a leading apostrophe-like quote
character, so an exported complaint cannot run code in the reader's Excel. Workbooks are
written with openpyxl's write-only mode: constant memory for long lists.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd hh:mm"


def neutralise(value: Any) -> Any:
    """Text that begins like a formula gets a leading single quote (shown, never evaluated)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if value is None or isinstance(value, bool | int | float | dt.date):
        return value
    return neutralise(str(value))


def workbook(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]], Sequence[int]]],
) -> bytes:
    """An .xlsx of sheets given as (title, headings, rows, widths)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headings, rows, widths in sheets:
        ws = wb.create_sheet(title=title[:31])
        ws.freeze_panes = "A2"
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        head = []
        for h in headings:
            c = WriteOnlyCell(ws, value=neutralise(str(h)))
            c.font = bold
            head.append(c)
        ws.append(head)
        for row in rows:
            out = []
            for value in row:
                v = _cell_value(value)
                if isinstance(v, dt.datetime | dt.date):
                    c = WriteOnlyCell(ws, value=v)
                    c.number_format = DATE_FORMAT if isinstance(v, dt.datetime) else "yyyy-mm-dd"
                    out.append(c)
                else:
                    out.append(v)
            ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def cases_workbook(qs: Any) -> bytes:
    """The cases of a queryset (already scoped and filtered), one row each."""
    headings = [
        _("number"),
        _("external reference"),
        _("received at"),
        _("channel"),
        _("category"),
        _("state"),
        _("summary"),
        _("description"),
        _("address"),
        _("grid"),
        _("department"),
        _("due at"),
        _("closed at"),
    ]
    rows = (
        [
            c.number,
            c.external_ref,
            c.received_at,
            c.get_channel_display(),
            c.category.name if c.category_id else "",
            c.get_state_display(),
            c.title,
            c.description,
            c.address,
            c.grid.name if c.grid_id else "",
            c.department.name if c.department_id else "",
            c.due_at,
            c.closed_at,
        ]
        for c in qs.select_related("category", "grid", "department").iterator(chunk_size=2000)
    )
    widths = [16, 18, 18, 12, 18, 10, 30, 60, 30, 14, 16, 18, 18]
    return workbook([(_("Cases"), headings, rows, widths)])


def measures_workbook(table: Any) -> bytes:
    """The indicators of a measure table: per group, every measure's value, then its figures."""
    measures = list(table.measures)
    headings = [str(table.grouping.name)] + [str(m.name) for m in measures]
    rows = []
    for row in [*table.rows, table.total]:
        line: list[Any] = [row.label]
        for m in measures:
            v = row.values.get(m.key)
            if v is None or v.value is None:
                line.append(None)
            else:
                line.append(round(v.value, 4))
        rows.append(line)
    widths = [22] + [16] * len(measures)
    return workbook([(_("Indicators"), headings, rows, widths)])


def report_workbook(batch: Any) -> bytes:
    """An import's validation report: row, column, problem."""
    headings = [_("row"), _("column"), _("problem")]
    rows = ([r, c, m] for r, c, m in batch.problems)
    return workbook([(_("Problems"), headings, rows, [8, 24, 80])])
