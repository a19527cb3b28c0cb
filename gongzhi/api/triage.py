"""Work-order imports, category suggestions and hot spots (gongzhi.triage)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["triage"])
