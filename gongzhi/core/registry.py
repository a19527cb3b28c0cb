"""The one way the registries of the product (menu entries, home panels) take an app's items:
once each (an app's ready() may run more than once), kept in the order of their `position`,
whichever app registers first."""

from __future__ import annotations

from typing import Any


def add_once(registry: list[Any], *items: Any) -> None:
    known = {item.key for item in registry}
    for item in items:
        if item.key not in known:
            registry.append(item)
            known.add(item.key)
    registry.sort(key=lambda item: item.position)
