"""Who sees and does what in the service network.

| who | points, catalogue, menus | orders | events | registrations | volunteers, shifts |
| --- | --- | --- | --- | --- | --- |
| centre staff, administrators | all; change | all; schedule, decline | all; check in | all (personal data masked) | all; confirm hours |
| station staff | all published; read | their station's; place, withdraw | all; check in at theirs | their events' | their opportunities' |
| leaders, auditors | all; read | all; read | all | all (masked) | all; read |
| anyone logged in (residents, office workers) | published menus | — | open events | their own | their own profile and sign-ups |
| the public (not logged in) | — | — | open events | — | — |
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core.permissions import Policy, register
from gongzhi.core.roles import Access, Role

from .models import (
    CatalogueItem,
    Event,
    Feedback,
    Menu,
    MenuItem,
    Opportunity,
    Order,
    PointsEntry,
    Programme,
    Registration,
    Room,
    ServiceLog,
    ServicePoint,
    Shift,
    ShiftSignup,
    Volunteer,
)
from .staff import is_centre_staff, is_service_staff, point_ids, reads_network

__all__ = ["is_centre_staff", "is_service_staff", "point_ids", "reads_network", "sees_network"]


def sees_network(access: Access) -> bool:
    """Staff pages (orders, statistics): centre and station staff, leaders, auditors."""
    return reads_network(access) or is_service_staff(access)


def _network_or_own(access: Access, qs: QuerySet[Any], user_path: str) -> QuerySet[Any]:
    """Staff who see the network read every row; anyone else logged in, the rows whose
    `user_path` is them; the public, none."""
    if access.user_id is None:
        return qs.none()
    if sees_network(access):
        return qs
    return qs.filter(**{user_path: access.user_id})


def _own_or_points(access: Access, qs: QuerySet[Any], own: Q, point_path: str) -> QuerySet[Any]:
    """Those who read the network see every row; station staff, the rows of their points
    (`point_path`) and their own; anyone else logged in, their own (`own`); the public, none."""
    if access.user_id is None:
        return qs.none()
    if reads_network(access):
        return qs
    ids = point_ids(access)
    return qs.filter(own | Q(**{f"{point_path}__in": ids})) if ids else qs.filter(own)


class _Reference(Policy):
    """Service points, rooms, programmes, catalogue items: read by staff, changed by the
    centre."""

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.user_id is None:
            return qs.none()
        return qs

    def can_create(self, access: Access, obj: Any) -> bool:
        return is_centre_staff(access)

    def can_change(self, access: Access, obj: Any) -> bool:
        return is_centre_staff(access)


for _model in (ServicePoint, Room, Programme, CatalogueItem):
    register(_model)(type(f"{_model.__name__}Policy", (_Reference,), {}))


@register(Menu)
class MenuPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if sees_network(access):
            return qs if reads_network(access) else qs.filter(state=Menu.State.PUBLISHED)
        if access.user_id is None:
            return qs.none()
        return qs.filter(state=Menu.State.PUBLISHED)

    def can_create(self, access: Access, obj: Any) -> bool:
        return is_centre_staff(access)

    def can_change(self, access: Access, obj: Any) -> bool:
        return is_centre_staff(access)

    def can_order(self, access: Access, obj: Any) -> bool:
        return bool(point_ids(access)) or is_centre_staff(access)


@register(MenuItem)
class MenuItemPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if reads_network(access):
            return qs
        if access.user_id is None:
            return qs.none()
        return qs.filter(menu__state=Menu.State.PUBLISHED)


@register(Order)
class OrderPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if reads_network(access):
            return qs
        ids = point_ids(access)
        return qs.filter(station_id__in=ids) if ids else qs.none()

    def can_create(self, access: Access, obj: Any) -> bool:
        if isinstance(obj, Order):
            return obj.station_id in point_ids(access) or is_centre_staff(access)
        return bool(point_ids(access)) or is_centre_staff(access)


@register(Event)
class EventPolicy(Policy):
    """Open events are public (their pages need no login); staff see cancelled ones too."""

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if sees_network(access):
            return qs
        return qs.filter(state=Event.State.OPEN, archived_at__isnull=True)

    def can_check_in(self, access: Access, obj: Any) -> bool:
        return is_centre_staff(access) or obj.point_id in point_ids(access)

    def can_register(self, access: Access, obj: Any) -> bool:
        return access.user_id is not None and obj.state == Event.State.OPEN


@register(Registration)
class RegistrationPolicy(Policy):
    """Personal data: a person sees their own; staff see those of the events they run."""

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return _own_or_points(access, qs, Q(user_id=access.user_id), "event__point_id")

    def can_reveal(self, access: Access, obj: Any) -> bool:
        return access.has(Role.ADMIN) or (
            is_service_staff(access)
            and (is_centre_staff(access) or obj.event.point_id in point_ids(access))
        )


@register(Feedback)
class FeedbackPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return _network_or_own(access, qs, "registration__user_id")


@register(Volunteer)
class VolunteerPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return _network_or_own(access, qs, "user_id")

    def can_change(self, access: Access, obj: Any) -> bool:
        return obj.user_id == access.user_id or is_centre_staff(access)


@register(Opportunity)
class OpportunityPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if access.user_id is not None else qs.none()

    def can_create(self, access: Access, obj: Any) -> bool:
        return is_service_staff(access)


@register(Shift)
class ShiftPolicy(OpportunityPolicy):
    pass


@register(ShiftSignup)
class ShiftSignupPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        own = Q(volunteer__user_id=access.user_id)
        return _own_or_points(access, qs, own, "shift__opportunity__organiser_id")


@register(PointsEntry)
class PointsEntryPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return _network_or_own(access, qs, "volunteer__user_id")


@register(ServiceLog)
class ServiceLogPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if reads_network(access) else qs.none()
