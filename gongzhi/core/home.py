"""The home page: the work of the person who opens it, first. Each domain app registers its
panels in its AppConfig.ready():

    from gongzhi.core.home import Panel, register
    register(Panel("centre", "cases/home/centre.html", show=…, build=…, position=10))

`show(access)` says who sees the panel; `build(user, access)` gives its template's context (None
leaves it out, e.g. nothing to show). A panel runs on every visit to the home page: a few
counts on indexed columns and one short list at most. Every figure on a panel is a link to the
list of the things it counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .registry import add_once
from .roles import Access


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    show: Callable[[Access], bool]
    build: Callable[[Any, Access], dict[str, Any] | None]
    position: int = 100


PANELS: list[Panel] = []


def register(*panels: Panel) -> None:
    add_once(PANELS, *panels)


def panels_for(user: Any, access: Access) -> list[tuple[Panel, dict[str, Any]]]:
    out = []
    for panel in PANELS:
        if not panel.show(access):
            continue
        context = panel.build(user, access)
        if context is not None:
            out.append((panel, context))
    return out


# --- A residential area's page ------------------------------------------------------------------
# The area page (org) shows the area's organisation and people; other domains add what they
# keep per area, e.g. the dual registrations (双报到) its secretary confirms:
#
#     register_area(AreaPanel("dual", "alliance/area/dual.html", build=…, position=10))
#
# `build(user, access, area)` gives the template's context, or None to leave the panel out.


@dataclass(frozen=True)
class AreaPanel:
    key: str
    template: str
    build: Callable[[Any, Access, Any], dict[str, Any] | None]
    position: int = 100


AREA_PANELS: list[AreaPanel] = []


def register_area(*panels: AreaPanel) -> None:
    add_once(AREA_PANELS, *panels)


def area_panels_for(user: Any, access: Access, area: Any) -> list[tuple[AreaPanel, dict[str, Any]]]:
    out = []
    for panel in AREA_PANELS:
        context = panel.build(user, access, area)
        if context is not None:
            out.append((panel, context))
    return out
