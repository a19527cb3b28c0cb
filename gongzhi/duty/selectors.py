"""Reading the duty roster: who is on duty now, the duty chief(s) now (for gongzhi.cases.notices),
a week of the roster, the shift log, one's own shifts and swaps, and the emergencies waiting for
acknowledgement.

A shift covers `starts_at <= t < ends_at`: at 17:30 the day shift has ended and the night shift
is on duty. The centre works 7×24, so nothing here looks at the working calendar.

An installation serving several subdistricts has a centre (and a roster) per subdistrict: the
reads take `subdistrict_id`, the centre's (`centre_of`); None reads every shift, as an
installation of one subdistrict does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core import permissions as perms
from gongzhi.core.roles import Access, access_for
from gongzhi.org.access import active_positions_q
from gongzhi.org.models import Person, Position
from gongzhi.places.selectors import default_subdistrict_id, serves_one_subdistrict

from .models import (
    DutyAssignment,
    DutyRole,
    Handover,
    Shift,
    ShiftLogEntry,
    ShiftPattern,
    SwapRequest,
)

CENTRE_POSITIONS = (Position.Role.DUTY_CHIEF, Position.Role.OPERATOR)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def centre_of(access: Access, chosen: Any = None) -> int | None:
    """The subdistrict whose centre (roster, log, desk) this viewer works with: their own (the
    chosen one among theirs); at the district level the chosen one, else the installation's
    default. None where the installation serves one subdistrict: nothing is narrowed."""
    if serves_one_subdistrict():
        return None
    try:
        wanted = int(chosen) if chosen not in (None, "") else None
    except (TypeError, ValueError):
        wanted = None
    mine = access.subdistrict_ids
    if mine is None:
        return wanted if wanted is not None else default_subdistrict_id()
    if wanted in mine:
        return wanted
    return min(mine) if mine else None


def _same_centre(shift: Shift) -> QuerySet[Shift]:
    """The active shifts of `shift`'s centre."""
    qs = Shift.objects.active()
    return qs if serves_one_subdistrict() else qs.filter(subdistrict_id=shift.subdistrict_id)


def _at(qs: QuerySet[Any], subdistrict_id: int | None, path: str = "subdistrict_id") -> Any:
    """The rows of one centre (None, or an installation of one subdistrict: every row)."""
    if subdistrict_id is None or serves_one_subdistrict():
        return qs
    return qs.filter(**{path: subdistrict_id})


# --- now ------------------------------------------------------------------------------------


def shifts_at(
    now: dt.datetime | None = None, *, subdistrict_id: int | None = None
) -> QuerySet[Shift]:
    """The shifts covering `now` (normally one; more when patterns overlap)."""
    t = _now(now)
    return (
        _at(Shift.objects.active(), subdistrict_id)
        .filter(starts_at__lte=t, ends_at__gt=t, pattern__archived_at__isnull=True)
        .select_related("pattern")
        .order_by("-starts_at", "pattern__sort_order")
    )


def current_shift(
    now: dt.datetime | None = None, *, subdistrict_id: int | None = None
) -> Shift | None:
    """The shift covering `now`; when patterns overlap, the one that started last."""
    return shifts_at(now, subdistrict_id=subdistrict_id).first()


def _active_assignments() -> QuerySet[DutyAssignment]:
    return DutyAssignment.objects.active().filter(shift__archived_at__isnull=True)


def on_duty(
    now: dt.datetime | None = None, *, subdistrict_id: int | None = None
) -> list[DutyAssignment]:
    """Everyone on duty at `now`: duty chief(s) first, then operators, with their person."""
    t = _now(now)
    return list(
        _at(_active_assignments(), subdistrict_id, "shift__subdistrict_id")
        .filter(shift__starts_at__lte=t, shift__ends_at__gt=t)
        .select_related("person", "shift", "shift__pattern")
        .order_by("role", "person__name", "id")  # "duty_chief" < "operator"
    )


def current_duty_chiefs(
    now: dt.datetime | None = None, *, subdistrict_id: int | None = None
) -> list[User]:
    """The active users of the duty chief(s) of the shift(s) covering `now`. Empty when the
    roster has no chief then (or the chief has no login): gongzhi.cases.notices then pages every
    holder of the duty chief's position instead."""
    t = _now(now)
    person_ids = _at(_active_assignments(), subdistrict_id, "shift__subdistrict_id").filter(
        role=DutyRole.DUTY_CHIEF, shift__starts_at__lte=t, shift__ends_at__gt=t
    )
    return list(
        User.objects.filter(
            person_id__in=person_ids.values("person_id"), is_active=True
        ).select_related("person")
    )


def next_shift(shift: Shift) -> Shift | None:
    """The shift that takes over from `shift`: the first one starting after it, no later than
    its end (at the same centre)."""
    return (
        _same_centre(shift)
        .filter(starts_at__gt=shift.starts_at, starts_at__lte=shift.ends_at)
        .select_related("pattern")
        .order_by("starts_at", "pattern__sort_order")
        .first()
    )


def previous_shift(shift: Shift) -> Shift | None:
    return (
        _same_centre(shift)
        .filter(starts_at__lt=shift.starts_at, ends_at__gte=shift.starts_at)
        .select_related("pattern")
        .order_by("-starts_at")
        .first()
    )


def chief_of(shift: Shift) -> DutyAssignment | None:
    return (
        _active_assignments()
        .filter(shift=shift, role=DutyRole.DUTY_CHIEF)
        .select_related("person")
        .first()
    )


# --- people ---------------------------------------------------------------------------------


def centre_staff(
    *, chiefs_only: bool = False, today: dt.date | None = None, subdistrict_id: int | None = None
) -> QuerySet[Person]:
    """People who may be put on the roster: holders of an active operator or duty chief
    position (only duty chiefs may be the duty chief of a shift) — at the centre of
    `subdistrict_id` (or of the district level), where the installation serves several."""
    roles = (Position.Role.DUTY_CHIEF,) if chiefs_only else CENTRE_POSITIONS
    positions = Position.objects.filter(
        active_positions_q(today), role__in=roles, organisation__archived_at__isnull=True
    )
    if subdistrict_id is not None and not serves_one_subdistrict():
        positions = positions.filter(
            Q(organisation__subdistrict_id=subdistrict_id)
            | Q(organisation__subdistrict__isnull=True)
        )
    return (
        Person.objects.active().filter(pk__in=positions.values("person_id")).order_by("name", "id")
    )


def is_centre_staff(
    person: Person, *, chief: bool = False, subdistrict_id: int | None = None
) -> bool:
    return (
        centre_staff(chiefs_only=chief, subdistrict_id=subdistrict_id).filter(pk=person.pk).exists()
    )


def overlapping(
    *,
    person_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude: list[int] | None = None,
) -> QuerySet[DutyAssignment]:
    """The person's active assignments on shifts overlapping [starts_at, ends_at)."""
    qs = _active_assignments().filter(
        person_id=person_id, shift__starts_at__lt=ends_at, shift__ends_at__gt=starts_at
    )
    if exclude:
        qs = qs.exclude(pk__in=exclude)
    return qs.select_related("shift", "shift__pattern")


# --- the week -------------------------------------------------------------------------------


@dataclass
class Cell:
    day: dt.date
    pattern: ShiftPattern
    shift: Shift | None = None
    chief: DutyAssignment | None = None
    operators: list[DutyAssignment] = field(default_factory=list)
    is_now: bool = False
    mine: bool = False

    @property
    def understaffed(self) -> bool:
        return self.shift is not None and (
            self.chief is None or len(self.operators) < self.pattern.operators_needed
        )


@dataclass
class Row:
    pattern: ShiftPattern
    cells: list[Cell]


@dataclass
class WeekRoster:
    start: dt.date
    days: list[dt.date]
    rows: list[Row]
    today: dt.date

    @property
    def previous(self) -> dt.date:
        return self.start - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.start + dt.timedelta(days=7)

    @property
    def is_empty(self) -> bool:
        return all(cell.shift is None for row in self.rows for cell in row.cells)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_roster(
    *,
    start: dt.date,
    now: dt.datetime | None = None,
    person_id: int | None = None,
    subdistrict_id: int | None = None,
) -> WeekRoster:
    """Shifts × days for the week beginning on the Monday of `start` (at one centre); three
    queries."""
    t = _now(now)
    monday = week_start(start)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    shifts = list(
        _at(Shift.objects.active(), subdistrict_id)
        .filter(date__gte=days[0], date__lte=days[-1])
        .select_related("pattern")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=DutyAssignment.objects.active()
                .select_related("person")
                .order_by("person__name", "id"),
                to_attr="current_assignments",
            )
        )
    )
    patterns = {p.pk: p for p in ShiftPattern.objects.active()}
    for s in shifts:
        patterns.setdefault(s.pattern_id, s.pattern)
    by_key = {(s.pattern_id, s.date): s for s in shifts}
    rows = []
    for pattern in sorted(patterns.values(), key=lambda p: (p.sort_order, p.start_time, p.code)):
        cells = []
        for day in days:
            cell = Cell(day=day, pattern=pattern, shift=by_key.get((pattern.pk, day)))
            if cell.shift is not None:
                for a in cell.shift.current_assignments:  # type: ignore[attr-defined]
                    if a.role == DutyRole.DUTY_CHIEF:
                        cell.chief = a
                    else:
                        cell.operators.append(a)
                    if person_id is not None and a.person_id == person_id:
                        cell.mine = True
                cell.is_now = cell.shift.starts_at <= t < cell.shift.ends_at
            cells.append(cell)
        rows.append(Row(pattern=pattern, cells=cells))
    return WeekRoster(start=monday, days=days, rows=rows, today=timezone.localdate(t))


def shift_assignments(shift: Shift) -> list[DutyAssignment]:
    return list(
        DutyAssignment.objects.active()
        .filter(shift=shift)
        .select_related("person")
        .order_by("role", "person__name", "id")
    )


# --- the log --------------------------------------------------------------------------------


def shift_log(
    *,
    shift: Shift | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 200,
    subdistrict_id: int | None = None,
) -> list[ShiftLogEntry]:
    """The log of a shift (entries written during it), newest first; or of a time span (at
    one centre)."""
    qs = ShiftLogEntry.objects.active().select_related("author", "author__person", "case")
    if shift is not None:
        loose = Q(shift__isnull=True, at__gte=shift.starts_at, at__lt=shift.ends_at)
        if subdistrict_id is not None and not serves_one_subdistrict():
            loose &= Q(subdistrict_id=subdistrict_id)
        qs = qs.filter(Q(shift=shift) | loose)
    else:
        qs = _at(qs, subdistrict_id)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return list(qs.order_by("-at", "-id")[:limit])


def handover_of(shift: Shift) -> Handover | None:
    return (
        Handover.objects.active()
        .filter(shift=shift)
        .select_related("handed_over_by", "acknowledged_by", "next_shift", "next_shift__pattern")
        .first()
    )


def handover_into(shift: Shift) -> Handover | None:
    """The handover from the shift before `shift`, which its chief acknowledges."""
    return (
        Handover.objects.active()
        .filter(Q(next_shift=shift) | Q(next_shift__isnull=True, shift=previous_shift(shift)))
        .select_related("shift", "shift__pattern", "handed_over_by", "acknowledged_by")
        .order_by("-handed_over_at")
        .first()
    )


# --- my shifts and swaps --------------------------------------------------------------------


def my_assignments(
    *, person_id: int | None, now: dt.datetime | None = None, days: int = 35
) -> list[DutyAssignment]:
    """The person's assignments from the current shift on, for `days` days."""
    if person_id is None:
        return []
    t = _now(now)
    return list(
        _active_assignments()
        .filter(
            person_id=person_id,
            shift__ends_at__gt=t,
            shift__starts_at__lt=t + dt.timedelta(days=days),
        )
        .select_related("shift", "shift__pattern")
        .prefetch_related(
            Prefetch(
                "swap_requests",
                queryset=SwapRequest.objects.filter(
                    status=SwapRequest.Status.PENDING
                ).select_related("to_person"),
                to_attr="pending_swaps",
            )
        )
        .order_by("shift__starts_at")
    )


@dataclass
class Swaps:
    incoming: list[SwapRequest]  # offered to me, pending
    outgoing: list[SwapRequest]  # asked by me, pending
    to_decide: list[SwapRequest]  # pending between others (for duty chiefs)
    recent: list[SwapRequest]  # decided lately, mine or (for chiefs) all


def _swap_qs(user: Any) -> QuerySet[SwapRequest]:
    return perms.visible(user, SwapRequest.objects.all()).select_related(
        "assignment__shift__pattern",
        "counter_assignment__shift__pattern",
        "from_person",
        "to_person",
        "requested_by",
        "decided_by",
    )


def swaps_for(user: Any, *, now: dt.datetime | None = None) -> Swaps:
    access = access_for(user)
    pid = access.person_id
    t = _now(now)
    pending = list(_swap_qs(user).filter(status=SwapRequest.Status.PENDING).order_by("created_at"))
    incoming = [s for s in pending if pid is not None and s.to_person_id == pid]
    outgoing = [s for s in pending if pid is not None and s.from_person_id == pid]
    others = [s for s in pending if s not in incoming and s not in outgoing]
    recent = list(
        _swap_qs(user)
        .exclude(status=SwapRequest.Status.PENDING)
        .filter(decided_at__gte=t - dt.timedelta(days=14))
        .order_by("-decided_at")[:20]
    )
    return Swaps(incoming=incoming, outgoing=outgoing, to_decide=others, recent=recent)


# --- emergencies ----------------------------------------------------------------------------


@dataclass
class Emergency:
    case: Any
    waited: dt.timedelta
    late: bool  # past the acknowledgement window
    escalated: bool

    @property
    def waited_minutes(self) -> int:
        return int(self.waited.total_seconds() // 60)


def ack_window() -> dt.timedelta:
    """The acknowledgement window the sweep escalates after (gongzhi.cases.models)."""
    from gongzhi.cases.models import ack_window as cases_ack_window

    return cases_ack_window()


def unacknowledged_emergencies(
    user: Any, *, now: dt.datetime | None = None, limit: int = 50
) -> list[Emergency]:
    """Urgent cases nobody has acknowledged yet (gongzhi.cases.models.ACK_STATES: the states where
    acknowledging is possible), longest waiting first. The sweep escalates them after the
    acknowledgement window (settings.GONGZHI["EMERGENCY_ACK_MINUTES"])."""
    from gongzhi.cases.models import Case, awaiting_acknowledgement

    t = _now(now)
    window = ack_window()
    qs = (
        perms.visible(user, Case.objects.all())
        .filter(awaiting_acknowledgement())
        .select_related("category", "grid", "residential_area")
        .order_by("received_at", "id")[:limit]
    )
    out = []
    for case in qs:
        waited = max(t - case.received_at, dt.timedelta(0))
        out.append(
            Emergency(
                case=case,
                waited=waited,
                late=waited > window,
                escalated=case.emergency_escalated_at is not None,
            )
        )
    return out
