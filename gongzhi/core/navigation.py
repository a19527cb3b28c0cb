"""The navigation menu, by role. Hiding an entry is a convenience only: every page checks
permissions on the server (gongzhi.core.permissions).

Each app registers its own entries in its AppConfig.ready():

    from gongzhi.core.navigation import NavItem, register
    register(NavItem(_("Map"), "places:map", "map", lambda a: a.user_id is not None, "map",
                     position=10))

The menu is ordered by `position`, whatever order the apps load in: home 0, places 10, org 20–40,
audit 50, notifications 60, cases 70–110, duty 120. A new app takes a free number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import Access

from .registry import add_once


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
    # Where the entry stands in the menu (smaller first; see the module's docstring).
    position: int = 1000

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


# Kept in menu order by register().
NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "core:home", "house", lambda a: a.user_id is not None, "home", position=0),
]


def signed_in(access: Access) -> bool:
    """Who sees an entry that every signed-in user has."""
    return access.user_id is not None


def register(*items: NavItem) -> None:
    """Add an app's menu entries (an entry whose key is there already is left as it is: ready()
    may run more than once) and keep the menu ordered by position."""
    add_once(NAV_ITEMS, *items)


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
