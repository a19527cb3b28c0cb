"""The states of a case and every allowed transition, in one table.

    collect → file → dispatch → handle → (feed back) → verify → close → evaluate

`TRANSITIONS` names, for each action, the states it may start from, the state it leads to and the
roles allowed to make it (with their scope: a department only on its own cases, an inspector only
in its own grid station). `transition()` is the one way a case changes state: it locks the row,
checks the table and the state the user saw, applies the change, writes the timeline event and
the audit row, and queues notices for after the commit. A refused or lost transition raises
with a clear message and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import events
from gongzhi.core.errors import ConflictError, NotAllowed, ServiceError
from gongzhi.core.roles import Access, Role, access_for

from .models import Case, CaseEvent

S = Case.State

OPEN_STATES = frozenset(
    {S.RECEIVED, S.FILED, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.HANDLED, S.SUSPENDED, S.ESCALATED}
)
TERMINAL_STATES = frozenset({S.NOT_ACCEPTED, S.MERGED})
# States in which the centre, a department or an inspector still has work to do by a deadline.
TIMED_STATES = frozenset(
    {S.RECEIVED, S.FILED, S.RETURNED, S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.CLOSED}
)

CENTRE = frozenset({Role.OPERATOR, Role.DUTY_CHIEF})
CHIEF = frozenset({Role.DUTY_CHIEF})


class Scope:
    """Which cases a role may act on (besides the role itself)."""

    ANY = "any"  # whole subdistrict roles
    DEPARTMENT = "department"  # the case's department is the user's
    STATION = "station"  # the case's grid station is the user's
    REPORTER = "reporter"  # the user reported the case


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise | str
    sources: frozenset[str]
    target: str | None  # None: the state does not change; "@previous": back to where it was
    roles: dict[Role, str]  # role → scope
    note_required: bool = False
    public: bool = False  # shown on the reporter's tracking page


def _t(
    action: str,
    label: Promise | str,
    sources: set[Any] | frozenset[Any],
    target: str | None,
    roles: dict[Role, str],
    **kw: Any,
) -> Transition:
    return Transition(action, label, frozenset(sources), target, roles, **kw)


ANY, DEPT, STATION, REPORTER = Scope.ANY, Scope.DEPARTMENT, Scope.STATION, Scope.REPORTER
ACTIVE_WORK = {
    S.FILED,
    S.DISPATCHED,
    S.ACCEPTED,
    S.RETURNED,
    S.HANDLED,
    S.ESCALATED,
    S.SUSPENDED,
    S.RECEIVED,
}

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(
            "file",
            pgettext_lazy("case action", "File"),
            {S.RECEIVED},
            S.FILED,
            {Role.OPERATOR: ANY, Role.DUTY_CHIEF: ANY},
            public=True,
        ),
        _t(
            "not_accept",
            gettext_lazy("Not accept"),
            {S.RECEIVED},
            S.NOT_ACCEPTED,
            {Role.DUTY_CHIEF: ANY},
            note_required=True,
            public=True,
        ),
        _t(
            "merge",
            gettext_lazy("Merge into another case"),
            {S.RECEIVED, S.FILED, S.RETURNED},
            S.MERGED,
            {Role.OPERATOR: ANY, Role.DUTY_CHIEF: ANY},
            public=True,
        ),
        _t(
            "dispatch",
            gettext_lazy("Dispatch"),
            {S.FILED, S.RETURNED},
            S.DISPATCHED,
            {Role.OPERATOR: ANY, Role.DUTY_CHIEF: ANY},
            public=True,
        ),
        _t(
            "accept",
            pgettext_lazy("case action", "Accept"),
            {S.DISPATCHED},
            S.ACCEPTED,
            {Role.DEPARTMENT: DEPT},
        ),
        _t(
            "return",
            gettext_lazy("Return to the centre"),
            {S.DISPATCHED, S.ACCEPTED},
            S.RETURNED,
            {Role.DEPARTMENT: DEPT},
            note_required=True,
        ),
        _t(
            "request_extension",
            gettext_lazy("Ask for an extension"),
            {S.DISPATCHED, S.ACCEPTED},
            None,
            {Role.DEPARTMENT: DEPT},
            note_required=True,
        ),
        _t(
            "approve_extension",
            gettext_lazy("Approve the extension"),
            {S.DISPATCHED, S.ACCEPTED},
            None,
            {Role.DUTY_CHIEF: ANY},
        ),
        _t(
            "refuse_extension",
            gettext_lazy("Refuse the extension"),
            {S.DISPATCHED, S.ACCEPTED},
            None,
            {Role.DUTY_CHIEF: ANY},
            note_required=True,
        ),
        _t(
            "handle",
            gettext_lazy("Report the result"),
            {S.ACCEPTED},
            S.HANDLED,
            {Role.DEPARTMENT: DEPT},
            note_required=True,
            public=True,
        ),
        _t(
            "district_reply",
            gettext_lazy("Record the district's result"),
            {S.ESCALATED},
            S.HANDLED,
            {Role.OPERATOR: ANY, Role.DUTY_CHIEF: ANY},
            note_required=True,
            public=True,
        ),
        _t(
            "verify_pass",
            gettext_lazy("Verified: close"),
            {S.HANDLED},
            S.CLOSED,
            {Role.INSPECTOR: STATION, Role.OPERATOR: ANY, Role.DUTY_CHIEF: ANY},
            public=True,
        ),
        _t(
            "verify_fail",
            gettext_lazy("Not fixed: rework"),
            {S.HANDLED},
            S.ACCEPTED,
            {Role.INSPECTOR: STATION, Role.OPERATOR: ANY, Role.DUTY_CHIEF: ANY},
            note_required=True,
            public=True,
        ),
        _t(
            "evaluate",
            gettext_lazy("Rate the outcome"),
            {S.CLOSED},
            S.EVALUATED,
            {Role.OPERATOR: ANY, Role.DUTY_CHIEF: ANY, Role.RESIDENT: REPORTER},
            public=True,
        ),
        _t(
            "reopen",
            gettext_lazy("Reopen"),
            {S.CLOSED, S.EVALUATED},
            S.FILED,
            {Role.OPERATOR: ANY, Role.DUTY_CHIEF: ANY},
            note_required=True,
            public=True,
        ),
        _t(
            "suspend",
            gettext_lazy("Suspend"),
            {S.DISPATCHED, S.ACCEPTED},
            S.SUSPENDED,
            {Role.DUTY_CHIEF: ANY},
            note_required=True,
            public=True,
        ),
        _t(
            "resume",
            gettext_lazy("Resume"),
            {S.SUSPENDED},
            "@previous",
            {Role.DUTY_CHIEF: ANY},
            public=True,
        ),
        _t(
            "escalate",
            gettext_lazy("Escalate to the district"),
            {S.FILED, S.RETURNED, S.DISPATCHED, S.ACCEPTED},
            S.ESCALATED,
            {Role.DUTY_CHIEF: ANY, Role.LEADER: ANY},
            note_required=True,
            public=True,
        ),
        _t(
            "supervise",
            gettext_lazy("Supervise"),
            ACTIVE_WORK,
            None,
            {Role.LEADER: ANY, Role.DUTY_CHIEF: ANY},
            note_required=True,
        ),
        _t(
            "acknowledge",
            gettext_lazy("Acknowledge the emergency"),
            {S.RECEIVED, S.FILED, S.DISPATCHED, S.ACCEPTED},
            None,
            {Role.DUTY_CHIEF: ANY, Role.OPERATOR: ANY},
        ),
        _t(
            "comment",
            gettext_lazy("Add a note"),
            ACTIVE_WORK | {S.CLOSED},
            None,
            {
                Role.OPERATOR: ANY,
                Role.DUTY_CHIEF: ANY,
                Role.DEPARTMENT: DEPT,
                Role.INSPECTOR: STATION,
                Role.LEADER: ANY,
            },
            note_required=True,
        ),
    ]
}

# The domain event each action publishes (gongzhi.core.events): "case.dispatched" …
EVENT_NAMES: dict[str, str] = {
    "receive": "case.received",
    "file": "case.filed",
    "not_accept": "case.not_accepted",
    "merge": "case.merged",
    "dispatch": "case.dispatched",
    "accept": "case.accepted",
    "return": "case.returned",
    "request_extension": "case.extension_requested",
    "approve_extension": "case.extension_approved",
    "refuse_extension": "case.extension_refused",
    "handle": "case.handled",
    "district_reply": "case.district_replied",
    "verify_pass": "case.closed",
    "verify_fail": "case.reworked",
    "evaluate": "case.evaluated",
    "reopen": "case.reopened",
    "suspend": "case.suspended",
    "resume": "case.resumed",
    "escalate": "case.escalated",
    "supervise": "case.supervised",
    "acknowledge": "case.acknowledged",
    "comment": "case.commented",
    "overdue": "case.overdue",
    "warn": "case.warned",
    "emergency_escalate": "case.emergency_escalated",
}

# Events written by the system (sweeps, notices), not by users: not in the table above.
SYSTEM_ACTIONS = {
    "receive",
    "warn",
    "overdue",
    "auto_supervise",
    "emergency_page",
    "emergency_escalate",
    "notify",
    "merged_child",
    "photo",
}


def action_label(action: str) -> str:
    t = TRANSITIONS.get(action)
    if t is not None:
        return str(t.label)
    labels = {
        "receive": _("Received"),
        "warn": _("Deadline approaching"),
        "overdue": _("Overdue"),
        "auto_supervise": _("Supervised automatically (overdue)"),
        "emergency_page": _("Duty chief paged"),
        "emergency_escalate": _("Emergency not acknowledged: escalated"),
        "notify": _("Notice sent"),
        "merged_child": _("Another report merged into this case"),
        "photo": _("Photo added"),
    }
    return labels.get(action, action)


def role_may(access: Access, t: Transition, case: Case) -> bool:
    """Role and scope only (not the state): may this user ever take this action on this case?"""
    for role, scope in t.roles.items():
        if not access.has(role):
            continue
        if scope == ANY:
            return True
        if (
            scope == DEPT
            and case.department_id is not None
            and case.department_id in access.department_ids
        ):
            return True
        if (
            scope == STATION
            and case.station_id is not None
            and case.station_id in access.station_ids
        ):
            return True
        if (
            scope == REPORTER
            and case.reporter_user_id is not None
            and case.reporter_user_id == access.user_id
        ):
            return True
    return False


def available_actions(user: Any, case: Case) -> list[Transition]:
    """The actions this user may take on the case now (role, scope and state)."""
    access = access_for(user)
    return [
        t for t in TRANSITIONS.values() if case.state in t.sources and role_may(access, t, case)
    ]


Apply = Callable[[Case], dict[str, Any] | None]


def _refuse_conflict(case: Case, action: str) -> ConflictError:
    last = case.events.exclude(action__in=SYSTEM_ACTIONS).order_by("-at", "-id").first()
    if last is not None:
        return ConflictError(
            _(
                "This case was already handled by %(who)s (%(what)s, %(when)s); reload to see its current state."
            )
            % {
                "who": last.actor_label or _("the system"),
                "what": action_label(last.action),
                "when": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return ConflictError(
        _("This case has changed since you opened it; reload to see its current state.")
    )


@transaction.atomic
def transition(
    *,
    actor: Any,
    case: Case | int,
    action: str,
    note: str = "",
    expected_state: str | None = None,
    apply: Apply | None = None,
    data: dict[str, Any] | None = None,
    via_tracking_code: bool = False,
) -> Case:
    """Take `action` on the case. `expected_state` is the state the user saw: if someone else
    changed the case meanwhile, the loser gets a ConflictError naming who did what.
    `apply(locked_case)` makes the action's own changes and may return extra event data."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise ServiceError(_("Unknown action."))
    pk = case.pk if isinstance(case, Case) else case
    locked = Case.objects.select_for_update().get(pk=pk)
    access = access_for(actor)
    if not via_tracking_code and not role_may(access, t, locked):
        raise NotAllowed(
            _("You are not allowed to “%(action)s” on this case.") % {"action": t.label}
        )
    if expected_state is not None and expected_state != locked.state:
        raise _refuse_conflict(locked, action)
    if locked.state not in t.sources:
        if expected_state is None and isinstance(case, Case) and case.state != locked.state:
            raise _refuse_conflict(locked, action)
        raise ServiceError(
            _("A case that is “%(state)s” cannot be changed with “%(action)s”.")
            % {"state": locked.get_state_display(), "action": t.label}
        )
    note = (note or "").strip()
    if t.note_required and not note:
        raise ServiceError(
            _("Please give a reason or note for “%(action)s”.") % {"action": t.label},
            field_errors={"note": [_("This field is required.")]},
        )
    from_state = locked.state
    extra = apply(locked) if apply else None
    if t.target == "@previous":
        locked.state = locked.suspended_from or S.ACCEPTED
        locked.suspended_from = ""
    elif t.target is not None:
        if t.target == S.SUSPENDED:
            locked.suspended_from = from_state
        locked.state = t.target
    locked.version += 1
    locked.save()
    event = record_event(
        case=locked,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=locked.state,
        note=note,
        data={**(data or {}), **(extra or {})},
        public=t.public,
    )
    audit.record(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=AuditEvent.Action.STATE if from_state != locked.state else AuditEvent.Action.UPDATE,
        obj=locked,
        changes={"state": {"before": from_state, "after": locked.state}}
        if from_state != locked.state
        else {},
        note=f"{action}: {note}"[:2000] if note else action,
    )
    events.publish(
        EVENT_NAMES.get(action, f"case.{action}"),
        actor=actor,
        case_id=locked.pk,
        event_id=event.pk,
        action=action,
        from_state=from_state,
        to_state=locked.state,
    )
    if isinstance(case, Case):
        for field in locked._meta.concrete_fields:
            setattr(case, field.attname, getattr(locked, field.attname))
    return locked


def record_event(
    *,
    case: Case,
    actor: Any,
    action: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
    at: Any = None,
) -> CaseEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = str(user) if user else (_("system") if actor is None else str(actor))
    return CaseEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        actor=user,
        actor_label=label[:150],
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=audit._json_value(data or {}),
        public=public,
    )
