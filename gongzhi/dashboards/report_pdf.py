"""The report as PDF: a title page block, then each section with its charts (drawn with fpdf2's
lines and rectangles, no image library) and tables, a header and page numbers on every page.
Chinese text is set in the service certificates' CJK font (servicecentre.certificates), which
fpdf2 embeds as a subset, so the file reads the same on any machine."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF

from gongzhi.servicecentre.certificates import cjk_font

from .report import Chart, Content, Section, Table, shown

# Colours of the series (the cockpit's palette, in RGB).
PALETTE = (
    (13, 110, 253),
    (25, 135, 84),
    (220, 53, 69),
    (255, 153, 0),
    (111, 66, 193),
    (32, 201, 151),
)
INK = (33, 37, 41)
MUTED = (108, 117, 125)
RULE = (206, 212, 218)
HEAD = (233, 236, 239)
NUMERIC = {"count", "rate", "hours", "delta", "percent", "value", "reading"}


class _Doc(FPDF):
    heading = ""

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("cjk", size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 6, self.heading, align="L")
        self.ln(8)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.set_text_color(*MUTED)
        self.cell(
            0, 6, _("Page %(n)d of %(total)s") % {"n": self.page_no(), "total": "{nb}"}, align="C"
        )
        self.set_text_color(*INK)


def render(
    *, title: str, subtitle: str, author: str, sections: list[tuple[Section, Content]]
) -> bytes:
    path, index = cjk_font()
    pdf = _Doc(format="A4")
    pdf.heading = title
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(True, margin=16)
    kwargs: dict[str, Any] = {"collection_font_number": index} if path.endswith(".ttc") else {}
    pdf.add_font("cjk", "", path, **kwargs)
    pdf.add_page()
    pdf.set_font("cjk", size=20)
    pdf.multi_cell(0, 11, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(4)
    for number, (section, content) in enumerate(sections, start=1):
        _section(pdf, number, str(section.title), content)
    return bytes(pdf.output())


def _section(pdf: FPDF, number: int, title: str, content: Content) -> None:
    # A heading stays with the start of its content (a chart is tall).
    if pdf.get_y() > pdf.h - pdf.b_margin - (95 if content.charts else 45):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("cjk", size=13)
    pdf.cell(0, 8, f"{number}. {title}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*PALETTE[0])
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)
    pdf.set_font("cjk", size=9.5)
    for text in content.paragraphs:
        pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
    if content.paragraphs:
        pdf.ln(1)
    for chart in content.charts:
        _chart(pdf, chart)
    for table in content.tables:
        _table(pdf, table)


# --- Tables -----------------------------------------------------------------------------------


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _table(pdf: FPDF, table: Table) -> None:
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    weights = table.widths or [1] * len(table.headings)
    widths = [usable * w / sum(weights) for w in weights]
    row_h = 6.0
    pdf.set_font("cjk", size=9)
    if pdf.get_y() + 8 + 2 * row_h > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")

    def head() -> None:
        pdf.set_font("cjk", size=7.5)
        pdf.set_fill_color(*HEAD)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2)
        lines = max(
            math.ceil(pdf.get_string_width(h) / max(w - 2, 1))
            for h, w in zip(table.headings, widths, strict=True)
        )
        height = 4.2 * min(max(lines, 1), 3) + 1.6
        x, y = pdf.get_x(), pdf.get_y()
        for h, w in zip(table.headings, widths, strict=True):
            pdf.rect(x, y, w, height, style="DF")
            pdf.set_xy(x + 0.5, y + 0.8)
            pdf.multi_cell(w - 1, 4.2, h, align="C", max_line_height=4.2)
            x += w
        pdf.set_xy(pdf.l_margin, y + height)
        pdf.set_font("cjk", size=8.5)

    head()
    for i, row in enumerate(table.rows):
        if pdf.get_y() + row_h > pdf.h - pdf.b_margin:
            pdf.add_page()
            head()
        fill = i % 2 == 1
        pdf.set_fill_color(248, 249, 250)
        for value, kind, w in zip(row, table.kinds, widths, strict=True):
            text = _fit(pdf, shown(kind, value), w - 2)
            align = "R" if kind in NUMERIC else "L"
            pdf.cell(w, row_h, text, border="B", align=align, fill=fill)
        pdf.ln(row_h)
    pdf.ln(3)


# --- Charts -----------------------------------------------------------------------------------


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _chart(pdf: FPDF, chart: Chart) -> None:
    height = 58.0
    if pdf.get_y() + height + 14 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 6, chart.title, new_x="LMARGIN", new_y="NEXT")
    left = pdf.l_margin + 12
    right = pdf.w - pdf.r_margin - 2
    top = pdf.get_y() + 2
    bottom = top + height - 14
    values = [v for _name, data in chart.series for v in data if v is not None]
    top_value = 100.0 if chart.unit == "%" else _nice_max(max(values, default=0))
    # Grid lines and their values.
    pdf.set_font("cjk", size=6.5)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.15)
    pdf.set_text_color(*MUTED)
    for i in range(5):
        v = top_value * i / 4
        y = bottom - (bottom - top) * i / 4
        pdf.line(left, y, right, y)
        pdf.set_xy(pdf.l_margin, y - 2)
        pdf.cell(11, 4, f"{v:g}", align="R")
    n = max(len(chart.labels), 1)
    slot = (right - left) / n
    for i, label in enumerate(chart.labels):
        pdf.set_xy(left + i * slot, bottom + 1)
        pdf.cell(slot, 4, _fit(pdf, label, slot - 1), align="C")
    pdf.set_text_color(*INK)

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * min(v, top_value) / top_value

    if chart.kind == "bar":
        count = len(chart.series)
        bar = min(slot * 0.7, 18.0) / max(count, 1)
        inset = (slot - bar * count) / 2
        for s, (_name, data) in enumerate(chart.series):
            pdf.set_fill_color(*PALETTE[s % len(PALETTE)])
            for i, value in enumerate(data):
                if not value:
                    continue
                x = left + i * slot + inset + s * bar
                pdf.rect(x, y_of(value), bar, bottom - y_of(value), style="F")
                pdf.set_font("cjk", size=6)
                pdf.set_xy(x - 2, y_of(value) - 3.5)
                pdf.cell(bar + 4, 3.5, f"{value:g}", align="C")
    else:
        pdf.set_line_width(0.6)
        for s, (_name, data) in enumerate(chart.series):
            colour = PALETTE[s % len(PALETTE)]
            pdf.set_draw_color(*colour)
            pdf.set_fill_color(*colour)
            last = None
            for i, value in enumerate(data):
                if value is None:
                    last = None
                    continue
                point = (left + (i + 0.5) * slot, y_of(value))
                if last is not None:
                    pdf.line(*last, *point)
                pdf.ellipse(point[0] - 0.8, point[1] - 0.8, 1.6, 1.6, style="F")
                last = point
    # The legend.
    pdf.set_font("cjk", size=7)
    x = left
    y = bottom + 6
    for s, (name, _data) in enumerate(chart.series):
        width = pdf.get_string_width(name) + 8
        if x + width > right:
            x, y = left, y + 4.5
        pdf.set_fill_color(*PALETTE[s % len(PALETTE)])
        pdf.rect(x, y + 0.8, 3, 2.4, style="F")
        pdf.set_xy(x + 4, y)
        pdf.cell(width - 4, 4, name)
        x += width
    pdf.set_line_width(0.2)
    pdf.set_xy(pdf.l_margin, y + 7)
