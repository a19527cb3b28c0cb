"""Who may see and do what with shared resources.

| who | resources | applications, permits, violations | gate log, gate check | bookings |
| --- | --- | --- | --- | --- |
| the owner unit's liaison | manage their unit's | read and decide their unit's; draw | read; check | read, confirm their unit's |
| anyone holding a position at the owner unit (the guard) | read | read their unit's | read; check | read their unit's |
| a resident (any signed-in user) | read | their own: apply, read, withdraw, appeal | no | their own |
| residential-area staff | read | of applicants of their area (read) | no | their own |
| centre, leaders, auditors | read all | read all | read all | read all |
| administrators | all | all | all | all |

Everything else is refused on the server, per object: out-of-scope rows are missing (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core.permissions import Policy, register
from gongzhi.core.roles import Access, Role

from .models import (
    AvailabilityException,
    AvailabilityWindow,
    Booking,
    Draw,
    GateEvent,
    Permit,
    PermitApplication,
    ProofDocument,
    SharedResource,
    Violation,
)


def signed_in(access: Access) -> bool:
    return access.user_id is not None


def reads_all(access: Access) -> bool:
    """The centre, leaders, auditors and administrators read every unit's records."""
    return access.user_id is not None and access.whole_subdistrict


def manages(access: Access, owner_id: int | None) -> bool:
    """The owner unit's liaison, or an administrator."""
    if access.user_id is None:
        return False
    if access.has(Role.ADMIN):
        return _owner_in_reach(access, owner_id)
    return access.has(Role.LIAISON) and owner_id in access.unit_ids


def _owner_in_reach(access: Access, owner_id: int | None) -> bool:
    """Is the owner unit in the user's subdistricts (an administrator of one subdistrict does
    not manage another's resources)?"""
    if access.subdistrict_ids is None or owner_id is None:
        return True
    from gongzhi.org.models import Organisation

    sd = Organisation.objects.filter(pk=owner_id).values_list("subdistrict_id", flat=True).first()
    return access.in_subdistrict(sd)


def at_unit(access: Access, owner_id: int | None) -> bool:
    """Anyone holding a position at the owner unit (its liaison, its gate guard …)."""
    return access.user_id is not None and (owner_id in access.org_ids or manages(access, owner_id))


def runs_a_gate(access: Access) -> bool:
    """Sees the gate page in the menu: a unit's liaison, an administrator, and whoever holds a
    position that gives no other role at a unit that owns a car park (its gate guard). The
    page itself checks the resource's owner (`can_gate`)."""
    if access.user_id is None:
        return False
    if access.has(Role.ADMIN, Role.LIAISON):
        return True
    if not access.org_ids or access.is_staff_member:
        return False
    from .availability import car_park_owner_ids

    return bool(access.org_ids & car_park_owner_ids())


class _OwnerSubdistrict(Policy):
    """Rows of a resource: in the subdistrict of the resource's owner unit (`subdistrict_path`);
    a person's own rows (`own_user` is them) wherever they are (Policy.subdistrict_q)."""

    subdistrict_path = "resource__owner__subdistrict"


def manages_any(access: Access) -> bool:
    return access.user_id is not None and (access.has(Role.ADMIN) or access.has(Role.LIAISON))


@register(SharedResource)
class SharedResourcePolicy(_OwnerSubdistrict):
    subdistrict_path = "owner__subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if signed_in(access) else qs.none()

    def can_view(self, access: Access, obj: Any) -> bool:
        return signed_in(access) and (access.every_subdistrict or self.in_scope(access, obj))

    def can_create(self, access: Access, obj: Any) -> bool:
        return manages_any(access)

    def can_change(self, access: Access, obj: Any) -> bool:
        return manages(access, getattr(obj, "owner_id", None))

    def can_gate(self, access: Access, obj: Any) -> bool:
        return at_unit(access, getattr(obj, "owner_id", None))

    def can_apply(self, access: Access, obj: Any) -> bool:
        return signed_in(access) and obj.kind == SharedResource.Kind.CAR_PARK

    def can_book(self, access: Access, obj: Any) -> bool:
        return signed_in(access) and obj.kind != SharedResource.Kind.CAR_PARK

    def can_draw(self, access: Access, obj: Any) -> bool:
        return manages(access, getattr(obj, "owner_id", None))

    def can_see_log(self, access: Access, obj: Any) -> bool:
        return reads_all(access) or at_unit(access, getattr(obj, "owner_id", None))


class _PartOfResource(_OwnerSubdistrict):
    """Windows, exceptions, draws: seen by everyone signed in, changed by the owner."""

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if signed_in(access) else qs.none()

    def can_view(self, access: Access, obj: Any) -> bool:
        return signed_in(access) and (access.every_subdistrict or self.in_scope(access, obj))

    def can_change(self, access: Access, obj: Any) -> bool:
        return manages(access, obj.resource.owner_id)


register(AvailabilityWindow)(type("AvailabilityWindowPolicy", (_PartOfResource,), {}))
register(AvailabilityException)(type("AvailabilityExceptionPolicy", (_PartOfResource,), {}))
register(Draw)(type("DrawPolicy", (_PartOfResource,), {}))


def _unit_q(access: Access, prefix: str) -> Q:
    return Q(**{f"{prefix}owner_id__in": access.org_ids | access.unit_ids})


@register(PermitApplication)
class PermitApplicationPolicy(_OwnerSubdistrict):
    own_user = "applicant_user_id"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not signed_in(access):
            return qs.none()
        if reads_all(access):
            return qs
        q = Q(applicant_user_id=access.user_id) | _unit_q(access, "resource__")
        if access.has(Role.AREA) and access.area_ids:
            q |= Q(residential_area_id__in=access.area_ids)
        return qs.filter(q)

    def can_withdraw(self, access: Access, obj: Any) -> bool:
        return obj.applicant_user_id == access.user_id or manages(access, obj.resource.owner_id)

    def can_decide(self, access: Access, obj: Any) -> bool:
        return manages(access, obj.resource.owner_id)

    def can_see_phone(self, access: Access, obj: Any) -> bool:
        """The full phone: the applicant and the owner's liaison (to call about the permit)."""
        return obj.applicant_user_id == access.user_id or manages(access, obj.resource.owner_id)


@register(ProofDocument)
class ProofDocumentPolicy(_OwnerSubdistrict):
    """Only the applicant and the owner unit (its liaison, administrators) see a proof."""

    subdistrict_path = "application__resource__owner__subdistrict"
    own_user = "application__applicant_user_id"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not signed_in(access):
            return qs.none()
        q = Q(application__applicant_user_id=access.user_id)
        if access.has(Role.ADMIN):
            return qs
        if access.has(Role.LIAISON):
            q |= Q(application__resource__owner_id__in=access.unit_ids)
        return qs.filter(q)


@register(Permit)
class PermitPolicy(_OwnerSubdistrict):
    own_user = "holder_user_id"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not signed_in(access):
            return qs.none()
        if reads_all(access):
            return qs
        return qs.filter(Q(holder_user_id=access.user_id) | _unit_q(access, "resource__"))

    def can_change(self, access: Access, obj: Any) -> bool:
        return manages(access, obj.resource.owner_id)


@register(Violation)
class ViolationPolicy(_OwnerSubdistrict):
    subdistrict_path = "permit__resource__owner__subdistrict"
    own_user = "permit__holder_user_id"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not signed_in(access):
            return qs.none()
        if reads_all(access):
            return qs
        return qs.filter(
            Q(permit__holder_user_id=access.user_id) | _unit_q(access, "permit__resource__")
        )

    def can_appeal(self, access: Access, obj: Any) -> bool:
        return obj.permit.holder_user_id == access.user_id

    def can_decide(self, access: Access, obj: Any) -> bool:
        return manages(access, obj.permit.resource.owner_id)


@register(GateEvent)
class GateEventPolicy(_OwnerSubdistrict):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not signed_in(access):
            return qs.none()
        if reads_all(access):
            return qs
        return qs.filter(_unit_q(access, "resource__"))


@register(Booking)
class BookingPolicy(_OwnerSubdistrict):
    own_user = "booked_by_id"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not signed_in(access):
            return qs.none()
        if reads_all(access):
            return qs
        return qs.filter(Q(booked_by_id=access.user_id) | _unit_q(access, "resource__"))

    def can_confirm(self, access: Access, obj: Any) -> bool:
        return manages(access, obj.resource.owner_id)

    def can_cancel(self, access: Access, obj: Any) -> bool:
        return obj.booked_by_id == access.user_id or manages(access, obj.resource.owner_id)
