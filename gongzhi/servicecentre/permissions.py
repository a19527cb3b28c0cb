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

from gongzhi.core.permissions import SHARED, Policy, register
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


class _BySubdistrict(Policy):
    """Rows of a subdistrict's service network (`subdistrict_path`); a person's own rows
    (`own_user` is them) wherever they are (Policy.subdistrict_q)."""


class _NetworkOrOwn(_BySubdistrict):
    """Staff who see the network read every row; anyone else logged in, their own rows
    (`own_user` is them); the public, none."""

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.user_id is None:
            return qs.none()
        if sees_network(access):
            return qs
        return qs.filter(**{self.own_user: access.user_id})


class _OwnOrPoints(_BySubdistrict):
    """Those who read the network see every row; station staff, the rows of their points
    (`point_path`) and their own; anyone else logged in, their own (`own_user` is them); the
    public, none."""

    point_path = ""

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.user_id is None:
            return qs.none()
        if reads_network(access):
            return qs
        own = Q(**{self.own_user: access.user_id})
        ids = point_ids(access)
        return qs.filter(own | Q(**{f"{self.point_path}__in": ids})) if ids else qs.filter(own)


class _Reference(_BySubdistrict):
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


# Points and rooms are a subdistrict's; the brand programmes and the catalogue of services
# (one title each) are the installation's.
for _model, _path in (
    (ServicePoint, "organisation__subdistrict"),
    (Room, "point__organisation__subdistrict"),
    (Programme, SHARED),
    (CatalogueItem, SHARED),
):
    register(_model)(type(f"{_model.__name__}Policy", (_Reference,), {"subdistrict_path": _path}))


@register(Menu)
class MenuPolicy(_BySubdistrict):
    subdistrict_path = "subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if sees_network(access):
            return qs if reads_network(access) else qs.filter(state=Menu.State.PUBLISHED)
        if access.user_id is None:
            return qs.none()
        return qs.filter(state=Menu.State.PUBLISHED)

    def can_create(self, access: Access, obj: Any) -> bool:
        return is_centre_staff(access)

    def can_change(self, access: Access, obj: Any) -> bool:
        """The centre's staff, of the menu's subdistrict."""
        sd = obj.subdistrict_id if isinstance(obj, Menu) else None
        return is_centre_staff(access) and access.in_subdistrict(sd)

    def can_order(self, access: Access, obj: Any) -> bool:
        return bool(point_ids(access)) or is_centre_staff(access)


@register(MenuItem)
class MenuItemPolicy(_BySubdistrict):
    subdistrict_path = "menu__subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if reads_network(access):
            return qs
        if access.user_id is None:
            return qs.none()
        return qs.filter(menu__state=Menu.State.PUBLISHED)


@register(Order)
class OrderPolicy(_BySubdistrict):
    subdistrict_path = "station__organisation__subdistrict"

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
class EventPolicy(_BySubdistrict):
    """Open events are public (their pages need no login); staff see cancelled ones too."""

    subdistrict_path = "point__organisation__subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if sees_network(access):
            return qs
        return qs.filter(state=Event.State.OPEN, archived_at__isnull=True)

    def can_check_in(self, access: Access, obj: Any) -> bool:
        if obj.point_id in point_ids(access):
            return True
        return is_centre_staff(access) and access.in_subdistrict(
            obj.point.organisation.subdistrict_id
        )

    def can_register(self, access: Access, obj: Any) -> bool:
        return access.user_id is not None and obj.state == Event.State.OPEN


@register(Registration)
class RegistrationPolicy(_OwnOrPoints):
    """Personal data: a person sees their own; staff see those of the events they run."""

    subdistrict_path = "event__point__organisation__subdistrict"
    own_user = "user_id"
    point_path = "event__point_id"

    def can_reveal(self, access: Access, obj: Any) -> bool:
        return access.has(Role.ADMIN) or (
            is_service_staff(access)
            and (is_centre_staff(access) or obj.event.point_id in point_ids(access))
        )


@register(Feedback)
class FeedbackPolicy(_NetworkOrOwn):
    subdistrict_path = "registration__event__point__organisation__subdistrict"
    own_user = "registration__user_id"


@register(Volunteer)
class VolunteerPolicy(_NetworkOrOwn):
    subdistrict_path = "residential_area__subdistrict"
    own_user = "user_id"

    def can_change(self, access: Access, obj: Any) -> bool:
        return obj.user_id == access.user_id or is_centre_staff(access)


@register(Opportunity)
class OpportunityPolicy(_BySubdistrict):
    subdistrict_path = "organiser__organisation__subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if access.user_id is not None else qs.none()

    def can_create(self, access: Access, obj: Any) -> bool:
        return is_service_staff(access)


@register(Shift)
class ShiftPolicy(OpportunityPolicy):
    subdistrict_path = "opportunity__organiser__organisation__subdistrict"


@register(ShiftSignup)
class ShiftSignupPolicy(_OwnOrPoints):
    subdistrict_path = "shift__opportunity__organiser__organisation__subdistrict"
    own_user = "volunteer__user_id"
    point_path = "shift__opportunity__organiser_id"


@register(PointsEntry)
class PointsEntryPolicy(_NetworkOrOwn):
    subdistrict_path = "volunteer__residential_area__subdistrict"
    own_user = "volunteer__user_id"


@register(ServiceLog)
class ServiceLogPolicy(Policy):
    """Timeline rows name their subject loosely (`subject`, `subject_id`): staff narrowed to
    some subdistricts read them on their subject's page, not as rows of their own."""

    subdistrict_path = SHARED

    def subdistrict_q(self, access: Access) -> Q | None:
        return None if access.subdistrict_ids is None else Q(pk__in=[])

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if reads_network(access) else qs.none()
