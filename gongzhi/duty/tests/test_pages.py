"""The duty pages through the test client: who may see and change what, the roster grid, my
shifts and swaps, the log form (htmx) and the handover form."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.urls import reverse

from gongzhi.duty import selectors
from gongzhi.duty.models import DutyAssignment, Handover, Shift, ShiftLogEntry, SwapRequest

from .conftest import at

D = dt.date
HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = at(2026, 12, 2, 10)  # Wednesday, the day shift


@pytest.fixture
def rostered(staff):
    staff.roster(D(2026, 11, 30), days=14, now=at(2026, 11, 1))
    with time_machine.travel(NOW, tick=False):
        yield staff


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _free(assignment, *users):
    """The person of the first of `users` not on duty during the assignment's shift."""
    shift = assignment.shift
    return next(
        u.person
        for u in users
        if not selectors.overlapping(
            person_id=u.person_id, starts_at=shift.starts_at, ends_at=shift.ends_at
        ).exists()
    )


# --- who may see the pages -------------------------------------------------------------------


PAGES = ["duty:desk", "duty:roster", "duty:mine", "duty:emergencies"]


@pytest.mark.parametrize("who", ["operator", "duty_chief", "leader", "auditor", "admin"])
@pytest.mark.parametrize("page", PAGES)
def test_centre_staff_leaders_and_auditors_read_the_duty_pages(rostered, client, who, page):
    client.force_login(getattr(rostered.world, who))
    assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("who", ["handler", "inspector", "secretary", "resident"])
@pytest.mark.parametrize("page", PAGES)
def test_others_get_403(rostered, client, who, page):
    client.force_login(getattr(rostered.world, who))
    response = client.get(reverse(page))
    assert response.status_code == 403
    assert "grid centre's staff" in html.unescape(response.content.decode())


def test_anonymous_visitors_are_sent_to_log_in(rostered, client):
    response = client.get(reverse("duty:roster"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_menu_shows_duty_to_the_centre_only(rostered, client):
    client.force_login(rostered.operator)
    assert 'data-nav="duty"' in client.get(reverse("core:home")).content.decode()
    client.force_login(rostered.world.handler)
    assert 'data-nav="duty"' not in client.get(reverse("core:home")).content.decode()


# --- editing the roster ----------------------------------------------------------------------


def _generate(client):
    return client.post(
        reverse("duty:roster_generate"),
        {
            "start": "2026-12-14",
            "days": "7",
            "chiefs": [p.pk for p in selectors.centre_staff(chiefs_only=True)],
            "operators": [p.pk for p in selectors.centre_staff()],
            "operators_per_shift": "2",
        },
    )


@pytest.mark.parametrize("who", ["operator", "handler", "resident", "leader"])
def test_only_chiefs_and_administrators_edit_the_roster(rostered, client, who):
    client.force_login(getattr(rostered.world, who))
    count = DutyAssignment.objects.count()
    assert _generate(client).status_code == 403
    shift = selectors.current_shift()
    assert (
        client.post(
            reverse("duty:assign", args=[shift.pk]),
            {"person": rostered.op3.person_id, "role": "operator"},
        ).status_code
        == 403
    )
    a = shift.assignments.first()
    assert client.post(reverse("duty:unassign", args=[a.pk])).status_code == 403
    assert DutyAssignment.objects.count() == count
    assert not DutyAssignment.objects.filter(archived_at__isnull=False).exists()


def test_a_duty_chief_generates_the_roster_from_the_page(rostered, client):
    client.force_login(rostered.chief)
    response = _generate(client)
    assert response.status_code == 302 and "week=2026-12-14" in response["Location"]
    assert Shift.objects.filter(date__gte=D(2026, 12, 14)).count() == 14
    page = client.get(response["Location"])
    assert any("Roster generated" in m for m in _messages(page))


def test_a_duty_chief_assigns_and_removes_people_on_a_shift(rostered, client):
    client.force_login(rostered.chief)
    shift = Shift.objects.get(date=D(2026, 12, 3), pattern__code="night")
    page = client.get(reverse("duty:shift", args=[shift.pk]))
    assert page.status_code == 200 and 'data-testid="assign-form"' in page.content.decode()
    a = shift.assignments.filter(role="operator").first()
    response = client.post(reverse("duty:unassign", args=[a.pk]), follow=True)
    assert any("taken off the shift" in m for m in _messages(response))
    response = client.post(
        reverse("duty:assign", args=[shift.pk]),
        {"person": a.person_id, "role": "operator"},
        follow=True,
    )
    assert any("is on the shift as operator" in m for m in _messages(response))
    assert shift.assignments.active().count() == 3


def test_bad_roster_input_gives_a_message_and_changes_nothing(rostered, client):
    client.force_login(rostered.chief)
    shift = Shift.objects.get(date=D(2026, 12, 3), pattern__code="night")
    count = DutyAssignment.objects.count()
    response = client.post(
        reverse("duty:assign", args=[shift.pk]),
        {"person": rostered.chief.person_id, "role": "duty_chief"},
        follow=True,
    )
    assert any("already has a duty chief" in m for m in _messages(response))
    response = client.post(
        reverse("duty:assign", args=[shift.pk]), {"person": "nope", "role": "x"}, follow=True
    )
    assert response.status_code == 200 and _messages(response)
    response = client.post(
        reverse("duty:roster_generate"), {"start": "not a date", "days": "7"}, follow=True
    )
    assert response.status_code == 200 and _messages(response)
    past = Shift.objects.get(date=D(2026, 12, 1), pattern__code="day")
    response = client.post(
        reverse("duty:unassign", args=[past.assignments.first().pk]), follow=True
    )
    assert any("has ended" in m for m in _messages(response))
    assert DutyAssignment.objects.count() == count
    assert not DutyAssignment.objects.filter(archived_at__isnull=False).exists()
    assert client.get(reverse("duty:shift", args=[999999])).status_code == 404


# --- the roster grid -------------------------------------------------------------------------


def test_the_roster_grid_shows_the_week_with_the_current_shift_highlighted(
    rostered, client, django_assert_max_num_queries
):
    client.force_login(rostered.operator)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("duty:roster"))
    body = response.content.decode()
    assert "Week of 2026-11-30 to 2026-12-06" in body
    grid = body[body.index('data-testid="roster-grid"') : body.index("</table>")]
    now_cells = re.findall(
        r'<td class="table-success"[^>]*data-now="1"[^>]*data-shift="(\d+)"', grid
    )
    assert now_cells == [str(selectors.current_shift().pk)]
    assert grid.count('data-testid="cell"') == 14
    assert "李值班" in grid and "周值班" in grid and "王受理" in grid
    assert 'data-testid="generate"' not in body  # operators read only
    client.force_login(rostered.chief)
    assert 'data-testid="generate"' in client.get(reverse("duty:roster")).content.decode()


def test_the_roster_moves_by_week_and_survives_a_bad_date(rostered, client):
    client.force_login(rostered.operator)
    body = client.get(reverse("duty:roster") + "?week=2026-12-09").content.decode()
    assert "Week of 2026-12-07 to 2026-12-13" in body and 'data-now="1"' not in body
    response = client.get(reverse("duty:roster") + "?week=2026-02-30")
    assert response.status_code == 200
    assert any("is not a date" in m for m in _messages(response))


# --- my shifts and swaps -----------------------------------------------------------------------


def test_my_shifts_and_a_swap_through_the_pages(rostered, client):
    mine = (
        DutyAssignment.objects.filter(person=rostered.op2.person, shift__starts_at__gt=NOW)
        .order_by("shift__starts_at")
        .first()
    )
    other = _free(mine, rostered.operator, rostered.op3).user
    client.force_login(rostered.op2)
    page = client.get(reverse("duty:mine")).content.decode()
    assert (
        page.count('data-testid="my-shift"')
        == DutyAssignment.objects.filter(person=rostered.op2.person, shift__ends_at__gt=NOW).count()
    )
    response = client.post(
        reverse("duty:swap_request", args=[mine.pk]),
        {f"swap{mine.pk}-to_person": other.person_id, f"swap{mine.pk}-message": "看病"},
        follow=True,
    )
    assert any("was asked to take the shift" in m for m in _messages(response))
    swap = SwapRequest.objects.get()

    client.force_login(other)
    page = client.get(reverse("duty:mine")).content.decode()
    incoming = page[page.index('data-testid="swaps-incoming"') :]
    assert "看病" in incoming and 'data-testid="swap-accept"' in incoming
    response = client.post(reverse("duty:swap_accept", args=[swap.pk]), follow=True)
    assert any("Swap accepted" in m for m in _messages(response))
    mine.refresh_from_db()
    assert mine.person_id == other.person_id

    response = client.post(reverse("duty:swap_accept", args=[swap.pk]), follow=True)
    assert any("already accepted" in m for m in _messages(response))


def test_a_swap_of_someone_elses_shift_is_refused(rostered, client):
    theirs = DutyAssignment.objects.filter(
        person=rostered.op3.person, shift__starts_at__gt=NOW
    ).first()
    client.force_login(rostered.op2)
    response = client.post(
        reverse("duty:swap_request", args=[theirs.pk]),
        {f"swap{theirs.pk}-to_person": rostered.operator.person_id},
    )
    assert response.status_code == 403
    assert not SwapRequest.objects.exists()


def test_swaps_are_hidden_from_those_they_do_not_concern(rostered, client):
    from gongzhi.duty import services

    mine = DutyAssignment.objects.filter(
        person=rostered.op2.person, shift__starts_at__gt=NOW
    ).first()
    swap = services.swap_request(
        actor=rostered.op2, assignment=mine, to_person=_free(mine, rostered.operator, rostered.op3)
    )
    client.force_login(rostered.op3)
    assert client.post(reverse("duty:swap_accept", args=[swap.pk])).status_code == 404
    swap.refresh_from_db()
    assert swap.status == "pending"


# --- the desk: log and handover ----------------------------------------------------------------


def test_the_log_form_adds_an_entry_with_htmx(rostered, client):
    client.force_login(rostered.op2)
    response = client.post(
        reverse("duty:log_add"), {"kind": "incident", "text": "枣阳路井盖松动", "case": ""}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "枣阳路井盖松动" in body and "<html" not in body
    entry = ShiftLogEntry.objects.get()
    assert entry.author == rostered.op2 and entry.shift == selectors.current_shift()
    desk = client.get(reverse("duty:desk")).content.decode()
    assert "枣阳路井盖松动" in desk


def test_a_bad_log_entry_gives_a_message_and_writes_nothing(rostered, client):
    client.force_login(rostered.op2)
    response = client.post(reverse("duty:log_add"), {"kind": "note", "text": ""}, **HTMX)
    assert response.status_code == 400 and "What happened" in response.content.decode()
    response = client.post(
        reverse("duty:log_add"), {"kind": "note", "text": "x", "case": "CY2026-424242"}, **HTMX
    )
    assert response.status_code == 400
    assert "no case numbered CY2026-424242" in response.content.decode()
    response = client.post(reverse("duty:log_add"), {"kind": "note", "text": ""}, follow=True)
    assert _messages(response)
    assert not ShiftLogEntry.objects.exists()


def test_a_handler_cannot_write_the_log(rostered, client):
    client.force_login(rostered.world.handler)
    response = client.post(reverse("duty:log_add"), {"kind": "note", "text": "x"}, **HTMX)
    assert response.status_code == 403
    assert not ShiftLogEntry.objects.exists()


def test_the_handover_through_the_desk(rostered, client):
    # The day shift's chief is duty_chief, the night's chief2.
    client.force_login(rostered.chief)
    desk = client.get(reverse("duty:desk")).content.decode()
    assert 'data-testid="handover-form"' in desk
    shift = selectors.current_shift()
    response = client.post(
        reverse("duty:handover", args=[shift.pk]), {"notes": "CY2026-000001 待核查"}, follow=True
    )
    assert any("handed over" in m for m in _messages(response))
    handover = Handover.objects.get()
    with time_machine.travel(at(2026, 12, 2, 17, 40), tick=False):
        client.force_login(rostered.chief2)
        desk = client.get(reverse("duty:desk")).content.decode()
        incoming = desk[desk.index('data-testid="incoming-handover"') :]
        assert "CY2026-000001 待核查" in incoming
        assert 'data-testid="acknowledge-handover"' in incoming
        response = client.post(
            reverse("duty:handover_acknowledge", args=[handover.pk]), {"note": "收到"}, follow=True
        )
        assert any("taken over" in m for m in _messages(response))
    handover.refresh_from_db()
    assert handover.acknowledged_by == rostered.chief2


def test_only_the_shifts_chief_sees_the_handover_form(rostered, client):
    client.force_login(rostered.chief2)  # a duty chief, but the day shift is duty_chief's
    desk = client.get(reverse("duty:desk")).content.decode()
    assert 'data-testid="handover"' in desk and 'data-testid="handover-form"' not in desk
    shift = selectors.current_shift()
    response = client.post(reverse("duty:handover", args=[shift.pk]), {"notes": "x"})
    assert response.status_code == 403
    assert "The duty chief of" in html.unescape(response.content.decode())
    assert not Handover.objects.exists()


def test_an_operator_cannot_hand_over(rostered, client):
    client.force_login(rostered.operator)
    desk = client.get(reverse("duty:desk")).content.decode()
    assert 'data-testid="handover-form"' not in desk
    shift = selectors.current_shift()
    response = client.post(reverse("duty:handover", args=[shift.pk]), {"notes": "x"})
    assert response.status_code == 403
    assert not Handover.objects.exists()


def test_the_desk_says_when_there_is_no_roster(staff, client):
    with time_machine.travel(NOW, tick=False):
        client.force_login(staff.operator)
        body = client.get(reverse("duty:desk")).content.decode()
    assert "No shift covers this time" in body
