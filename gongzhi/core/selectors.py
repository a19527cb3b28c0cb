from __future__ import annotations

from typing import Any

from gongzhi.core.roles import Access


def home_overview(access: Access) -> dict[str, Any]:
    """The counts on the home page (extended by later apps through their own selectors)."""
    from .summary import subdistrict_summary

    if not access.is_staff_member:
        return {}
    return subdistrict_summary()
