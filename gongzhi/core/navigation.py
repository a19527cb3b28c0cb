"""The navigation menu, by role. Hiding an entry is a convenience only: every page checks
permissions on the server (gongzhi.core.permissions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import Access, Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    show: Callable[[Access], bool]
    key: str = ""
    # An optional count shown next to the label (e.g. unread notices): called once per page for
    # the items shown, so keep it to one cheap query; None or 0 shows no badge.
    badge: Callable[[Access, Any], int | None] | None = None
    # An optional URL name of a small fragment that refreshes the badge (polled by htmx).
    badge_url_name: str = ""

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


def _staff(a: Access) -> bool:
    return a.is_staff_member


# Later apps append their entries in their AppConfig.ready().
NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "core:home", "house", lambda a: a.user_id is not None, "home"),
    NavItem(_("Map"), "places:map", "map", lambda a: a.user_id is not None, "map"),
    NavItem(_("Organisation"), "org:chart", "diagram-3", _staff, "org"),
    NavItem(_("Residential areas"), "org:area_list", "houses", _staff, "areas"),
    NavItem(_("People"), "org:people", "people", _staff, "people"),
    NavItem(
        _("Audit trail"),
        "audit:list",
        "journal-text",
        lambda a: a.has(Role.AUDITOR, Role.ADMIN),
        "audit",
    ),
]


def _badge_url(item: NavItem) -> str:
    if not item.badge_url_name:
        return ""
    try:
        return reverse(item.badge_url_name)
    except NoReverseMatch:
        return ""


def items_for(access: Access, user: Any = None) -> list[dict[str, Any]]:
    out = []
    for item in NAV_ITEMS:
        if item.show(access):
            url = item.url()
            if url:
                out.append(
                    {
                        "label": item.label,
                        "url": url,
                        "icon": item.icon,
                        "key": item.key,
                        "badge": item.badge(access, user) if item.badge else None,
                        "badge_url": _badge_url(item),
                    }
                )
    return out
