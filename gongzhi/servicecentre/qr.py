"""The QR code of a check-in code, as inline SVG (segno: pure Python, no image files, nothing
fetched), for the registration's page; staff scan it or type the code beside it."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str, *, scale: int = 6) -> SafeString:
    qr = segno.make(text, error="m", micro=False)
    svg = qr.svg_inline(scale=scale, dark="#111", light="#fff", title=text)
    return mark_safe(svg)  # noqa: S308  (segno's own markup of a code we generated)
