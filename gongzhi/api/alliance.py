"""The regional alliance's lists and projects (gongzhi.alliance)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["alliance"])
