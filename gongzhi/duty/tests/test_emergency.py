"""Emergencies on the duty desk: an urgent case pages the duty chief on duty now (through
gongzhi.cases.notices, which asks this app's current_duty_chiefs()), waits on the desk's live
panel until someone acknowledges it there, and the sweep escalates it if nobody does."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from gongzhi.cases import notices
from gongzhi.cases import tasks as case_tasks  # noqa: F401  (registers the sweep's notices)
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.sweep import sweep
from gongzhi.duty import selectors
from gongzhi.duty.models import ShiftLogEntry
from gongzhi.notifications.models import Notification

from .conftest import at

D = dt.date
HTMX = {"HTTP_HX_REQUEST": "true"}
NIGHT = at(2026, 12, 2, 20)  # the night shift of 2 December: chief2 leads it


@pytest.fixture
def rostered(staff):
    staff.roster(D(2026, 11, 30), days=7, now=at(2026, 11, 1))
    with time_machine.travel(NIGHT, tick=False) as clock:
        staff.clock = clock
        yield staff


def _urgent(centre, **kw) -> Case:
    return centre.intake(urgency=Case.Urgency.URGENT, **kw)


def test_the_duty_chief_on_duty_is_paged(rostered, centre, django_capture_on_commit_callbacks):
    assert [u.username for u in notices.duty_chiefs()] == ["chief2"]
    with django_capture_on_commit_callbacks(execute=True):
        case = _urgent(centre, description="杏梅园小区燃气泄漏，居民已撤离")
    page = CaseEvent.objects.get(case=case, action="emergency_page")
    assert page.data["paged"] == [rostered.chief2.pk]
    paged = Notification.objects.for_object(case).filter(template="emergency_paged")
    # In the app, and by SMS to the chief's phone.
    assert {(n.recipient, n.channel) for n in paged} == {
        (rostered.chief2, "in_app"),
        (rostered.chief2, "sms"),
    }


def test_an_extension_request_goes_to_the_duty_chief_on_duty(
    rostered, centre, django_capture_on_commit_callbacks
):
    from gongzhi.cases import services as cases
    from gongzhi.cases.tests.conftest import advance

    case = advance(centre.intake(), "accepted", centre)
    with django_capture_on_commit_callbacks(execute=True):
        cases.extension_request(
            actor=rostered.world.handler, case=case, amount=2, unit="working_days", reason="等配件"
        )
    asked = Notification.objects.for_object(case).filter(template="extension_requested")
    assert [n.recipient for n in asked] == [rostered.chief2]


def test_in_the_day_the_day_chief_is_paged(rostered, centre):
    rostered.clock.move_to(at(2026, 12, 3, 9))
    case = _urgent(centre)
    page = CaseEvent.objects.get(case=case, action="emergency_page")
    assert page.data["paged"] == [rostered.chief.pk]


def test_without_a_roster_every_duty_chief_is_paged(staff, centre):
    with time_machine.travel(NIGHT, tick=False):
        case = _urgent(centre)
    page = CaseEvent.objects.get(case=case, action="emergency_page")
    assert sorted(page.data["paged"]) == sorted([staff.chief.pk, staff.chief2.pk])


def test_the_panel_lists_unacknowledged_urgent_cases_with_their_wait(rostered, centre, client):
    urgent = _urgent(centre, title="燃气泄漏")
    centre.intake(title="普通垃圾")  # not urgent: not on the panel
    rostered.clock.shift(dt.timedelta(minutes=3))
    client.force_login(rostered.operator)
    response = client.get(reverse("duty:emergencies"), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'data-case="{urgent.number}"' in body and "燃气泄漏" in body
    assert "waiting 3 min" in body and "普通垃圾" not in body
    assert 'data-testid="acknowledge"' in body
    # The desk polls the panel every 15 seconds.
    desk = client.get(reverse("duty:desk")).content.decode()
    assert 'hx-trigger="every 15s"' in desk and f'data-case="{urgent.number}"' in desk


def test_acknowledging_from_the_panel_removes_the_case(rostered, centre, client):
    urgent = _urgent(centre, title="燃气泄漏")
    rostered.clock.shift(dt.timedelta(minutes=2))
    client.force_login(rostered.chief2)
    response = client.post(reverse("duty:emergency_acknowledge", args=[urgent.pk]), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Emergency {urgent.number} acknowledged" in body
    assert f'data-case="{urgent.number}"' not in body
    assert 'data-testid="no-emergency"' in body
    urgent.refresh_from_db()
    assert urgent.acknowledged_at == NIGHT + dt.timedelta(minutes=2)
    assert CaseEvent.objects.filter(case=urgent, action="acknowledge").exists()
    entry = ShiftLogEntry.objects.get()
    assert entry.kind == "incident" and entry.case == urgent
    assert entry.shift == selectors.current_shift() and entry.author == rostered.chief2
    # The sweep no longer escalates it.
    rostered.clock.shift(dt.timedelta(minutes=30))
    assert sweep().emergencies == []
    # A second acknowledgement is refused with a message and changes nothing.
    response = client.post(reverse("duty:emergency_acknowledge", args=[urgent.pk]), **HTMX)
    assert response.status_code == 409
    assert "already acknowledged" in response.content.decode()
    assert ShiftLogEntry.objects.count() == 1


def test_acknowledging_without_htmx_redirects_with_a_message(rostered, centre, client):
    urgent = _urgent(centre)
    client.force_login(rostered.operator)
    response = client.post(reverse("duty:emergency_acknowledge", args=[urgent.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"Emergency {urgent.number} acknowledged."
    ]


def test_an_unacknowledged_case_shows_as_escalated_after_the_sweep(rostered, centre, client):
    urgent = _urgent(centre)
    rostered.clock.shift(dt.timedelta(minutes=6))
    assert sweep().emergencies == [urgent.pk]
    client.force_login(rostered.operator)
    body = client.get(reverse("duty:emergencies"), **HTMX).content.decode()
    assert f'data-case="{urgent.number}"' in body and "escalated" in body
    # It stays on the panel until someone acknowledges it.
    client.post(reverse("duty:emergency_acknowledge", args=[urgent.pk]), **HTMX)
    body = client.get(reverse("duty:emergencies"), **HTMX).content.decode()
    assert f'data-case="{urgent.number}"' not in body


def test_leaders_watch_the_panel_but_cannot_acknowledge(rostered, centre, client):
    urgent = _urgent(centre)
    client.force_login(rostered.world.leader)
    body = client.get(reverse("duty:emergencies"), **HTMX).content.decode()
    assert f'data-case="{urgent.number}"' in body and 'data-testid="acknowledge"' not in body
    response = client.post(reverse("duty:emergency_acknowledge", args=[urgent.pk]), **HTMX)
    assert response.status_code == 409
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is None


def test_departments_and_residents_cannot_acknowledge(rostered, centre, client):
    urgent = _urgent(centre)
    for who in ("handler", "resident"):
        client.force_login(getattr(rostered.world, who))
        response = client.post(reverse("duty:emergency_acknowledge", args=[urgent.pk]), **HTMX)
        assert response.status_code == 403
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is None
    assert client.post(reverse("duty:emergency_acknowledge", args=[999999])).status_code == 403
