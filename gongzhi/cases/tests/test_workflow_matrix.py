"""Every action × every role, and every action × every state.

The expected answers are written out here, not derived from gongzhi.cases.workflow, so that a
change to the workflow's table that nobody meant shows up as a failing test."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation

from gongzhi.cases import services, sla
from gongzhi.cases.models import Case, CaseEvent, ExtensionRequest
from gongzhi.cases.tests.conftest import advance, make_centre
from gongzhi.core.errors import ServiceError
from gongzhi.testing.personas import build_world


@pytest.fixture(scope="module")
def _shared_centre(django_db_setup, django_db_blocker):
    """One world for the whole module (400 tests): built once inside a transaction that is
    rolled back at the end; each test runs in a savepoint of it and is rolled back to it."""
    with django_db_blocker.unblock(), transaction.atomic():
        shared = make_centre(build_world())
        yield shared
        transaction.set_rollback(True)


@pytest.fixture
def centre(_shared_centre, db):
    for user in _shared_centre.world.users.values():
        user.__dict__.pop("_gongzhi_access", None)  # roles are recomputed per test
    sla.invalidate()
    return _shared_centre


PERSONAS = [
    "operator",
    "duty_chief",
    "handler",
    "other_handler",
    "inspector",
    "secretary",
    "leader",
    "auditor",
    "admin",
    "resident",
    "reporter",
]

# action → (state the case is put in first, personas allowed to take it)
ALLOWED = {
    "file": ("received", {"operator", "duty_chief"}),
    "not_accept": ("received", {"duty_chief"}),
    "merge": ("filed", {"operator", "duty_chief"}),
    "dispatch": ("filed", {"operator", "duty_chief"}),
    "accept": ("dispatched", {"handler"}),
    "return": ("accepted", {"handler"}),
    "request_extension": ("accepted", {"handler"}),
    "approve_extension": ("accepted", {"duty_chief"}),
    "refuse_extension": ("accepted", {"duty_chief"}),
    "handle": ("accepted", {"handler"}),
    "district_reply": ("escalated", {"operator", "duty_chief"}),
    "verify_pass": ("handled", {"inspector", "operator", "duty_chief"}),
    "verify_fail": ("handled", {"inspector", "operator", "duty_chief"}),
    "evaluate": ("closed", {"operator", "duty_chief", "reporter"}),
    "reopen": ("evaluated", {"operator", "duty_chief"}),
    "suspend": ("accepted", {"duty_chief"}),
    "resume": ("suspended", {"duty_chief"}),
    "escalate": ("filed", {"duty_chief", "leader"}),
    "supervise": ("accepted", {"leader", "duty_chief"}),
    "acknowledge": ("received", {"operator", "duty_chief"}),
    "comment": ("accepted", {"operator", "duty_chief", "handler", "inspector", "leader"}),
}

# action → states it may start from
SOURCES = {
    "file": {"received"},
    "not_accept": {"received"},
    "merge": {"received", "filed", "returned"},
    "dispatch": {"filed", "returned"},
    "accept": {"dispatched"},
    "return": {"dispatched", "accepted"},
    "request_extension": {"dispatched", "accepted"},
    "handle": {"accepted"},
    "district_reply": {"escalated"},
    "verify_pass": {"handled"},
    "verify_fail": {"handled"},
    "evaluate": {"closed"},
    "reopen": {"closed", "evaluated"},
    "suspend": {"dispatched", "accepted"},
    "resume": {"suspended"},
    "escalate": {"filed", "returned", "dispatched", "accepted"},
}
STATES = [
    "received",
    "filed",
    "dispatched",
    "accepted",
    "returned",
    "handled",
    "closed",
    "evaluated",
    "suspended",
    "escalated",
    "not_accepted",
]
# Who would be allowed to take the action by role (used to try it in every state).
ACTOR_FOR = {
    a: sorted(p for p in allowed if p != "reporter")[0] if allowed - {"reporter"} else "reporter"
    for a, (_, allowed) in ALLOWED.items()
}


def actor(world, persona):
    return world.resident_a if persona == "reporter" else getattr(world, persona)


def do(action, user, case, centre):
    """Take `action` as `user` through the service the pages and API call."""
    w = centre.world
    if action == "file":
        return services.case_file(actor=user, case=case)
    if action == "not_accept":
        return services.case_not_accept(actor=user, case=case, reason="不属于受理范围")
    if action == "merge":
        master = centre.intake(w.operator, description="另一件暴露垃圾")
        return services.case_merge(actor=user, case=case, master=master, note="同一地点")
    if action == "dispatch":
        return services.case_dispatch(actor=user, case=case, department=w.orgs["chengguan"])
    if action == "accept":
        return services.case_accept(actor=user, case=case)
    if action == "return":
        return services.case_return(actor=user, case=case, reason="派错部门")
    if action == "request_extension":
        return services.extension_request(
            actor=user, case=case, amount=2, unit="working_days", reason="需采购配件"
        )
    if action in ("approve_extension", "refuse_extension"):
        req = ExtensionRequest.objects.get(case=case, status="pending")
        return services.extension_decide(
            actor=user,
            request=req,
            approve=action == "approve_extension",
            note="同意" if action == "approve_extension" else "理由不足",
        )
    if action == "handle":
        return services.case_handle(actor=user, case=case, result="已清运完毕")
    if action == "district_reply":
        return services.case_district_reply(actor=user, case=case, result="区里已处理")
    if action in ("verify_pass", "verify_fail"):
        return services.case_verify(
            actor=user, case=case, passed=action == "verify_pass", note="现场核查"
        )
    if action == "evaluate":
        return services.case_evaluate(actor=user, case=case, satisfaction="satisfied")
    if action == "reopen":
        return services.case_reopen(actor=user, case=case, reason="问题复发")
    if action == "suspend":
        return services.case_suspend(actor=user, case=case, reason="需工程改造")
    if action == "resume":
        return services.case_resume(actor=user, case=case)
    if action == "escalate":
        return services.case_escalate(actor=user, case=case, reason="需区级协调")
    if action == "supervise":
        return services.case_supervise(actor=user, case=case, note="请加快处理")
    if action == "acknowledge":
        return services.case_acknowledge(actor=user, case=case)
    if action == "comment":
        return services.case_comment(actor=user, case=case, note="已电话联系")
    raise AssertionError(action)


def fresh(centre, state, urgent=False):
    case = centre.intake(
        centre.world.operator,
        reporter_user=centre.world.resident_a,
        urgency="urgent" if urgent else "normal",
    )
    return advance(case, state, centre)


def ready_for(centre, action):
    """A case in the state `action` is taken from (ALLOWED), with the extension request an
    extension decision decides."""
    case = fresh(centre, ALLOWED[action][0], urgent=action == "acknowledge")
    if action in ("approve_extension", "refuse_extension"):
        services.extension_request(
            actor=centre.world.handler,
            case=case,
            amount=2,
            unit="working_days",
            reason="需采购配件",
        )
    return case


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_each_role_may_take_exactly_its_actions(centre, action, persona):
    state, allowed = ALLOWED[action]
    case = ready_for(centre, action)
    user = actor(centre.world, persona)
    events_before = CaseEvent.objects.filter(case=case).count()
    if persona in allowed:
        do(action, user, case, centre)
        assert CaseEvent.objects.filter(case=case, action=action).exists()
    else:
        with pytest.raises(PermissionDenied):
            do(action, user, case, centre)
        case.refresh_from_db()
        assert case.state == state
        assert CaseEvent.objects.filter(case=case).count() == events_before


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(SOURCES))
def test_each_action_starts_only_from_its_states(centre, action, state):
    case = fresh(centre, state)
    user = actor(centre.world, ACTOR_FOR[action])
    if state in SOURCES[action]:
        do(action, user, case, centre)
        case.refresh_from_db()
        assert case.state != state or action in ("request_extension",)
    else:
        with pytest.raises((ServiceError, PermissionDenied)):
            do(action, user, case, centre)
        case.refresh_from_db()
        assert case.state == state


def test_a_department_may_not_act_on_another_departments_case(centre):
    case = fresh(centre, "dispatched")
    with pytest.raises(PermissionDenied):
        services.case_accept(actor=centre.world.other_handler, case=case)


def test_an_inspector_of_another_station_may_not_verify(centre):
    case = centre.intake(centre.world.operator, grid="b1")
    case = advance(case, "handled", centre)
    with pytest.raises(PermissionDenied):
        services.case_verify(actor=centre.world.inspector, case=case, passed=True)


def test_refusals_carry_a_message_for_the_user(centre):
    """In the user's language: Chinese unless English was chosen."""
    case = fresh(centre, "accepted")
    with pytest.raises(PermissionDenied) as denied:
        services.case_handle(actor=centre.world.operator, case=case, result="已处理")
    assert "“反馈处置结果”" in str(denied.value)
    with pytest.raises(ServiceError) as wrong_state:
        services.case_resume(actor=centre.world.duty_chief, case=case)
    assert "“处置中”" in str(wrong_state.value)
    with translation.override("en"):
        with pytest.raises(PermissionDenied) as denied:
            services.case_handle(actor=centre.world.operator, case=case, result="已处理")
        assert "Report the result" in str(denied.value)
        with pytest.raises(ServiceError) as wrong_state:
            services.case_resume(actor=centre.world.duty_chief, case=case)
        assert "being handled" in str(wrong_state.value)


def test_a_reason_is_required_where_the_table_says_so(centre):
    case = fresh(centre, "accepted")
    with pytest.raises(ServiceError) as exc:
        services.case_return(actor=centre.world.handler, case=case, reason="  ")
    assert "note" in exc.value.field_errors
    case.refresh_from_db()
    assert case.state == Case.State.ACCEPTED
