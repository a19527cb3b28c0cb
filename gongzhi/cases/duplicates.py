"""Duplicate candidates on intake: open or recent cases of the same category group nearby,
with a text-similarity score, best first (FixMyStreet's "nearby reports", Zammad's merge).

Similarity is the cosine of character-bigram counts (Chinese needs no word segmentation for
this; Latin text is lower-cased). The final score mixes text similarity and distance.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from gongzhi.core.conf import product_setting
from gongzhi.places.geo import bbox_around, distance_m

from . import sla
from .models import Case

_space = re.compile(r"\s+")
_punct = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text: str) -> Counter[str]:
    t = _punct.sub("", (text or "").lower())
    if len(t) < 2:
        return Counter([t]) if t else Counter()
    return Counter(t[i : i + 2] for i in range(len(t) - 1))


def similarity(a: str, b: str) -> float:
    """Cosine similarity of character bigrams, 0..1."""
    ca, cb = bigrams(a), bigrams(b)
    if not ca or not cb:
        return 0.0
    dot = sum(v * cb.get(k, 0) for k, v in ca.items())
    na = math.sqrt(sum(v * v for v in ca.values()))
    nb = math.sqrt(sum(v * v for v in cb.values()))
    return dot / (na * nb)


@dataclass(frozen=True)
class Candidate:
    case: Case
    distance_m: float
    text_score: float
    score: float


def settings_radius() -> float:
    return float(product_setting("DUPLICATE_RADIUS_M", 100))


def settings_days() -> int:
    return int(product_setting("DUPLICATE_DAYS", 7))


def candidates(
    *,
    category_id: int,
    lat: float | None,
    lng: float | None,
    text: str,
    exclude_id: int | None = None,
    radius_m: float | None = None,
    days: int | None = None,
    now: dt.datetime | None = None,
    limit: int = 10,
) -> list[Candidate]:
    """Open or recent cases of the same category group within `radius_m` of the point."""
    if lat is None or lng is None:
        return []
    radius = settings_radius() if radius_m is None else radius_m
    window = settings_days() if days is None else days
    now = now or timezone.now()
    cache = sla.catalogue()
    group = cache.groups.get(category_id) or category_id
    group_members = [cid for cid, g in cache.groups.items() if (g or cid) == group]
    min_lat, max_lat, min_lng, max_lng = bbox_around(lat, lng, radius)
    from .workflow import OPEN_STATES

    qs = (
        Case.objects.filter(
            lat__gte=min_lat,
            lat__lte=max_lat,
            lng__gte=min_lng,
            lng__lte=max_lng,
            category_id__in=group_members,
        )
        .filter(Q(state__in=OPEN_STATES) | Q(received_at__gte=now - dt.timedelta(days=window)))
        .exclude(state=Case.State.MERGED)
        .only(
            "id",
            "number",
            "lat",
            "lng",
            "title",
            "description",
            "state",
            "received_at",
            "category_id",
            "tracking_code",
        )
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    out = []
    for c in qs[:200]:
        assert c.lat is not None and c.lng is not None
        d = distance_m(lat, lng, c.lat, c.lng)
        if d > radius:
            continue
        ts = similarity(text, f"{c.title} {c.description}")
        score = 0.7 * ts + 0.3 * (1 - d / radius if radius else 1)
        out.append(Candidate(c, round(d, 1), round(ts, 3), round(score, 3)))
    out.sort(key=lambda x: (-x.score, x.distance_m, -x.case.pk))
    return out[:limit]
