"""The duty desk's emergency panel, the sweep and the `acknowledge` action agree on when an
urgent case is waiting for the centre: in gongzhi.cases.models.ACK_STATES, received, filed,
dispatched or accepted by a department. Accepted by a department is not acknowledged by the
centre: such a case is on the panel and is escalated, as the panel has always shown it late."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.cases import services as cases
from gongzhi.cases.models import ACK_STATES, Case
from gongzhi.cases.sweep import sweep
from gongzhi.cases.tests.conftest import advance
from gongzhi.cases.workflow import TRANSITIONS
from gongzhi.duty import selectors

S = Case.State


def test_the_acknowledge_action_starts_from_exactly_these_states():
    assert TRANSITIONS["acknowledge"].sources == ACK_STATES


def _waiting(centre, state: str) -> Case:
    case = advance(
        centre.intake(urgency=Case.Urgency.URGENT, description=f"紧急{state}"), state, centre
    )
    Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - dt.timedelta(minutes=10))
    return case


@pytest.mark.parametrize(
    "state",
    [S.RECEIVED, S.FILED, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.HANDLED, S.SUSPENDED],
)
def test_the_panel_and_the_sweep_take_the_same_cases(centre, state):
    case = _waiting(centre, state)
    on_panel = [e.case.pk for e in selectors.unacknowledged_emergencies(centre.world.operator)]
    escalated = sweep().emergencies
    waiting = state in ACK_STATES
    assert (case.pk in on_panel, case.pk in escalated) == (waiting, waiting)


def test_an_urgent_case_a_department_accepted_is_escalated_until_the_centre_acknowledges(centre):
    case = _waiting(centre, S.ACCEPTED)
    [shown] = selectors.unacknowledged_emergencies(centre.world.operator)
    assert shown.case == case and shown.late and not shown.escalated
    assert sweep().emergencies == [case.pk]
    [shown] = selectors.unacknowledged_emergencies(centre.world.operator)
    assert shown.escalated
    cases.case_acknowledge(actor=centre.world.duty_chief, case=Case.objects.get(pk=case.pk))
    assert selectors.unacknowledged_emergencies(centre.world.operator) == []
    assert sweep().emergencies == []
