"""Matching needs to resources: plain functions, each score with its reasons.

For a need, every active resource gets a score out of 100 from five parts, and a reason for
each part that counted:

- category (40): the resource offers what the need asks for;
- distance (20): full within 300 m, nothing beyond 3 km (gongzhi.places.geo.distance_m);
- availability (20): the share of the hours the need asks for that the resource is free;
- text (10): the similarity of their texts (character bigrams, as the case duplicates use);
- past success (10): completed or evaluated projects of the resource's unit.

A person confirms a match (services.match_confirm), which proposes a project.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gongzhi.cases.duplicates import cosine, profile
from gongzhi.core.errors import ServiceError
from gongzhi.places.geo import distance_m

from .models import Need, Project, Resource

WEEK = 7 * 24 * 60
W_CATEGORY, W_DISTANCE, W_TIME, W_TEXT, W_SUCCESS = 40, 20, 20, 10, 10
NEAR_M, FAR_M = 300.0, 3000.0
DAY_NAMES = ("一", "二", "三", "四", "五", "六", "日")


def _minutes(hhmm: str) -> int:
    h, m = str(hhmm).split(":")
    value = int(h) * 60 + int(m)
    if not 0 <= value <= 24 * 60:
        raise ValueError(hhmm)
    return value


def parse_windows(windows: Any) -> list[tuple[int, int]]:
    """Windows as minute intervals of the week [start, end) (Monday 00:00 = 0); a window whose
    end is not after its start runs past midnight. Raises ServiceError on a malformed one."""
    out: list[tuple[int, int]] = []
    if not windows:
        return out
    if not isinstance(windows, list):
        raise ServiceError(_("Availability windows must be a list."))
    for w in windows:
        try:
            days = [int(d) for d in w.get("days", range(7))]
            start, end = _minutes(w["start"]), _minutes(w["end"])
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ServiceError(
                _(
                    "An availability window needs days (0 = Monday … 6 = Sunday), a start and an end (HH:MM)."
                )
            ) from exc
        if any(not 0 <= d <= 6 for d in days):
            raise ServiceError(_("Days of the week are 0 (Monday) to 6 (Sunday)."))
        length = end - start if end > start else 24 * 60 - start + end
        for d in days:
            s = d * 24 * 60 + start
            e = s + length
            if e <= WEEK:
                out.append((s, e))
            else:
                out.extend([(s, WEEK), (0, e - WEEK)])
    return _merge(out)


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


@functools.lru_cache(maxsize=4096)
def _parsed_text(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(parse_windows(json.loads(text)))


def _parsed(windows: Any) -> tuple[tuple[int, int], ...]:
    """parse_windows(), cached: the same few weekly patterns recur across a thousand rows."""
    if not windows:
        return ()
    return _parsed_text(json.dumps(windows, sort_keys=True))


def overlap_share(need_windows: Any, resource_windows: Any) -> float | None:
    """The share (0..1) of the need's hours that the resource is available; None when the
    need names no hours. A resource without windows is available any time."""
    need = _parsed(need_windows)
    if not need:
        return None
    res = _parsed(resource_windows) or ((0, WEEK),)
    total = sum(e - s for s, e in need)
    shared = 0
    i = j = 0
    while i < len(need) and j < len(res):
        s, e = max(need[i][0], res[j][0]), min(need[i][1], res[j][1])
        if e > s:
            shared += e - s
        if need[i][1] < res[j][1]:
            i += 1
        else:
            j += 1
    return shared / total if total else None


def describe_windows(windows: Any) -> str:
    parts = []
    for w in windows or []:
        days = w.get("days", list(range(7)))
        names = "、".join(DAY_NAMES[int(d)] for d in days)
        parts.append(
            _("%(days)s %(start)s–%(end)s")
            % {"days": "周" + names, "start": w.get("start"), "end": w.get("end")}
        )
    return "；".join(parts)


@dataclass
class Match:
    obj: Any  # the resource (for a need) or the need (for a resource)
    score: float
    reasons: list[str] = field(default_factory=list)
    parts: dict[str, float] = field(default_factory=dict)
    distance_m: float | None = None


def _text(obj: Any) -> str:
    return f"{obj.title} {obj.description}"


def successes_by_unit(unit_ids: Iterable[int]) -> dict[int, int]:
    """Completed or evaluated projects per providing unit."""
    from .models import ProjectParty

    rows = (
        ProjectParty.objects.active()
        .filter(
            organisation_id__in=list(unit_ids),
            project__state__in=(Project.State.COMPLETED, Project.State.EVALUATED),
            project__archived_at__isnull=True,
        )
        .values("organisation_id")
        .annotate(n=Count("project_id", distinct=True))
    )
    return {r["organisation_id"]: r["n"] for r in rows}


def score(need: Need, resource: Resource, *, successes: int = 0) -> Match:
    """The fit of one resource for one need, with the reason for every part that counted."""
    m = Match(obj=resource, score=0.0)
    # Category.
    if need.category == resource.kind:
        m.parts["category"] = W_CATEGORY
        m.reasons.append(
            _("Offers what is asked for: %(kind)s.") % {"kind": resource.get_kind_display()}
        )
    else:
        m.parts["category"] = 0
    # Distance.
    if (
        need.lat is not None
        and need.lng is not None
        and resource.lat is not None
        and resource.lng is not None
    ):
        d = distance_m(need.lat, need.lng, resource.lat, resource.lng)
        m.distance_m = d
        if d <= NEAR_M:
            part = float(W_DISTANCE)
        elif d >= FAR_M:
            part = 0.0
        else:
            part = W_DISTANCE * (FAR_M - d) / (FAR_M - NEAR_M)
        m.parts["distance"] = round(part, 1)
        if part > 0:
            m.reasons.append(_("%(metres)d m away.") % {"metres": round(d)})
        else:
            m.reasons.append(_("Far away (%(km).1f km).") % {"km": d / 1000})
    # Availability.
    share = overlap_share(need.windows, resource.windows)
    if share is not None:
        m.parts["availability"] = round(W_TIME * share, 1)
        if share >= 0.999:
            m.reasons.append(_("Available whenever it is needed."))
        elif share > 0:
            m.reasons.append(
                _("Available for %(pct)d%% of the hours needed.") % {"pct": round(share * 100)}
            )
        else:
            m.reasons.append(_("Not available at the hours needed."))
    # Text.
    ca, na = profile(_text(need))
    cb, nb = profile(_text(resource))
    sim = cosine(ca, na, cb, nb)
    text_part = min(1.0, sim * 2) * W_TEXT
    m.parts["text"] = round(text_part, 1)
    if sim >= 0.15:
        m.reasons.append(_("Similar wording (%(pct)d%%).") % {"pct": round(sim * 100)})
    # Past success.
    if successes:
        part = min(successes, 5) / 5 * W_SUCCESS
        m.parts["success"] = round(part, 1)
        m.reasons.append(
            _("%(unit)s has completed %(n)d project(s).") % {"unit": resource.owner, "n": successes}
        )
    m.score = round(sum(m.parts.values()), 1)
    return m


def matches_for_need(
    need: Need,
    resources: Iterable[Resource] | None = None,
    *,
    limit: int = 10,
    min_score: float = 20.0,
) -> list[Match]:
    """Resources ranked by fit for the need, best first, each with its reasons."""
    if resources is None:
        # A need is served by its subdistrict's units (or the district's).
        resources = Resource.objects.active().select_related("owner")
        if need.subdistrict_id is not None:
            resources = resources.filter(
                Q(owner__subdistrict_id=need.subdistrict_id) | Q(owner__subdistrict__isnull=True)
            )
    resources = list(resources)
    wins = successes_by_unit({r.owner_id for r in resources})
    out = [score(need, r, successes=wins.get(r.owner_id, 0)) for r in resources]
    out = [m for m in out if m.score >= min_score]
    out.sort(key=lambda m: (-m.score, m.distance_m if m.distance_m is not None else 1e9, m.obj.pk))
    return out[:limit]


def matches_for_resource(
    resource: Resource,
    needs: Iterable[Need] | None = None,
    *,
    limit: int = 10,
    min_score: float = 20.0,
) -> list[Match]:
    """The open needs this resource could serve, best first."""
    if needs is None:
        needs = Need.objects.active().filter(state__in=(Need.State.OPEN, Need.State.MATCHED))
        sd = resource.owner.subdistrict_id
        if sd is not None:
            needs = needs.filter(Q(subdistrict_id=sd) | Q(subdistrict__isnull=True))
    wins = successes_by_unit([resource.owner_id]).get(resource.owner_id, 0)
    out = []
    for n in needs:
        m = score(n, resource, successes=wins)
        m.obj = n
        if m.score >= min_score:
            out.append(m)
    out.sort(key=lambda m: (-m.score, m.obj.pk))
    return out[:limit]


__all__ = [
    "Match",
    "matches_for_need",
    "matches_for_resource",
    "overlap_share",
    "parse_windows",
    "score",
]
