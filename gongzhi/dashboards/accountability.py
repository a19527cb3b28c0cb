"""Accountability (责任追究), the reads: for a period, each grid station, department and
responsible person against their overdue, late, reworked and unsatisfied cases; the warnings a
viewer may see; the cases behind any count.

Every count is made of the case measures' own conditions (gongzhi.cases.measures), over the
cases received in the period:

| measure | a case counts when |
| --- | --- |
| overdue | it is overdue (`measures.overdue`) at the end of the period (or now, if earlier) |
| late | it was closed after its closure deadline (`closed`, not `closed_on_time`) |
| reworked | its handling report was sent back at least once (`reworked`) |
| unsatisfied | it was evaluated, and not satisfied or basically satisfied |

Leaders (and administrators) see every subject and every warning of their subdistrict(s); anyone
else sees the warnings they answer for. Rules are judged per subdistrict (a subject's cases of
each subdistrict apart). `warnings_for(period_start, period_end, scope)` is the monthly report's read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import measures as cm
from gongzhi.cases.models import Case
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import Access, Role, access_for
from gongzhi.org.access import active_positions_q
from gongzhi.org.models import Position

from . import periods
from .accountability_models import (
    AccountabilityMeasure,
    AccountabilityRule,
    AccountabilityWarning,
    SubjectKind,
)
from .periods import Period

MEASURES = tuple(AccountabilityMeasure.values)
# The case field that names each kind of subject, and its label.
SUBJECT_FIELD = {
    SubjectKind.STATION: ("station_id", "station__name"),
    SubjectKind.DEPARTMENT: ("department_id", "department__name"),
    SubjectKind.PERSON: ("assignee_id", "assignee__name"),
}
# Who answers for a department's warning: its head, in this order.
DEPARTMENT_HEADS = (
    Position.Role.DIRECTOR,
    Position.Role.LEADER,
    Position.Role.SECRETARY,
    Position.Role.DEPUTY_SECRETARY,
)


def sees_all(access: Access) -> bool:
    """Leaders see every subject and warning (administrators too)."""
    return access.has(Role.LEADER, Role.ADMIN)


def may_open(access: Access) -> bool:
    """The accountability pages: leaders, and the people who may answer for a warning."""
    return sees_all(access) or (access.is_staff_member and access.person_id is not None)


def shows_in_menu(access: Access) -> bool:
    return access.has(Role.LEADER, Role.ADMIN, Role.DEPARTMENT, Role.INSPECTOR, Role.STATION)


def conditions(as_of: dt.datetime) -> dict[str, Q]:
    """The condition of each accountability measure on a case (see the module's table)."""
    c = cm.conditions(as_of)
    return {
        AccountabilityMeasure.OVERDUE: cm.overdue(as_of),
        AccountabilityMeasure.LATE: c["closed"] & Q(closed_on_time=False),
        AccountabilityMeasure.REWORKED: c["reworked"],
        AccountabilityMeasure.UNSATISFIED: c["evaluated"] & ~Q(satisfaction__in=cm.SATISFIED),
    }


def judged_at(period: Period, now: dt.datetime | None = None) -> dt.datetime:
    """When a period's "overdue" is judged: its end, or now while it runs."""
    _start, end = cm.period_bounds(period.date_from, period.date_to)
    now = now or timezone.now()
    return min(end, now)


def accountability_period(key: str | None, today: dt.date | None = None) -> Period:
    """A month (`2026-11`) or a quarter (`2026-Q4`); by default the last full month."""
    if not key:
        today = today or timezone.localdate()
        return periods.month(today.replace(day=1)).previous()
    period = periods.parse(key)
    if period.kind not in ("month", "quarter"):
        raise ServiceError(_("Accountability is judged by month or by quarter."))
    return period


@dataclass
class SubjectRow:
    kind: str
    key: int
    label: str
    counts: dict[str, int]
    warned: bool = False
    subdistrict_id: int | None = None


def subject_counts(
    kind: str, period: Period, *, as_of: dt.datetime | None = None, cases: Any = None
) -> list[SubjectRow]:
    """Each subject of `kind` with a case counted in the period, and its counts, per
    subdistrict (a subject with cases in two has a row for each). One query."""
    field, label = SUBJECT_FIELD[SubjectKind(kind)]
    start, end = cm.period_bounds(period.date_from, period.date_to)
    as_of = as_of or judged_at(period)
    conds = conditions(as_of)
    qs = (Case.objects.all() if cases is None else cases).filter(
        received_at__gte=start, received_at__lt=end, **{f"{field}__isnull": False}
    )
    rows = (
        qs.order_by()
        .values(field, label, "subdistrict_id")
        .annotate(**{f"n_{m}": Count("pk", filter=conds[m]) for m in MEASURES})
    )
    out = [
        SubjectRow(
            kind,
            r[field],
            r[label] or f"#{r[field]}",
            {m: int(r[f"n_{m}"]) for m in MEASURES},
            subdistrict_id=r["subdistrict_id"],
        )
        for r in rows
    ]
    out = [r for r in out if any(r.counts.values())]
    out.sort(key=lambda r: (-sum(r.counts.values()), r.label))
    return out


@dataclass
class AccountabilityTable:
    period: Period
    as_of: dt.datetime
    stations: list[SubjectRow]
    departments: list[SubjectRow]
    people: list[SubjectRow]
    rules: list[AccountabilityRule]

    @property
    def sections(self) -> list[tuple[str, Any, list[SubjectRow]]]:
        return [
            (SubjectKind.STATION, SubjectKind.STATION.label, self.stations),
            (SubjectKind.DEPARTMENT, SubjectKind.DEPARTMENT.label, self.departments),
            (SubjectKind.PERSON, SubjectKind.PERSON.label, self.people),
        ]


def cases_of(access: Access) -> QuerySet[Case]:
    """The cases accountability judges for this viewer: their subdistrict(s)' (every case at
    the district level)."""
    if access.subdistrict_ids is None:
        return Case.objects.all()
    return Case.objects.filter(subdistrict_id__in=access.subdistrict_ids)


def accountability_table(user: Any, period: Period) -> AccountabilityTable:
    """The per-period table of every station, department and responsible person of the
    leader's subdistrict(s): leaders only."""
    access = access_for(user)
    if not sees_all(access):
        raise NotAllowed(_("The accountability table is for leaders."))
    as_of = judged_at(period)
    warned = set(
        visible_warnings(access)
        .filter(period_start__gte=period.date_from, period_end__lte=period.date_to)
        .values_list("subject_kind", "subject_id", "subdistrict_id")
    )
    tables = {}
    for kind in SubjectKind.values:
        rows = subject_counts(kind, period, as_of=as_of, cases=cases_of(access))
        for r in rows:
            r.warned = (kind, r.key, r.subdistrict_id) in warned
        tables[kind] = rows
    return AccountabilityTable(
        period,
        as_of,
        tables[SubjectKind.STATION],
        tables[SubjectKind.DEPARTMENT],
        tables[SubjectKind.PERSON],
        list(AccountabilityRule.objects.active().filter(active=True)),
    )


def visible_warnings(access: Access) -> QuerySet[AccountabilityWarning]:
    """The warnings this viewer may see: every one of their subdistrict(s) for leaders; their
    own for anyone else."""
    qs = AccountabilityWarning.objects.select_related("rule", "person", "acknowledged_by")
    if sees_all(access):
        if access.subdistrict_ids is not None:
            qs = qs.filter(subdistrict_id__in=access.subdistrict_ids)
        return qs
    if access.person_id is None:
        return qs.none()
    return qs.filter(person_id=access.person_id)


def warnings_for(
    period_start: dt.date, period_end: dt.date, scope: Any
) -> QuerySet[AccountabilityWarning]:
    """The warnings of the periods within [period_start, period_end] that `scope` may see (an
    Access, a user, or a gongzhi.core.measures.Scope): what the monthly report shows."""
    access = getattr(scope, "access", None)
    if not isinstance(access, Access):
        access = scope if isinstance(scope, Access) else access_for(scope)
    return visible_warnings(access).filter(
        period_start__gte=period_start, period_end__lte=period_end
    )


def home_panel(user: Any, access: Access) -> dict[str, Any] | None:
    """The home page's reminder of the warnings waiting for this person (None: none)."""
    if access.person_id is None:
        return None
    n = AccountabilityWarning.objects.filter(
        person_id=access.person_id, acknowledged_at__isnull=True
    ).count()
    if not n:
        return None
    return {"open": n, "url": reverse("dashboards:warnings") + "?open=1"}


def warnings_page(user: Any, *, open_only: bool = False) -> QuerySet[AccountabilityWarning]:
    qs = visible_warnings(access_for(user))
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.order_by("acknowledged_at", "-period_start", "subject_label", "pk")


def may_drill(access: Access, kind: str, key: int) -> bool:
    """The cases behind a count: leaders any; others those of a subject they answer for."""
    if sees_all(access):
        return True
    if access.person_id is None:
        return False
    if kind == SubjectKind.PERSON and key == access.person_id:
        return True
    return AccountabilityWarning.objects.filter(
        person_id=access.person_id, subject_kind=kind, subject_id=key
    ).exists()


def cases_behind(user: Any, *, kind: str, key: int, measure: str, period: Period) -> Any:
    """The cases a count is made of (the same conditions), those the viewer may see."""
    if kind not in SubjectKind.values or measure not in MEASURES:
        raise ServiceError(_("Unknown accountability count."))
    access = access_for(user)
    if not may_drill(access, kind, key):
        raise NotAllowed(_("You can see only the cases of what you answer for."))
    field, _label = SUBJECT_FIELD[SubjectKind(kind)]
    start, end = cm.period_bounds(period.date_from, period.date_to)
    cond = conditions(judged_at(period))[measure]
    return (
        perms.visible(user, Case.objects.all())
        .filter(cond, received_at__gte=start, received_at__lt=end, **{field: key})
        .select_related("category", "department", "grid", "station")
        .order_by("-received_at", "-pk")
    )


# --- who answers for a subject --------------------------------------------------------------


def answerable(kind: str, keys: Iterable[int], today: dt.date | None = None) -> dict[int, int]:
    """subject id → the person who answers for it: a station's responsible leader, a
    department's head, the responsible person themself. Subjects without one are left out."""
    keys = list(keys)
    if kind == SubjectKind.PERSON:
        return {k: k for k in keys}
    active = Position.objects.filter(
        active_positions_q(today),
        organisation__archived_at__isnull=True,
        person__archived_at__isnull=True,
    )
    out: dict[int, int] = {}
    if kind == SubjectKind.STATION:
        leaders = (
            active.filter(
                organisation__grid_station_id__in=keys, role=Position.Role.RESPONSIBLE_LEADER
            )
            .order_by("person__name", "pk")
            .values_list("organisation__grid_station_id", "person_id")
        )
        for station_id, person_id in leaders:
            out.setdefault(station_id, person_id)
        return out
    rank: dict[str, int] = {str(role): i for i, role in enumerate(DEPARTMENT_HEADS)}
    rows = active.filter(organisation_id__in=keys, role__in=DEPARTMENT_HEADS).values_list(
        "organisation_id", "person_id", "role", "person__name"
    )
    for org_id, person_id, _role, _name in sorted(rows, key=lambda r: (rank[r[2]], r[3], r[1])):
        out.setdefault(org_id, person_id)
    return out
