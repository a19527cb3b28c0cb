"""The demo's grid centre: `seed_demo` writes a year of about 30,000 cases with the spread the
statistics pages need, timelines that agree with each case's state, deadlines from the working
calendar; the same seed gives the same history; every demo role logs in to find work waiting;
the back office edits the catalogue, audited, and deletes nothing.

The full-size seed runs once for this module (inside a transaction rolled back at the end);
each test works in its own savepoint.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import time
from collections import Counter, defaultdict
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from gongzhi.accounts.models import User
from gongzhi.audit.models import AuditEvent
from gongzhi.cases import measures, sla
from gongzhi.cases.demo import catalogue as demo_catalogue
from gongzhi.cases.demo import directory as demo_directory
from gongzhi.cases.demo.history import History
from gongzhi.cases.duplicates import cell_of
from gongzhi.cases.models import Case, CaseCounter, CaseEvent, Category, ExtensionRequest, TimeLimit
from gongzhi.cases.workflow import OPEN_STATES, TIMED_STATES, TRANSITIONS
from gongzhi.demo.seed import seed_demo
from gongzhi.org.models import Organisation
from gongzhi.places.index import grid_index
from gongzhi.places.models import ResidentialArea
from gongzhi.worktime import services as worktime

pytestmark = pytest.mark.slow

HISTORY = 30_000
S = Case.State
QUEUE, INBOX, TASKS = reverse("cases:queue"), reverse("cases:inbox"), reverse("cases:tasks")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # noqa: ARG001
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.perf_counter()
        outcome = seed_demo(options={"cases": HISTORY})
        seconds = time.perf_counter() - started
        case_type = ContentType.objects.get_for_model(Case)
        made = AuditEvent.objects.filter(
            request_id="seed_demo", action=AuditEvent.Action.CREATE, content_type=case_type
        ).values_list("object_id", flat=True)
        yield SimpleNamespace(
            outcome=outcome,
            seconds=seconds,
            now=timezone.now(),
            # The history ends at today's local midnight: its sweep has seen deadlines up to then.
            history_end=timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0),
            open_ids={int(pk) for pk in made},
        )
        transaction.set_rollback(True)
    sla.invalidate()


@pytest.fixture
def en(client, settings):
    """The test client, reading the pages in English (the msgids)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    cache.clear()
    with translation.override("en"):
        yield client
    cache.clear()


def user(name: str) -> User:
    return User.objects.get(username=name)


def opened(demo: Any, **filters: Any) -> list[Case]:
    """The cases made for the demo logins (through the services), filtered."""
    return list(Case.objects.filter(pk__in=demo.open_ids, **filters).order_by("number"))


def rows(response: Any, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}" data-case="([^"]+)"', response.content.decode())


# --- A year of history --------------------------------------------------------------------------


def test_a_year_of_thirty_thousand_cases_in_every_channel_and_state(demo, db):
    assert Case.objects.count() == HISTORY + len(demo.open_ids)
    assert 20 <= len(demo.open_ids) <= 40
    first = Case.objects.order_by("received_at").first()
    assert first is not None
    assert (demo.now - first.received_at).days in range(360, 366)
    channels = Counter(Case.objects.values_list("channel", flat=True))
    assert set(channels) == set(Case.Channel.values)
    assert channels.most_common(1)[0][0] == Case.Channel.HOTLINE
    assert min(channels.values()) > HISTORY * 0.02
    types = Counter(Case.objects.values_list("type", flat=True))
    assert set(types) == set(Case.Type.values)
    states = Counter(Case.objects.values_list("state", flat=True))
    assert set(states) == set(S.values), states
    assert states[S.EVALUATED] > HISTORY * 0.85
    assert 200 <= sum(n for s, n in states.items() if s in OPEN_STATES) <= 1500
    # Departments, grids and categories are all used, the busiest department first.
    departments = Counter(
        Case.objects.exclude(department=None).values_list("department__short_name", flat=True)
    )
    assert departments.most_common(1)[0][0] == "城管中队"
    assert {"城管中队", "房管办", "市容绿化所", "交警中队", "曹杨新村派出所"} <= set(departments)
    assert Case.objects.values("grid").distinct().count() > 200
    assert Case.objects.values("category").distinct().count() > 60
    # Every month of the year has its share.
    months = Counter(
        timezone.localtime(r).strftime("%Y-%m")
        for r in Case.objects.values_list("received_at", flat=True)
    )
    assert len(months) in (12, 13)
    assert all(n > HISTORY / 12 * 0.5 for _m, n in sorted(months.items())[1:-1])


def test_overdue_returned_extended_merged_reworked_and_suspended_cases(demo, db):
    overdue = Case.objects.filter(state__in=TIMED_STATES, due_at__lt=demo.history_end)
    assert 10 <= overdue.count() <= 150
    assert overdue.filter(overdue_for_due__isnull=False).count() >= overdue.count() * 0.9
    assert not overdue.filter(supervision_level=0, overdue_for_due__isnull=False).exists()
    assert Case.objects.filter(return_count__gt=0).count() > HISTORY * 0.02
    assert Case.objects.filter(extension_count__gt=0).count() > HISTORY * 0.01
    assert Case.objects.filter(rework_count__gt=0).count() > HISTORY * 0.015
    assert Case.objects.filter(merged_into__isnull=False).count() > HISTORY * 0.015
    assert Case.objects.filter(state=S.NOT_ACCEPTED).count() > HISTORY * 0.005
    assert Case.objects.filter(state=S.SUSPENDED).exists()
    assert CaseEvent.objects.filter(action="resume").exists()
    assert CaseEvent.objects.filter(action="district_reply").exists()
    assert CaseEvent.objects.filter(action="supervise").exists()
    requests = Counter(ExtensionRequest.objects.values_list("status", flat=True))
    assert requests["approved"] > requests["refused"] > 0
    assert requests["pending"] >= 1
    ratings = Counter(Case.objects.exclude(satisfaction="").values_list("satisfaction", flat=True))
    assert ratings["satisfied"] > 0.8 * sum(ratings.values())
    assert ratings["dissatisfied"] > 0


def _problems(case: dict[str, Any], events: list[tuple[Any, ...]], now: dt.datetime) -> list[str]:
    """What is wrong with one case's timeline, given its fields."""
    out = []
    if not events or events[0][0] != "receive" or events[0][2] != S.RECEIVED:
        return ["does not start with its receipt"]
    if abs((events[0][3] - case["received_at"]).total_seconds()) > 5:
        out.append("received_at differs from the receipt")
    state, version = "", 1
    counts: Counter[str] = Counter()
    for action, frm, to, at in events:
        counts[action] += 1
        if at > now:
            out.append(f"{action} in the future")
        if action in TRANSITIONS:
            version += 1
        if frm == to == "" or action == "receive":
            state = to or state
            continue
        if frm != state:
            out.append(f"{action} from {frm}, but the case was {state}")
        state = to
    if state != case["state"]:
        out.append(f"timeline ends {state}, case is {case['state']}")
    if version != case["version"]:
        out.append(f"version {case['version']}, {version} transitions")
    for field, action in (
        ("return_count", "return"),
        ("extension_count", "approve_extension"),
        ("rework_count", "verify_fail"),
    ):
        if case[field] != counts[action]:
            out.append(f"{field} {case[field]} but {counts[action]} {action}")
    s = case["state"]
    if s in (S.DISPATCHED, S.ACCEPTED):
        if not case["department_id"] or case["due_at"] != case["handle_due_at"]:
            out.append("at a department without its handling deadline")
    if s in (S.CLOSED, S.EVALUATED) and not case["closed_at"]:
        out.append("closed without closed_at")
    if s == S.EVALUATED and (not case["satisfaction"] or case["due_at"] is not None):
        out.append("evaluated without a rating, or still timed")
    if s in (S.MERGED, S.NOT_ACCEPTED, S.SUSPENDED, S.ESCALATED) and case["due_at"] is not None:
        out.append(f"{s} but timed")
    if s in (S.RECEIVED, S.FILED, S.RETURNED, S.HANDLED) and case["due_at"] is None:
        out.append(f"{s} without a deadline")
    if (s == S.MERGED) != (case["merged_into_id"] is not None):
        out.append("merged_into does not match the state")
    if s == S.SUSPENDED and not (case["paused_at"] and case["suspended_from"]):
        out.append("suspended without paused_at")
    if case["filed_at"] is None and counts["file"]:
        out.append("filed without filed_at")
    return out


def test_every_timeline_agrees_with_its_case(demo, db):
    fields = ["id", "number", "state", "version", "received_at", "due_at", "handle_due_at",
              "closed_at", "satisfaction", "department_id", "merged_into_id", "paused_at",
              "suspended_from", "filed_at", "return_count", "extension_count", "rework_count"]  # fmt: skip
    cases = {c["id"]: c for c in Case.objects.values(*fields)}
    events: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for case_id, action, frm, to, at in CaseEvent.objects.order_by(
        "case_id", "at", "id"
    ).values_list("case_id", "action", "from_state", "to_state", "at"):
        events[case_id].append((action, frm, to, at))
    wrong = {}
    for pk, case in cases.items():
        problems = _problems(case, events[pk], demo.now)
        if problems:
            wrong[case["number"]] = problems
    assert not wrong, list(wrong.items())[:5]
    # Merged reports point at a case of their category, received before them.
    for child in Case.objects.filter(merged_into__isnull=False).select_related("merged_into")[:300]:
        assert child.merged_into.category_id == child.category_id
        assert child.merged_into.received_at < child.received_at
        assert CaseEvent.objects.filter(case=child.merged_into, action="merged_child").exists()


def test_points_lie_in_their_grids_and_cells(demo, db):
    index = grid_index()
    wrong = []
    for number, lat, lng, cell, grid, area, station in Case.objects.values_list(
        "number", "lat", "lng", "cell", "grid_id", "residential_area_id", "station_id"
    ):
        hit = index.lookup(lng, lat)
        if hit is None or (hit.grid_id, hit.residential_area_id, hit.station_id) != (
            grid,
            area,
            station,
        ):
            wrong.append((number, "grid"))
        if cell != cell_of(lat, lng):
            wrong.append((number, "cell"))
    assert not wrong, wrong[:5]


def test_deadlines_follow_the_working_calendar(demo, db):
    """Handling and closure deadlines are the category's limits added to the dispatch in
    working time (cases never extended, suspended, returned or reworked)."""
    plain = Case.objects.filter(
        dispatched_at__isnull=False,
        extension_count=0,
        return_count=0,
        rework_count=0,
        pk__in=Case.objects.values("pk").exclude(events__action="suspend"),
    ).values_list(
        "number", "category_id", "urgency", "type", "dispatched_at", "handle_due_at", "close_due_at"
    )
    limits: dict[tuple[Any, ...], Any] = {}

    def limit(category: int, urgency: str, stage: str, case_type: str) -> Any:
        key = (category, urgency, stage, case_type)
        if key not in limits:
            limits[key] = sla.time_limit(
                category_id=category, urgency=urgency, stage=stage, case_type=case_type
            )
        return limits[key]

    checked = 0
    for number, category, urgency, case_type, dispatched, handle_due, close_due in plain[:5000]:
        handle = limit(category, urgency, "handle", case_type)
        assert handle_due == worktime.add(dispatched, *handle), number
        verify = limit(category, urgency, "verify", case_type)
        assert close_due == worktime.add(handle_due, *verify), number
        checked += 1
    assert checked == 5000
    # The urban-management leaves carry their own limits: 暴露垃圾 1 working day.
    garbage = Category.objects.get(code="E0102")
    assert (
        TimeLimit.objects.filter(category=garbage, stage="handle", urgency="normal").get().unit
        == "working_days"
    )


def test_numbers_and_counters_follow_the_order_of_receipt(demo, db):
    numbers = list(Case.objects.order_by("received_at", "id").values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    by_year: dict[int, list[int]] = defaultdict(list)
    for n in numbers:
        year, seq = n[2:].split("-")
        by_year[int(year)].append(int(seq))
    for year, seqs in by_year.items():
        assert seqs == list(range(1, len(seqs) + 1)), year
        assert CaseCounter.objects.get(year=year).last == len(seqs)
    assert Case.objects.values("tracking_code").distinct().count() == len(numbers)
    hotline = Case.objects.filter(channel=Case.Channel.HOTLINE)
    assert not hotline.filter(external_ref="").exists()


def test_the_statistics_show_plausible_indicators(demo, db, en):
    leader = user("leader")
    today = timezone.localdate()
    table = measures.measure_table(
        user=leader, group_by="total", date_from=today - dt.timedelta(days=365), date_to=today
    )
    value = {m.key: v.value for m, v in zip(table.measures, table.total.cells, strict=True)}
    assert 0.85 <= value["on_time_closure_rate"] <= 0.99
    assert 0.95 <= value["closure_rate"] <= 1
    assert 0.01 <= value["rework_rate"] <= 0.06
    assert 0.9 <= value["satisfaction_rate"] <= 0.99
    assert 10 <= value["average_handling_time"] <= 200
    assert value["hotline_response_rate"] > 0.95
    by_department = measures.measure_table(
        user=leader, group_by="department", date_from=today - dt.timedelta(days=365), date_to=today
    )
    assert len(by_department.rows) >= 10
    en.force_login(leader)
    page = en.get(reverse("cases_stats:index"), {"group_by": "month"})
    assert page.status_code == 200
    assert 'data-testid="stats-table"' in page.content.decode()
    # A department sees its own numbers only.
    en.force_login(user("dept_chengguan"))
    own = en.get(reverse("cases_stats:index"), {"group_by": "department"})
    assert own.status_code == 200
    assert "普陀区城管执法局曹杨中队" in own.content.decode()
    assert "曹杨新村街道房屋管理办公室" not in own.content.decode()


def test_the_summary_counts_the_cases(demo, db):
    from gongzhi.cases import measures

    out = StringIO()
    with time_machine.travel(timezone.now(), tick=False):
        call_command("summary", "--json", stdout=out)
        # The measures' one overdue, at the same moment. (The history stops at midnight: as the
        # day goes on, the deadlines due today pass and the count grows; at the history's end it
        # is a few percent of the open cases, test_a_supervised_centre_runs_mostly_on_time.)
        overdue_now = Case.objects.filter(measures.overdue(timezone.now())).count()
    cases = json.loads(out.getvalue())["cases"]
    assert cases["total"] == Case.objects.count()
    assert cases["by_state"]["evaluated"] > HISTORY * 0.85
    assert set(cases["by_channel"]) == set(Case.Channel.values)
    assert cases["overdue"] == overdue_now
    assert 10 <= cases["overdue"] <= cases["open"]
    assert cases["open"] == Case.objects.filter(state__in=OPEN_STATES).count()
    assert cases["categories"] == Category.objects.active().count()


def test_the_history_is_one_counted_import(demo, db):
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT, object_repr="seed_demo")
    assert event.changes["cases.Case"]["after"] == Case.objects.count()
    assert event.changes["cases.CaseEvent"]["after"] == CaseEvent.objects.count()
    assert "cases" in event.note
    assert demo.outcome.stage_seconds["cases"] > 0
    # No audit row per history case or event: only the open cases' own, made by the services.
    case_type = ContentType.objects.get_for_model(Case)
    per_case = AuditEvent.objects.filter(content_type=case_type)
    assert per_case.count() < 10 * len(demo.open_ids)
    assert per_case.exclude(request_id="seed_demo").count() == 0


# --- Same seed, same history ------------------------------------------------------------------


def _history(seed: int, now: dt.datetime, count: int = 2_000) -> list[tuple[Any, ...]]:
    h = History(
        rng=random.Random(f"gongzhi-demo/{seed}/cases/history"),
        catalogue=demo_catalogue.read(),
        directory=demo_directory.load(),
        now=now,
        count=count,
    )
    h.build()
    out = []
    for i, c in enumerate(h.cases):
        events = [(e[1], e[3], e[4], e[5], e[6], e[2].label if e[2] else "") for e in h.events[i]]
        out.append(
            (c.number, c.channel, c.type, c.category_id, c.urgency, c.state, c.grid_id, c.lat,
             c.lng, c.department_id, c.assignee_id, c.received_at, c.due_at, c.handled_at,
             c.closed_at, c.satisfaction, c.tracking_code, c.external_ref, c.description,
             c.reporter_name, c.reporter_phone, events)
        )  # fmt: skip
    return sorted(out)


def test_the_same_seed_gives_the_same_history(demo, db):
    global_state = random.getstate()
    now = dt.datetime(2026, 6, 30, 16, 0, tzinfo=timezone.get_current_timezone())
    first = _history(2026, now)
    assert first == _history(2026, now)
    other = _history(7, now)
    assert [c[1:6] for c in other] != [c[1:6] for c in first]
    assert random.getstate() == global_state
    assert len(first) == 2_000
    assert {c[5] for c in first} >= {S.EVALUATED, S.MERGED, S.NOT_ACCEPTED, S.ACCEPTED}


# --- Work waiting for every demo role -------------------------------------------------------------


def test_the_operator_has_reports_to_file_and_cases_to_dispatch(demo, db, en):
    en.force_login(user("operator"))
    for state in (S.RECEIVED, S.FILED, S.RETURNED):
        ours = {c.number for c in opened(demo, state=state)}
        assert ours, state
        response = en.get(QUEUE, {"state": state})
        assert response.status_code == 200
        assert ours <= set(rows(response, "queue-row")), state
    returned = opened(demo, state=S.RETURNED)[0]
    page = en.get(reverse("cases:detail", args=[returned.pk])).content.decode()
    assert 'data-testid="action-dispatch"' in page
    # The second report of the same posters is offered for merging into the first.
    duplicate = next(
        c
        for c in opened(demo, state=S.RECEIVED, channel=Case.Channel.RESIDENT)
        if c.category.code == "E0201"
    )
    page = en.get(reverse("cases:detail", args=[duplicate.pk])).content.decode()
    first = opened(demo, category__code="E0201", state=S.DISPATCHED)[0]
    assert f'data-testid="duplicate" data-case="{first.number}"' in page
    # The queue's first page is full of what needs action now (nothing overdue there); the
    # overdue cases are in their own tab, every row flagged.
    response = en.get(QUEUE)
    assert len(rows(response, "queue-row")) == 50
    assert 'class="table-danger"' not in response.content.decode()
    overdue = en.get(QUEUE, {"overdue": "on"})
    assert rows(overdue, "queue-row")
    page = overdue.content.decode()
    assert page.count('class="table-danger"') == len(rows(overdue, "queue-row"))


def test_the_duty_chief_has_an_extension_to_decide_and_a_suspension_to_lift(demo, db, en):
    en.force_login(user("duty_chief"))
    pending = ExtensionRequest.objects.filter(status="pending", case__pk__in=demo.open_ids).get()
    page = en.get(reverse("cases:detail", args=[pending.case_id])).content.decode()
    assert 'data-testid="action-approve_extension"' in page
    suspended = opened(demo, state=S.SUSPENDED)[0]
    page = en.get(reverse("cases:detail", args=[suspended.pk])).content.decode()
    assert 'data-testid="action-resume"' in page
    refusable = opened(demo, state=S.RECEIVED, category__department__isnull=True)[0]
    page = en.get(reverse("cases:detail", args=[refusable.pk])).content.decode()
    assert 'data-testid="action-not_accept"' in page
    assert opened(demo, state=S.ESCALATED)
    assert opened(demo, urgency="urgent", acknowledged_at__isnull=False)


def test_the_department_has_cases_to_accept_and_to_handle(demo, db, en):
    handler = user("dept_chengguan")
    en.force_login(handler)
    mine = {c.number for c in opened(demo, state=S.DISPATCHED, department__short_name="城管中队")}
    assert len(mine) >= 3
    response = en.get(INBOX)
    assert response.status_code == 200
    waiting = Case.objects.filter(state=S.DISPATCHED, department__short_name="城管中队").count()
    shown = rows(response, "inbox-row")
    assert len(shown) == min(50, waiting)
    if waiting <= 50:
        assert mine <= set(shown)
    in_hand = en.get(INBOX, {"tab": "in_hand"})
    assert rows(in_hand, "inbox-row")
    accepted = opened(demo, state=S.ACCEPTED, department__short_name="城管中队")
    assert len(accepted) >= 3
    page = en.get(reverse("cases:detail", args=[accepted[0].pk])).content.decode()
    assert 'data-testid="action-handle"' in page
    # Only its own department's cases, in the history too.
    shown = rows(in_hand, "inbox-row")
    assert set(
        Case.objects.filter(number__in=shown).values_list("department__short_name", flat=True)
    ) == {"城管中队"}


def test_the_inspector_has_fixes_to_verify_in_its_grids(demo, db, en):
    inspector = user("inspector")
    en.force_login(inspector)
    ours = opened(demo, state=S.HANDLED)
    assert len(ours) >= 3
    response = en.get(TASKS)
    assert response.status_code == 200
    assert {c.number for c in ours} <= set(rows(response, "task"))
    page = en.get(reverse("cases:detail", args=[ours[0].pk])).content.decode()
    assert 'data-testid="action-verify_pass"' in page
    assert Case.objects.filter(
        created_by=inspector, channel=Case.Channel.INSPECTOR, pk__in=demo.open_ids
    ).exists()


@pytest.mark.parametrize(
    "username, area",
    [("secretary_xingmeiyuan", "杏梅园居民区"), ("parttime_xingyang", "杏杨居民区")],
)
def test_the_residential_area_sees_its_own_open_cases(demo, db, en, username, area):
    en.force_login(user(username))
    home = ResidentialArea.objects.get(name=area)
    ours = opened(demo, residential_area=home, state__in=OPEN_STATES)
    assert len(ours) >= 3
    shown = rows(en.get(QUEUE), "queue-row")
    assert shown
    assert set(
        Case.objects.filter(number__in=shown).values_list("residential_area_id", flat=True)
    ) == {home.pk}
    for case in ours:
        assert rows(en.get(QUEUE, {"q": case.number}), "queue-row") == [case.number]
    elsewhere = Case.objects.exclude(residential_area=home).filter(state=S.ACCEPTED).first()
    assert elsewhere is not None
    assert rows(en.get(QUEUE, {"q": elsewhere.number}), "queue-row") == []


def test_the_resident_follows_its_reports_by_tracking_code(demo, db, en):
    resident = user("resident")
    mine = list(Case.objects.filter(reporter_user=resident).order_by("received_at"))
    assert {c.state for c in mine} >= {S.CLOSED, S.ACCEPTED, S.EVALUATED}
    assert any(
        note.startswith("cases: the resident's tracking codes") for note in demo.outcome.notes
    )
    for case in mine:
        page = en.get(reverse("cases:track", args=[case.tracking_code])).content.decode()
        assert case.number in page
        assert ('data-testid="rate-form"' in page) == (case.state == S.CLOSED)
    closed = next(c for c in mine if c.state == S.CLOSED)
    response = en.post(
        reverse("cases:rate", args=[closed.tracking_code]),
        {"satisfaction": "satisfied", "expected_state": S.CLOSED, "note": ""},
    )
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.state == S.EVALUATED


def test_the_leader_sees_the_overdue_cases(demo, db, en):
    en.force_login(user("leader"))
    response = en.get(QUEUE, {"overdue": "on"})
    assert response.status_code == 200
    overdue = int(re.search(r'data-testid="overdue-count">(\d+)<', response.content.decode())[1])
    assert len(rows(response, "queue-row")) == min(50, overdue)
    assert 10 <= overdue <= 400


# --- The back office -------------------------------------------------------------------------------


def test_the_back_office_lists_and_searches(demo, db, en):
    en.force_login(user("admin"))
    case = Case.objects.filter(channel=Case.Channel.HOTLINE, state=S.EVALUATED).first()
    for name in ("category", "timelimit", "case", "caseevent", "extensionrequest"):
        response = en.get(reverse(f"admin:cases_{name}_changelist"))
        assert response.status_code == 200, name
    for term in (case.number, case.external_ref):
        response = en.get(reverse("admin:cases_case_changelist"), {"q": term})
        assert response.status_code == 200
        assert case.number in response.content.decode()
    filtered = en.get(reverse("admin:cases_case_changelist"), {"state__exact": "suspended"})
    assert filtered.status_code == 200
    page = en.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert page.status_code == 200
    assert case.reporter_phone not in page.content.decode() or not case.reporter_phone
    events = en.get(reverse("admin:cases_caseevent_changelist"), {"q": case.number})
    assert events.status_code == 200 and "verify_pass" in events.content.decode()
    garbage = Category.objects.get(code="E0102")
    page = en.get(reverse("admin:cases_category_change", args=[garbage.pk]))
    assert page.status_code == 200
    assert "time_limits-TOTAL_FORMS" in page.content.decode()


def test_nothing_is_deleted_in_the_back_office_and_only_administrators_get_in(demo, db, en):
    en.force_login(user("admin"))
    case = Case.objects.first()
    category = Category.objects.get(code="E0102")
    assert en.get(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403
    assert en.get(reverse("admin:cases_category_delete", args=[category.pk])).status_code == 403
    assert en.get(reverse("admin:cases_case_add")).status_code == 403
    en.force_login(user("operator"))
    response = en.get(reverse("admin:cases_category_changelist"))
    assert response.status_code == 302


def test_a_category_edit_in_the_back_office_is_audited(demo, db, en):
    admin = user("admin")
    en.force_login(admin)
    leaf = (
        Category.objects.filter(kind="hotline", level=3, department__isnull=False)
        .exclude(time_limits__isnull=False)
        .order_by("code")
        .first()
    )
    assert leaf is not None
    police = Organisation.objects.get(short_name="曹杨新村派出所")
    data = {
        "code": leaf.code,
        "name": leaf.name,
        "kind": leaf.kind,
        "parent": leaf.parent_id,
        "department": police.pk,
        "public": "on",
        "description": leaf.description,
        "sort_order": leaf.sort_order,
        "time_limits-TOTAL_FORMS": "1",
        "time_limits-INITIAL_FORMS": "0",
        "time_limits-MIN_NUM_FORMS": "0",
        "time_limits-MAX_NUM_FORMS": "1000",
        "time_limits-0-urgency": "normal",
        "time_limits-0-stage": "handle",
        "time_limits-0-amount": "3",
        "time_limits-0-unit": "working_days",
    }
    response = en.post(reverse("admin:cases_category_change", args=[leaf.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    leaf.refresh_from_db()
    assert leaf.department == police
    assert sla.routed_department_id(leaf.pk) == police.pk
    assert sla.time_limit(category_id=leaf.pk, urgency="normal", stage="handle") == (
        3,
        "working_days",
    )
    change = AuditEvent.objects.for_object(leaf).filter(actor=admin).get()
    assert change.changes["department"]["after"] == police.pk
    limit = TimeLimit.objects.get(category=leaf)
    assert AuditEvent.objects.for_object(limit).filter(actor=admin, action="create").exists()
    # A second limit for the same urgency and stage is refused on the form, not by the database.
    data.update({
        "time_limits-TOTAL_FORMS": "2",
        "time_limits-INITIAL_FORMS": "1",
        "time_limits-0-id": limit.pk,
        "time_limits-0-category": leaf.pk,
        "time_limits-1-urgency": "normal",
        "time_limits-1-stage": "handle",
        "time_limits-1-amount": "5",
        "time_limits-1-unit": "working_days",
    })  # fmt: skip
    response = en.post(reverse("admin:cases_category_change", args=[leaf.pk]), data)
    assert response.status_code == 200
    assert TimeLimit.objects.filter(category=leaf).count() == 1


def test_a_case_can_only_be_corrected_not_moved_in_the_back_office(demo, db, en):
    admin = user("admin")
    en.force_login(admin)
    case = opened(demo, state=S.FILED)[0]
    response = en.post(
        reverse("admin:cases_case_change", args=[case.pk]),
        {"title": "更正后的标题", "external_ref": case.external_ref, "state": S.CLOSED},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.title == "更正后的标题"
    assert case.state == S.FILED
    audit = AuditEvent.objects.for_object(case).filter(actor=admin).get()
    assert set(audit.changes) == {"title"}


def test_a_supervised_centre_runs_mostly_on_time(demo, db):
    """What a supervised centre looks like (90–98 % on time): a few percent of the open cases
    overdue, a handful of chronic ones (weeks late), each supervised by a leader; the last full
    months' on-time closure rates within 90–98 %; more cases in summer than in winter."""
    from gongzhi.cases import measures

    now = demo.history_end
    open_cases = Case.objects.filter(measures.open_cases()).count()
    overdue = Case.objects.filter(measures.overdue(now))
    assert 5 <= overdue.count() <= 0.15 * open_cases
    chronic = overdue.filter(handle_due_at__lt=now - dt.timedelta(days=28))
    assert 2 <= chronic.count() <= 15
    assert not chronic.filter(supervision_level=0).exists()
    oldest = overdue.order_by("handle_due_at").first()
    assert oldest is not None and (now - oldest.handle_due_at).days < 80
    leader = user("leader")
    today = timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    first = (last.replace(day=1) - dt.timedelta(days=92)).replace(day=1)
    table = measures.measure_table(
        user=leader, group_by="month", date_from=first, date_to=last, as_of=now
    )
    rates = [r.values["on_time_closure_rate"].value for r in table.rows]
    assert all(r is not None and 0.90 <= r <= 0.985 for r in rates)
    received = Case.objects.values_list("received_at", flat=True)
    by_month = Counter(timezone.localtime(at).month for at in received)
    assert by_month[7] > by_month[2] * 1.2
