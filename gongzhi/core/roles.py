"""Who a user is in the system: roles and scopes.

They are derived from the positions of the user's person by the function the organisation app
registers with `set_access_resolver()` (gongzhi.org.access.compute_access); `access_for()` asks
it once per request. A role says what kind of work a user does; a scope says over which part of the subdistrict:
a department handler is scoped to its department, a residential-area secretary to its area, an
inspector, a station's cadre or department liaison to the grids of their grid station, a leader
to the whole subdistrict.

One installation may serve several subdistricts of a district. Every staff scope is then also
narrowed to the subdistricts of the organisations the user holds positions in
(`Access.subdistrict_ids`); a position in a district-level organisation (one that belongs to no
subdistrict) reaches every subdistrict. `None` means "every subdistrict": the district level,
superusers, and every user of an installation that serves one subdistrict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("grid-centre operator")
    DUTY_CHIEF = "duty_chief", _("duty chief")
    DEPARTMENT = "department", _("department handler")
    INSPECTOR = "inspector", _("inspector")
    STATION = "station", _("grid-station cadre or department liaison")
    AREA = "area", _("residential-area secretary or member")
    LIAISON = "liaison", _("alliance member unit liaison")
    SERVICE_STAFF = "service_staff", _("service-centre staff")
    RESIDENT = "resident", _("resident")
    LEADER = "leader", _("leader")
    AUDITOR = "auditor", _("auditor")
    ADMIN = "admin", _("administrator")


# Roles whose scope is the whole subdistrict.
SUBDISTRICT_WIDE = frozenset(
    {Role.OPERATOR, Role.DUTY_CHIEF, Role.LEADER, Role.AUDITOR, Role.ADMIN}
)
STAFF_ROLES = frozenset(set(Role) - {Role.RESIDENT})


@dataclass(frozen=True)
class Access:
    """What one user may reach. Built once per request by `access_for()`."""

    user_id: int | None
    roles: frozenset[Role] = frozenset()
    area_ids: frozenset[int] = frozenset()  # residential areas (AREA role)
    department_ids: frozenset[int] = (
        frozenset()
    )  # organisations of kind department / property company
    station_ids: frozenset[int] = frozenset()  # grid stations (INSPECTOR, STATION roles)
    unit_ids: frozenset[int] = frozenset()  # resident units (LIAISON role)
    service_org_ids: frozenset[int] = frozenset()  # service centre / stations (SERVICE_STAFF role)
    org_ids: frozenset[int] = frozenset()  # every organisation the user holds a position in
    # The subdistricts the user's staff scopes are narrowed to; None: every subdistrict.
    subdistrict_ids: frozenset[int] | None = None
    person_id: int | None = None
    is_superuser: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def has(self, *roles: Role) -> bool:
        return self.is_superuser or any(r in self.roles for r in roles)

    @property
    def is_staff_member(self) -> bool:
        return self.is_superuser or bool(self.roles & STAFF_ROLES)

    @property
    def whole_subdistrict(self) -> bool:
        """Sees all of their subdistrict(s) (see `subdistrict_ids`), not one part of it."""
        return self.is_superuser or bool(self.roles & SUBDISTRICT_WIDE)

    @property
    def every_subdistrict(self) -> bool:
        """Not narrowed to some subdistricts: the district level, or a one-subdistrict install."""
        return self.subdistrict_ids is None

    def in_subdistrict(self, subdistrict_id: int | None) -> bool:
        """Is an object of this subdistrict (None: of no subdistrict, the district's) reachable?"""
        return (
            self.subdistrict_ids is None
            or subdistrict_id is None
            or subdistrict_id in self.subdistrict_ids
        )

    @property
    def primary_role(self) -> Role:
        for role in (
            Role.ADMIN,
            Role.LEADER,
            Role.DUTY_CHIEF,
            Role.OPERATOR,
            Role.DEPARTMENT,
            Role.INSPECTOR,
            Role.STATION,
            Role.AREA,
            Role.SERVICE_STAFF,
            Role.LIAISON,
            Role.AUDITOR,
        ):
            if role in self.roles:
                return role
        return Role.ADMIN if self.is_superuser else Role.RESIDENT


ANONYMOUS = Access(user_id=None)


def _superuser_only(user: Any) -> Access:
    """Before an app registers the real resolver: residents, and superusers as administrators."""
    roles = {Role.RESIDENT} | ({Role.ADMIN} if user.is_superuser else set())
    return Access(
        user_id=user.pk,
        roles=frozenset(roles),
        person_id=getattr(user, "person_id", None),
        is_superuser=bool(user.is_superuser),
    )


_resolver: Callable[[Any], Access] = _superuser_only


def set_access_resolver(resolver: Callable[[Any], Access]) -> None:
    """Install the function that derives a user's Access (the organisation app does, at start)."""
    global _resolver
    _resolver = resolver


def access_for(user: Any) -> Access:
    """The user's Access, computed once and kept on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_gongzhi_access", None)
    if cached is None:
        cached = _resolver(user)
        user._gongzhi_access = cached
    return cached
