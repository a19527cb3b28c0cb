from __future__ import annotations

from typing import Any

from gongzhi.core.roles import Access, Role

from .summary import subdistrict_summary


def home_overview(access: Access) -> dict[str, Any]:
    """The subdistrict's structure at a glance (areas, grids, Party organisations …) for the
    administrators who keep it; everyone else's home page leads with their work (core.home)."""
    if not access.has(Role.ADMIN):
        return {}
    return subdistrict_summary()
