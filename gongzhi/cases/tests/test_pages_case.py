"""The case page and its action forms, per role: what each user sees, what they may do, and how
a refused, invalid or stale action is answered (nothing changes in any of them)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services
from gongzhi.cases.models import Case, CaseEvent, ExtensionRequest
from gongzhi.cases.tests.conftest import advance
from gongzhi.cases.tests.test_pages_support import (
    act_data,
    act_url,
    case_pages,  # noqa: F401  (autouse fixture)
    fresh,
)

pytestmark = pytest.mark.django_db


def detail(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


# --- Who sees the case page ------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("operator", 200),
        ("duty_chief", 200),
        ("leader", 200),
        ("handler", 200),  # its department's case
        ("other_handler", 404),  # another department's
        ("inspector", 200),  # its grid station's
        ("secretary", 200),  # its residential area's
        ("other_secretary", 404),
        ("liaison", 404),
        ("resident", 404),
    ],
)
def test_the_case_page_is_shown_in_scope_and_404_outside(client, centre, world, persona, status):
    case = advance(centre.intake(grid="a1"), "dispatched", centre)
    client.force_login(getattr(world, persona))
    response = client.get(detail(case))
    assert response.status_code == status
    if status == 200:
        assert case.number in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, centre):
    case = centre.intake()
    response = client.get(detail(case))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_resident_who_reported_is_sent_to_the_tracking_page(client, centre, world):
    case = centre.intake(
        channel=Case.Channel.RESIDENT, type=Case.Type.COMPLAINT, reporter_user=world.resident
    )
    client.force_login(world.resident)
    response = client.get(detail(case))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:track", args=[case.tracking_code])


def test_the_page_shows_the_timeline_sla_reporter_masked_and_the_actions_allowed_now(
    client, centre, world
):
    case = centre.intake(reporter_name="张三丰", reporter_phone="13812345678")
    case = advance(case, "accepted", centre)
    services.case_comment(actor=world.operator, case=case, note="已电话联系报告人")
    client.force_login(world.handler)
    page = client.get(detail(case)).content.decode()
    # The whole timeline, with labels, who and notes.
    for label in ("Received", "File", "Dispatch", "Accept", "Add a note"):
        assert label in page
    assert "已电话联系报告人" in page
    assert "王受理" in page  # the operator, as recorded on the events
    # The SLA countdown.
    assert 'data-testid="sla"' in page and "due in" in page
    # The reporter: masked name and phone, never the full number.
    assert "13812345678" not in page and "138****5678" in page
    assert "张三丰" not in page
    # The handler may now report the result, return, ask for an extension or add a note …
    for action in ("handle", "return", "request_extension", "comment"):
        assert f'data-testid="form-{action}"' in page
    # … but not dispatch or close.
    for action in ("dispatch", "verify_pass", "file", "accept"):
        assert f'data-testid="form-{action}"' not in page
    # Each form carries the state the user saw.
    assert 'name="handle-expected_state" value="accepted"' in page


def test_the_case_page_reads_in_a_constant_number_of_queries(
    client, centre, world, django_assert_max_num_queries
):
    case = advance(centre.intake(), "accepted", centre)
    client.force_login(world.operator)
    client.get(detail(case))  # warm the catalogue cache and the grid index
    with django_assert_max_num_queries(30) as few:
        client.get(detail(case))
    for i in range(25):
        services.case_comment(actor=world.operator, case=case, note=f"note {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail(case))
    assert response.content.decode().count('data-testid="timeline-entry"') == 29


# --- Acting ------------------------------------------------------------------------------------


def test_file_then_dispatch_with_the_suggestions_beside_the_form(client, centre, world):
    case = centre.intake()
    client.force_login(world.operator)
    response = client.post(act_url(case, "file"), act_data(case, "file"))
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == Case.State.FILED
    page = client.get(detail(case)).content.decode()
    assert 'data-testid="suggestions"' in page
    assert "城管中队" in page  # the department the category routes to
    assert "杏梅园一" in page  # the grid from the point
    assert "陈巡查" in page  # the station's inspector
    # The dispatch form proposes the suggested department.
    chengguan = world.orgs["chengguan"]
    assert f'<option value="{chengguan.pk}" selected>' in page
    response = client.post(
        act_url(case, "dispatch"), act_data(case, "dispatch", department=chengguan.pk)
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == Case.State.DISPATCHED
    assert case.department == chengguan
    assert case.handle_due_at is not None


def test_a_disallowed_action_is_refused_with_403_and_changes_nothing(client, centre, world):
    case = advance(centre.intake(), "filed", centre)
    events = CaseEvent.objects.filter(case=case).count()
    client.force_login(world.inspector)  # sees its station's cases, but doesn't dispatch
    response = client.post(
        act_url(case, "dispatch"),
        act_data(case, "dispatch", department=world.orgs["chengguan"].pk),
    )
    assert response.status_code == 403
    assert "You are not allowed to “Dispatch” on this case." in response.content.decode()
    assert fresh(case).state == Case.State.FILED
    assert CaseEvent.objects.filter(case=case).count() == events


def test_an_out_of_scope_action_is_404(client, centre, world):
    case = advance(centre.intake(), "dispatched", centre)  # to 城管中队
    client.force_login(world.other_handler)
    response = client.post(act_url(case, "accept"), act_data(case, "accept"))
    assert response.status_code == 404
    assert fresh(case).state == Case.State.DISPATCHED


def test_an_action_the_state_does_not_allow_is_refused_with_its_reason(client, centre, world):
    case = advance(centre.intake(), "dispatched", centre)
    client.force_login(world.handler)
    response = client.post(act_url(case, "handle"), act_data(case, "handle", note="已处理"))
    assert response.status_code == 400
    assert "cannot be changed with “Report the result”" in response.content.decode()
    assert fresh(case).state == Case.State.DISPATCHED


def test_a_missing_reason_is_shown_next_to_the_field_and_changes_nothing(client, centre, world):
    case = advance(centre.intake(), "accepted", centre)
    client.force_login(world.handler)
    response = client.post(act_url(case, "return"), act_data(case, "return", note="  "))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-note"' in page
    assert "This field is required." in page
    # The refused form is the one shown open.
    assert 'id="act-return" class="accordion-collapse collapse show"' in page
    assert fresh(case).state == Case.State.ACCEPTED


def test_the_services_field_errors_are_shown_next_to_the_fields(client, centre, world):
    case = advance(centre.intake(), "filed", centre)
    client.force_login(world.operator)
    # Another department than the category's, without a reason.
    response = client.post(
        act_url(case, "dispatch"),
        act_data(case, "dispatch", department=world.orgs["fangguan"].pk),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-override_reason"' in page
    assert "give a reason for choosing this one" in page
    assert fresh(case).state == Case.State.FILED
    # A deadline in the past.
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        act_url(case, "dispatch"),
        act_data(
            case,
            "dispatch",
            department=world.orgs["chengguan"].pk,
            due_at=past,
            override_reason="领导交办",
        ),
    )
    assert response.status_code == 400
    assert 'data-testid="error-due_at"' in response.content.decode()
    assert fresh(case).state == Case.State.FILED


def test_a_stale_form_loses_to_whoever_acted_first(client, centre, world):
    case = advance(centre.intake(), "filed", centre)
    client.force_login(world.operator)
    page = client.get(detail(case)).content.decode()
    assert 'name="dispatch-expected_state" value="filed"' in page
    # Meanwhile the duty chief dispatches it.
    services.case_dispatch(
        actor=world.duty_chief, case=fresh(case), department=world.orgs["chengguan"]
    )
    events = CaseEvent.objects.filter(case=case).count()
    response = client.post(
        act_url(case, "dispatch"),
        {
            "dispatch-expected_state": "filed",
            "dispatch-department": world.orgs["fangguan"].pk,
            "dispatch-override_reason": "换个部门",
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="conflict"' in page
    assert "already handled by" in page and "李值班" in page
    case = fresh(case)
    assert case.department == world.orgs["chengguan"]
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_stale_form_for_an_action_without_expected_state_in_the_service(client, centre, world):
    case = advance(centre.intake(), "accepted", centre)
    services.case_suspend(actor=world.duty_chief, case=fresh(case), reason="季节性")
    client.force_login(world.leader)
    response = client.post(
        act_url(case, "supervise"), {"supervise-expected_state": "accepted", "supervise-note": "快"}
    )
    assert response.status_code == 409
    assert fresh(case).supervision_level == 0


def test_merge_from_the_duplicate_candidates(client, centre, world):
    first = advance(centre.intake(description="兰溪路垃圾箱旁暴露垃圾堆积"), "filed", centre)
    second = centre.intake(description="兰溪路垃圾箱旁垃圾堆积很多")
    client.force_login(world.operator)
    page = client.get(detail(second)).content.decode()
    assert 'data-testid="duplicates"' in page
    assert first.number in page
    response = client.post(act_url(second, "merge"), act_data(second, "merge", master=first.number))
    assert response.status_code == 302
    second = fresh(second)
    assert second.state == Case.State.MERGED
    assert second.merged_into == first
    # An unknown number is a field error.
    third = centre.intake()
    response = client.post(act_url(third, "merge"), act_data(third, "merge", master="CY1999-1"))
    assert response.status_code == 400
    assert 'data-testid="error-master"' in response.content.decode()
    assert fresh(third).state == Case.State.RECEIVED


def test_extension_request_and_decision_through_the_pages(client, centre, world):
    case = advance(centre.intake(), "accepted", centre)
    before = fresh(case).handle_due_at
    client.force_login(world.handler)
    response = client.post(
        act_url(case, "request_extension"),
        act_data(case, "request_extension", amount="abc", unit="working_days", note="需采购配件"),
    )
    assert response.status_code == 400
    assert not ExtensionRequest.objects.filter(case=case).exists()
    response = client.post(
        act_url(case, "request_extension"),
        act_data(case, "request_extension", amount="2", unit="working_days", note="需采购配件"),
    )
    assert response.status_code == 302
    req = ExtensionRequest.objects.get(case=case)
    client.force_login(world.duty_chief)
    page = client.get(detail(case)).content.decode()
    assert 'data-testid="form-approve_extension"' in page and "需采购配件" in page
    response = client.post(
        act_url(case, "approve_extension"), act_data(case, "approve_extension", request=req.pk)
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == ExtensionRequest.Status.APPROVED
    assert fresh(case).handle_due_at > before
    # A second decision on the same request is refused with who decided it.
    response = client.post(
        act_url(case, "refuse_extension"),
        act_data(case, "refuse_extension", request=req.pk, note="不同意"),
    )
    assert response.status_code == 400
    assert "already decided by" in response.content.decode()
    req.refresh_from_db()
    assert req.status == ExtensionRequest.Status.APPROVED


def test_the_inspector_verifies_with_a_photo(client, centre, world):
    from gongzhi.cases.tests.test_pages_support import photo_upload

    case = advance(centre.intake(), "handled", centre)
    client.force_login(world.inspector)
    page = client.get(detail(case)).content.decode()
    assert 'data-testid="form-verify_pass"' in page
    response = client.post(
        act_url(case, "verify_pass"),
        {**act_data(case, "verify_pass", note="现场已清理"), "verify_pass-photos": photo_upload()},
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == Case.State.CLOSED
    photo = case.photos.get(stage="verify")
    assert photo.event.action == "verify_pass"
    # The reporter sees it on the tracking page.
    client.logout()
    thumb = reverse("cases:public_photo", args=[case.tracking_code, photo.pk, "thumb"])
    assert thumb in client.get(reverse("cases:track", args=[case.tracking_code])).content.decode()
    assert client.get(thumb).status_code == 200


def test_the_handler_reports_the_result_with_photos(client, centre, world):
    from gongzhi.cases.tests.test_pages_support import photo_upload

    case = advance(centre.intake(), "accepted", centre)
    client.force_login(world.handler)
    response = client.post(
        act_url(case, "handle"),
        {
            **act_data(case, "handle", note="已清运完毕"),
            "handle-photos": [photo_upload("a.jpg"), photo_upload("b.jpg")],
        },
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == Case.State.HANDLED
    assert case.result == "已清运完毕"
    assert case.photos.filter(stage="handle").count() == 2
    # Returning to the page shows the photos on the timeline.
    page = client.get(detail(case)).content.decode()
    assert page.count('data-testid="photo-thumb"') == 2


def test_a_returned_case_leaves_the_inbox_and_the_department_once_dispatched_elsewhere(
    client, centre, world
):
    case = advance(centre.intake(), "dispatched", centre)
    client.force_login(world.handler)
    response = client.post(act_url(case, "return"), act_data(case, "return", note="不属于本部门"))
    assert response.status_code == 302
    assert fresh(case).state == Case.State.RETURNED
    assert case.number not in client.get(reverse("cases:inbox")).content.decode()
    client.force_login(world.operator)
    response = client.post(
        act_url(case, "dispatch"),
        {
            "dispatch-expected_state": "returned",
            "dispatch-department": world.orgs["fangguan"].pk,
            "dispatch-override_reason": "属房管办",
        },
    )
    assert response.status_code == 302
    client.force_login(world.handler)
    assert client.get(detail(case)).status_code == 404
    client.force_login(world.other_handler)
    assert case.number in client.get(reverse("cases:inbox")).content.decode()


# --- The reporter's phone -----------------------------------------------------------------------


def test_revealing_the_phone_is_logged_and_refused_to_others(client, centre, world):
    case = advance(centre.intake(reporter_phone="13812345678"), "dispatched", centre)
    url = reverse("cases:reveal_phone", args=[case.pk])
    client.force_login(world.operator)
    page = client.get(detail(case)).content.decode()
    assert 'data-testid="reveal-phone"' in page
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "13812345678" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.REVEAL, object_id=str(case.pk), actor=world.operator
    ).exists()
    # The inspector sees the case but not the number: no button, and a POST is refused.
    client.force_login(world.inspector)
    page = client.get(detail(case)).content.decode()
    assert 'data-testid="reveal-phone"' not in page
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "13812345678" not in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, object_id=str(case.pk), actor=world.inspector
    ).exists()


@pytest.mark.postgres
def test_two_people_dispatching_at_the_same_moment_never_both_succeed(
    transactional_db, centre, world
):
    """Real concurrency: two browsers post the same case's dispatch form at once."""
    import threading

    from django.db import connection, connections
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row lock is exercised on PostgreSQL")
    case = advance(centre.intake(), "filed", centre)
    barrier = threading.Barrier(2)
    results: dict[str, tuple[int, str]] = {}

    def post(who: str, department: int, reason: str) -> None:
        try:
            c = Client()
            c.cookies["django_language"] = "en"
            c.force_login(getattr(world, who))
            barrier.wait()
            r = c.post(
                act_url(case, "dispatch"),
                {
                    "dispatch-expected_state": "filed",
                    "dispatch-department": department,
                    "dispatch-override_reason": reason,
                },
            )
            results[who] = (r.status_code, r.content.decode())
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=("operator", world.orgs["chengguan"].pk, "")),
        threading.Thread(target=post, args=("duty_chief", world.orgs["fangguan"].pk, "井盖")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(code for code, _body in results.values())
    assert statuses == [302, 409]
    loser = next(body for code, body in results.values() if code == 409)
    assert "already handled by" in loser
    case = fresh(case)
    assert case.state == Case.State.DISPATCHED
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1


def test_an_extension_is_asked_in_the_categorys_unit_and_for_at_least_one_unit(
    client, centre, world
):
    normal = advance(centre.intake(), "accepted", centre)
    urgent = advance(centre.intake(urgency="urgent"), "accepted", centre)
    client.force_login(world.handler)
    for case, unit in ((normal, "working_days"), (urgent, "continuous_hours")):
        page = client.get(detail(case)).content.decode()
        chosen = re.search(
            r'name="request_extension-unit"[^>]*>.*?<option value="(\w+)"[^>]*selected', page, re.S
        )
        assert chosen and chosen.group(1) == unit
    for amount in ("0", "0.5"):
        response = client.post(
            act_url(normal, "request_extension"),
            act_data(normal, "request_extension", amount=amount, unit="", note="需采购配件"),
        )
        assert response.status_code == 400
        assert 'data-testid="error-amount"' in response.content.decode()
    assert not ExtensionRequest.objects.exists()
    # No unit chosen (the API may leave it out): the category's.
    services.case_act(
        actor=world.handler,
        case=urgent,
        action="request_extension",
        note="抢修",
        params={"amount": 3},
    )
    assert ExtensionRequest.objects.get(case=urgent).unit == "continuous_hours"


def test_each_deadline_is_labelled_and_the_current_one_marked(client, centre, world):
    dispatched = advance(centre.intake(), "dispatched", centre)
    closed = advance(centre.intake(), "closed", centre)
    client.force_login(world.operator)
    page = client.get(detail(dispatched)).content.decode()
    header = re.search(r'data-testid="sla"[^>]*>(.*?)</span>\s*</span>', page, re.S)
    assert header and "Handling deadline" in header.group(1)
    current = re.findall(
        r'<dt class="col-5 col-sm-3">([^<]+)</dt><dd [^>]*data-current="true"', page
    )
    assert current == ["Handling deadline"]
    assert "Closure deadline" in page
    page = client.get(detail(closed)).content.decode()
    current = re.findall(
        r'<dt class="col-5 col-sm-3">([^<]+)</dt><dd [^>]*data-current="true"', page
    )
    assert current == ["Call-back deadline"]
    assert 'data-testid="time-taken"' in page
    assert "Closure deadline" not in page
