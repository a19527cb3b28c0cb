"""Duplicate candidates on intake: open or recent cases of the same category group nearby,
with a text-similarity score, best first (FixMyStreet's "nearby reports", Zammad's merge).

Similarity is the cosine of character-bigram counts (Chinese needs no word segmentation for
this; Latin text is lower-cased). The final score mixes text similarity and distance.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections import Counter
from typing import Any

from django.db import connection
from django.utils import timezone

from gongzhi.core.conf import product_setting
from gongzhi.places.geo import bbox_around, distance_m

from . import sla
from .models import Case

_space = re.compile(r"\s+")
_punct = re.compile(r"[\s\W_]+", re.UNICODE)


@functools.lru_cache(maxsize=20_000)
def bigrams(text: str) -> Counter[str]:
    """Character bigram counts (cached: the same nearby reports are compared again and again;
    callers must not modify the result)."""
    t = _punct.sub("", (text or "").lower())
    if len(t) < 2:
        return Counter([t]) if t else Counter()
    return Counter(t[i : i + 2] for i in range(len(t) - 1))


def _norm(c: Counter[str]) -> float:
    return math.sqrt(sum(v * v for v in c.values()))


@functools.lru_cache(maxsize=20_000)
def profile(text: str) -> tuple[Counter[str], float]:
    """A text's bigram counts and their norm, cached together."""
    counts = bigrams(text)
    return counts, _norm(counts)


def cosine(ca: Counter[str], na: float, cb: Counter[str], nb: float | None = None) -> float:
    if not ca or not cb or not na:
        return 0.0
    dot = sum(ca[k] * cb[k] for k in ca.keys() & cb.keys())  # the shared bigrams only
    return dot / (na * (_norm(cb) if nb is None else nb))


def similarity(a: str, b: str) -> float:
    """Cosine similarity of character bigrams, 0..1."""
    return cosine(*profile(a), *profile(b))


SCAN = 40
WANTED = {
    "id",
    "lat",
    "lng",
    "title",
    "description",
    "number",
    "state",
    "tracking_code",
    "category_id",
    "subdistrict_id",  # a duplicate is of the same subdistrict
}


def _fields() -> tuple[str, ...]:
    """The scanned columns, in the model's field order (what Model.from_db expects)."""
    return tuple(f.attname for f in Case._meta.concrete_fields if f.attname in WANTED)


CELL_DEGREES = 0.001  # about 111 m of latitude, 95 m of longitude at Shanghai


def cell_of(lat: float, lng: float) -> int:
    """The map cell of a point: rows of 0.001° latitude × columns of 0.001° longitude."""
    return math.floor(lat / CELL_DEGREES) * 1_000_000 + math.floor(lng / CELL_DEGREES) % 1_000_000


def cells_around(lat: float, lng: float, metres: float) -> list[int]:
    """Every cell that the square of `metres` around the point touches."""
    min_lat, max_lat, min_lng, max_lng = bbox_around(lat, lng, metres)
    rows = range(math.floor(min_lat / CELL_DEGREES), math.floor(max_lat / CELL_DEGREES) + 1)
    cols = range(math.floor(min_lng / CELL_DEGREES), math.floor(max_lng / CELL_DEGREES) + 1)
    return [r * 1_000_000 + c % 1_000_000 for r in rows for c in cols]


def _nearby_query(
    *,
    fields: tuple[str, ...],
    cells: list[int],
    box: tuple[float, float, float, float],
    categories: list[int],
    since: dt.datetime,
    exclude_id: int | None,
) -> tuple[str, list[Any]]:
    """The SCAN most recent cases in `cells` and inside `box` (min/max lat, min/max lng) of
    `categories` that are open or received since `since`, merged cases left out: the query
    for the `fields` of each, and its parameters."""
    from .workflow import OPEN_STATES

    qn = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    # The (cell, category) index finds the cases of the category in each neighbouring cell
    # (cells × categories lookups), so only those rows are read. SQLite is told to use it: on
    # a busy table it would otherwise walk every case of the category (ten times slower at
    # 10,000 cases, measured with bench/bench_intake.py), and a unary + keeps the other
    # columns off its other indexes. PostgreSQL's statistics choose well without either.
    p = "+" if connection.vendor == "sqlite" else ""
    hint = " INDEXED BY case_cell_category" if connection.vendor == "sqlite" else ""
    params: list[Any] = []

    def among(column: str, values: list[Any]) -> str:
        # PostgreSQL gets one array parameter, so the statement's text is the same every time
        # (the driver converts it once); SQLite, which has no arrays, a list of placeholders.
        if postgres:
            params.append(list(values))
            return f"{column} = ANY(%s)"
        params.extend(values)
        return f"{column} IN ({', '.join(['%s'] * len(values))})"

    where = [among(qn("cell"), cells)]
    where.append(f"{p}{qn('lat')} BETWEEN %s AND %s AND {p}{qn('lng')} BETWEEN %s AND %s")
    params.extend(box)
    where.append(among(qn("category_id"), categories))
    where.append(f"{p}{qn('state')} <> %s")
    params.append(Case.State.MERGED)
    opened = among(f"{p}{qn('state')}", sorted(OPEN_STATES))
    where.append(f"({opened} OR {p}{qn('received_at')} >= %s)")
    params.append(connection.ops.adapt_datetimefield_value(since))
    where.append(f"{qn('id')} <> %s")
    params.append(exclude_id or 0)
    sql = (
        f"SELECT {', '.join(qn(f) for f in fields)} FROM {qn(Case._meta.db_table)}{hint}"  # noqa: S608
        f" WHERE {' AND '.join(where)} ORDER BY {qn('received_at')} DESC LIMIT {SCAN}"
    )
    return sql, params


def _converted(fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows with the conversions the ORM would apply (SQLite gives naive datetimes)."""
    by_attname = {f.attname: f for f in Case._meta.concrete_fields}
    converters = []
    for i, name in enumerate(fields):
        col = by_attname[name].get_col(Case._meta.db_table)
        funcs = connection.ops.get_db_converters(col) + col.field.get_db_converters(connection)
        if funcs:
            converters.append((i, col, funcs))
    if not converters:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for i, col, funcs in converters:
            for func in funcs:
                values[i] = func(values[i], col, connection)
        out.append(tuple(values))
    return out


class Candidate:
    """A nearby case and its scores. The case is built from the scanned row when first asked
    for (no query): intake finds candidates for every report, few callers show them all."""

    __slots__ = ("pk", "distance_m", "text_score", "score", "_fields", "_row", "_case")

    def __init__(
        self,
        *,
        pk: int,
        distance_m: float,
        text_score: float,
        score: float,
        fields: tuple[str, ...],
        row: tuple[Any, ...],
    ) -> None:
        self.pk = pk
        self.distance_m = distance_m
        self.text_score = text_score
        self.score = score
        self._fields = fields
        self._row = row
        self._case: Case | None = None

    @property
    def case(self) -> Case:
        if self._case is None:
            (row,) = _converted(self._fields, [self._row])
            self._case = Case.from_db(Case.objects.db, self._fields, row)
        return self._case

    def text(self, name: str) -> str:
        """A text column of the scanned row (`number`, `title`, `state` …), without building
        the case: text needs no conversion."""
        return str(self._row[self._fields.index(name)])

    def id_of(self, name: str) -> int | None:
        """An id column of the scanned row (`subdistrict_id`, `category_id`), without building
        the case: ids need no conversion."""
        value = self._row[self._fields.index(name)]
        return None if value is None else int(value)

    def __repr__(self) -> str:
        return f"Candidate(pk={self.pk}, distance_m={self.distance_m}, score={self.score})"


def settings_radius() -> float:
    return float(product_setting("DUPLICATE_RADIUS_M", 100))


def settings_days() -> int:
    return int(product_setting("DUPLICATE_DAYS", 7))


class Search:
    """A search for the cases a new report may repeat, prepared before its rows are read: the
    rows come from `rows()` (one query), or from the statement that files the report
    (`as_json()`, on PostgreSQL), and `rank()` scores them."""

    def __init__(
        self,
        *,
        category_id: int,
        lat: float,
        lng: float,
        text: str,
        radius_m: float | None = None,
        days: int | None = None,
        now: dt.datetime | None = None,
        limit: int = 10,
    ) -> None:
        self.lat, self.lng, self.text, self.limit = lat, lng, text, limit
        self.radius = settings_radius() if radius_m is None else radius_m
        window = settings_days() if days is None else days
        cache = sla.catalogue()
        group = cache.groups.get(category_id) or category_id
        self.fields = _fields()
        self._where: dict[str, Any] = {
            "cells": cells_around(lat, lng, self.radius),
            "box": bbox_around(lat, lng, self.radius),
            "categories": [cid for cid, g in cache.groups.items() if (g or cid) == group],
            "since": (now or timezone.now()) - dt.timedelta(days=window),
        }

    def query(self, exclude_id: int | None = None) -> tuple[str, list[Any]]:
        return _nearby_query(fields=self.fields, exclude_id=exclude_id, **self._where)

    def rows(self, exclude_id: int | None = None) -> list[tuple[Any, ...]]:
        sql, params = self.query(exclude_id)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def as_json(self) -> tuple[str, list[Any]]:
        """A scalar subquery (PostgreSQL) giving the rows as one JSON text (`from_json` reads
        it): the columns are numbers and text, which JSON carries as they are."""
        sql, params = self.query()
        columns = ", ".join(f"d.{connection.ops.quote_name(f)}" for f in self.fields)
        return (
            f"(SELECT coalesce(json_agg(json_build_array({columns})), '[]')::text FROM ({sql}) d)",  # noqa: S608
            params,
        )

    @staticmethod
    def from_json(text: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in json.loads(text)]

    def rank(self, rows: list[tuple[Any, ...]]) -> list[Candidate]:
        lat, lng, radius = self.lat, self.lng, self.radius
        at = {name: i for i, name in enumerate(self.fields)}
        query, query_norm = profile(self.text)
        scored: list[tuple[float, float, float, int]] = []
        loaded: dict[int, tuple[Any, ...]] = {}
        i_id, i_lat, i_lng = at["id"], at["lat"], at["lng"]
        i_title, i_description = at["title"], at["description"]
        for row in rows:
            c_lat, c_lng = row[i_lat], row[i_lng]
            if c_lat is None or c_lng is None:
                continue
            d = distance_m(lat, lng, c_lat, c_lng)
            if d > radius:
                continue
            ts = cosine(query, query_norm, *profile(f"{row[i_title]} {row[i_description]}"))
            pk = row[i_id]
            scored.append((0.7 * ts + 0.3 * (1 - d / radius if radius else 1), d, ts, pk))
            loaded[pk] = row
        # Ranked on the rounded figures the pages show, so that equal-looking scores tie.
        scored = [(round(sc, 3), round(d, 1), round(ts, 3), pk) for sc, d, ts, pk in scored]
        scored.sort(key=lambda x: (-x[0], x[1], -x[3]))
        # Cases are built from the scanned columns when asked for: no second query.
        return [
            Candidate(
                pk=pk, distance_m=d, text_score=ts, score=score, fields=self.fields, row=loaded[pk]
            )
            for score, d, ts, pk in scored[: self.limit]
        ]


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
    """Open or recent cases of the same category group within `radius_m` of the point. The
    most recent reports near the point are the likely duplicates; scanning every old one in a
    busy spot would only slow intake down. Plain SQL: this runs on every intake and the ORM's
    query building cost more than the query itself."""
    if lat is None or lng is None:
        return []
    search = Search(
        category_id=category_id,
        lat=lat,
        lng=lng,
        text=text,
        radius_m=radius_m,
        days=days,
        now=now,
        limit=limit,
    )
    return search.rank(search.rows(exclude_id))
