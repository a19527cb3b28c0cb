"""The navigation menu: each app registers its own entries (in its AppConfig.ready()), and
their `position` keeps the menu in the order it has always had, whichever app loads first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core import navigation
from gongzhi.core.roles import access_for

# The menu as each persona sees it (keys of the entries, in order): the grid centre's entries
# first, as they have always been, then each later domain's.
GRID = ("home", "map", "org", "areas", "stations", "people")  # the staff's first entries
# Grid stations are for the staff with a station in scope (not departments or member units).
GRID_NO_STATION = ("home", "map", "org", "areas", "people")
MENUS = {
    "admin": [
        *GRID,
        *("audit", "inbox", "accountability", "duty", "calendar", "alliance", "sharing", "gate"),
        *("service", "events", "volunteers", "meetings", "triage_imports", "triage_hot_spots"),
    ],
    "auditor": [
        *GRID,
        *("audit", "inbox", "duty", "sharing", "service", "events", "volunteers", "meetings"),
        "triage_hot_spots",
    ],
    "operator": [
        *GRID,
        *(
            "inbox",
            "cases",
            "cockpit",
            "reports",
            "stats",
            "duty",
            "sharing",
            "events",
            "volunteers",
        ),
        *("meetings", "triage_imports", "triage_hot_spots"),
    ],
    "leader": [
        *GRID,
        *("inbox", "cases", "cockpit", "reports", "accountability", "stats", "duty", "alliance"),
        *("sharing", "service", "events", "volunteers", "meetings", "triage_hot_spots"),
    ],
    "handler": [
        *GRID_NO_STATION,
        *("inbox", "department", "cockpit", "reports", "accountability", "stats", "sharing"),
        *("events", "volunteers"),
        "meetings",
    ],
    "inspector": [*GRID, "inbox", "tasks", "accountability", "sharing", "events", "volunteers"]
    + ["meetings"],
    "secretary": [
        *GRID,
        *(
            "inbox",
            "area_cases",
            "cockpit",
            "reports",
            "area_cockpit",
            "alliance",
            "sharing",
            "events",
        ),
        "volunteers",
        "meetings",
    ],
    "liaison": [
        *GRID_NO_STATION,
        "inbox",
        "alliance",
        "sharing",
        "gate",
        "events",
        "volunteers",
        "meetings",
    ],
    "resident": ["home", "map", "inbox", "report", "alliance_public", "sharing"]
    + ["events", "volunteers", "meetings"],
}
EVERY_ENTRY = [
    "home",
    "map",
    "org",
    "areas",
    "stations",
    "people",
    "audit",
    "inbox",
    "cases",
    "area_cases",
    "department",
    "tasks",
    "cockpit",
    "reports",
    "accountability",
    "area_cockpit",
    "stats",
    "report",
    "duty",
    "calendar",
    "alliance",
    "alliance_public",
    "sharing",
    "gate",
    "service",
    "events",
    "volunteers",
    "meetings",
    "triage_imports",
    "triage_hot_spots",
]


def test_every_entry_is_registered_once_in_the_menus_order():
    assert [item.key for item in navigation.NAV_ITEMS] == EVERY_ENTRY


@pytest.mark.parametrize("persona", sorted(MENUS))
def test_each_persona_sees_the_menu_in_its_order(world, persona):
    user = getattr(world, persona)
    keys = [item["key"] for item in navigation.items_for(access_for(user), user)]
    assert keys == MENUS[persona]


def test_the_page_shows_the_entries_in_that_order(client, world):
    import re

    client.force_login(world.operator)
    page = client.get(reverse("core:home")).content.decode()
    assert re.findall(r'data-nav="(\w+)"', page) == MENUS["operator"]


def test_an_apps_entries_take_their_place_whenever_it_registers_and_only_once(monkeypatch):
    monkeypatch.setattr(navigation, "NAV_ITEMS", list(navigation.NAV_ITEMS))

    def everyone(a):
        return True

    late = navigation.NavItem("Later app", "core:home", "star", everyone, "later", position=65)
    navigation.register(late)
    navigation.register(late)  # ready() run again
    keys = [item.key for item in navigation.NAV_ITEMS]
    assert keys.count("later") == 1
    assert keys[keys.index("inbox") + 1] == "later"  # between notifications (60) and cases (70)
