"""The case workflow as a state machine, driven by hypothesis: random sequences of actions by
random people never take a case along a path the action table forbids, never lose or invent a
timeline row, and keep the deadline consistent with the state.

The matrix tests (test_workflow_matrix.py) try each action once from each state; this tries
long, random histories (reopened, returned, suspended and resumed again and again), where a
wrong effect or a stale deadline would pile up."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import Case, CaseEvent, ExtensionRequest
from gongzhi.cases.tests.test_workflow_matrix import ALLOWED, PERSONAS, STATES, actor, do, fresh
from gongzhi.cases.workflow import CASES, TIMED_STATES
from gongzhi.core.errors import ServiceError

pytestmark = pytest.mark.django_db

TAKEN: set[str] = set()  # the actions that succeeded at least once, over the whole run
REFUSED: list[str] = []
ENDINGS = {"merge", "not_accept"}  # end a case's life: left to the random rule, or few get far
UNTIMED = {Case.State.EVALUATED, Case.State.NOT_ACCEPTED, Case.State.MERGED}


def machine_for(centre):
    class CaseLife(RuleBasedStateMachine):
        @initialize(start=st.sampled_from(STATES), urgent=st.booleans())
        def new_case(self, start, urgent):
            """A case brought to any state the normal way (gongzhi.cases.tests.conftest.advance),
            so that every part of the life cycle is reached in a few steps."""
            self.case = fresh(centre, start, urgent=urgent)
            self.taken: list[str] = []

        def _events(self) -> int:
            return CaseEvent.objects.filter(case=self.case).count()

        @rule(data=st.data())
        def take_a_possible_action(self, data):
            """An action the table offers from the current state (but the two that end a case),
            mostly by someone allowed, so that histories get long."""
            self.case.refresh_from_db()
            offered = sorted(
                name
                for name, a in CASES.actions.items()
                if self.case.state in a.sources and name in ALLOWED and name not in ENDINGS
            )
            if not offered:
                return
            action = data.draw(st.sampled_from(offered), label="action")
            allowed = sorted(ALLOWED[action][1])
            persona = data.draw(
                st.sampled_from(allowed) | st.sampled_from(PERSONAS), label="persona"
            )
            self.act(action, persona)

        @rule(data=st.data())
        def take_another_possible_action(self, data):
            self.take_a_possible_action(data)  # (twice as likely as a random action)

        @rule(action=st.sampled_from(sorted(ALLOWED)), persona=st.sampled_from(PERSONAS))
        def take_any_action(self, action, persona):
            self.act(action, persona)

        def act(self, action, persona):
            self.case.refresh_from_db()
            before, events, audit = self.case.state, self._events(), AuditEvent.objects.count()
            try:
                with transaction.atomic():
                    do(action, actor(centre.world, persona), self.case, centre)
            except (PermissionDenied, ServiceError, ExtensionRequest.DoesNotExist) as exc:
                REFUSED.append(f"{persona}:{action}@{before}: {exc}")
                self.case.refresh_from_db()
                assert self.case.state == before, f"{action} refused, yet the state moved"
                assert self._events() == events, f"{action} refused, yet left a timeline row"
                return
            self.case.refresh_from_db()
            after = self.case.state
            self.taken.append(f"{persona}:{action} {before}→{after}")
            TAKEN.add(action)
            spec = CASES.actions[action]
            assert before in spec.sources, f"{action} was taken from {before}: not in the table"
            if isinstance(spec.target, str):
                assert after == spec.target, (
                    f"{action} led to {after}, the table says {spec.target}"
                )
            elif spec.target is None:
                assert after == before, f"{action} should leave the state, it moved to {after}"
            latest = CaseEvent.objects.filter(case=self.case).order_by("-id").first()
            assert self._events() == events + 1, f"{action} wrote {self._events() - events} rows"
            assert latest.action == action and latest.to_state == after
            assert AuditEvent.objects.count() > audit, f"{action} left no audit row"

        @invariant()
        def deadline_follows_the_state(self):
            if not hasattr(self, "case"):
                return
            case = Case.objects.get(pk=self.case.pk)
            if case.state in TIMED_STATES:
                assert case.due_at is not None, f"{case.state} without a deadline: {self.taken}"
                assert case.due_at >= case.received_at
            if case.state in UNTIMED:
                assert case.due_at is None, f"{case.state} still has a deadline: {self.taken}"

        @invariant()
        def the_timeline_is_the_history(self):
            if not hasattr(self, "case"):
                return
            rows = list(CaseEvent.objects.filter(case=self.case).order_by("id"))
            for earlier, later in zip(rows, rows[1:], strict=False):
                if later.from_state:
                    assert later.from_state == earlier.to_state or earlier.to_state == "", (
                        f"the timeline jumps from {earlier.to_state} to {later.from_state}"
                    )

    return CaseLife


def test_random_histories_keep_to_the_action_table(centre):
    run_state_machine_as_test(
        seed(20261207)(machine_for(centre)),  # the same histories on every run
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
    # The run explored the life cycle, not only refusals: most actions were taken somewhere.
    assert len(TAKEN) >= len(ALLOWED) - 3, (sorted(TAKEN), REFUSED[-40:])
