"""Who sees and changes what in the alliance.

The three lists are shared among the alliance's staff: every staff member sees the resources,
needs and projects. A unit's liaison changes only its own unit's resources and acts on the
projects its unit is a party to; an area secretary changes their area's needs, self-governance
projects and dual registration confirmations; the Party-building service centre, leaders and
administrators reach everything. Residents see the projects the units agreed to show, and
evaluate the completed ones that served their area."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core.permissions import Policy, register
from gongzhi.core.roles import Access, Role
from gongzhi.workflow import TablePolicy

from .models import (
    Alliance,
    CharterVersion,
    DualRegistrationYear,
    JointActivity,
    Membership,
    Milestone,
    Need,
    Project,
    ProjectEvaluation,
    ProjectEvent,
    ProjectParty,
    Resource,
)
from .workflow import ALLIANCE_STAFF, DONE_STATES, PROJECTS, party_unit_ids, project_area_ids


def is_alliance_staff(access: Access) -> bool:
    return access.has(*ALLIANCE_STAFF)


class _StaffSeePolicy(Policy):
    """Every staff member sees the rows; the alliance's staff change them."""

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if access.is_staff_member else qs.none()

    def can_change(self, access: Access, obj: Any) -> bool:
        return is_alliance_staff(access)

    def can_create(self, access: Access, obj: Any) -> bool:
        return is_alliance_staff(access)


@register(Alliance)
class AlliancePolicy(_StaffSeePolicy):
    subdistrict_path = "subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs


@register(CharterVersion)
class CharterPolicy(AlliancePolicy):
    subdistrict_path = "alliance__subdistrict"


@register(Membership)
class MembershipPolicy(_StaffSeePolicy):
    subdistrict_path = "alliance__subdistrict"


@register(JointActivity)
class JointActivityPolicy(_StaffSeePolicy):
    subdistrict_path = "alliance__subdistrict"

    def can_create(self, access: Access, obj: Any) -> bool:
        return is_alliance_staff(access) or access.has(Role.LIAISON, Role.AREA)


@register(Resource)
class ResourcePolicy(_StaffSeePolicy):
    subdistrict_path = "owner__subdistrict"

    def can_create(self, access: Access, obj: Any) -> bool:
        return is_alliance_staff(access) or (access.has(Role.LIAISON) and bool(access.unit_ids))

    def can_change(self, access: Access, obj: Any) -> bool:
        if is_alliance_staff(access):
            return access.in_subdistrict(obj.owner.subdistrict_id)
        return access.has(Role.LIAISON) and obj.owner_id in access.unit_ids

    can_archive = can_change

    def can_offer_for(self, access: Access, owner_id: int | None) -> bool:
        return is_alliance_staff(access) or owner_id in access.unit_ids


def home_area_id(access: Access) -> int | None:
    """The residential area the user lives in (their person's home area), once per request."""
    if "home_area_id" not in access.extra:
        from gongzhi.org.models import Person

        access.extra["home_area_id"] = (
            Person.objects.filter(pk=access.person_id)
            .values_list("home_area_id", flat=True)
            .first()
            if access.person_id
            else None
        )
    return access.extra["home_area_id"]  # type: ignore[no-any-return]


@register(Need)
class NeedPolicy(_StaffSeePolicy):
    subdistrict_path = "subdistrict"

    def can_create(self, access: Access, obj: Any) -> bool:
        return is_alliance_staff(access) or access.user_id is not None

    def can_raise(self, access: Access, obj: Any) -> bool:
        """A resident raises a need of the area they live in (the area's secretary takes it
        up); staff as can_change says."""
        if self.can_change(access, obj):
            return True
        home = home_area_id(access)
        return (
            home is not None and obj.residential_area_id == home and obj.raised_by_unit_id is None
        )

    def can_change(self, access: Access, obj: Any) -> bool:
        if is_alliance_staff(access):
            return access.in_subdistrict(obj.subdistrict_id)
        if access.has(Role.AREA) and obj.residential_area_id in access.area_ids:
            return True
        return access.has(Role.LIAISON) and obj.raised_by_unit_id in access.unit_ids

    can_archive = can_change

    def can_match(self, access: Access, obj: Any) -> bool:
        """Confirm a match (propose a project): the need's owners and the alliance's staff."""
        return self.can_change(access, obj)


@register(Project)
class ProjectPolicy(TablePolicy):
    table = PROJECTS
    subdistrict_path = "subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.is_staff_member:
            return qs
        return qs.filter(public=True).exclude(state=Project.State.PROPOSED)

    def can_change(self, access: Access, obj: Project) -> bool:
        """Edit the project's details, parties and milestones."""
        if is_alliance_staff(access):
            return access.in_subdistrict(obj.subdistrict_id)
        if obj.state not in (
            Project.State.PROPOSED,
            Project.State.AGREED,
            Project.State.IN_PROGRESS,
        ):
            return False
        if access.has(Role.AREA) and project_area_ids(obj) & access.area_ids:
            return True
        return access.has(Role.LIAISON) and bool(party_unit_ids(obj) & access.unit_ids)

    def can_rate(self, access: Access, obj: Project) -> bool:
        """A resident evaluates a completed project that served their home area."""
        if access.user_id is None or obj.state not in DONE_STATES:
            return False
        home = home_area_id(access)
        return home is not None and home in project_area_ids(obj)


class _ProjectRowPolicy(Policy):
    prefix = "project__"
    subdistrict_path = "project__subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.is_staff_member:
            return qs
        return qs.filter(**{f"{self.prefix}public": True}).exclude(
            **{f"{self.prefix}state": Project.State.PROPOSED}
        )


@register(ProjectParty)
class ProjectPartyPolicy(_ProjectRowPolicy):
    pass


@register(Milestone)
class MilestonePolicy(_ProjectRowPolicy):
    pass


@register(ProjectEvent)
class ProjectEventPolicy(_ProjectRowPolicy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        qs = super().scope(access, qs)
        return qs if access.is_staff_member else qs.filter(public=True)


@register(ProjectEvaluation)
class ProjectEvaluationPolicy(_ProjectRowPolicy):
    pass


@register(DualRegistrationYear)
class DualRegistrationYearPolicy(Policy):
    subdistrict_path = "registration__residential_area__subdistrict"

    def subdistrict_q(self, access: Access) -> Q | None:
        """The area registered with's subdistrict (a member's or a unit's registration); one's
        own record wherever it is."""
        ids = access.subdistrict_ids
        if ids is None:
            return None
        q = Q(registration__residential_area__subdistrict_id__in=ids) | Q(
            unit_registration__residential_area__subdistrict_id__in=ids
        )
        if access.person_id:
            q |= Q(registration__person_id=access.person_id)
        return q

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if is_alliance_staff(access) or access.has(Role.AUDITOR):
            return qs
        q = Q(pk__in=[])
        if access.area_ids:
            q |= Q(registration__residential_area_id__in=access.area_ids)
            q |= Q(unit_registration__residential_area_id__in=access.area_ids)
        if access.person_id:
            q |= Q(registration__person_id=access.person_id)
        if access.org_ids:
            q |= Q(unit_registration__party_organisation_id__in=access.org_ids)
            q |= Q(unit_registration__party_organisation__parent_id__in=access.org_ids)
        return qs.filter(q)

    def can_confirm(self, access: Access, obj: DualRegistrationYear) -> bool:
        if is_alliance_staff(access):
            return True
        return access.has(Role.AREA) and obj.residential_area_id in access.area_ids
