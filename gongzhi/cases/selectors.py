"""Reading cases for the pages: the operator's queue, a department's inbox, an inspector's
verification tasks, one case with its timeline, and the public tracking view.

Every list is scoped through gongzhi.core.permissions.visible(), joins what it shows with
select_related and reads in a constant number of queries, whatever the number of cases. The
queue is ordered by (due_at, id) — the most pressing first, on an index — and paged by keyset
("show more" passes the last row's position), never by OFFSET.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import permissions as perms
from gongzhi.core.conf import product_setting
from gongzhi.core.roles import Access, Role, access_for
from gongzhi.org.access import active_positions_q
from gongzhi.org.models import Organisation, Person, Position
from gongzhi.places.selectors import map_layers
from gongzhi.workflow import Action

from . import duplicates, measures, services, sla
from .models import Case, CaseEvent, CasePhoto, Category, ExtensionRequest
from .workflow import (
    DEPARTMENT_KINDS,
    OPEN_STATES,
    TIMED_STATES,
    action_label,
    available_actions,
)

S = Case.State
QUEUE_PAGE = 50
# Who the public web form writes as, in the timeline (shown translated, see `actor_display`).
PUBLIC_ACTOR = "reporter (web)"
# The order states are listed in (filters, counts).
STATE_ORDER = [
    S.RECEIVED,
    S.FILED,
    S.RETURNED,
    S.DISPATCHED,
    S.ACCEPTED,
    S.HANDLED,
    S.SUSPENDED,
    S.ESCALATED,
    S.CLOSED,
    S.EVALUATED,
    S.NOT_ACCEPTED,
    S.MERGED,
]


# --- SLA ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Countdown:
    due_at: dt.datetime | None
    words: str
    overdue: bool

    @property
    def css(self) -> str:
        if self.due_at is None:
            return "text-muted"
        return "text-danger fw-semibold" if self.overdue else "text-body"


# The stage a state's deadline (Case.due_at) belongs to.
STAGE_OF_STATE: dict[str, Any] = {
    S.RECEIVED: gettext_lazy("Filing deadline"),
    S.FILED: gettext_lazy("Dispatch deadline"),
    S.RETURNED: gettext_lazy("Dispatch deadline"),
    S.DISPATCHED: gettext_lazy("Handling deadline"),
    S.ACCEPTED: gettext_lazy("Handling deadline"),
    S.HANDLED: gettext_lazy("Verification deadline"),
    S.CLOSED: gettext_lazy("Call-back deadline"),
}


@dataclass(frozen=True)
class Deadline:
    label: str
    due_at: dt.datetime
    current: bool
    overdue: bool


@dataclass(frozen=True)
class Deadlines:
    """Each labelled deadline of a case, the current stage's marked; for a finished case the
    time it took (received to closed)."""

    stage: str  # the current stage's deadline's name ("" when no deadline runs)
    rows: list[Deadline]
    took: str  # "3 d 4 h" from received to closed, or ""


def deadlines(case: Case, now: dt.datetime) -> Deadlines:
    stage = str(STAGE_OF_STATE.get(case.state, "")) if case.state in TIMED_STATES else ""
    rows: list[Deadline] = []
    current_due = case.due_at if stage else None
    if current_due is not None:
        rows.append(Deadline(stage, current_due, True, current_due < now))
    handling = str(STAGE_OF_STATE[S.ACCEPTED])
    if case.handle_due_at and stage != handling:
        rows.append(Deadline(handling, case.handle_due_at, False, False))
    if case.close_due_at and case.state not in (S.CLOSED, S.EVALUATED):
        rows.append(Deadline(str(_("Closure deadline")), case.close_due_at, False, False))
    took = ""
    if case.closed_at and case.received_at:
        took = sla.due_in_words(case.closed_at, case.received_at)
    return Deadlines(stage, rows, took)


def countdown(case: Case, now: dt.datetime) -> Countdown:
    """The current stage's deadline, in words ("2 d 3 h", "-45 min" when overdue)."""
    due = case.due_at if case.state in TIMED_STATES else None
    return Countdown(due, sla.due_in_words(due, now), bool(due and due < now))


# --- Categories ----------------------------------------------------------------------------------


def leaf_categories(*, public_only: bool = False) -> QuerySet[Category]:
    """Categories a case can be filed under: active, last level of the catalogue."""
    children = Category.objects.filter(parent=OuterRef("pk"), archived_at__isnull=True)
    qs = Category.objects.active().filter(~Exists(children))
    if public_only:
        qs = qs.filter(public=True)
    return qs.order_by("kind", "sort_order", "code")


def departments(subdistrict_ids: frozenset[int] | None = None) -> QuerySet[Organisation]:
    """Organisations cases can be dispatched to (of these subdistricts, or the district's;
    None: every one)."""
    qs = Organisation.objects.active().filter(kind__in=DEPARTMENT_KINDS)
    if subdistrict_ids is not None:
        qs = qs.filter(Q(subdistrict_id__in=subdistrict_ids) | Q(subdistrict__isnull=True))
    return qs


def case_type_for(category: Category, chosen: str = "") -> str:
    """Urban-management components and events are their own case types; hotline matters take
    the type the reporter chose (a request for help when none)."""
    if category.kind == Category.Kind.COMPONENT:
        return Case.Type.COMPONENT
    if category.kind == Category.Kind.EVENT:
        return Case.Type.EVENT
    return chosen if chosen in Case.Type.values else Case.Type.HELP


# --- The operator's queue ----------------------------------------------------------------------


@dataclass
class QueueFilters:
    state: str = ""  # "" = every open case, "all", or one state
    channel: str = ""
    category_id: int | None = None
    grid_id: int | None = None
    department_id: int | None = None
    overdue: bool = False
    q: str = ""
    due_today: bool = False  # a deadline between now and the end of today
    # The console's first view, "needs action now": the open cases whose deadline has not
    # passed, soonest first; the overdue ones have their own tab (`overdue`).
    hide_overdue: bool = False
    since: dt.date | None = None  # received on or after this day
    until: dt.date | None = None  # received on or before this day
    filed_only: bool = False  # as the statistics count cases (measures.FILED)


@dataclass
class QueueRow:
    case: Case
    countdown: Countdown
    may_dispatch: bool
    overdue: bool = False  # as every figure counts it (measures.overdue), for the row's colour


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str
    counts: list[tuple[str, str, int]]  # (state, label, count) for the non-state filters
    open_count: int
    overdue_count: int
    total_count: int


def queue_queryset(user: Any, f: QueueFilters, now: dt.datetime) -> QuerySet[Case]:
    """The cases the user may see that match the queue's filters (the console and the API)."""
    return _apply_state(_queue_base(user, f), f, now)


def _queue_base(user: Any, f: QueueFilters) -> QuerySet[Case]:
    qs = perms.visible(user, Case.objects.all())
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.category_id:
        qs = qs.filter(Q(category_id=f.category_id) | Q(category__parent_id=f.category_id))
    if f.grid_id:
        qs = qs.filter(grid_id=f.grid_id)
    if f.department_id:
        qs = qs.filter(department_id=f.department_id)
    if f.since:
        start = dt.datetime.combine(f.since, dt.time(), timezone.get_current_timezone())
        qs = qs.filter(received_at__gte=start)
    if f.filed_only:
        qs = qs.filter(measures.FILED)
    if f.until:
        end = dt.datetime.combine(
            f.until + dt.timedelta(days=1), dt.time(), timezone.get_current_timezone()
        )
        qs = qs.filter(received_at__lt=end)
    if f.q:
        term = f.q.strip()
        qs = qs.filter(
            Q(number__iexact=term)
            | Q(external_ref=term)
            | Q(tracking_code=term.upper())
            | Q(title__icontains=term)
            | Q(address__icontains=term)
        )
    return qs


def _apply_state(qs: QuerySet[Case], f: QueueFilters, now: dt.datetime) -> QuerySet[Case]:
    if f.state == "all":
        pass
    elif f.state in S.values:
        qs = qs.filter(state=f.state)
    else:
        qs = qs.filter(state__in=OPEN_STATES)
    # Overdue as every figure counts it (measures.overdue: a running handling or closure clock
    # past its deadline), not merely past the current stage's deadline.
    if f.overdue:
        qs = qs.filter(measures.overdue(now))
    elif f.hide_overdue:
        qs = qs.exclude(measures.overdue(now))
    if f.due_today:
        local = timezone.localtime(now)
        ends = local.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        qs = qs.filter(state__in=TIMED_STATES, due_at__gte=now, due_at__lt=ends)
    return qs


def _cursor(case: Case) -> str:
    if case.due_at is None:
        return f"n_{case.pk}"
    return f"d{case.due_at.astimezone(dt.UTC).strftime('%Y%m%d%H%M%S%f')}_{case.pk}"


def _parse_cursor(cursor: str) -> tuple[str, dt.datetime | None, int]:
    """("", None, 0) for the first page; a malformed cursor also starts from the first page."""
    try:
        head, pk = cursor.split("_", 1)
        if head == "n":
            return "n", None, int(pk)
        if head.startswith("d"):
            due = dt.datetime.strptime(head[1:], "%Y%m%d%H%M%S%f").replace(tzinfo=dt.UTC)
            return "d", due, int(pk)
    except ValueError:
        pass
    return "", None, 0


def _first(qs: QuerySet[Case], order: tuple[str, ...], n: int) -> list[Case]:
    """The first `n` rows of `qs` in `order`, in one query that picks the ids first (on the
    indexes alone) and only then joins what select_related asks for: otherwise PostgreSQL may
    join every open case before sorting them (measured in bench/bench_queue.py)."""
    ids = qs.order_by(*order).values("pk")[:n]
    return list(qs.filter(pk__in=ids).order_by(*order))


def keyset_page(qs: QuerySet[Case], cursor: str, limit: int) -> tuple[list[Case], str]:
    """Cases with a deadline first by (due_at, id), then those without one by id; `limit`
    rows after `cursor`, and the cursor of the next page ("" when this is the last)."""
    kind, due, pk = _parse_cursor(cursor)
    rows: list[Case] = []
    if kind in ("", "d"):
        dated = qs.filter(due_at__isnull=False)
        if kind == "d":
            dated = dated.filter(Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk))
        rows = _first(dated, ("due_at", "pk"), limit + 1)
    if len(rows) <= limit:
        undated = qs.filter(due_at__isnull=True)
        if kind == "n":
            undated = undated.filter(pk__gt=pk)
        rows += _first(undated, ("pk",), limit + 1 - len(rows))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_cursor(rows[-1]) if more and rows else "")


def _state_counts(qs: QuerySet[Case], now: dt.datetime) -> dict[str, tuple[int, int]]:
    """{state: (cases, of which overdue (measures.overdue))}. Open states and those with a deadline
    are counted exactly, through the (state, due_at) index; the finished ones, which are most
    of a year's table, are counted at most every GONGZHI["FINISHED_COUNTS_SECONDS"] for the
    same scope and filters."""
    live = OPEN_STATES | TIMED_STATES
    open_rows = (
        qs.filter(state__in=live)
        .order_by()
        .values("state")
        .annotate(n=Count("*"), late=Count("pk", filter=measures.overdue(now)))
    )
    out = {r["state"]: (r["n"], r["late"]) for r in open_rows}
    finished = qs.exclude(state__in=live).order_by().values("state").annotate(n=Count("*"))

    def count_finished() -> dict[str, int]:
        return {r["state"]: r["n"] for r in finished}

    seconds = float(product_setting("FINISHED_COUNTS_SECONDS", 60))
    if seconds > 0:
        sql, params = finished.query.sql_with_params()
        key = "cases:finished-counts:" + hashlib.sha256(f"{sql}|{params}".encode()).hexdigest()
        done = cache.get_or_set(key, count_finished, seconds) or {}
    else:
        done = count_finished()
    out.update({state: (n, 0) for state, n in done.items()})
    return out


def case_queue(
    user: Any,
    *,
    filters: QueueFilters,
    cursor: str = "",
    limit: int = QUEUE_PAGE,
    with_counts: bool = True,
    now: dt.datetime | None = None,
) -> QueuePage:
    """The operator console's list: filtered, most pressing first, with counts per state."""
    now = now or timezone.now()
    access = access_for(user)
    base = _queue_base(user, filters)
    qs = (
        _apply_state(base, filters, now)
        .select_related("category", "grid", "department", "residential_area", "station")
        .annotate(gz_overdue=ExpressionWrapper(measures.overdue(now), BooleanField()))
    )
    cases, next_cursor = keyset_page(qs, cursor, limit)
    may_dispatch = access.has(Role.OPERATOR, Role.DUTY_CHIEF)
    rows = [
        QueueRow(
            c,
            countdown(c, now),
            may_dispatch and c.state in (S.FILED, S.RETURNED),
            bool(getattr(c, "gz_overdue", False)),
        )
        for c in cases
    ]
    counts: list[tuple[str, str, int]] = []
    open_count = overdue_count = total = 0
    if with_counts:
        counted = base
        if filters.overdue:
            counted = counted.filter(measures.overdue(now))
        by_state = _state_counts(counted, now)
        labels = dict(S.choices)
        counts = [(s, str(labels[s]), by_state.get(s, (0, 0))[0]) for s in STATE_ORDER]
        open_count = sum(n for s, (n, _late) in by_state.items() if s in OPEN_STATES)
        overdue_count = sum(late for _n, late in by_state.values())
        total = sum(n for n, _late in by_state.values())
    return QueuePage(rows, next_cursor, counts, open_count, overdue_count, total)


# --- A department's inbox -------------------------------------------------------------------------

INBOX_TABS: dict[str, list[str]] = {
    "new": [S.DISPATCHED],
    "in_hand": [S.ACCEPTED, S.SUSPENDED],
    "verifying": [S.HANDLED],
    "done": [S.CLOSED, S.EVALUATED],
}


INBOX_TAB_LABELS = {
    "new": gettext_lazy("To accept"),
    "in_hand": gettext_lazy("Being handled"),
    "verifying": gettext_lazy("Waiting for verification"),
    "done": gettext_lazy("Closed"),
}


def inbox_tab_labels() -> dict[str, str]:
    return {key: str(label) for key, label in INBOX_TAB_LABELS.items()}


@dataclass
class Inbox:
    tab: str
    rows: list[QueueRow]
    tabs: list[tuple[str, str, int]]  # (key, label, count)
    next_cursor: str


def department_inbox(
    user: Any, *, tab: str = "new", cursor: str = "", limit: int = QUEUE_PAGE
) -> Inbox:
    """The work orders of the user's department(s) only, by tab."""
    now = timezone.now()
    access = access_for(user)
    tab = tab if tab in INBOX_TABS else "new"
    base = perms.visible(user, Case.objects.all()).filter(department_id__in=access.department_ids)
    by_state = dict(
        base.order_by().values("state").annotate(n=Count("id")).values_list("state", "n")
    )
    labels = inbox_tab_labels()
    tabs = [
        (key, labels[key], sum(by_state.get(s, 0) for s in states))
        for key, states in INBOX_TABS.items()
    ]
    qs = base.filter(state__in=INBOX_TABS[tab]).select_related(
        "category", "grid", "department", "residential_area", "station"
    )
    cases, next_cursor = keyset_page(qs, cursor, limit)
    rows = [QueueRow(c, countdown(c, now), False) for c in cases]
    return Inbox(tab, rows, tabs, next_cursor)


# --- An inspector's verification tasks ------------------------------------------------------------


@dataclass
class Tasks:
    rows: list[QueueRow]
    points: list[dict[str, Any]]
    my_reports: list[Case]


def inspector_tasks(user: Any, *, limit: int = 200) -> Tasks:
    """Handled cases waiting for an on-site check in the inspector's grid station(s) (or
    assigned to them), most pressing first, with their points for the map."""
    now = timezone.now()
    access = access_for(user)
    scope = Q(station_id__in=access.station_ids)
    if access.person_id:
        scope |= Q(inspector_id=access.person_id)
    qs = (
        perms.visible(user, Case.objects.all())
        .filter(scope, state=S.HANDLED)
        .select_related("category", "grid", "department", "residential_area", "station")
    )
    cases, _next = keyset_page(qs, "", limit)
    rows = [QueueRow(c, countdown(c, now), False) for c in cases]
    points = [
        {
            "id": r.case.pk,
            "number": r.case.number,
            "title": r.case.title,
            "lat": r.case.lat,
            "lng": r.case.lng,
            "due": r.countdown.words,
            "overdue": r.countdown.overdue,
            "url": reverse("cases:detail", args=[r.case.pk]),
        }
        for r in rows
        if r.case.lat is not None and r.case.lng is not None
    ]
    mine = list(
        perms.visible(user, Case.objects.all())
        .filter(created_by=user, channel=Case.Channel.INSPECTOR)
        .select_related("category")
        .order_by("-received_at", "-id")[:10]
    )
    return Tasks(rows, points, mine)


# --- One case -------------------------------------------------------------------------------------


def actor_display(event: CaseEvent) -> str:
    if event.actor_id is None and event.actor_label == PUBLIC_ACTOR:
        return _("the reporter")
    return event.actor_label or _("system")


@dataclass
class TimelineEntry:
    event: CaseEvent
    label: str
    who: str
    photos: list[CasePhoto]
    state_label: str


@dataclass
class Suggestions:
    """What the dispatch form proposes: from the point (grid, area, station, inspectors) and
    from the category (department)."""

    department: Organisation | None
    grid_label: str
    area_label: str
    station_label: str
    inspectors: list[Person]


@dataclass
class CaseView:
    case: Case
    countdown: Countdown
    timeline: list[TimelineEntry]
    loose_photos: list[CasePhoto]
    actions: list[Action]
    extension_requests: list[ExtensionRequest]
    pending_extension: ExtensionRequest | None
    merged_children: list[Case]
    may_reveal: bool
    may_see_originals: bool
    suggestions: Suggestions | None = None
    duplicates: list[duplicates.Candidate] = field(default_factory=list)
    deadlines: Deadlines | None = None


# What every view of one case names: its category, places, department and assignee.
CASE_RELATED = ("category", "grid", "residential_area", "station", "department", "assignee")


def case_for_page(user: Any, pk: int) -> Case:
    """The case, if the user may see it (404 otherwise), with what the page shows joined."""
    return perms.get_visible_or_404(
        user,
        Case.objects.select_related(*CASE_RELATED, "inspector", "merged_into", "created_by"),
        pk=pk,
    )


def _photos_by_event(photos: list[CasePhoto]) -> tuple[dict[int, list[CasePhoto]], list[CasePhoto]]:
    by_event: dict[int, list[CasePhoto]] = defaultdict(list)
    loose = []
    for p in photos:
        if p.event_id:
            by_event[p.event_id].append(p)
        else:
            loose.append(p)
    return by_event, loose


def offered_actions(case: Case, actions: list[Action], pending: bool) -> list[Action]:
    """Hide actions that the state table allows but the case's details rule out, so the page
    offers only what can succeed."""
    out = []
    for t in actions:
        if t.name in ("approve_extension", "refuse_extension") and not pending:
            continue
        if t.name == "request_extension" and pending:
            continue
        if t.name == "acknowledge" and (
            case.urgency != Case.Urgency.URGENT or case.acknowledged_at is not None
        ):
            continue
        out.append(t)
    return out


def case_view(user: Any, case: Case, *, now: dt.datetime | None = None) -> CaseView:
    """Everything the case page shows, in a constant number of queries."""
    now = now or timezone.now()
    access = access_for(user)
    events = list(case.events.all().order_by("at", "id"))
    photos = list(case.photos.all().order_by("created_at", "id"))
    by_event, loose = _photos_by_event(photos)
    labels = dict(S.choices)
    timeline = [
        TimelineEntry(
            e,
            action_label(e.action),
            actor_display(e),
            by_event.get(e.pk, []),
            str(labels.get(e.to_state, "")) if e.to_state and e.to_state != e.from_state else "",
        )
        for e in events
    ]
    requests = list(
        case.extension_requests.select_related("requested_by", "decided_by").order_by(
            "created_at", "id"
        )
    )
    pending = next((r for r in requests if r.status == ExtensionRequest.Status.PENDING), None)
    children = list(case.merged_cases.order_by("received_at", "id"))
    actions = offered_actions(case, available_actions(user, case), pending is not None)
    view = CaseView(
        case=case,
        countdown=countdown(case, now),
        deadlines=deadlines(case, now),
        timeline=timeline,
        loose_photos=loose,
        actions=actions,
        extension_requests=requests,
        pending_extension=pending,
        merged_children=children,
        may_reveal=bool(case.reporter_phone) and perms.can(user, "reveal", case),
        may_see_originals=access.is_staff_member,
    )
    names = {t.name for t in actions}
    if "dispatch" in names:
        view.suggestions = dispatch_suggestions(case)
    if "merge" in names:
        view.duplicates = [
            c
            for c in duplicates.candidates(
                category_id=case.category_id,
                lat=case.lat,
                lng=case.lng,
                text=f"{case.title} {case.description}",
                exclude_id=case.pk,
            )
            if c.case.merged_into_id is None and c.case.subdistrict_id == case.subdistrict_id
        ]
    return view


def dispatch_suggestions(case: Case) -> Suggestions:
    routing = services.route(category_id=case.category_id, lat=case.lat, lng=case.lng)
    dep = departments().filter(pk=routing.department_id).first() if routing.department_id else None
    people = services.grid_inspectors(
        grid_id=case.grid_id or routing.grid_id, station_id=case.station_id or routing.station_id
    )
    inspectors = list(Person.objects.filter(pk__in=people).order_by("name")) if people else []
    return Suggestions(
        department=dep,
        grid_label=str(case.grid) if case.grid else "",
        area_label=str(case.residential_area) if case.residential_area else "",
        station_label=str(case.station) if case.station else "",
        inspectors=inspectors,
    )


# --- Photos --------------------------------------------------------------------------------------


def staff_photo(user: Any, pk: int) -> CasePhoto:
    """A photo of a case the user may see (404 otherwise)."""
    return perms.get_visible_or_404(user, CasePhoto.objects.select_related("case"), pk=pk)


def public_photo(tracking_code: str, pk: int) -> CasePhoto | None:
    """A photo shown on a tracking page: on a public event of the case with that code, or of
    the case it was merged into."""
    case = Case.objects.filter(tracking_code=tracking_code).only("id", "merged_into_id").first()
    if case is None:
        return None
    case_ids = [case.pk] + ([case.merged_into_id] if case.merged_into_id else [])
    return (
        CasePhoto.objects.filter(pk=pk, case_id__in=case_ids, event__public=True)
        .only("id", "public_image", "thumbnail", "case_id")
        .first()
    )


# --- The public tracking page ------------------------------------------------------------------------


@dataclass
class PublicEntry:
    at: dt.datetime
    label: str
    note: str
    photos: list[CasePhoto]


@dataclass
class Tracking:
    case: Case
    master: Case | None
    entries: list[PublicEntry]
    master_entries: list[PublicEntry]
    may_rate: bool


def _public_entries(case: Case) -> list[PublicEntry]:
    events = list(case.events.filter(public=True).order_by("at", "id"))
    photos = list(
        CasePhoto.objects.filter(case=case, event__public=True)
        .only("id", "event_id", "thumbnail", "public_image", "created_at")
        .order_by("created_at", "id")
    )
    by_event, _loose = _photos_by_event(photos)
    return [
        PublicEntry(e.at, action_label(e.action), e.note, by_event.get(e.pk, [])) for e in events
    ]


def tracking(code: str) -> Tracking | None:
    """What the reporter sees by tracking code: the case's public events only (no names, no
    internal notes), and when it was merged, the progress of the case it joined."""
    code = (code or "").strip().upper()
    case = (
        Case.objects.select_related("category", "merged_into", "merged_into__category")
        .filter(tracking_code=code)
        .first()
    )
    if case is None:
        return None
    master = case.merged_into
    return Tracking(
        case=case,
        master=master,
        entries=_public_entries(case),
        master_entries=_public_entries(master) if master else [],
        may_rate=case.state == S.CLOSED,
    )


# --- Helpers for the pages ------------------------------------------------------------------------------


def outline_layers(*, grids: bool = True, access: Access | None = None) -> dict[str, Any]:
    """What the case maps draw so that people can read them without tiles: the subdistrict's
    outline, its residential areas with their names, the grids (with their area, estate and
    station, for the pin's description), the roads with their names, the grid stations, the
    landmarks and the office buildings."""
    layers = map_layers(access)
    out = {
        "outline": layers["outline"],
        "bounds": layers["bounds"],
        "areas": layers["areas"],
        "estates": layers["estates"],
        "buildings": layers["buildings"],
        "roads": layers["roads"],
        "landmarks": layers["landmarks"],
        "stations": layers["stations"],
    }
    if grids:
        out["grids"] = layers["grids"]
    return out


# --- Dispatch: the responsible person -----------------------------------------------------------


@dataclass(frozen=True)
class Assignable:
    person_id: int
    label: str  # name · post, told apart from a namesake
    on_grid: bool  # holds a post for the case's grid


def dispatch_people(department_id: int | None, *, grid_id: int | None = None) -> list[Assignable]:
    """Who a case may be dispatched to in a department: the people with a current post there,
    each once, with their post; those whose post covers the case's grid first, then by name.
    Two people of the same name and post are told apart by their directory number."""
    if not department_id:
        return []
    posts: dict[int, dict[str, Any]] = {}
    rows = (
        Position.objects.filter(
            active_positions_q(), organisation_id=department_id, person__archived_at__isnull=True
        )
        .select_related("person")
        .prefetch_related("grids")
        .order_by("person__name", "pk")
    )
    for post in rows:
        seen = posts.setdefault(
            post.person_id, {"name": post.person.name, "titles": [], "on_grid": False}
        )
        title = post.title or post.get_role_display()
        if title not in seen["titles"]:
            seen["titles"].append(title)
        if grid_id and any(g.pk == grid_id for g in post.grids.all()):
            seen["on_grid"] = True
    labels = {pid: f"{p['name']} · {'、'.join(p['titles'])}" for pid, p in posts.items()}
    seen = Counter(labels.values())
    repeated = {label for label, n in seen.items() if n > 1}
    out = [
        Assignable(
            pid,
            labels[pid] + (f" · {_('No.')} {pid}" if labels[pid] in repeated else ""),
            p["on_grid"],
        )
        for pid, p in posts.items()
    ]
    out.sort(key=lambda a: (not a.on_grid, posts[a.person_id]["name"], a.person_id))
    return out
