"""The operator console: the queue with its filters, counts and SLA countdowns, its keyset
pages and constant query count, bulk dispatch, and the staff intake form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases import selectors, services
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance
from gongzhi.cases.tests.test_pages_support import (
    case_pages,  # noqa: F401  (autouse fixture)
    fresh,
)

pytestmark = pytest.mark.django_db
QUEUE = reverse("cases:queue")


def numbers(response) -> list[str]:
    """The case numbers of the queue's rows, in order."""
    import re

    return re.findall(r'data-testid="queue-row" data-case="([^"]+)"', response.content.decode())


@pytest.mark.parametrize(
    "persona, status",
    [
        ("operator", 200),
        ("duty_chief", 200),
        ("leader", 200),
        ("handler", 200),  # its department's cases only
        ("resident", 403),
    ],
)
def test_who_may_open_the_queue(client, world, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(QUEUE).status_code == status


def test_the_queue_is_scoped_to_what_the_user_may_see(client, centre, world):
    mine = advance(centre.intake(grid="a1"), "dispatched", centre)  # to 城管中队
    other = centre.intake(grid="b1", category=centre.manhole)
    client.force_login(world.handler)
    assert numbers(client.get(QUEUE)) == [mine.number]
    client.force_login(world.operator)
    assert set(numbers(client.get(QUEUE))) == {mine.number, other.number}


def test_the_queue_is_ordered_by_deadline_with_countdowns_and_overdue_flagged(
    client, centre, world
):
    late = advance(centre.intake(), "dispatched", centre)
    soon = centre.intake()
    later = centre.intake()
    now = timezone.now()
    Case.objects.filter(pk=late.pk).update(
        due_at=now - dt.timedelta(hours=2), handle_due_at=now - dt.timedelta(hours=2)
    )
    Case.objects.filter(pk=soon.pk).update(due_at=now + dt.timedelta(minutes=30))
    Case.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(days=2, hours=1))
    client.force_login(world.operator)
    response = client.get(QUEUE)
    # What needs action now, soonest first; the overdue case is in its own tab.
    assert numbers(response) == [soon.number, later.number]
    page = response.content.decode()
    assert "2 d 1 h" in page or "2 d 0 h" in page
    assert 'data-testid="overdue-count">1<' in page
    # The overdue tab keeps the late one only.
    overdue = client.get(QUEUE, {"overdue": "on"})
    assert numbers(overdue) == [late.number]
    assert "-2 h" in overdue.content.decode()  # overdue, in words
    # Every case in a state, overdue or not, when a state filter asks for them.
    assert numbers(client.get(QUEUE, {"state": "received"})) == [soon.number, later.number]
    assert numbers(client.get(QUEUE, {"state": "dispatched"})) == [late.number]


def test_the_overdue_tab_holds_what_the_figures_count_as_overdue(client, centre, world):
    """measures.overdue, the cockpit's and the statistics' one definition: a running handling or
    closure clock past its deadline — not a case merely past its current stage's deadline."""
    from gongzhi.cases import measures

    now = timezone.now()
    ago = now - dt.timedelta(hours=3)
    # At a department past the handling deadline: overdue.
    unhandled = advance(centre.intake(grid="a1"), "accepted", centre)
    Case.objects.filter(pk=unhandled.pk).update(handle_due_at=ago)
    # Handled, waiting for verification, past the closure deadline (the stage's own deadline,
    # verification, is still ahead): overdue.
    unclosed = advance(centre.intake(grid="a2"), "handled", centre)
    Case.objects.filter(pk=unclosed.pk).update(close_due_at=ago, due_at=now + dt.timedelta(hours=5))
    # Waiting at the centre past its filing deadline: no clock of the figures runs.
    waiting = centre.intake(grid="b1")
    Case.objects.filter(pk=waiting.pk).update(due_at=ago)
    # Suspended past every deadline: its clocks stop.
    suspended = advance(centre.intake(grid="a1"), "suspended", centre)
    Case.objects.filter(pk=suspended.pk).update(due_at=ago, handle_due_at=ago, close_due_at=ago)
    # Dispatched with time left.
    fine = advance(centre.intake(grid="a2"), "dispatched", centre)

    counted = set(
        Case.objects.filter(measures.overdue(timezone.now())).values_list("number", flat=True)
    )
    assert counted == {unhandled.number, unclosed.number}
    client.force_login(world.operator)
    tab = client.get(QUEUE, {"overdue": "on"})
    assert set(numbers(tab)) == counted
    assert 'data-testid="overdue-count">2<' in tab.content.decode()
    # Every row of the tab is coloured overdue; on the first view no row is, though the report
    # waiting past its filing deadline shows that deadline passed.
    assert tab.content.decode().count('class="table-danger"') == 2
    first = client.get(QUEUE)
    assert set(numbers(first)) == {waiting.number, suspended.number, fine.number}
    assert 'data-testid="overdue-count">2<' in first.content.decode()
    assert 'class="table-danger"' not in first.content.decode()
    assert "bi-exclamation-triangle-fill" in first.content.decode()
    # The API's queue (the same selector) agrees.
    filters = selectors.QueueFilters(overdue=True)
    page = selectors.case_queue(world.operator, filters=filters)
    assert {r.case.number for r in page.rows} == counted
    assert page.overdue_count == 2


def test_filters_and_counts_per_state(client, centre, world):
    received = centre.intake(grid="a1")
    filed = advance(centre.intake(grid="a2"), "filed", centre)
    dispatched = advance(centre.intake(grid="b1", category=centre.manhole), "dispatched", centre)
    closed = advance(centre.intake(grid="a2"), "closed", centre)
    hotline = centre.intake(
        grid="a1", channel=Case.Channel.HOTLINE, type=Case.Type.HELP, category=centre.consult
    )
    client.force_login(world.operator)
    # By default: the open cases.
    response = client.get(QUEUE)
    assert set(numbers(response)) == {
        received.number,
        filed.number,
        dispatched.number,
        hotline.number,
    }
    page = response.content.decode()
    assert 'data-testid="count-received"' in page and 'data-testid="count-closed"' in page
    assert 'data-testid="open-count">4<' in page
    assert numbers(client.get(QUEUE, {"state": "closed"})) == [closed.number]
    assert numbers(client.get(QUEUE, {"state": "filed"})) == [filed.number]
    assert numbers(client.get(QUEUE, {"channel": "hotline"})) == [hotline.number]
    assert numbers(client.get(QUEUE, {"category": centre.manhole.pk})) == [dispatched.number]
    assert set(numbers(client.get(QUEUE, {"grid": world.grids["a1"].pk}))) == {
        received.number,
        hotline.number,
    }
    assert numbers(client.get(QUEUE, {"department": world.orgs["fangguan"].pk})) == [
        dispatched.number
    ]
    assert numbers(client.get(QUEUE, {"q": filed.number})) == [filed.number]
    # htmx asks for the results only.
    partial = client.get(QUEUE, {"state": "filed"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert numbers(partial) == [filed.number]
    # A nonsense filter value is ignored, not a 500.
    assert client.get(QUEUE, {"grid": "abc", "state": "nope"}).status_code == 200


def test_keyset_pages_cover_every_case_once(client, centre, world):
    cases = [centre.intake() for _ in range(7)]
    # Three without a deadline (escalated cases have none): they come last.
    for c in cases[:3]:
        advance(c, "escalated", centre)
    # The other four share one deadline: ties are broken by id.
    Case.objects.filter(pk__in=[c.pk for c in cases[3:]]).update(
        due_at=timezone.now().replace(microsecond=123456)
    )
    client.force_login(world.operator)
    seen: list[str] = []
    cursor = ""
    for _ in range(10):
        page = selectors.case_queue(
            world.operator, filters=selectors.QueueFilters(), cursor=cursor, limit=3
        )
        seen += [r.case.number for r in page.rows]
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen) == sorted(c.number for c in cases)
    assert len(seen) == len(set(seen))
    assert seen == [c.number for c in cases[3:]] + [c.number for c in cases[:3]]
    # Through the page: "Show more" with htmx returns the next rows.
    first = selectors.case_queue(world.operator, filters=selectors.QueueFilters(), limit=3)
    response = client.get(QUEUE, {"after": first.next_cursor}, headers={"HX-Request": "true"})
    assert numbers(response)[0] not in [r.case.number for r in first.rows]
    # A broken cursor starts from the top.
    assert client.get(QUEUE, {"after": "d-garbage"}).status_code == 200


@pytest.mark.parametrize("how_many", [20, 200])
def test_the_first_page_uses_a_constant_number_of_queries(
    client, centre, world, django_assert_max_num_queries, how_many
):
    lat, lng = centre.point_in("a1")
    for i in range(how_many):
        services.case_intake(
            actor=world.operator,
            channel=Case.Channel.HOTLINE,
            type=Case.Type.HELP,
            category=centre.garbage if i % 2 else centre.manhole,
            description=f"问题 {i}",
            lat=lat,
            lng=lng,
            find_duplicates=False,
        )
    client.force_login(world.operator)
    client.get(QUEUE)  # warm the session
    # Session, user, roles, one or two pages of rows, the counts (open states; finished ones),
    # the filters' choices, the session save, the navigation badge: 18 at most, whether there
    # are 20 cases or 200. (The category picker reads the catalogue kept per process, and the
    # roles whether the installation serves several subdistricts; in tests their versions are
    # checked on every read, three small aggregates, where a deployment checks at most every
    # CACHE_CHECK_SECONDS.)
    with django_assert_max_num_queries(18):
        response = client.get(QUEUE)
    assert len(numbers(response)) == min(how_many, selectors.QUEUE_PAGE)


# --- Bulk dispatch ---------------------------------------------------------------------------


def test_bulk_dispatch_to_each_cases_suggested_department(client, centre, world):
    garbage = advance(centre.intake(), "filed", centre)
    manhole = advance(centre.intake(category=centre.manhole), "filed", centre)
    received = centre.intake()
    client.force_login(world.operator)
    page = client.get(QUEUE).content.decode()
    # Only filed (or returned) cases can be ticked.
    assert f'value="{garbage.pk}:filed"' in page
    assert f'value="{received.pk}:received"' not in page
    response = client.post(
        reverse("cases:bulk_dispatch"),
        {"case": [f"{garbage.pk}:filed", f"{manhole.pk}:filed"], "next": QUEUE},
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert fresh(garbage).department == world.orgs["chengguan"]
    assert fresh(manhole).department == world.orgs["fangguan"]
    assert fresh(garbage).state == fresh(manhole).state == Case.State.DISPATCHED


def test_bulk_dispatch_reports_the_cases_someone_else_took_first(client, centre, world):
    a = advance(centre.intake(), "filed", centre)
    b = advance(centre.intake(), "filed", centre)
    services.case_dispatch(
        actor=world.duty_chief, case=fresh(b), department=world.orgs["chengguan"]
    )
    client.force_login(world.operator)
    response = client.post(
        reverse("cases:bulk_dispatch"),
        {"case": [f"{a.pk}:filed", f"{b.pk}:filed"]},
        follow=True,
    )
    page = response.content.decode()
    assert f"{b.number}: This case was already handled by" in page
    assert f"Dispatched: {a.number}." in page
    assert fresh(a).state == Case.State.DISPATCHED


def test_bulk_dispatch_to_another_department_needs_a_reason(client, centre, world):
    a = advance(centre.intake(), "filed", centre)
    client.force_login(world.operator)
    response = client.post(
        reverse("cases:bulk_dispatch"),
        {"case": [f"{a.pk}:filed"], "department": world.orgs["fangguan"].pk},
        follow=True,
    )
    assert "give a reason" in response.content.decode()
    assert fresh(a).state == Case.State.FILED
    client.post(
        reverse("cases:bulk_dispatch"),
        {
            "case": [f"{a.pk}:filed"],
            "department": world.orgs["fangguan"].pk,
            "override_reason": "井盖归房管办",
        },
    )
    assert fresh(a).department == world.orgs["fangguan"]


def test_only_the_centre_may_bulk_dispatch(client, centre, world):
    a = advance(centre.intake(), "filed", centre)
    client.force_login(world.leader)
    response = client.post(reverse("cases:bulk_dispatch"), {"case": [f"{a.pk}:filed"]})
    assert response.status_code == 403
    assert fresh(a).state == Case.State.FILED


# --- Intake -----------------------------------------------------------------------------------


def test_the_centre_takes_in_a_hotline_report(client, centre, world):
    lat, lng = centre.point_in("a2")
    client.force_login(world.operator)
    assert client.get(reverse("cases:intake")).status_code == 200
    response = client.post(
        reverse("cases:intake"),
        {
            "channel": "hotline",
            "type": "complaint",
            "category": centre.garbage.pk,
            "urgency": "normal",
            "description": "杏梅园二村门口垃圾没人收",
            "lat": lat,
            "lng": lng,
            "reporter_name": "李四",
            "reporter_phone": "13912345678",
            "external_ref": "12345-0001",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(external_ref="12345-0001")
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.grid == world.grids["a2"]
    assert case.created_by == world.operator
    # Taking in the same work order again leads to the same case.
    again = client.post(
        reverse("cases:intake"),
        {
            "channel": "hotline",
            "type": "complaint",
            "category": centre.garbage.pk,
            "urgency": "normal",
            "description": "重复",
            "external_ref": "12345-0001",
            "address": "兰溪路",
        },
    )
    assert again["Location"] == reverse("cases:detail", args=[case.pk])
    assert Case.objects.filter(external_ref="12345-0001").count() == 1


def test_intake_errors_are_shown_next_to_the_fields(client, centre, world):
    client.force_login(world.operator)
    response = client.post(
        reverse("cases:intake"),
        {
            "channel": "hotline",
            "type": "complaint",
            "category": centre.garbage.pk,
            "urgency": "normal",
            "description": "电话号码不对",
            "address": "兰溪路",
            "reporter_phone": "12345",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-reporter_phone"' in page
    assert "Enter a mainland mobile or landline number." in page
    # A point outside the subdistrict.
    response = client.post(
        reverse("cases:intake"),
        {
            "channel": "hotline",
            "type": "complaint",
            "category": centre.garbage.pk,
            "urgency": "normal",
            "description": "很远",
            "lat": "30.0",
            "lng": "120.0",
        },
    )
    assert response.status_code == 400
    assert 'data-testid="error-location"' in response.content.decode()
    assert not Case.objects.exists()


def test_only_the_centre_takes_in_reports(client, world):
    client.force_login(world.handler)
    assert client.get(reverse("cases:intake")).status_code == 403
