"""Shared resources, parking permits and the gate check (gongzhi.sharing)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["sharing"])
