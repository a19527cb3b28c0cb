"""Hot spots (热点问题): many residents raising the same problem at the same place in the same
period, found and ranked by heat.

Two ways to group, one way to rank:

- cases of the subdistrict (`group_cases`): the place is known (a ~100 m map cell, else the
  grid and the address) and so is the category, so cases are grouped by category group and
  place, then split where more than `window` days pass between two cases: linear, and fast
  enough for a million cases;
- messages that only have text (`group_texts`, such as the TipDM messages with their likes):
  two messages belong together when their subjects and openings are alike (cosine of character
  2–3-gram TF-IDF at least `similarity`), they were written within `window` days of each
  other, and the places they name (小区, 路, 学校 …) do not disagree; groups are the connected
  components.

Heat = (distinct reporters + half of the repeat reports by the same people + log2(1 + supports)
      − log2(1 + objections)/2) × recency × (1 + growth), where recency halves every
`half_life` days before the reference time and growth is the share of the group's reports in
the last quarter of its span beyond what an even spread would put there (0 … 1). A group's
label is its place and the jieba keywords of its texts.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PLACE_RE = re.compile(
    r"([\u4e00-\u9fa5A-Za-z0-9]{1,10}?)(小区|花园|新城|家园|公寓|名苑|苑|广场|大厦|市场|学校|"
    r"中学|小学|幼儿园|医院|公园|路|街|大道|镇|村|社区)"
)
AREA_RE = re.compile(r"[A-Z]\d+[区县]")
STOP = {
    "问题",
    "反映",
    "希望",
    "请求",
    "关于",
    "投诉",
    "咨询",
    "建议",
    "政府",
    "领导",
    "我们",
    "没有",
    "什么",
    "相关",
    "部门",
    "市民",
    "情况",
    "一个",
    "现在",
    "已经",
    "进行",
    "如何",
    "是否",
    "可以",
    "要求",
    "解决",
    "尽快",
    "处理",
    "严重",
    "为什么",
    "A市",
    "西地省",
}


@dataclass
class Item:
    id: Any
    text: str  # subject first
    at: dt.datetime
    reporter: str = ""
    place: str = ""  # "" when unknown
    key: Any = None  # grouping key of structured items (category group, place)
    supports: int = 0
    objections: int = 0


@dataclass
class HotSpot:
    label: str
    place: str
    start: dt.datetime
    end: dt.datetime
    heat: float
    items: list[Item] = field(default_factory=list)
    reporters: int = 0
    supports: int = 0
    objections: int = 0
    growth: float = 0.0
    keywords: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.items)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "place": self.place,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "heat": round(self.heat, 2),
            "cases": self.size,
            "reporters": self.reporters,
            "supports": self.supports,
            "objections": self.objections,
            "growth": round(self.growth, 2),
            "ids": [i.id for i in self.items],
        }


_LEAD = re.compile(r"^(?:投诉|反映|举报|咨询|关于|请求|建议|希望|要求|解决)+")
_CUT = re.compile(r"^.*[市区县的在对于请议问向和与及了是有从而把被将]")


def places_in(text: str) -> list[str]:
    """The district (A5区) and the places (小区, 路, 学校 …) a text names in its opening."""
    area = AREA_RE.findall(text[:80])
    names = []
    for prefix, suffix in PLACE_RE.findall(text[:120]):
        p = _LEAD.sub("", _CUT.sub("", prefix)) + suffix
        if len(p) >= 3 and p not in names:
            names.append(p)
    return area[:1] + names[:3]


# --- ranking -------------------------------------------------------------------------------


def heat_of(
    items: Sequence[Item], *, now: dt.datetime, half_life: float = 30.0
) -> tuple[float, int, float]:
    """(heat, distinct reporters, growth) of a group."""
    reporters = len({i.reporter or f"#{i.id}" for i in items})
    repeats = len(items) - reporters
    supports = sum(i.supports for i in items)
    objections = sum(i.objections for i in items)
    base = reporters + 0.5 * repeats + math.log2(1 + supports) - 0.5 * math.log2(1 + objections)
    last = max(i.at for i in items)
    first = min(i.at for i in items)
    age_days = max(0.0, (now - last).total_seconds() / 86400)
    recency = 0.5 ** (age_days / half_life)
    growth = 0.0
    span = (last - first).total_seconds()
    if len(items) >= 4 and span > 0:
        cut = last - dt.timedelta(seconds=span / 4)
        recent = sum(1 for i in items if i.at >= cut) / len(items)
        growth = max(0.0, min(1.0, (recent - 0.25) / 0.75))
    return max(base, 0.0) * recency * (1 + growth), reporters, growth


def keywords(texts: Iterable[str], k: int = 3, exclude: Iterable[str] = ()) -> list[str]:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(60)
    joined = "\n".join(texts)[:20000]
    exclude = [e for e in exclude if e]
    skip = STOP | set(exclude)
    out = []
    for w in jieba.analyse.extract_tags(joined, topK=k + 12):
        if w in skip or any(w in s or s in w for s in exclude) or re.fullmatch(r"[A-Z]?\d+\w?", w):
            continue
        out.append(w)
        if len(out) == k:
            break
    return out


def _finish(
    groups: list[list[Item]],
    *,
    now: dt.datetime,
    half_life: float,
    top: int,
    min_size: int,
    label_words: int = 3,
) -> list[HotSpot]:
    scored = []
    for items in groups:
        if len(items) < min_size:
            continue
        heat, reporters, growth = heat_of(items, now=now, half_life=half_life)
        scored.append((heat, reporters, growth, items))
    scored.sort(key=lambda s: (-s[0], -len(s[3])))
    out = []
    for heat, reporters, growth, items in scored[:top]:
        items = sorted(items, key=lambda i: i.at)
        place_counts = Counter(
            p for i in items for p in ([i.place] if i.place else places_in(i.text))
        )
        place = _place_label(place_counts)
        words = keywords((i.text for i in items), label_words, exclude=place.split(" "))
        out.append(
            HotSpot(
                label=" ".join([place, *words]).strip(),
                place=place,
                start=items[0].at,
                end=items[-1].at,
                heat=heat,
                items=items,
                reporters=reporters,
                supports=sum(i.supports for i in items),
                objections=sum(i.objections for i in items),
                growth=growth,
                keywords=words,
            )
        )
    return out


def _place_label(counts: Counter[str]) -> str:
    if not counts:
        return ""
    area = [p for p, _ in counts.most_common() if AREA_RE.fullmatch(p)]
    named = [p for p, _ in counts.most_common() if not AREA_RE.fullmatch(p)]
    return " ".join(area[:1] + named[:1])


# --- grouping ------------------------------------------------------------------------------


def group_cases(
    items: Sequence[Item],
    *,
    now: dt.datetime,
    window: float = 14.0,
    half_life: float = 30.0,
    top: int = 20,
    min_size: int = 2,
) -> list[HotSpot]:
    """Structured items (with `key`): grouped by key, split at gaps longer than `window` days."""
    by_key: dict[Any, list[Item]] = defaultdict(list)
    for item in items:
        by_key[item.key].append(item)
    gap = dt.timedelta(days=window)
    groups: list[list[Item]] = []
    for members in by_key.values():
        if len(members) < min_size:
            continue
        members.sort(key=lambda i: i.at)
        current = [members[0]]
        for item in members[1:]:
            if item.at - current[-1].at > gap:
                groups.append(current)
                current = []
            current.append(item)
        groups.append(current)
    return _finish(groups, now=now, half_life=half_life, top=top, min_size=min_size)


def group_texts(
    items: Sequence[Item],
    *,
    now: dt.datetime | None = None,
    window: float = 60.0,
    similarity: float = 0.35,
    half_life: float = 90.0,
    top: int = 20,
    min_size: int = 1,
) -> list[HotSpot]:
    """Items with text only: connected components of alike, close-in-time, same-place items."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not items:
        return []
    now = now or max(i.at for i in items)
    heads = [re.sub(r"\s+", "", i.text)[:80] for i in items]
    X = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(heads)
    times = np.array([i.at.timestamp() for i in items]) / 86400
    places = [set(places_in(i.text)) - set(AREA_RE.findall(i.text[:80])) for i in items]
    areas = [set(AREA_RE.findall(i.text[:80])) for i in items]
    parent = list(range(len(items)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    chunk = 1000
    XT = X.T.tocsc()
    for start in range(0, len(items), chunk):
        sims = (X[start : start + chunk] @ XT).tocoo()
        keep = (sims.data >= similarity) & (sims.row + start < sims.col)
        for r, c in zip(sims.row[keep] + start, sims.col[keep], strict=True):
            if abs(times[r] - times[c]) > window:
                continue
            if areas[r] and areas[c] and not (areas[r] & areas[c]):
                continue
            if places[r] and places[c] and not _same_place(places[r], places[c]):
                continue
            parent[find(int(r))] = find(int(c))
    comps: dict[int, list[Item]] = defaultdict(list)
    for i, item in enumerate(items):
        comps[find(i)].append(item)
    return _finish(list(comps.values()), now=now, half_life=half_life, top=top, min_size=min_size)


def _same_place(a: set[str], b: set[str]) -> bool:
    """Two texts' places agree when one names a place the other names too (or a longer or
    shorter form of it: 魅力之城小区 and 劳动东路魅力之城小区)."""
    return any(x in y or y in x for x in a for y in b)


def read_votes_csv(path: Any) -> list[Item]:
    """hotline_messages/with_votes.csv as items: 留言编号, 留言用户, 留言主题, 留言时间, 留言详情,
    反对数, 点赞数."""
    import csv

    from .values import parse_datetime

    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            at = parse_datetime(row["留言时间"])
            if at is None:
                continue
            subject = " ".join(row["留言主题"].split())
            body = " ".join(row["留言详情"].split())
            out.append(
                Item(
                    id=row["留言编号"],
                    text=f"{subject}\n{body}",
                    at=at,
                    reporter=row["留言用户"],
                    supports=int(float(row.get("点赞数") or 0)),
                    objections=int(float(row.get("反对数") or 0)),
                )
            )
    return out
