"""Named groups of recipients that another app supplies.

A domain's notices ask for an audience by name ("duty_chiefs"); the app that knows who that is
now answers (the duty roster: the chiefs of the shift on now). The publisher never imports the
provider, so the grid centre does not depend on the duty app:

    audiences.provide("duty_chiefs", current_duty_chiefs)      # duty, at start
    users = audiences.resolve("duty_chiefs", default=holders)   # cases' notices

Providers are asked newest first; the first that names someone wins, else `default()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[[], list[Any]]

_providers: dict[str, list[Provider]] = {}


def provide(name: str, provider: Provider) -> None:
    found = _providers.setdefault(name, [])
    if provider not in found:
        found.append(provider)


def resolve(name: str, *, default: Provider | None = None) -> list[Any]:
    for provider in reversed(_providers.get(name, [])):
        people = provider()
        if people:
            return people
    return default() if default is not None else []
