"""The service network's menu, events, registrations and volunteers (gongzhi.servicecentre)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["service network"])
