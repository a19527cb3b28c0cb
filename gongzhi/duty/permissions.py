"""Who may read and change the duty roster, the shift log and handovers.

| role | roster, log, handovers | edit the roster | write the log | swaps |
| --- | --- | --- | --- | --- |
| duty chief | read | yes | yes | request for own shifts; decide any |
| operator | read | no | yes | request for own shifts; accept or refuse those offered to them |
| administrator | read | yes | yes | as a duty chief |
| leader, auditor | read | no | no | no |
| anyone else (departments, inspectors, residents …) | no | no | no | no |

Handing over a shift is for its duty chief (or any duty chief when the shift has none),
acknowledging it for the incoming shift's duty chief (likewise); administrators may do both.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core.permissions import SHARED, Policy, register
from gongzhi.core.roles import Access, Role

from .models import DutyAssignment, Handover, Shift, ShiftLogEntry, ShiftPattern, SwapRequest

READERS = (Role.OPERATOR, Role.DUTY_CHIEF, Role.ADMIN, Role.LEADER, Role.AUDITOR)
EDITORS = (Role.DUTY_CHIEF, Role.ADMIN)
WRITERS = (Role.OPERATOR, Role.DUTY_CHIEF, Role.ADMIN)


def reads_roster(access: Access) -> bool:
    return access.user_id is not None and access.has(*READERS)


def edits_roster(access: Access) -> bool:
    return access.user_id is not None and access.has(*EDITORS)


def writes_log(access: Access) -> bool:
    return access.user_id is not None and access.has(*WRITERS)


def leads_shift(access: Access, shift: Shift | None) -> bool:
    """May hand over (or take over) `shift`: its duty chief, any duty chief when it has none
    (or there is no shift), administrators always."""
    from .selectors import chief_of

    if access.user_id is None:
        return False
    if access.has(Role.ADMIN):
        return True
    if not access.has(Role.DUTY_CHIEF):
        return False
    chief = chief_of(shift) if shift is not None else None
    return chief is None or chief.person_id == access.person_id


class _CentrePolicy(Policy):
    """Readable by the centre, leaders and auditors; changed by duty chiefs and administrators."""

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if reads_roster(access) else qs.none()

    def can_view(self, access: Access, obj: Any) -> bool:
        return reads_roster(access)

    def can_create(self, access: Access, obj: Any) -> bool:
        return edits_roster(access)

    def can_change(self, access: Access, obj: Any) -> bool:
        return edits_roster(access)


@register(ShiftPattern)
class ShiftPatternPolicy(_CentrePolicy):
    subdistrict_path = SHARED  # every centre works the same patterns

    def can_create(self, access: Access, obj: Any) -> bool:
        return access.has(Role.ADMIN)

    def can_change(self, access: Access, obj: Any) -> bool:
        return access.has(Role.ADMIN)


@register(Shift)
class ShiftPolicy(_CentrePolicy):
    subdistrict_path = "subdistrict"

    def can_edit_roster(self, access: Access, obj: Any) -> bool:
        return edits_roster(access)


@register(DutyAssignment)
class DutyAssignmentPolicy(_CentrePolicy):
    subdistrict_path = "shift__subdistrict"

    def can_request_swap(self, access: Access, obj: DutyAssignment) -> bool:
        if edits_roster(access):
            return True
        return (
            writes_log(access)
            and access.person_id is not None
            and getattr(obj, "person_id", None) == access.person_id
        )


@register(SwapRequest)
class SwapRequestPolicy(Policy):
    """Roster editors, leaders and auditors see every request; staff the ones about them."""

    subdistrict_path = "assignment__shift__subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not reads_roster(access):
            return qs.none()
        if access.has(Role.DUTY_CHIEF, Role.ADMIN, Role.LEADER, Role.AUDITOR):
            return qs
        if access.person_id is None:
            return qs.none()
        return qs.filter(Q(from_person_id=access.person_id) | Q(to_person_id=access.person_id))

    def can_accept(self, access: Access, obj: SwapRequest) -> bool:
        return edits_roster(access) or (writes_log(access) and access.person_id == obj.to_person_id)

    def can_refuse(self, access: Access, obj: SwapRequest) -> bool:
        return self.can_accept(access, obj)

    def can_cancel(self, access: Access, obj: SwapRequest) -> bool:
        return edits_roster(access) or (
            access.user_id is not None
            and (
                obj.requested_by_id == access.user_id
                or (access.person_id is not None and access.person_id == obj.from_person_id)
            )
        )


@register(ShiftLogEntry)
class ShiftLogEntryPolicy(_CentrePolicy):
    subdistrict_path = "subdistrict"

    def can_create(self, access: Access, obj: Any) -> bool:
        return writes_log(access)


@register(Handover)
class HandoverPolicy(_CentrePolicy):
    subdistrict_path = "shift__subdistrict"

    def can_create(self, access: Access, obj: Any) -> bool:
        return writes_log(access) and access.has(Role.DUTY_CHIEF, Role.ADMIN)
