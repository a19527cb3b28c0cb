"""The registry of figures: what every domain counts for the leaders, defined once, in the
domain that owns it, each with the list behind it.

The cockpit (gongzhi.dashboards), the monthly report and any later reader ask here instead of
knowing every domain: each domain registers a `Source` in its AppConfig.ready():

    from gongzhi.core.measures import Source, register
    register(Source("alliance", _("Alliance"), read_alliance, show=…, position=30))

`read(scope)` returns the source's `Reading`s for a `Scope` (who looks, which period, which
filters); each reading carries its value, how it is shown and the URL of the list of things it
counts (the drill-down), built with the same period and filters. A source that has nothing for
this viewer returns an empty list. Sources are read in the order of their `position`: cases 10,
alliance 30, service centre 40; meetings and triage take free numbers.

The case indicators themselves (按期结案率 …) are defined in gongzhi.cases.measures; their source
here only reads them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from .registry import add_once
from .roles import Access


@dataclass(frozen=True)
class Scope:
    """Who looks at which period. `area_ids` / `department_ids` narrow a non-subdistrict viewer
    (a residential-area secretary: their areas; a department: its own work); `filters` are the
    page's choices (station, residential_area, category, channel, department, grid) by id."""

    user: Any
    access: Access
    date_from: dt.date
    date_to: dt.date
    as_of: dt.datetime
    filters: Mapping[str, Any] = field(default_factory=dict)
    # The list of cases behind a case figure, given by whoever reads (the cockpit gives its
    # own list, which knows every figure): (figure key, extra filters) → URL, or None.
    case_list_url: Callable[[str, Mapping[str, Any]], str | None] | None = field(
        default=None, compare=False
    )

    # How a reader computes a case measure table (the cockpit gives its pre-aggregated one);
    # None: gongzhi.cases.measures.measure_table, straight from the cases.
    measure_table: Callable[..., Any] | None = field(default=None, compare=False)
    # How a reader counts the open and overdue cases now ({"open": n, "overdue": n}; the cockpit
    # gives its snapshot's); None: straight from the cases.
    open_counts: Callable[[], Mapping[str, int]] | None = field(default=None, compare=False)

    def cases_url(self, figure: str, **extra: Any) -> str | None:
        if self.case_list_url is None:
            return None
        return self.case_list_url(figure, extra)

    @property
    def whole_subdistrict(self) -> bool:
        return self.access.whole_subdistrict

    def query(self) -> dict[str, str]:
        """The period and filters as URL parameters (for drill-down links)."""
        out = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        out.update({k: str(v) for k, v in self.filters.items() if v not in (None, "")})
        return out


@dataclass(frozen=True)
class Reading:
    key: str  # "<source>.<figure>", stable: tests and the report find a figure by it
    label: str | Promise
    value: float | None  # a count, a rate in 0..1, or hours; None: no denominator
    unit: str = "count"  # "count", "rate", "hours"
    url: str | None = None  # the list behind the figure, same period and filters
    numerator: float | None = None  # for rates: the counts it is made of
    denominator: float | None = None
    alarm: bool = False  # worth a leader's attention (e.g. overdue > 0)

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.unit == "rate":
            return f"{self.value * 100:.1f}%"
        if self.unit == "hours":
            return f"{self.value:.1f}"
        return f"{self.value:g}" if float(self.value).is_integer() else f"{self.value:.1f}"


@dataclass(frozen=True)
class Source:
    key: str
    label: str | Promise
    read: Callable[[Scope], list[Reading]]
    show: Callable[[Access], bool] = lambda access: access.user_id is not None
    position: int = 100


SOURCES: list[Source] = []


def register(*sources: Source) -> None:
    add_once(SOURCES, *sources)


def sources_for(access: Access) -> list[Source]:
    return [s for s in SOURCES if s.show(access)]


def read_all(scope: Scope) -> list[tuple[Source, list[Reading]]]:
    """Every source this viewer may see, with its readings (sources with none left out)."""
    out = []
    for source in sources_for(scope.access):
        readings = source.read(scope)
        if readings:
            out.append((source, readings))
    return out


def reading(scope: Scope, key: str) -> Reading | None:
    """One figure by its key, or None (no such figure, or not for this viewer)."""
    prefix = key.split(".", 1)[0]
    for source in sources_for(scope.access):
        if source.key != prefix:
            continue
        for r in source.read(scope):
            if r.key == key:
                return r
    return None
