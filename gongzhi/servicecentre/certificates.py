"""A volunteer's certificate of hours, as PDF with a Chinese font embedded (fpdf2 embeds the
subset of the glyphs it uses, so the file reads the same on any machine).

The font is Noto Sans CJK from the Debian package fonts-noto-cjk (installed with the browser
tests' chromium), or any file named in settings.GONGZHI["CJK_FONT"]."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from gongzhi.core.conf import product_setting
from gongzhi.core.errors import ServiceError

from . import selectors
from .models import ShiftSignup, Volunteer

# (path, index in a font collection: Noto's .ttc holds JP, KR, SC, TC, HK — SC is 2)
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


def cjk_font() -> tuple[str, int]:
    configured = product_setting("CJK_FONT", "") or ""
    candidates = ((str(configured), 0),) + FONT_CANDIDATES if configured else FONT_CANDIDATES
    for path, index in candidates:
        if Path(path).is_file():
            return path, index
    raise ServiceError(
        _(
            "No Chinese font is installed on the server (fonts-noto-cjk); the certificate cannot be made."
        )
    )


def hours_certificate(volunteer: Volunteer, *, issued: dt.date | None = None) -> bytes:
    path, index = cjk_font()
    signups = list(
        ShiftSignup.objects.filter(volunteer=volunteer, state=ShiftSignup.State.CONFIRMED)
        .select_related("shift__opportunity")
        .order_by("shift__starts_at")
    )
    total = selectors.hours(volunteer)
    issued = issued or timezone.localdate()
    pdf = FPDF(format="A4")
    pdf.set_title(f"志愿服务时长证明 {volunteer.name}")
    pdf.set_author("曹杨新村街道社区党建服务中心")
    kwargs: dict[str, Any] = {"collection_font_number": index} if path.endswith(".ttc") else {}
    pdf.add_font("cjk", "", path, **kwargs)
    pdf.add_page()
    pdf.set_font("cjk", size=22)
    pdf.cell(0, 16, "志愿服务时长证明", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("cjk", size=12)
    area = f"（{volunteer.residential_area}）" if volunteer.residential_area_id else ""
    pdf.multi_cell(
        0,
        8,
        f"兹证明 {volunteer.name}{area} 自 {volunteer.created_at:%Y年%m月%d日} 注册为曹杨新村街道"
        f"社区志愿者以来，经组织方确认，累计参加志愿服务 {len(signups)} 次，"
        f"服务时长共计 {total:.2f} 小时。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font("cjk", size=10)
    widths = (40, 100, 30)
    for text, w in zip(("日期", "服务项目", "时长（小时）"), widths, strict=True):
        pdf.cell(w, 8, text, border=1, align="C")
    pdf.ln()
    for su in signups[:200]:
        start = timezone.localtime(su.shift.starts_at)
        row = (f"{start:%Y-%m-%d}", su.shift.opportunity.title[:40], f"{su.hours}")
        for text, w in zip(row, widths, strict=True):
            pdf.cell(w, 7, text, border=1)
        pdf.ln()
    pdf.ln(10)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, "曹杨新村街道社区党建服务中心", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, f"{issued:%Y年%m月%d日}", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
