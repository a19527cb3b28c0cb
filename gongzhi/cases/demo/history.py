"""Twelve months of case history for the demo, generated in memory and written in bulk.

Each case is drawn (channel, time of receipt, category, type, urgency, grid and a point inside
it, reporter) and then played through the workflow the way the services would have done it
— file, dispatch, accept, handle, verify, close, evaluate, with returns (退单) and re-dispatch,
extensions (延期), suspensions (挂账), escalations to the district, reworks (返工), merges
(合并) and refusals (不予受理) — stopping at `now`: a case received last week may still be at
a department. Every step of the workflow runs the action table's own effect (gongzhi.cases.
workflow, through gongzhi.workflow.apply: the very functions the services run, here with this
history's cached deadlines), so the fields it sets (deadlines, milestones, on-time flags,
counters) and the timeline event it writes (action, from and to state, note, data, public
flag) cannot drift from what the services do. The deadline sweep's
"warn" and "overdue" events and flags are written for the handling deadlines that passed, as
if the sweep had run; its warnings of the short filing, dispatch and verification deadlines are
left out. A case that was never handled in time (about one per hundred of the last three weeks, and a
handful of chronic cases from months ago) is still open and overdue now.

Going through the services for 30,000 cases would take minutes, so the rows are written with
bulk inserts, and the audit trail gets no row per case: the seed's one import event
(gongzhi.demo.seed.runner) records how many cases, events and extension requests it wrote.
Extension requests need the requesting handler's login, so only departments with a demo login
(城管中队) ask for extensions in the history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from gongzhi.audit.services import _json_value
from gongzhi.core.seeding.names import PersonalData
from gongzhi.workflow import Step, apply
from gongzhi.worktime import services as worktime
from gongzhi.worktime.models import Unit

from .. import duplicates, sla
from ..models import Case, CaseCounter, CaseEvent, ExtensionRequest
from ..selectors import PUBLIC_ACTOR
from ..workflow import CASES
from . import bulk, texts
from .catalogue import DemoCatalogue, Leaf
from .directory import Actor, Directory, Place

S = Case.State
C = Case.Channel
CH, WH, WD = Unit.CONTINUOUS_HOURS, Unit.WORKING_HOURS, Unit.WORKING_DAYS
Limit = tuple[Decimal, str]

DAYS = 365
CHANNELS: dict[str, float] = {
    C.HOTLINE: 0.42,
    C.INSPECTOR: 0.31,
    C.RESIDENT: 0.10,
    C.JOINT_PATROL: 0.08,
    C.EMERGENCY: 0.05,
    C.DEPUTY: 0.04,
}
# When reports come in, by hour of the day (relative).
HOURS: dict[str, list[Any]] = {
    C.HOTLINE: [1, .5, .3, .3, .3, .5, 1, 3, 6, 9, 9, 8, 6, 7, 8, 8, 7, 6, 5, 4, 4, 3, 2, 1.5],
    C.INSPECTOR: [0] * 8 + [3, 9, 9, 9, 6, 4, 8, 9, 9, 4] + [0] * 6,
    C.JOINT_PATROL: [0] * 8 + [2, 5, 6, 6, 4, 3, 5, 6, 6, 6, 7, 8, 8, 6, 3, 0],
    C.EMERGENCY: [2, 1.5, 1, 1, 1, 1.5, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 2],
    C.RESIDENT: [1, .3, .2, .2, .2, .4, 1, 3, 5, 6, 6, 5, 5, 5, 5, 5, 5, 5, 6, 7, 7, 5, 3, 2],
    C.DEPUTY: [0] * 9 + [5, 6, 5, 2, 4, 6, 5, 3] + [0] * 7,
}  # fmt: skip
# Reports on a day off, relative to a working day.
DAY_OFF: dict[str, float] = {
    C.HOTLINE: 0.8,
    C.INSPECTOR: 0.12,
    C.JOINT_PATROL: 0.7,
    C.EMERGENCY: 1.0,
    C.RESIDENT: 1.1,
    C.DEPUTY: 0.05,
}
SEASON = {1: .85, 2: .75, 3: .95, 4: 1, 5: 1.05, 6: 1.15, 7: 1.2, 8: 1.2, 9: 1.05, 10: .95,
          11: .95, 12: .9}  # fmt: skip
HOTLINE_TYPES = {"complaint": 32, "help": 30, "consult": 20, "report": 8, "suggestion": 10}
DEPUTY_TYPES = {"suggestion": 50, "complaint": 30, "help": 20}
# How often a department hands its result in late, at the start of the year (it improves).
LATENESS: dict[str, float] = {
    "chengguan": 0.06,
    "fangguan": 0.09,
    "lvhua": 0.05,
    "jiaojing": 0.07,
    "police": 0.04,
    "shichang_jianguan": 0.06,
}
PROPERTY_LATENESS = 0.10
# Where a returned case goes next, when not to the estate's property company.
REDISPATCH_TO = ("chengguan", "fangguan", "lvhua", "jiaojing", "police")

P_NOT_ACCEPTED = {C.HOTLINE: 0.03, C.RESIDENT: 0.04, C.DEPUTY: 0.01}
P_ESCALATE = 0.01  # of hotline work orders a subdistrict department could handle
P_PROPERTY = 0.10  # estate matters of 房管办 / 城管 sent straight to the property company
P_RETURN = 0.04
P_EXTENSION = 0.07  # of the cases of a department with a login
P_EXTENSION_REFUSED = 0.15
P_SUSPEND = 0.008
P_REWORK = 0.03
P_VERIFY_LATE = 0.03
# A supervised centre runs 90–98 % on time: what is overdue now is a few recent cases that
# nobody has handled yet (P_STUCK of the last STUCK_DAYS' cases) and a handful of chronic ones
# (久拖未决, P_CHRONIC of the cases received CHRONIC_DAYS ago), which a leader supervises.
P_STUCK = 0.008
STUCK_DAYS = 21
P_CHRONIC = 0.001
CHRONIC_DAYS = (30, 75)
P_SUPERVISED = 0.4  # of the stuck cases, supervised by a leader
P_ASSIGNEE = 0.6
P_ANONYMOUS = 0.1
MERGED_SHARE = 0.025
WARN_BEFORE = dt.timedelta(hours=4)  # gongzhi.cases.sweep's window (settings SLA_WARN_HOURS)
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class Draft:
    """A case being written: the attributes of a `Case` row (by attname, with the model's
    defaults) in a plain object, which is much cheaper to make than a model instance."""

    _defaults: dict[str, Any] | None = None

    def __init__(self, **values: Any) -> None:
        if Draft._defaults is None:
            Draft._defaults = {
                f.attname: f.get_default() for f in Case._meta.concrete_fields if f.attname != "id"
            }
        self.__dict__.update(Draft._defaults)
        self.id: int | None = None
        self.__dict__.update(values)

    if TYPE_CHECKING:  # the attributes of a Case, for the type checker

        def __getattr__(self, name: str) -> Any: ...

        def __setattr__(self, name: str, value: Any) -> None: ...

    @property
    def pk(self) -> int | None:
        return self.id

    @pk.setter
    def pk(self, value: int) -> None:
        self.id = value


# An event before the rows exist: the case's index, and data whose values may be callables
# (numbers and ids known only after the insert).
Event = tuple[int, dt.datetime, Actor | None, str, str, str, str, dict[str, Any], bool]


@dataclass
class Pending:
    """An extension request, written after the cases (it needs the case's id)."""

    case: int
    requested_by: Actor
    amount: Decimal
    reason: str
    requested_at: dt.datetime
    status: str = ExtensionRequest.Status.PENDING
    decided_by: Actor | None = None
    decided_at: dt.datetime | None = None
    note: str = ""
    old_due_at: dt.datetime | None = None
    new_due_at: dt.datetime | None = None
    row: ExtensionRequest | None = None
    unit: str = WD

    @property
    def pk(self) -> Callable[[], int | None]:
        """The request's id, for the timeline's data once the rows are written."""
        return lambda: self.row.pk if self.row else None


@dataclass
class Result:
    counts: dict[str, int]  # rows written, by model label


class History:
    def __init__(
        self,
        *,
        rng: random.Random,
        catalogue: DemoCatalogue,
        directory: Directory,
        now: dt.datetime,
        count: int,
        tick: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.rng = rng
        self.people = PersonalData(random.Random(rng.random()))
        self.cat = catalogue
        self.dir = directory
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = now.astimezone(self.tz)
        self.count = count
        self.tick = tick
        self.cases: list[Draft] = []
        self.events: list[list[Event]] = []
        self.pending: list[Pending] = []
        self.merges: list[tuple[int, int]] = []  # (child index, master index)
        self.system = _("system")
        self._limits: dict[tuple[int, str, str, str], Limit] = {}
        self.dept_key = {o.pk: key for key, o in catalogue.departments.items()}
        self.requesters = {
            dept: next((a for a in actors if a.user_id), None)
            for dept, actors in directory.handlers.items()
        }
        self.paged = [a.user_id for a in directory.chiefs if a.user_id]
        self.resident = directory.actor_of("resident")
        resident_user = directory.users.get("resident")
        person = resident_user.person if resident_user is not None else None
        self.resident_area = person.home_area_id if person is not None else None
        self.resident_phone = person.mobile if person is not None else ""
        self.resident_cases = 0
        # What the action table's effects use, cached for this history (gongzhi.cases.workflow).
        self.helpers: dict[str, Callable[..., Any]] = {
            "deadline": self.deadline,
            "limit": self.limit,
        }
        self.leaf_by_id = {lf.id: lf for lf in catalogue.leaves}
        self.place_by_grid = {p.grid_id: p for p in directory.places}
        self._pools()

    # --- drawing ---------------------------------------------------------------------------

    def _pools(self) -> None:
        leaves = self.cat.leaves
        hotline = [lf for lf in leaves if lf.kind == "hotline"]
        urban = [lf for lf in leaves if lf.kind != "hotline"]
        self.pools: dict[str, tuple[list[Leaf], list[float]]] = {}

        def pool(name: str, chosen: list[Leaf]) -> None:
            chosen = chosen or urban
            total, cum = 0.0, []
            for lf in chosen:
                total += lf.weight
                cum.append(total)
            self.pools[name] = (chosen, cum)

        pool("hotline", hotline)
        pool("urban", urban)
        pool("emergency", [lf for lf in urban if lf.code.startswith("E04")])
        pool("street", [lf for lf in urban if lf.code.startswith(("E05", "E01", "E02"))])
        places = self.dir.places
        self.place_cum: list[float] = []
        total = 0.0
        for p in places:
            # Some grids are busier than their size: markets, school gates, old estates.
            total += p.weight * self.rng.lognormvariate(0, 0.6)
            self.place_cum.append(total)

    def leaf(self, pool: str) -> Leaf:
        leaves, cum = self.pools[pool]
        return self.rng.choices(leaves, cum_weights=cum)[0]

    def received_at(self, channel: str) -> dt.datetime:
        rng = self.rng
        today = self.now.date()
        hours = HOURS[channel]
        while True:
            day = today - dt.timedelta(days=rng.randrange(DAYS))
            weight = SEASON[day.month] * (1.0 if worktime.is_working_day(day) else DAY_OFF[channel])
            if rng.random() * 1.25 > weight:
                continue
            hour = rng.choices(range(24), weights=hours)[0]
            minute = rng.randrange(60)
            if channel in (C.INSPECTOR, C.DEPUTY):
                minute = rng.randrange(30, 60) if hour == 8 else minute
                minute = rng.randrange(30) if hour == 17 else minute
            at = dt.datetime(
                day.year, day.month, day.day, hour, minute, rng.randrange(60), tzinfo=self.tz
            )
            if at <= self.now - dt.timedelta(minutes=5):
                return at

    def draw(self) -> Draft:
        """A new report: who, when, what, where."""
        rng = self.rng
        channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
        received = self.received_at(channel)
        roll = rng.random()
        if channel == C.INSPECTOR:
            leaf = self.leaf("urban")
        elif channel == C.JOINT_PATROL:
            leaf = self.leaf("street" if roll < 0.7 else "urban")
        elif channel == C.EMERGENCY:
            leaf = self.leaf("emergency" if roll < 0.8 else "urban")
        elif channel == C.RESIDENT:
            leaf = self.leaf("hotline" if roll < 0.25 else "urban")
        elif channel == C.DEPUTY:
            leaf = self.leaf("hotline" if roll < 0.8 else "urban")
        else:
            leaf = self.leaf("hotline" if roll < 0.7 else "urban")
        if leaf.kind == "hotline":
            types = DEPUTY_TYPES if channel == C.DEPUTY else HOTLINE_TYPES
            case_type = rng.choices(list(types), weights=list(types.values()))[0]
        else:
            case_type = leaf.kind  # component / event
        urgent = (
            channel == C.EMERGENCY
            or (leaf.code.startswith("E04") and rng.random() < 0.4)
            or rng.random() < 0.004
        )
        place = rng.choices(self.dir.places, cum_weights=self.place_cum)[0]
        lat, lng = place.point(rng)
        return self._case(channel, received, leaf, case_type, urgent, place, lat, lng)

    def _case(
        self,
        channel: str,
        received: dt.datetime,
        leaf: Leaf,
        case_type: str,
        urgent: bool,
        place: Place,
        lat: float,
        lng: float,
    ) -> Draft:
        rng = self.rng
        address = place.address(rng)
        text = texts.description(rng, leaf, case_type=case_type, channel=channel, place=address)
        name = phone = ""
        anonymous = False
        if channel in (C.HOTLINE, C.RESIDENT, C.DEPUTY) or (
            channel == C.EMERGENCY and rng.random() < 0.7
        ):
            gender = self.people.gender()
            name = self.people.name(gender, rng.randint(1940, 2000))
            phone = self.people.mobile()
            anonymous = channel == C.HOTLINE and rng.random() < P_ANONYMOUS
            if channel == C.DEPUTY:
                name = f"{texts.pick(rng, texts.DEPUTY_NAMES)}{name}"
        return Draft(
            channel=channel,
            type=case_type,
            category_id=leaf.id,
            urgency=Case.Urgency.URGENT if urgent else Case.Urgency.NORMAL,
            title=f"{leaf.name}（{address}）"[:120],
            description=text,
            lat=lat,
            lng=lng,
            cell=duplicates.cell_of(lat, lng),
            address=address,
            grid_id=place.grid_id,
            residential_area_id=place.area_id,
            station_id=place.station_id,
            subdistrict_id=place.subdistrict_id,
            inspector_id=place.inspector.person_id if place.inspector else None,
            reporter_name="" if anonymous else name,
            reporter_phone=phone,
            anonymous=anonymous,
            received_at=received,
            state=S.RECEIVED,
        )

    # --- deadlines -------------------------------------------------------------------------

    def limit(self, case: Draft, stage: str) -> Limit:
        key = (case.category_id, case.urgency, stage, case.type)
        found = self._limits.get(key)
        if found is None:
            found = sla.time_limit(
                category_id=case.category_id, urgency=case.urgency, stage=stage, case_type=case.type
            )
            self._limits[key] = found
        return found

    def deadline(self, case: Draft, stage: str, start: dt.datetime) -> dt.datetime:
        amount, unit = self.limit(case, stage)
        return worktime.add(start, amount, unit)

    # --- the whole history -----------------------------------------------------------------

    def build(self) -> None:
        """Draw and play every case; then number them in the order they came in."""
        n_merged = round(self.count * MERGED_SHARE)
        base = sorted((self.draw() for _ in range(self.count - n_merged)), key=_order)
        plays: list[Play] = []
        for n, case in enumerate(base, 1):
            plays.append(self.play(case))
            if n % 1000 == 0:
                self.tick(1000)
        self.tick(len(base) % 1000)
        self._merged_reports(n_merged, plays)
        self._number()

    def play(self, case: Draft, master: int | None = None) -> Play:
        index = len(self.cases)
        self.cases.append(case)
        self.events.append([])
        play = Play(self, index, case)
        play.run(master)
        return play

    def _merged_reports(self, n: int, plays: list[Play]) -> None:
        """Second reports of a problem already reported nearby, merged into the first."""
        rng = self.rng
        masters = [
            p
            for p in plays
            if p.case.filed_at is not None
            and p.case.state not in (S.MERGED, S.NOT_ACCEPTED)
            and p.case.received_at < self.now - dt.timedelta(hours=2)
        ]
        places = {p.grid_id: p for p in self.dir.places}
        for _n in range(n if masters else 0):
            master_play = masters[rng.randrange(len(masters))]
            master = master_play.case
            later = dt.timedelta(hours=rng.uniform(0.3, 48))
            received = min(master.received_at + later, self.now - dt.timedelta(minutes=20))
            if received <= master.received_at:
                continue
            assert master.grid_id is not None and master.lat is not None and master.lng is not None
            place = places[master.grid_id]
            lat = round(master.lat + rng.uniform(-0.0002, 0.0002), 6)
            lng = round(master.lng + rng.uniform(-0.0002, 0.0002), 6)
            if not place.contains(lat, lng):
                lat, lng = master.lat, master.lng
            channel = rng.choice((C.HOTLINE, C.HOTLINE, C.RESIDENT, C.INSPECTOR))
            leaf = self.leaf_by_id[master.category_id]
            case_type = master.type
            if leaf.kind == "hotline" and channel == C.INSPECTOR:
                channel = C.HOTLINE
            child = self._case(channel, received, leaf, case_type, False, place, lat, lng)
            self.play(child, master=master_play.i)
        self.tick(n)

    def _number(self) -> None:
        """CY2026-000123, in the order of receipt, per year; 12345 work orders get their
        platform's number; every case a tracking code."""
        order = sorted(range(len(self.cases)), key=lambda i: _order(self.cases[i]))
        per_year: dict[int, int] = {}
        per_day: dict[dt.date, int] = {}
        codes: set[str] = set()
        rng = self.rng
        for i in order:
            case = self.cases[i]
            local = case.received_at.astimezone(self.tz)
            per_year[local.year] = per_year.get(local.year, 0) + 1
            case.number = f"CY{local.year}-{per_year[local.year]:06d}"
            if case.channel == C.HOTLINE:
                per_day[local.date()] = per_day.get(local.date(), 0) + 1
                case.external_ref = f"GD{local:%Y%m%d}{per_day[local.date()]:04d}"
            while True:
                code = "".join(rng.choice(TRACKING_ALPHABET) for _ in range(10))
                if code not in codes:
                    codes.add(code)
                    break
            case.tracking_code = code
        self.per_year = per_year

    # --- writing ---------------------------------------------------------------------------

    def save(self) -> Result:
        """Write the cases, their extension requests and events, and the case counters. The
        rows get their ids here (they refer to each other), in the order cases came in."""
        order = sorted(range(len(self.cases)), key=lambda i: _order(self.cases[i]))
        first = bulk.next_id(Case)
        for n, i in enumerate(order):
            case = self.cases[i]
            case.pk = first + n
            events = self.events[i]
            case.created_at = case.received_at
            case.updated_at = max(e[1] for e in events) if events else case.received_at
        for child, master in self.merges:
            self.cases[child].merged_into_id = self.cases[master].pk
        cases = [self.cases[i] for i in order]
        bulk.insert_objects(Case, cases, tick=self.tick)
        rows = []
        first = bulk.next_id(ExtensionRequest)
        for n, p in enumerate(self.pending):
            case_id: Any = self.cases[p.case].id
            requester: Any = p.requested_by.user_id
            p.row = ExtensionRequest(
                id=first + n,
                case_id=case_id,
                requested_by_id=requester,
                amount=p.amount,
                unit=WD,
                reason=p.reason,
                status=p.status,
                decided_by_id=p.decided_by.user_id if p.decided_by else None,
                decided_at=p.decided_at,
                decision_note=p.note,
                old_due_at=p.old_due_at,
                new_due_at=p.new_due_at,
                created_at=p.requested_at,
                updated_at=p.decided_at or p.requested_at,
            )
            rows.append(p.row)
        bulk.insert_objects(ExtensionRequest, rows, tick=self.tick)
        bulk.reset_sequences(Case, ExtensionRequest)
        fields: list[Any] = [
            CaseEvent._meta.get_field(name)
            for name in ("case", "at", "actor", "actor_label", "action", "from_state",
                         "to_state", "note", "data", "public")
        ]  # fmt: skip
        n_events = bulk.insert(CaseEvent, fields, self._event_rows(order), tick=self.tick)
        existing = set(CaseCounter.objects.values_list("year", flat=True))
        if existing & set(self.per_year):
            raise RuntimeError("The case counter already has numbers for these years.")
        CaseCounter.objects.bulk_create(
            [CaseCounter(year=y, last=n) for y, n in sorted(self.per_year.items())]
        )
        return Result(
            {
                Case._meta.label: len(cases),
                ExtensionRequest._meta.label: len(rows),
                CaseEvent._meta.label: n_events,
                CaseCounter._meta.label: len(self.per_year),
            }
        )

    def _event_rows(self, order: list[int]) -> Iterator[tuple[Any, ...]]:
        system = self.system[:150]
        for i in order:
            case_id = self.cases[i].pk
            for _i, at, actor, action, frm, to, note, data, public in sorted(
                self.events[i], key=lambda e: e[1]
            ):
                if data and any(callable(v) for v in data.values()):
                    data = {k: (v() if callable(v) else v) for k, v in data.items()}
                yield (
                    case_id,
                    at,
                    actor.user_id if actor else None,
                    actor.label[:150] if actor else system,
                    action,
                    frm,
                    to,
                    note,
                    data,
                    public,
                )


def _order(case: Draft) -> tuple[dt.datetime, str]:
    return (case.received_at, case.description)


class Play:
    """One case played through the workflow until `now`."""

    def __init__(self, history: History, index: int, case: Draft) -> None:
        self.h = history
        self.i = index
        self.case = case
        self.rng = history.rng
        self.now = history.now
        self.t = case.received_at  # the time of the last step

    # Each step: returns False (and changes nothing) when its time is after `now`.

    def event(
        self,
        at: dt.datetime,
        actor: Actor | None,
        action: str,
        *,
        to: str | None = None,
        note: str = "",
        data: dict[str, Any] | None = None,
        public: bool = False,
        states: tuple[str, str] | None = None,
    ) -> None:
        """A timeline row. A transition (no `states` given) goes from the case's state to `to`
        and moves the case's version on, like gongzhi.cases.workflow.transition(); rows the
        services write with record_event() give their `states` and leave the version alone."""
        c = self.case
        if states is None:
            frm = c.state
            if to is not None:
                c.state = to
            c.version += 1
            states = (frm, c.state)
        self.h.events[self.i].append((self.i, at, actor, action, *states, note, data or {}, public))

    def act(
        self,
        at: dt.datetime,
        actor: Actor | None,
        action: str,
        *,
        note: str = "",
        params: dict[str, Any] | None = None,
        found: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> Step:
        """Take `action` as CASES.run() would: the action table's own effect changes the case
        (with this history's cached deadlines), then its timeline row is written."""
        a = CASES.actions[action]
        c = self.case
        step = Step(
            obj=c,
            actor=actor,
            at=at,
            note=note,
            params=params or {},
            from_state=c.state,
            found=found or {},
            helpers=self.h.helpers,
        )
        apply(a, step)
        c.version += 1
        merged = {**step.data, **(data or {})}
        payload = {k: (v if callable(v) else _json_value(v)) for k, v in merged.items()}
        self.h.events[self.i].append(
            (self.i, at, actor, action, step.from_state, c.state, note, payload, a.public)
        )
        return step

    def sweep_event(self, at: dt.datetime, action: str, data: dict[str, Any]) -> None:
        c = self.case
        self.h.events[self.i].append((self.i, at, None, action, c.state, c.state, "", data, False))

    def operator(self) -> Actor:
        ops = self.h.dir.operators or self.h.dir.chiefs
        return ops[self.rng.randrange(len(ops))]

    def chief(self) -> Actor:
        chiefs = self.h.dir.chiefs or self.h.dir.operators
        return chiefs[self.rng.randrange(len(chiefs))]

    def handler(self, dept: int) -> Actor | None:
        actors = self.h.dir.handlers.get(dept)
        if not actors:
            return None
        if self.case.assignee_id:
            for a in actors:
                if a.person_id == self.case.assignee_id:
                    return a
        return actors[self.rng.randrange(len(actors))]

    def minutes(self, at: dt.datetime, lo: float, hi: float) -> dt.datetime:
        return at + dt.timedelta(minutes=self.rng.uniform(lo, hi))

    def work(self, at: dt.datetime, hours: float) -> dt.datetime:
        """`hours` of the case's own clock after `at`: continuous for urgent cases, working
        hours otherwise."""
        unit = CH if self.case.urgency == Case.Urgency.URGENT else WH
        return worktime.add(at, max(hours, 0.01), unit)

    def window(self, start: dt.datetime, due: dt.datetime, unit: str) -> float:
        """Hours of the deadline's clock from `start` to `due` (at least a few minutes)."""
        if due <= start:
            return 0.1
        clock = CH if unit == CH else WH
        return max(worktime.elapsed(start, due, clock), 0.1)

    def at_fraction(
        self, start: dt.datetime, due: dt.datetime, unit: str, fraction: float
    ) -> dt.datetime:
        clock = CH if unit == CH else WH
        return worktime.add(start, self.window(start, due, unit) * fraction, clock)

    # --- the story of one case ---------------------------------------------------------------

    def run(self, master: int | None) -> None:
        c, h, rng = self.case, self.h, self.rng
        received = c.received_at
        intake = self.intake_actor()
        c.created_by_id = intake.user_id if intake else None
        if c.channel == C.RESIDENT and intake and intake.user_id:
            c.reporter_user_id = intake.user_id
        self.event(
            received,
            intake,
            "receive",
            data={"channel": c.channel, "suggested_department": self.leaf().department_id},
            public=True,
            states=("", c.state),
        )
        c.due_at = h.deadline(c, "file", received)
        t = received
        if c.urgency == Case.Urgency.URGENT:
            self.event(t, None, "emergency_page", data={"paged": h.paged}, states=("", ""))
            ack = self.minutes(t, 1, 4)
            if ack > self.now:
                return
            self.act(ack, self.chief(), "acknowledge")
            t = ack
        if master is None and rng.random() < P_NOT_ACCEPTED.get(c.channel, 0.002):
            self.not_accept(self.minutes(t, 10, 90))
            return
        if master is not None:
            self.merge(t, master)
            return
        if not self.file(
            self.minutes(t, 3, 25) if c.urgency == "normal" else self.minutes(t, 1, 6)
        ):
            return
        leaf = self.leaf()
        if leaf.escalated or (c.channel == C.HOTLINE and rng.random() < P_ESCALATE):
            self.escalated()
            return
        self.dispatched()

    def leaf(self) -> Leaf:
        return self.h.leaf_by_id[self.case.category_id]

    def intake_actor(self) -> Actor | None:
        c, h = self.case, self.h
        if c.channel == C.INSPECTOR:
            place = h.place_by_grid[c.grid_id]
            return place.inspector or self.operator()
        if c.channel == C.RESIDENT:
            resident = h.resident
            if (
                resident is not None
                and h.resident_cases < 3
                and c.residential_area_id == h.resident_area
                and c.received_at < self.now - dt.timedelta(days=30)
                and self.case.type in ("event", "component")
            ):
                h.resident_cases += 1
                c.reporter_name = resident.label.split(" (")[0]
                c.reporter_phone = h.resident_phone
                c.anonymous = False
                return resident
            return Actor(None, PUBLIC_ACTOR)
        return self.operator()

    def not_accept(self, at: dt.datetime) -> None:
        if at > self.now:
            return
        note = texts.pick(self.rng, texts.NOT_ACCEPTED)
        self.act(at, self.chief(), "not_accept", note=note)

    def file(self, at: dt.datetime) -> bool:
        if at > self.now:
            return False
        self.act(at, self.operator(), "file")
        self.t = at
        return True

    def merge(self, at: dt.datetime, master: int) -> None:
        c, h, rng = self.case, self.h, self.rng
        if rng.random() < 0.3:
            if not self.file(self.minutes(at, 3, 25)):
                return
            at = self.t
        when = self.minutes(at, 5, 40)
        if when > self.now:
            return
        master_case = h.cases[master]
        op = self.operator()
        # The master's id and number are known once the rows are written (see save()).
        later = SimpleNamespace(pk=None, number=lambda: master_case.number)
        self.act(when, op, "merge", note=texts.MERGE_NOTE, found={"master": later})
        h.merges.append((self.i, master))
        h.events[master].append(
            (master, when, op, "merged_child", "", "", texts.MERGE_NOTE,
             {"child": lambda: c.number}, False)
        )  # fmt: skip

    def escalated(self) -> None:
        rng = self.rng
        at = self.minutes(self.t, 10, 90)
        if at > self.now:
            return
        chief = self.chief()
        self.act(at, chief, "escalate", note=texts.pick(rng, texts.ESCALATE_REASONS))
        reply = worktime.add(at, rng.uniform(8, 90), WH)
        if reply > self.now:
            return
        text = texts.pick(rng, texts.DISTRICT_REPLIES)
        self.act(reply, self.operator(), "district_reply", note=text)
        self.t = reply
        self.verify(by_centre=True)

    def dispatch(self, at: dt.datetime, dept: int, *, override: str = "", note: str = "") -> None:
        h, rng = self.h, self.rng
        handlers = h.dir.handlers.get(dept) or []
        person = (
            handlers[rng.randrange(len(handlers))].person_id
            if handlers and rng.random() < P_ASSIGNEE
            else None
        )
        self.act(
            at,
            self.operator(),
            "dispatch",
            note=note,
            found={
                "department": dept,
                "department_name": h.dir.department_names.get(dept, ""),
                "assignee": person,
                "suggested": self.leaf().department_id,
                "override_reason": override,
            },
        )
        self.t = at

    def dispatched(self) -> None:
        c, h, rng = self.case, self.h, self.rng
        leaf = self.leaf()
        dept = leaf.department_id
        assert dept is not None
        company = h.place_by_grid[c.grid_id].property_company_id
        override = ""
        key = h.dept_key.get(dept)
        if company and key in ("fangguan", "chengguan") and rng.random() < P_PROPERTY:
            dept, override = company, "小区内部问题，由物业公司处置。"
        at = self.minutes(self.t, 2, 20) if c.urgency == "normal" else self.minutes(self.t, 1, 5)
        if at > self.now:
            return
        self.dispatch(at, dept, override=override)
        if rng.random() < P_RETURN and not self.returned(company):
            return
        self.department_work()

    def returned(self, company: int | None) -> bool:
        """The department sends the case back; the centre dispatches it elsewhere."""
        c, h, rng = self.case, self.h, self.rng
        at = self.work(self.t, rng.uniform(0.2, 3))
        if at > self.now:
            self.stop_at_deadline(self.now)
            return False
        old = c.department_id
        handler = self.handler(old) if old else None
        # "Send it to the property company" only when there is one and it did not have it.
        to_company_possible = bool(company) and company != old
        reasons = tuple(r for r in texts.RETURN_REASONS if to_company_possible or "物业" not in r)
        reason = texts.pick(rng, reasons)
        to_company = "物业" in reason
        self.act(at, handler, "return", note=reason)
        for p in h.pending:
            if p.case == self.i and p.status == ExtensionRequest.Status.PENDING:
                p.status, p.note, p.decided_at = (
                    ExtensionRequest.Status.REFUSED,
                    "case returned",
                    at,
                )
        again = self.minutes(at, 10, 60)
        if again > self.now:
            return False
        options = [
            d for key, d in h.cat.departments.items() if key in REDISPATCH_TO and d.pk != old
        ]
        new = company if to_company else options[rng.randrange(len(options))].pk if options else old
        assert new is not None
        suggested = self.leaf().department_id
        override = "" if new == suggested else f"{texts.REDISPATCH_NOTE}：{reason}"
        self.dispatch(again, new, override=override)
        return True

    def department_work(self) -> None:
        """Accept, perhaps ask for more time or be suspended, handle; then verification."""
        c, h, rng = self.case, self.h, self.rng
        dept = c.department_id
        assert dept is not None and c.handle_due_at is not None
        # Emergencies (a burst gas pipe) are never left for weeks: only ordinary cases stick.
        age = (self.now - c.received_at).days
        stuck = c.urgency != Case.Urgency.URGENT and (
            (age < STUCK_DAYS and rng.random() < P_STUCK)
            or (CHRONIC_DAYS[0] <= age <= CHRONIC_DAYS[1] and rng.random() < P_CHRONIC)
        )
        late = rng.random() < self.lateness()
        accept = self.work(self.t, rng.uniform(0.05, 1.2))
        accept = min(accept, self.at_fraction(self.t, c.handle_due_at, self.limit_unit(), 0.3))
        if stuck and rng.random() < 0.25:
            self.stop_at_deadline(self.now, stuck=True)
            return
        if accept > self.now:
            self.stop_at_deadline(self.now)
            return
        self.act(accept, self.handler(dept), "accept")
        self.t = accept
        if stuck:
            self.stop_at_deadline(self.now, stuck=True)
            return
        requester = h.requesters.get(dept)
        if requester is not None and rng.random() < P_EXTENSION:
            if not self.extension(requester):
                return
        if rng.random() < P_SUSPEND:
            if not self.suspension():
                return
        if not self.handle(late):
            return
        self.verify()

    def lateness(self) -> float:
        c, h = self.case, self.h
        key = h.dept_key.get(c.department_id or 0)
        base = LATENESS.get(key, PROPERTY_LATENESS) if key else PROPERTY_LATENESS
        # Departments got better over the year.
        age = (self.now - c.received_at).total_seconds() / (DAYS * 86400)
        return base * (0.5 + age)

    def extension(self, requester: Actor) -> bool:
        c, h, rng = self.case, self.h, self.rng
        assert c.handle_due_at is not None
        at = self.at_fraction(self.t, c.handle_due_at, self.limit_unit(), rng.uniform(0.3, 0.8))
        if at > self.now:
            self.stop_at_deadline(self.now)
            return False
        reason = texts.pick(rng, texts.EXTENSION_REASONS)
        amount = Decimal(rng.choice((2, 3, 5)))
        p = Pending(self.i, requester, amount, reason, at, old_due_at=c.handle_due_at)
        h.pending.append(p)
        self.act(
            at,
            requester,
            "request_extension",
            note=reason,
            data={"extension": p.pk, "amount": str(amount), "unit": p.unit},
        )
        self.t = at
        decided = self.minutes(at, 20, 240)
        if decided > self.now:
            self.stop_at_deadline(self.now)
            return False
        chief = self.chief()
        p.decided_by, p.decided_at = chief, decided
        if rng.random() < P_EXTENSION_REFUSED:
            p.status, p.note = (
                ExtensionRequest.Status.REFUSED,
                texts.pick(rng, texts.EXTENSION_REFUSED),
            )
            action = "refuse_extension"
        else:
            p.status, p.note = (
                ExtensionRequest.Status.APPROVED,
                texts.pick(rng, texts.EXTENSION_APPROVED),
            )
            action = "approve_extension"
        self.act(decided, chief, action, note=p.note, found={"request": p})
        self.t = decided
        return True

    def limit_unit(self) -> str:
        return self.h.limit(self.case, "handle")[1]

    def suspension(self) -> bool:
        c, rng = self.case, self.rng
        at = self.work(self.t, rng.uniform(1, 10))
        if at > self.now:
            self.stop_at_deadline(self.now)
            return False
        if c.due_at is not None and c.due_at < at:
            self.flag_overdue(until=at)
        chief = self.chief()
        self.act(at, chief, "suspend", note=texts.pick(rng, texts.SUSPEND_REASONS))
        resume = worktime.add(at, rng.uniform(5, 40), WD)
        if resume > self.now:
            return False
        self.act(resume, chief, "resume", note=texts.pick(rng, texts.RESUME_NOTES))
        self.t = resume
        return True

    def handle(self, late: bool) -> bool:
        c, rng = self.case, self.rng
        assert c.handle_due_at is not None and c.department_id is not None
        fraction = rng.uniform(1.05, 2.5) if late else rng.betavariate(1.6, 2.2) * 0.97 + 0.02
        at = self.at_fraction(self.t, c.handle_due_at, self.limit_unit(), fraction)
        if at > self.now:
            self.stop_at_deadline(self.now)
            return False
        self.stop_at_deadline(at)
        text = texts.result(rng, self.leaf().kind)
        self.act(at, self.handler(c.department_id), "handle", note=text)
        self.t = at
        return True

    def verify(self, *, by_centre: bool = False) -> None:
        c, h, rng = self.case, self.h, self.rng
        assert c.due_at is not None
        place = h.place_by_grid.get(c.grid_id or 0)
        inspector = None if by_centre or place is None else place.inspector
        who = inspector or self.operator()
        fraction = rng.uniform(1.1, 3) if rng.random() < P_VERIFY_LATE else rng.uniform(0.1, 0.9)
        unit = h.limit(c, "verify")[1]
        at = self.at_fraction(self.t, c.due_at, unit, fraction)
        if at > self.now:
            return
        if not by_centre and c.rework_count == 0 and rng.random() < P_REWORK:
            self.act(at, who, "verify_fail", note=texts.pick(rng, texts.VERIFY_FAIL))
            self.t = at
            if self.handle(rng.random() < 0.1):
                self.verify()
            return
        self.act(at, who, "verify_pass", note=texts.pick(rng, texts.VERIFY_PASS))
        self.t = at
        self.evaluate()

    def evaluate(self) -> None:
        c, rng = self.case, self.rng
        at = worktime.add(self.t, rng.uniform(0.3, 7.5), WH)
        if at > self.now:
            return
        unhappy = 0.025 + 0.12 * (c.handled_on_time is False) + 0.15 * (c.rework_count > 0)
        roll = rng.random()
        satisfaction = (
            Case.Satisfaction.DISSATISFIED
            if roll < unhappy
            else Case.Satisfaction.BASICALLY
            if roll < unhappy + 0.1
            else Case.Satisfaction.SATISFIED
        )
        self.act(
            at,
            self.operator(),
            "evaluate",
            note=texts.pick(rng, texts.CALLBACK[satisfaction]),
            params={"satisfaction": str(satisfaction)},
        )
        if satisfaction == Case.Satisfaction.DISSATISFIED:
            self.event(
                at,
                None,
                "warn",
                note=_("The reporter is dissatisfied: consider reopening."),
                data={"dissatisfied": True},
                states=("", ""),
            )

    # --- the deadline sweep, as if it had run ------------------------------------------------

    def stop_at_deadline(self, until: dt.datetime, *, stuck: bool = False) -> None:
        """The department's deadline passed before `until` (the next step, or now): the sweep
        warned and flagged it overdue, and a leader may have supervised a stuck case."""
        c = self.case
        if c.state not in (S.DISPATCHED, S.ACCEPTED) or c.due_at is None or c.due_at >= until:
            if c.due_at is not None and c.urgency == "normal" and c.due_at - WARN_BEFORE < until:
                self.warn(until)
            return
        self.flag_overdue(until=until)
        if stuck and self.h.dir.leader and self.rng.random() < P_SUPERVISED:
            at = c.due_at + dt.timedelta(days=self.rng.uniform(1, 6))
            if at <= self.now:
                c.supervision_level = min(3, c.supervision_level + 1)
                self.event(
                    at,
                    self.h.dir.leader,
                    "supervise",
                    note=texts.pick(self.rng, texts.SUPERVISE),
                    data={"level": c.supervision_level},
                )

    def warn(self, until: dt.datetime) -> None:
        c = self.case
        assert c.due_at is not None
        if c.warned_for_due == c.due_at:
            return
        at = max(c.due_at - WARN_BEFORE, self.t + dt.timedelta(minutes=1))
        if at >= until or at > self.now:
            return
        c.warned_for_due = c.due_at
        self.sweep_event(at, "warn", {})

    def flag_overdue(self, *, until: dt.datetime) -> None:
        c = self.case
        assert c.due_at is not None
        if c.urgency == "normal":
            self.warn(until)
        if c.overdue_for_due == c.due_at:
            return
        # The sweep runs every minute; a deadline that passed while the case was suspended is
        # flagged just after it resumed.
        at = max(c.due_at, self.t) + dt.timedelta(seconds=self.rng.uniform(5, 60))
        at = min(at, until)
        if at > self.now:
            return
        c.overdue_for_due = c.due_at
        c.supervision_level = max(c.supervision_level, 1)
        self.sweep_event(at, "overdue", {"supervised": True})
