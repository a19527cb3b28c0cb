"""Meetings, action items, consultation topics and votes (gongzhi.meetings)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["meetings"])
