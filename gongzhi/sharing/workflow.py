"""The action table of a parking permit (gongzhi.workflow): who may suspend, reinstate, revoke,
renew or expire it, from which states, and what each changes. `PERMITS.run()` is the only way a
permit changes state; the services in services.py are thin wrappers around it.

| action | from | to | who |
| --- | --- | --- | --- |
| suspend | active | suspended | the owner unit's liaison, administrators; the system after the rules' number of violations |
| reinstate | suspended | active | the same; the system when an upheld appeal brings the violations under that number |
| revoke | active, suspended | revoked | the same |
| renew | active, suspended, expired | (active when expired; else the same) | the same |
| expire | active, suspended | expired | the system (the daily sweep) |
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Access, Role
from gongzhi.workflow import ANY, Kind, Param, Step, Workflow, action, recorder

from .models import Permit, PermitEvent

S = Permit.State
OWN_UNIT = "own_unit"
LIVE = (S.ACTIVE, S.SUSPENDED)
MANAGERS = {Role.LIAISON: OWN_UNIT, Role.ADMIN: ANY}


def own_unit(access: Access, permit: Any) -> bool:
    return permit.resource.owner_id in access.unit_ids


# One row of the permit's timeline.
record = recorder(PermitEvent, "permit")


def _note_state(step: Step) -> dict[str, Any]:
    step.obj.state_note = step.note[:200]
    return {}


def _renew_prepare(step: Step) -> None:
    valid_to = step.params.get("valid_to")
    if isinstance(valid_to, str):
        try:
            valid_to = dt.date.fromisoformat(valid_to)
        except ValueError as exc:
            raise ServiceError(
                _("Enter the new last day as a date."),
                field_errors={"valid_to": [_("Not a date.")]},
            ) from exc
    if not isinstance(valid_to, dt.date):
        raise ServiceError(
            _("Enter the new last day."), field_errors={"valid_to": [_("Required.")]}
        )
    if valid_to <= step.obj.valid_to:
        raise ServiceError(
            _("A renewal runs past the permit's current last day (%(day)s).")
            % {"day": step.obj.valid_to.isoformat()},
            field_errors={"valid_to": [_("Too early.")]},
        )
    step.found["valid_to"] = valid_to


def _renew(step: Step) -> dict[str, Any]:
    permit = step.obj
    before = permit.valid_to
    permit.valid_to = step.found["valid_to"]
    permit.renewals += 1
    return {"valid_to": {"before": before.isoformat(), "after": permit.valid_to.isoformat()}}


def _renewed_state(permit: Any) -> str:
    return S.ACTIVE if permit.state == S.EXPIRED else permit.state


ACTIONS = [
    action(
        "suspend",
        _l("Suspend"),
        [S.ACTIVE],
        S.SUSPENDED,
        MANAGERS,
        note_required=True,
        note_label=_l("reason"),
        effect=_note_state,
        summary="Suspend a permit (the gate refuses it until reinstated).",
    ),
    action(
        "reinstate",
        _l("Reinstate"),
        [S.SUSPENDED],
        S.ACTIVE,
        MANAGERS,
        effect=_note_state,
        summary="Reinstate a suspended permit.",
    ),
    action(
        "revoke",
        _l("Revoke"),
        LIVE,
        S.REVOKED,
        MANAGERS,
        note_required=True,
        note_label=_l("reason"),
        effect=_note_state,
        summary="Revoke a permit for good (its space can go to the waiting list).",
    ),
    action(
        "renew",
        _l("Renew"),
        [*LIVE, S.EXPIRED],
        _renewed_state,
        MANAGERS,
        params=(Param("valid_to", Kind.TEXT, _l("valid until"), required=True, max_length=10),),
        prepare=_renew_prepare,
        effect=_renew,
        summary="Renew a permit to a new last day (YYYY-MM-DD).",
    ),
    action(
        "expire",
        _l("Expire"),
        LIVE,
        S.EXPIRED,
        {Role.ADMIN: ANY},
        summary="Mark a permit past its last day expired (the daily sweep).",
    ),
]

PERMITS: Workflow[Permit] = Workflow(
    domain="permit",
    model=Permit,
    actions=ACTIONS,
    scopes={OWN_UNIT: own_unit},
    record=record,
)
