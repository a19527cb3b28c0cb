"""The organisation and its people, for the subdistrict's staff (as the organisation pages).
People are scoped by the permission module (an area's secretary sees the people of the area,
a department its own, the centre everyone); personal data is masked, and revealed one field
at a time through a logged operation."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed
from gongzhi.core.roles import access_for
from gongzhi.org import selectors, services
from gongzhi.org.models import Organisation, Person, Position
from gongzhi.places.models import ResidentialArea

from . import schemas as s
from .cases import READ_ERRORS, WRITE_ERRORS, PageQuery
from .http import NOT_STORED
from .pagination import keyset, page

router = Router(tags=["organisation"])


def _require_staff(user: Any) -> None:
    if not access_for(user).is_staff_member:
        raise NotAllowed(_("This is for the subdistrict's staff."))


class OrganisationFilters(PageQuery):
    kind: s.OrgKindT | None = None
    parent: int | None = Field(None, ge=1, le=s.MAX_ID)
    q: str = Field("", max_length=60, description="Words of the name.")
    archived: bool = Field(False, description="Archived organisations instead of active ones.")


@router.get(
    "/organisations",
    response={200: s.OrganisationPage, **READ_ERRORS},
    url_name="organisation_list",
)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilters]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    _require_staff(user)
    f = filters
    qs = perms.visible(user, Organisation.objects.select_related("residential_area")).filter(
        archived_at__isnull=not f.archived
    )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.parent:
        qs = qs.filter(parent_id=f.parent)
    if f.q.strip():
        qs = qs.filter(Q(name__icontains=f.q.strip()) | Q(short_name__icontains=f.q.strip()))
    return page(qs, ("name", "id"), f, s.build_organisation)


@router.get(
    "/organisations/{organisation_id}",
    response={200: s.OrganisationDetailOut, **READ_ERRORS},
    url_name="organisation_detail",
)
def organisation_detail(
    request: HttpRequest, organisation_id: int = Path(..., ge=1, le=s.MAX_ID)
) -> Any:
    """One organisation with its current positions (who holds them)."""
    user = request.auth  # type: ignore[attr-defined]
    _require_staff(user)
    org = perms.get_visible_or_404(
        user, Organisation.objects.select_related("residential_area"), pk=organisation_id
    )
    profile = selectors.organisation_profile(org)
    for p in profile.current_positions:
        p.organisation = org
    return s.OrganisationDetailOut(
        **s.build_organisation(org),
        positions=[s.build_position(p) for p in profile.current_positions],
    )


class PeopleFilters(PageQuery):
    q: str = Field("", max_length=60, description="Name, organisation, role or title.")
    organisation: int | None = Field(None, ge=1, le=s.MAX_ID)
    role: s.PositionRoleT | None = None
    residential_area: int | None = Field(None, ge=1, le=s.MAX_ID)


def _current_positions(people: list[Person]) -> dict[int, list[Position]]:
    out: dict[int, list[Position]] = {
        p.pk: list(getattr(p, "current_positions", [])) for p in people
    }
    return out


@router.get("/people", response={200: s.PersonPage, **READ_ERRORS}, url_name="person_list")
def person_list(request: HttpRequest, filters: Query[PeopleFilters]) -> Any:
    """The people this user may see, by name. Mobile and ID numbers are masked."""
    user = request.auth  # type: ignore[attr-defined]
    _require_staff(user)
    f = filters
    organisation = (
        Organisation.objects.filter(pk=f.organisation).first() if f.organisation else None
    )
    area = (
        ResidentialArea.objects.filter(pk=f.residential_area).first()
        if f.residential_area
        else None
    )
    if (f.organisation and organisation is None) or (f.residential_area and area is None):
        return {"items": [], "next_cursor": None}
    qs = selectors.people_search(
        user, q=f.q, organisation=organisation, role=f.role or "", area=area
    )
    rows, next_cursor = keyset(qs, ("name", "id"), cursor=f.cursor, limit=f.limit)
    positions = _current_positions(rows)
    return {
        "items": [
            s.build_person(p, positions=positions[p.pk], may_reveal=perms.can(user, "reveal", p))
            for p in rows
        ],
        "next_cursor": next_cursor,
    }


def _person(user: Any, person_id: int) -> Person:
    return perms.get_visible_or_404(user, Person.objects.select_related("home_area"), pk=person_id)


PersonId = Path(..., ge=1, le=s.MAX_ID, description="The person's id.")


@router.get(
    "/people/{person_id}", response={200: s.PersonOut, **READ_ERRORS}, url_name="person_detail"
)
def person_detail(request: HttpRequest, person_id: int = PersonId) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    _require_staff(user)
    person = _person(user, person_id)
    profile = selectors.person_profile(person)
    for p in profile.current_positions:
        p.person = person
    return s.build_person(
        person,
        positions=profile.current_positions,
        may_reveal=perms.can(user, "reveal", person),
    )


@router.post(
    "/people/{person_id}/reveal",
    response={200: s.RevealOut, **WRITE_ERRORS},
    url_name="person_reveal",
)
def person_reveal(
    request: HttpRequest, payload: s.RevealPersonIn, person_id: int = PersonId
) -> Any:
    """The full mobile or ID number, for those who must contact or identify the person (the
    person themself, administrators, the centre, and an area or department for its own
    people). Every reveal is written to the audit trail, and so is every refusal."""
    user = request.auth  # type: ignore[attr-defined]
    _require_staff(user)
    person = _person(user, person_id)
    value = services.person_reveal(actor=user, person=person, field=payload.field)
    return {"field": payload.field, "value": value}


NOT_STORED.add("person_reveal")
