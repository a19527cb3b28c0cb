"""Time limits and deadlines (立结案标准 and 12345 practice).

A limit is looked up for (category, urgency, stage): the category's own `TimeLimit`, else its
parent's, up to the top, else the defaults below. Deadlines are computed in working time by
gongzhi.worktime (China's statutory holidays and make-up working days).

Defaults, with their sources (docs/architecture.md, "Deadlines"):
- file / dispatch: 15 minutes for urgent cases, half a working hour otherwise (Taiyuan:
  立案+派遣 ≤10 min urgent, ≤30 min non-urgent);
- handle: urgent 2 continuous hours; hotline consultations and suggestions 1 working day,
  help requests, complaints and reports 5 working days (Shanghai 12345, 沪府办〔2018〕62号 as
  applied by 大宁路街道); urban-management components and events 2 working days;
- verify: 1 continuous hour urgent, 4 working hours otherwise (核查 ≤1 h in urban areas);
- callback: 1 working day after closure (回访 the day after closure);
- rework: 3 working days (再处置 within 3 工作日, 夏阳街道).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from gongzhi.core.cache import TableCache

from .models import Case, Category, TimeLimit

U = TimeLimit.Unit
Limit = tuple[Decimal, str]

DEFAULTS: dict[tuple[str, str], Limit] = {
    ("urgent", "file"): (Decimal("0.25"), U.CONTINUOUS_HOURS),
    ("normal", "file"): (Decimal("0.5"), U.WORKING_HOURS),
    ("urgent", "dispatch"): (Decimal("0.25"), U.CONTINUOUS_HOURS),
    ("normal", "dispatch"): (Decimal("0.5"), U.WORKING_HOURS),
    ("urgent", "handle"): (Decimal("2"), U.CONTINUOUS_HOURS),
    ("normal", "handle"): (Decimal("5"), U.WORKING_DAYS),
    ("urgent", "verify"): (Decimal("1"), U.CONTINUOUS_HOURS),
    ("normal", "verify"): (Decimal("4"), U.WORKING_HOURS),
    ("urgent", "callback"): (Decimal("1"), U.WORKING_DAYS),
    ("normal", "callback"): (Decimal("1"), U.WORKING_DAYS),
}
HANDLE_BY_TYPE: dict[str, Limit] = {
    Case.Type.CONSULT: (Decimal("1"), U.WORKING_DAYS),
    Case.Type.SUGGESTION: (Decimal("1"), U.WORKING_DAYS),
    Case.Type.HELP: (Decimal("5"), U.WORKING_DAYS),
    Case.Type.COMPLAINT: (Decimal("5"), U.WORKING_DAYS),
    Case.Type.REPORT: (Decimal("5"), U.WORKING_DAYS),
    Case.Type.COMPONENT: (Decimal("2"), U.WORKING_DAYS),
    Case.Type.EVENT: (Decimal("2"), U.WORKING_DAYS),
}
REWORK: Limit = (Decimal("3"), U.WORKING_DAYS)


@dataclass
class _Catalogue:
    """Categories' parents and their limits, kept per process and reloaded when either table
    changes (gongzhi.core.cache: a count + latest-update check, one cheap query)."""

    parents: dict[int, int | None] = field(default_factory=dict)
    limits: dict[tuple[int, str, str], Limit] = field(default_factory=dict)
    departments: dict[int, int | None] = field(default_factory=dict)
    groups: dict[int, int | None] = field(default_factory=dict)
    with_children: set[int] = field(default_factory=set)
    # Every category, as read when the catalogue was loaded: for reading only (intake takes a
    # filing's category from here rather than from a query per report).
    objects: dict[int, Category] = field(default_factory=dict)

    def chain(self, category_id: int) -> list[int]:
        out, seen = [], set()
        cur: int | None = category_id
        while cur is not None and cur not in seen:
            out.append(cur)
            seen.add(cur)
            cur = self.parents.get(cur)
        return out


def _load_catalogue() -> _Catalogue:
    objects = {c.pk: c for c in Category.objects.all()}
    rows = [
        (c.pk, c.parent_id, c.department_id, c.group_id, c.archived_at) for c in objects.values()
    ]
    return _Catalogue(
        objects=objects,
        parents={r[0]: r[1] for r in rows},
        with_children={r[1] for r in rows if r[1] is not None and r[4] is None},
        departments={r[0]: r[2] for r in rows},
        groups={r[0]: r[3] for r in rows},
        limits={
            (cat, urg, stage): (amount, unit)
            for cat, urg, stage, amount, unit in TimeLimit.objects.active().values_list(
                "category_id", "urgency", "stage", "amount", "unit"
            )
        },
    )


_cache = TableCache(_load_catalogue, Category, TimeLimit)


def catalogue() -> _Catalogue:
    return _cache.get()


def invalidate() -> None:
    _cache.invalidate()


def is_leaf(category_id: int) -> bool:
    return category_id not in catalogue().with_children


def time_limit(*, category_id: int, urgency: str, stage: str, case_type: str = "") -> Limit:
    cache = catalogue()
    for cid in cache.chain(category_id):
        found = cache.limits.get((cid, urgency, stage))
        if found:
            return found
    if stage == "handle" and urgency != Case.Urgency.URGENT and case_type in HANDLE_BY_TYPE:
        return HANDLE_BY_TYPE[case_type]
    return DEFAULTS[(urgency if urgency in ("urgent", "normal") else "normal", stage)]


def routed_department_id(category_id: int) -> int | None:
    """The department a category's cases go to (the nearest category up the tree that names one)."""
    cache = catalogue()
    for cid in cache.chain(category_id):
        dep = cache.departments.get(cid)
        if dep:
            return dep
    return None


def add(start: dt.datetime, limit: Limit) -> dt.datetime:
    from gongzhi.worktime import services as worktime

    amount, unit = limit
    return worktime.add(start, amount, unit)


def deadline(case: Case, stage: str, start: dt.datetime) -> dt.datetime:
    return add(
        start,
        time_limit(
            category_id=case.category_id, urgency=case.urgency, stage=stage, case_type=case.type
        ),
    )


def due_in_words(due: dt.datetime | None, now: dt.datetime) -> str:
    """For SLA countdowns: "2 d 3 h", "45 min", "-1 h 10 min" (overdue), in the active language."""
    if due is None:
        return ""
    seconds = int((due - now).total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rem = divmod(seconds, 86400)
    hours, rem = divmod(rem, 3600)
    minutes = rem // 60
    if days:
        return sign + _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return sign + _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return sign + _("%(m)d min") % {"m": minutes}
