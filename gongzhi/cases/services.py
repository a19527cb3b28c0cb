"""Writing cases: intake and every workflow action. Each function is one transaction, checks
permissions through the workflow table, and is what pages, the API, commands and tasks call."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.core import events, rows
from gongzhi.core.cache import TableCache, table_version
from gongzhi.core.conf import product_setting
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import Role, access_for
from gongzhi.org.models import Organisation, Position
from gongzhi.places.index import grid_index
from gongzhi.places.subdistricts import subdistrict_for
from gongzhi.workflow import Step

from . import duplicates, intake, photos, sla
from .models import Case, CaseCounter, CaseEvent, ExtensionRequest
from .workflow import CASES, record_event


@dataclass
class Routing:
    grid_id: int | None = None
    residential_area_id: int | None = None
    station_id: int | None = None
    department_id: int | None = None
    inspector_ids: list[int] = field(default_factory=list)


@dataclass
class IntakeResult:
    case: Case
    created: bool
    duplicates: list[duplicates.Candidate] = field(default_factory=list)


def route(*, category_id: int, lat: float | None, lng: float | None) -> Routing:
    """Suggestions for the dispatch form: grid (and so area and station) from the point,
    department from the category."""
    r = Routing(department_id=sla.routed_department_id(category_id))
    if lat is not None and lng is not None:
        hit = grid_index().lookup(lng, lat)
        if hit is not None:
            r.grid_id, r.residential_area_id, r.station_id = (
                hit.grid_id,
                hit.residential_area_id,
                hit.station_id,
            )
    return r


def _inspectors_version() -> tuple[Any, ...]:
    """What changes when positions, their organisations or their grids change."""
    through = Position.grids.through.objects.aggregate(n=Count("pk"), m=Max("pk"))
    return (*table_version(Position, Organisation), through["n"], through["m"])


# Inspectors by (grid, station), worked out as intakes ask and kept until a position, its
# organisation or its grids change (checked at most every CACHE_CHECK_SECONDS).
_inspectors: TableCache[dict[tuple[int | None, int | None], list[int]]] = TableCache(
    dict, version=_inspectors_version
)


def grid_inspectors(*, grid_id: int | None, station_id: int | None) -> list[int]:
    """Inspectors (person ids) for a grid: those assigned the grid first, then the station's."""
    if float(product_setting("CACHE_CHECK_SECONDS", 2.0)) <= 0:
        # Versions checked on every read (tests): the query itself is cheaper.
        return _grid_inspectors(grid_id=grid_id, station_id=station_id)
    known = _inspectors.get()
    key = (grid_id, station_id)
    if key not in known:
        known[key] = _grid_inspectors(grid_id=grid_id, station_id=station_id)
    return known[key]


def _grid_inspectors(*, grid_id: int | None, station_id: int | None) -> list[int]:
    from django.db.models import Q

    from gongzhi.org.access import active_positions_q

    if not grid_id and not station_id:
        return []
    where = Q(organisation__grid_station_id=station_id) if station_id else Q(pk__in=[])
    if grid_id:
        where |= Q(grids__id=grid_id)
    rows = list(
        Position.objects.filter(active_positions_q(), where, role=Position.Role.INSPECTOR)
        .order_by()
        .values_list("person_id", "grids__id")
    )
    assigned = [pid for pid, gid in rows if grid_id and gid == grid_id]
    return list(dict.fromkeys(assigned + [pid for pid, _ in rows]))


def next_number(year: int) -> str:
    """CY2026-000123. The counter row is locked by the increment until the transaction ends,
    so two intakes never get the same number. One statement (UPDATE … RETURNING, which both
    PostgreSQL and SQLite ≥ 3.35 support)."""
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last", [year])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        if _start_counter(year, last=1):
            return f"CY{year}-{1:06d}"
        return next_number(year)
    return f"CY{year}-{row[0]:06d}"


def _start_counter(year: int, *, last: int) -> bool:
    """The year's counter row, when no intake has made it yet (False: one just did)."""
    try:
        with transaction.atomic():
            CaseCounter.objects.create(year=year, last=last)
    except IntegrityError:
        return False
    return True


def _insert_numbered(
    case: Case,
    year: int,
    *rows_of_case: Any,
    along: tuple[str, list[Any]] | None = None,
    outbox: events.Prepared | None = None,
) -> Any:
    """Write a new case with the next number of its year, and the rows that belong to it (its
    timeline row, its audit row). On PostgreSQL the counter's increment, the case and its rows
    are one statement (one round trip), which also writes the outbox row of the case's event
    (`outbox`, with the case's and its timeline row's ids) and answers `along` (a scalar
    subquery and its parameters, such as the duplicate search: it sees the table as it was
    before this case) and returns its value; elsewhere the counter's UPDATE … RETURNING, then
    the inserts, and None (the caller runs its query itself)."""
    if connection.vendor != "postgresql":
        case.number = next_number(year)
        rows.insert(case)
        for row in rows_of_case:
            _refer(row, case)
        rows.insert(*rows_of_case)
        return None
    number = "'CY' || %s::text || '-' || lpad(n.last::text, greatest(6, length(n.last::text)), '0')"
    head, values, params = rows.insert_select(case, {"number": (number, [str(year)])})
    # Only the models' quoted table and column names go into the text; values are parameters.
    counter = connection.ops.quote_name(CaseCounter._meta.db_table)
    ctes = [
        f"n AS (UPDATE {counter} SET last = last + 1 WHERE year = %s RETURNING last)",  # noqa: S608
        f"c AS (INSERT INTO {head} SELECT {values} FROM n RETURNING id, number)",  # noqa: S608
    ]
    all_params = [year, *params]
    for i, row in enumerate(rows_of_case):
        head, values, params = rows.insert_select(row, _computed_refs(row, case))
        ctes.append(f"r{i} AS (INSERT INTO {head} SELECT {values} FROM c RETURNING id)")  # noqa: S608
        all_params += params
    picks = "".join(f", (SELECT id FROM r{i})" for i in range(len(rows_of_case)))  # noqa: S608
    task = outbox.row if outbox is not None and rows_of_case else None
    if outbox is not None and task is not None:
        # The event's outbox row: its data's case_id and event_id (the timeline row, r0) are
        # the statement's own.
        kwargs = outbox.kwargs_sql({"case_id": "c.id", "event_id": "r0.id"})
        head, values, params = rows.insert_select(task, {"kwargs": kwargs})
        ctes.append(f"t AS (INSERT INTO {head} SELECT {values} FROM c, r0 RETURNING id)")  # noqa: S608
        all_params += params
        picks += ", (SELECT id FROM t)"
    if along is not None:
        picks += f", {along[0]}"
        all_params += along[1]
    with rows.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT c.id, c.number{picks} FROM c", all_params)  # noqa: S608
        found = cursor.fetchone()
    if found is None:  # the year's first case
        _start_counter(year, last=0)
        return _insert_numbered(case, year, *rows_of_case, along=along, outbox=outbox)
    rows.saved(case, found[0])
    case.number = found[1]
    for row, key in zip(rows_of_case, found[2 : 2 + len(rows_of_case)], strict=True):
        _refer(row, case)
        rows.saved(row, key)
    if outbox is not None and task is not None:
        rows.saved(task, found[2 + len(rows_of_case)])
        outbox.written = True
    return found[-1] if along is not None else None


def _refer(row: Any, case: Case) -> None:
    """Point a row written with the case at it, now that it has an id and a number."""
    if isinstance(row, CaseEvent):
        row.case = case
    else:  # its audit row
        row.object_id = str(case.pk)
        row.object_repr = str(case)[:200]
        row.changes = {
            **row.changes,
            "id": {"before": None, "after": case.pk},
            "number": {"before": None, "after": case.number},
        }


def _computed_refs(row: Any, case: Case) -> dict[str, tuple[str, list[Any]]]:
    """The columns of a row written with its case that come from the case's insert (c): the
    SQL of what `_refer` sets once the case has its id and number."""
    if isinstance(row, CaseEvent):
        return {"case": ("c.id", [])}
    return {
        "object_id": ("c.id::text", []),
        # str(case) without the number it does not have yet: " <title>".
        "object_repr": ("left(c.number || %s, 200)", [str(case)]),
        "changes": (
            "%s::jsonb || jsonb_build_object('id', jsonb_build_object('before', null, 'after',"
            " c.id), 'number', jsonb_build_object('before', null, 'after', c.number))",
            [row._meta.get_field("changes").get_db_prep_save(row.changes, connection)],
        ),
    }


_TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 letters: a byte % 32 is uniform


def _tracking_code() -> str:
    """Ten characters of 32, each equally likely (a random byte's 5 low bits: 256 = 8 × 32)."""
    return "".join([_TRACKING_ALPHABET[b & 31] for b in secrets.token_bytes(10)])


# What a case takes over from its checked report as it is.
COPIED = (
    *("channel", "type", "category", "urgency", "title", "description", "lat", "lng", "address"),
    *("reporter_name", "reporter_phone", "reporter_email", "anonymous", "external_ref"),
)
_COPIED_PLAIN = tuple(name for name in COPIED if name != "category")


def _subdistrict_of(c: intake.Checked, actor: Any) -> int:
    """The new case's subdistrict: its grid's; else the one the report was filed in
    (`Checked.subdistrict_id`); else the filing staff member's, when they serve one; else the
    installation's default."""
    sd = subdistrict_for(actor, c.grid, c)
    if sd is None:
        raise ServiceError(
            _("No subdistrict is set up yet: an administrator imports the places first."),
            code="no_subdistrict",
        )
    return sd


def case_values(c: intake.Checked, *, actor: Any, reporter_user: Any) -> dict[str, Any]:
    """A checked report's new case, as its fields' values by attribute name (those it does
    not name take their defaults): the routing (grid, area, station, inspector), the
    subdistrict, the time received and the deadline to file. `new_case` builds its case from
    it, and the bulk intake (cases.bulk) writes it as a row: one set of rules for both."""
    hit = c.grid
    grid_id, area_id, station_id = (
        (hit.grid_id, hit.residential_area_id, hit.station_id) if hit else (None, None, None)
    )
    received = c.received_at or timezone.now()
    inspectors = grid_inspectors(grid_id=grid_id, station_id=station_id)
    la, lo = c.lat, c.lng
    values = {name: getattr(c, name) for name in _COPIED_PLAIN}
    values.update(
        category_id=c.category.pk,
        cell=duplicates.cell_of(la, lo) if la is not None and lo is not None else None,
        grid_id=grid_id,
        residential_area_id=area_id,
        station_id=station_id,
        subdistrict_id=_subdistrict_of(c, actor),
        inspector_id=inspectors[0] if inspectors else None,
        reporter_user_id=(
            reporter_user.pk if getattr(reporter_user, "is_authenticated", False) else None
        ),
        tracking_code=_tracking_code(),
        created_by_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
        received_at=received,
        # sla.deadline(case, "file", received) of the case these values make
        due_at=sla.add(
            received,
            sla.time_limit(
                category_id=c.category.pk, urgency=c.urgency, stage="file", case_type=c.type
            ),
        ),
    )
    return values


def new_case(c: intake.Checked, *, actor: Any, reporter_user: Any) -> tuple[Case, CaseEvent, Any]:
    """A checked report as a new case (`case_values`), not yet written, with its timeline row
    and its audit row (`received_rows`; also not written: they point at the case once it has
    an id and a number, `_refer`). `case_intake` builds its cases here."""
    case = Case(**case_values(c, actor=actor, reporter_user=reporter_user))
    case.category = c.category  # kept, as read by whoever gets the case
    if case.created_by_id is not None:
        case.created_by = actor
    if case.reporter_user_id is not None:
        case.reporter_user = reporter_user
    return case, *received_rows(case, c, actor=actor)


def received_rows(case: Case, c: intake.Checked, *, actor: Any) -> tuple[CaseEvent, Any]:
    """A new case's timeline row and audit row (not written)."""
    event = record_event(
        case=case,
        actor=actor,
        action="receive",
        to_state=case.state,
        public=True,
        data={
            "channel": c.channel,
            "suggested_department": sla.routed_department_id(c.category.pk),
        },
        save=False,
    )
    return event, audit.created(actor=actor, obj=case)


def received_event(case: Case, event: CaseEvent) -> dict[str, Any]:
    """The data of a new case's "case.received" event."""
    return {
        "case_id": case.pk,
        "event_id": event.pk,
        "action": "receive",
        "urgent": case.urgency == Case.Urgency.URGENT,
        "reporter_contact": bool(
            case.reporter_user_id or case.reporter_email or case.reporter_phone
        ),
    }


def case_intake(
    *,
    actor: Any,
    reporter_user: Any = None,
    find_duplicates: bool | None = None,
    checked: intake.Checked | None = None,
    **report: Any,
) -> IntakeResult:
    """Take in one report from any channel. `report` is what `intake.check` takes (channel,
    category, description, type, urgency, place, reporter, photos …): it holds every rule and
    returns every problem at once; this files what it cleaned. Filing the same external
    reference (a 12345 work-order number) twice returns the existing case: intake is
    idempotent. `checked`: a report a channel already had the contract check.
    `find_duplicates`: look for open cases nearby that look alike, for the one who files to
    check beside the dispatch form; by default when the grid centre files (nobody else is
    shown them)."""
    c = checked or intake.check(actor=actor, **report)
    # One transaction; inside a caller's (the API's idempotency record) no savepoint of its
    # own: every rule has been checked, so what follows only writes.
    with transaction.atomic(savepoint=False):
        return _file(c, actor, reporter_user, find_duplicates)


def _file(
    c: intake.Checked, actor: Any, reporter_user: Any, find_duplicates: bool | None
) -> IntakeResult:
    channel = c.channel
    external_ref = c.external_ref
    if external_ref:
        existing = Case.objects.filter(channel=channel, external_ref=external_ref).first()
        if existing is not None:
            return IntakeResult(existing, created=False)
    case, event, created = new_case(c, actor=actor, reporter_user=reporter_user)
    year = timezone.localtime(case.received_at).year
    la, lo = c.lat, c.lng
    # Open cases nearby that look alike, for the one who files to check beside the dispatch
    # form; on PostgreSQL read by the statement that files the case.
    search = (
        duplicates.Search(
            category_id=c.category.pk, lat=la, lng=lo, text=f"{c.title} {c.description}"
        )
        if la is not None
        and lo is not None
        and (intake.is_centre(actor) if find_duplicates is None else find_duplicates)
        else None
    )
    along = search.as_json() if search is not None and connection.vendor == "postgresql" else None
    # On PostgreSQL the event's outbox row is written by the statement that files the case.
    outbox = (
        events.prepare("case.received", actor=actor, **received_event(case, event))
        if connection.vendor == "postgresql"
        else None
    )
    if external_ref:
        # Two deliveries of the same work order at once: the database's unique constraint lets
        # one in; the other returns the case the first created.
        try:
            with transaction.atomic():
                nearby = _insert_numbered(case, year, event, created, along=along, outbox=outbox)
        except IntegrityError:
            existing = Case.objects.filter(channel=channel, external_ref=external_ref).first()
            if existing is None:
                raise
            return IntakeResult(existing, created=False)
    else:
        nearby = _insert_numbered(case, year, event, created, along=along, outbox=outbox)
    if c.photos:
        photos.attach(case=case, checked=c.photos, stage="report", user=actor, event=event)
    if outbox is not None:
        events.publish_prepared(outbox, **received_event(case, event))
    else:
        events.publish("case.received", actor=actor, **received_event(case, event))
    if search is None:
        return IntakeResult(case, created=True)
    found = search.rank(
        search.from_json(nearby) if along is not None else search.rows(exclude_id=case.pk)
    )
    # Near a boundary, another subdistrict's cases are not this one's to see or merge.
    # (Read from the scanned rows: building each candidate's case cost more than the search.)
    found = [d for d in found if d.id_of("subdistrict_id") == case.subdistrict_id]
    return IntakeResult(case, created=True, duplicates=found)


# --- workflow actions ---------------------------------------------------------------------------
#
# Typed wrappers around the one way a case changes state, CASES.run() (the action table in
# workflow.py says what each action checks and changes). Pages and the API call `case_act()`.


def case_act(*, case: Case | int, **kw: Any) -> Step:
    """Take an action on the case: `CASES.run` with the case as its object (keywords: actor,
    action, note, params as the action table names them, expected_state, check_roles)."""
    return CASES.run(obj=case, **kw)


def _act(case: Case | int, action: str, actor: Any, note: str = "", **kw: Any) -> Case:
    seen = kw.pop("expected_state", None)
    step = case_act(
        actor=actor, case=case, action=action, note=note, params=kw, expected_state=seen
    )
    return step.obj  # type: ignore[no-any-return]


def _service(action: str, note: str = "note") -> Callable[..., Case]:
    """The service function of one plain action of the table: its keyword arguments are the
    action's params, and `note` names the one that is the note (`reason`, `result`)."""

    def act(
        *, actor: Any, case: Case | int, expected_state: str | None = None, **params: Any
    ) -> Case:
        text = params.pop(note, "")
        return _act(case, action, actor, text, expected_state=expected_state, **params)

    act.__name__ = act.__qualname__ = f"case_{action}"
    act.__doc__ = f"Take the action {action!r} of cases.workflow.CASES on the case."
    return act


case_file = _service("file")
case_not_accept = _service("not_accept", "reason")
case_merge = _service("merge")
case_dispatch = _service("dispatch")
case_accept = _service("accept")
case_return = _service("return", "reason")
case_district_reply = _service("district_reply", "result")
case_reopen = _service("reopen", "reason")
case_suspend = _service("suspend", "reason")
case_resume = _service("resume")
case_escalate = _service("escalate", "reason")
case_supervise = _service("supervise")
case_acknowledge = _service("acknowledge")
case_comment = _service("comment")


def extension_request(
    *,
    actor: Any,
    case: Case,
    amount: Any,
    unit: str,
    reason: str,
    expected_state: str | None = None,
) -> ExtensionRequest:
    step = case_act(
        actor=actor,
        case=case,
        action="request_extension",
        note=reason,
        params={"amount": amount, "unit": unit},
        expected_state=expected_state,
    )
    return step.found["request"]  # type: ignore[no-any-return]


def extension_decide(
    *,
    actor: Any,
    request: ExtensionRequest | int,
    approve: bool,
    note: str = "",
    expected_state: str | None = None,
) -> ExtensionRequest:
    req_id = request.pk if isinstance(request, ExtensionRequest) else request
    case_id = ExtensionRequest.objects.values_list("case_id", flat=True).get(pk=req_id)
    step = case_act(
        actor=actor,
        case=case_id,
        action="approve_extension" if approve else "refuse_extension",
        note=note,
        params={"request": req_id},
        expected_state=expected_state,
    )
    return step.found["request"]  # type: ignore[no-any-return]


def case_handle(
    *,
    actor: Any,
    case: Case,
    result: str,
    photo_uploads: list[Any] | None = None,
    expected_state: str | None = None,
) -> Case:
    return _act(
        case, "handle", actor, result, photos=photo_uploads or [], expected_state=expected_state
    )


def case_verify(
    *,
    actor: Any,
    case: Case,
    passed: bool,
    note: str = "",
    photo_uploads: list[Any] | None = None,
    expected_state: str | None = None,
) -> Case:
    action = "verify_pass" if passed else "verify_fail"
    return _act(
        case, action, actor, note, photos=photo_uploads or [], expected_state=expected_state
    )


def case_evaluate(
    *,
    actor: Any,
    case: Case,
    satisfaction: str,
    note: str = "",
    via_tracking_code: bool = False,
    expected_state: str | None = None,
) -> Case:
    """The reporter rates the outcome (on the tracking page, by code, without a login), or
    the centre records the rating from a callback."""
    step = case_act(
        actor=actor,
        case=case,
        action="evaluate",
        note=note,
        params={"satisfaction": satisfaction},
        expected_state=expected_state,
        check_roles=not via_tracking_code,
    )
    return step.obj  # type: ignore[no-any-return]


def reveal_reporter_phone(*, actor: Any, case: Case) -> str:
    """The reporter's full phone number, for the staff who must call back; logged."""
    from gongzhi.audit.models import AuditEvent
    from gongzhi.core import permissions as perms

    if not perms.can(actor, "reveal", case):
        audit.record(
            actor=actor, action=AuditEvent.Action.DENIED, obj=case, note="reveal reporter_phone"
        )
        raise NotAllowed(_("You may not see this reporter's phone number."))
    audit.record(actor=actor, action=AuditEvent.Action.REVEAL, obj=case, note="reporter_phone")
    return case.reporter_phone


def is_staff(user: Any) -> bool:
    return access_for(user).has(
        Role.OPERATOR, Role.DUTY_CHIEF, Role.DEPARTMENT, Role.INSPECTOR, Role.LEADER, Role.ADMIN
    )
