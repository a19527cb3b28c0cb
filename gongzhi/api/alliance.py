"""The regional alliance's lists and projects (gongzhi.alliance): resources, needs and projects
(reads with cursor pages, narrowed to what the user may see), a need's suggested resources with
the reasons for their scores, the confirmation of a match, and one endpoint per action of the
project's action table. Thin: permissions through gongzhi.core.permissions, reads through
gongzhi.alliance.selectors, writes through gongzhi.alliance.services (as the pages do)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from gongzhi.alliance import matching, selectors, services
from gongzhi.alliance.models import Category, Need, Project, Resource
from gongzhi.alliance.workflow import PROJECTS
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed
from gongzhi.workflow import Action

from . import schemas as s
from .actions import action_routes, payload_params, state_conflicts
from .errors import ApiError, ErrorOut
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, page

router = Router(tags=["alliance"])

READ_ERRORS: dict[Any, Any] = {frozenset({401, 403, 404, 422, 429}): ErrorOut}
WRITE_ERRORS: dict[Any, Any] = {frozenset({400, 401, 403, 404, 409, 422, 429}): ErrorOut}

if TYPE_CHECKING:  # the runtime types are Literal[...] of the models' choices
    CategoryT = str
    ProjectStateT = str
else:
    CategoryT = Literal[tuple(Category.values)]
    ProjectStateT = Literal[tuple(Project.State.values)]


# --- outputs --------------------------------------------------------------------------------------


class ResourceOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    description: str
    owner: s.Ref
    capacity: int | None
    capacity_unit: str
    availability: str
    windows: list[dict[str, Any]]
    place: str
    lat: float | None
    lng: float | None
    conditions: str
    created_at: dt.datetime


class NeedOut(Schema):
    id: int
    category: str
    category_label: str
    title: str
    description: str
    residential_area: s.Ref | None
    raised_by_unit: s.Ref | None
    place: str
    lat: float | None
    lng: float | None
    windows: list[dict[str, Any]]
    urgency: str
    state: str
    created_at: dt.datetime


class PartyOut(Schema):
    organisation: s.Ref
    role: str


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date | None
    progress: int


class ActionOut(Schema):
    action: str
    label: str
    note_required: bool
    path: str


class ProjectOut(Schema):
    id: int
    kind: str
    title: str
    goal: str
    state: str
    state_label: str
    residential_area: s.Ref | None
    owner_area: s.Ref | None
    need_id: int | None
    resource_id: int | None
    parties: list[PartyOut]
    beneficiaries: str
    beneficiary_count: int
    budget: Decimal | None
    outcome: str
    public: bool
    quarter: str
    proposed_at: dt.datetime | None
    agreed_at: dt.datetime | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    evaluated_at: dt.datetime | None
    version: int


class ProjectDetailOut(ProjectOut):
    milestones: list[MilestoneOut]
    progress: int
    actions: list[ActionOut]


class ResourcePage(s.PageMeta):
    items: list[ResourceOut]


class NeedPage(s.PageMeta):
    items: list[NeedOut]


class ProjectPage(s.PageMeta):
    items: list[ProjectOut]


class MatchOut(Schema):
    resource: ResourceOut
    score: float
    parts: dict[str, float]
    reasons: list[str]
    distance_m: float | None


def _resource(r: Resource) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "title": r.title,
        "description": r.description,
        "owner": s.ref(r.owner),
        "capacity": r.capacity,
        "capacity_unit": r.capacity_unit,
        "availability": r.availability,
        "windows": r.windows or [],
        "place": r.place,
        "lat": r.lat,
        "lng": r.lng,
        "conditions": r.conditions,
        "created_at": s.local(r.created_at),
    }


def _need(n: Need) -> dict[str, Any]:
    return {
        "id": n.pk,
        "category": n.category,
        "category_label": n.get_category_display(),
        "title": n.title,
        "description": n.description,
        "residential_area": s.ref(n.residential_area),
        "raised_by_unit": s.ref(n.raised_by_unit),
        "place": n.place,
        "lat": n.lat,
        "lng": n.lng,
        "windows": n.windows or [],
        "urgency": n.urgency,
        "state": n.state,
        "created_at": s.local(n.created_at),
    }


def _project(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "kind": p.kind,
        "title": p.title,
        "goal": p.goal,
        "state": p.state,
        "state_label": p.get_state_display(),
        "residential_area": s.ref(p.residential_area),
        "owner_area": s.ref(p.owner_area),
        "need_id": p.need_id,
        "resource_id": p.resource_id,
        "parties": [
            {"organisation": s.ref(x.organisation), "role": x.role} for x in p.parties.all()
        ],
        "beneficiaries": p.beneficiaries,
        "beneficiary_count": p.beneficiary_count,
        "budget": p.budget,
        "outcome": p.outcome,
        "public": p.public,
        "quarter": p.quarter,
        "proposed_at": s.local(p.proposed_at),
        "agreed_at": s.local(p.agreed_at),
        "started_at": s.local(p.started_at),
        "completed_at": s.local(p.completed_at),
        "evaluated_at": s.local(p.evaluated_at),
        "version": p.version,
    }


def _project_detail(user: Any, p: Project) -> dict[str, Any]:
    data = _project(p)
    root = reverse("api-v1:api-root")
    data["milestones"] = [
        {"id": m.pk, "title": m.title, "due_on": m.due_on, "progress": m.progress}
        for m in p.milestones.active()
    ]
    data["progress"] = selectors.project_progress(p)
    data["actions"] = [
        {
            "action": a.name,
            "label": str(a.label),
            "note_required": a.note_required,
            "path": f"{root}projects/{p.pk}/actions/{a.name}",
        }
        for a in PROJECTS.available(user, p)
    ]
    return data


# --- lists ----------------------------------------------------------------------------------------


class Paging(s.InputSchema):
    q: str = Field("", max_length=100)
    mine: bool = False
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class ResourceFilters(Paging):
    kind: CategoryT | None = None
    owner: int | None = Field(None, ge=1, le=s.MAX_ID)


class NeedFilters(Paging):
    category: CategoryT | None = None
    state: Literal["open", "matched", "closed"] | None = None
    residential_area: int | None = Field(None, ge=1, le=s.MAX_ID)


class ProjectFilters(Paging):
    state: ProjectStateT | None = None
    kind: Literal["alliance", "self_governance"] | None = None
    residential_area: int | None = Field(None, ge=1, le=s.MAX_ID)
    quarter: str = Field("", pattern=r"^(\d{4}Q[1-4])?$")


def _staff_only(user: Any) -> None:
    from gongzhi.core.roles import access_for

    if not access_for(user).is_staff_member:
        raise NotAllowed(_("This list is for the subdistrict's staff."))


@router.get("/resources", response={200: ResourcePage, **READ_ERRORS}, url_name="resource_list")
def resource_list(request: HttpRequest, filters: Query[ResourceFilters]) -> Any:
    """The resource list (资源清单): what the alliance's member units offer."""
    user = request.auth  # type: ignore[attr-defined]
    _staff_only(user)
    f = filters
    qs = selectors.resources(
        user, {"kind": f.kind, "owner": f.owner, "q": f.q.strip(), "mine": f.mine}
    )
    return page(qs, ("-created_at", "-id"), f, _resource)


@router.get("/needs", response={200: NeedPage, **READ_ERRORS}, url_name="need_list")
def need_list(request: HttpRequest, filters: Query[NeedFilters]) -> Any:
    """The need list (需求清单): what residential areas and units ask for."""
    user = request.auth  # type: ignore[attr-defined]
    _staff_only(user)
    f = filters
    qs = selectors.needs(
        user,
        {
            "category": f.category,
            "state": f.state,
            "area": f.residential_area,
            "q": f.q.strip(),
            "mine": f.mine,
        },
    )
    return page(qs, ("-created_at", "-id"), f, _need)


@router.get("/projects", response={200: ProjectPage, **READ_ERRORS}, url_name="project_list")
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    """The project list (项目清单): alliance and self-governance projects. Residents see the
    projects the units agreed to show."""
    user = request.auth  # type: ignore[attr-defined]
    f = filters
    qs = selectors.projects(
        user,
        {
            "state": f.state,
            "kind": f.kind,
            "area": f.residential_area,
            "quarter": f.quarter,
            "q": f.q.strip(),
            "mine": f.mine,
        },
    )
    return page(qs, ("-created_at", "-id"), f, _project)


ProjectId = Path(..., ge=1, le=s.MAX_ID, description="The project's id.")
NeedId = Path(..., ge=1, le=s.MAX_ID, description="The need's id.")


@router.get(
    "/projects/{project_id}",
    response={200: ProjectDetailOut, **READ_ERRORS},
    url_name="project_detail",
)
def project_detail(request: HttpRequest, project_id: int = ProjectId) -> Any:
    """One project, with its milestones and the actions this user may take now."""
    user = request.auth  # type: ignore[attr-defined]
    return _project_detail(user, selectors.project_for_page(user, project_id))


@router.get(
    "/needs/{need_id}/matches",
    response={200: list[MatchOut], **READ_ERRORS},
    url_name="need_matches",
)
def need_matches(request: HttpRequest, need_id: int = NeedId) -> Any:
    """The resources that could serve the need, best first, each with its score's parts and
    reasons."""
    user = request.auth  # type: ignore[attr-defined]
    _staff_only(user)
    need = perms.get_visible_or_404(user, Need.objects.active(), pk=need_id)
    return [
        {
            "resource": _resource(m.obj),
            "score": m.score,
            "parts": m.parts,
            "reasons": m.reasons,
            "distance_m": m.distance_m,
        }
        for m in matching.matches_for_need(need)
    ]


class MatchIn(s.InputSchema):
    resource: int = Field(..., ge=1, le=s.MAX_ID)
    title: str = Field("", max_length=200)


@router.post(
    "/needs/{need_id}/confirm-match",
    response={201: ProjectDetailOut, **WRITE_ERRORS},
    url_name="need_confirm_match",
)
def need_confirm_match(request: HttpRequest, payload: MatchIn, need_id: int = NeedId) -> Any:
    """Confirm a suggested match: a proposed project between the resource's unit and the need's
    area (or unit)."""
    user = request.auth  # type: ignore[attr-defined]
    _staff_only(user)
    need = perms.get_visible_or_404(user, Need.objects.active(), pk=need_id)
    resource = perms.get_visible_or_404(user, Resource.objects.active(), pk=payload.resource)
    p = services.match_confirm(actor=user, need=need, resource=resource, title=payload.title)
    return 201, _project_detail(user, selectors.project_for_page(user, p.pk))


# --- writing the lists ------------------------------------------------------------------------------


class WindowIn(s.InputSchema):
    days: list[int] = Field(
        default_factory=lambda: list(range(7)), description="0 = Monday … 6 = Sunday"
    )
    start: str = Field(..., pattern=r"^\d{2}:\d{2}$")
    end: str = Field(..., pattern=r"^\d{2}:\d{2}$", description="Not after start: past midnight.")


class ResourceIn(s.InputSchema):
    owner: int = Field(..., ge=1, le=s.MAX_ID, description="The unit offering it (yours).")
    kind: CategoryT
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    capacity: int | None = Field(None, ge=0, le=1_000_000)
    capacity_unit: str = Field("", max_length=20)
    availability: str = Field("", max_length=200)
    windows: list[WindowIn] = Field(default_factory=list, max_length=20)
    place: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    conditions: str = Field("", max_length=2000)


class NeedIn(s.InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    category: CategoryT
    description: str = Field("", max_length=4000)
    residential_area: int | None = Field(None, ge=1, le=s.MAX_ID)
    place: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    windows: list[WindowIn] = Field(default_factory=list, max_length=20)
    urgency: Literal["low", "normal", "high"] = "normal"


@router.post("/resources", response={201: ResourceOut, **WRITE_ERRORS}, url_name="resource_create")
def resource_create(request: HttpRequest, payload: ResourceIn) -> Any:
    """Offer a resource for your unit (the alliance's staff: for any member unit)."""
    from gongzhi.org.models import Organisation

    user = request.auth  # type: ignore[attr-defined]
    _staff_only(user)
    owner = Organisation.objects.active().filter(pk=payload.owner).first()
    if owner is None:
        raise ApiError(422, "invalid", _("Unknown unit."), [("owner", _("Unknown unit."))])
    data = payload.model_dump(exclude={"owner"})
    r = services.resource_create(actor=user, owner=owner, **data)
    return 201, _resource(r)


@router.post("/needs", response={201: NeedOut, **WRITE_ERRORS}, url_name="need_create")
def need_create(request: HttpRequest, payload: NeedIn) -> Any:
    """Raise a need of your residential area (or of your unit, without an area)."""
    from gongzhi.core.roles import access_for
    from gongzhi.org.models import Organisation
    from gongzhi.places.models import ResidentialArea

    user = request.auth  # type: ignore[attr-defined]
    data = payload.model_dump()
    area = None
    if payload.residential_area is not None:
        area = ResidentialArea.objects.active().filter(pk=payload.residential_area).first()
        if area is None:
            raise ApiError(
                422,
                "invalid",
                _("Unknown residential area."),
                [("residential_area", _("Unknown residential area."))],
            )
    data["residential_area"] = area
    unit = None
    units = sorted(access_for(user).unit_ids)
    if area is None and units:
        unit = Organisation.objects.get(pk=units[0])
    n = services.need_create(actor=user, raised_by_unit=unit, **data)
    return 201, _need(n)


# --- the project's actions ------------------------------------------------------------------------


class ProjectSeen(s.InputSchema):
    expected_state: ProjectStateT | None = Field(
        None,
        description="The state you saw: if someone changed the project since, 409 names who.",
    )


def _take_action(request: HttpRequest, a: Action, payload: Any, project_id: int) -> Any:
    """As the page does (gongzhi.alliance.views.act): 404 out of scope, 403 not allowed, 409 a
    lost race or a state the action does not start from, 422 bad input."""
    user = request.auth  # type: ignore[attr-defined]
    p = selectors.project_for_page(user, project_id)
    if not perms.can(user, a.name, p):
        raise NotAllowed(
            _("You are not allowed to “%(action)s” on this project.") % {"action": a.label}
        )
    note, params = payload_params(a, payload)
    if "photos" in params:
        from .cases import decode_photos

        params["photos"] = decode_photos(params["photos"] or [])
    with state_conflicts(a, Project, p.pk):
        services.project_act(
            actor=user,
            project=p,
            action=a.name,
            note=note,
            params=params,
            expected_state=payload.expected_state,
        )
    return _project_detail(user, Project.objects.get(pk=p.pk))


action_routes(
    router,
    PROJECTS,
    path="/projects/{project_id}",
    path_param=("project_id", ProjectId),
    handle=_take_action,
    response={200: ProjectDetailOut, **WRITE_ERRORS},
    module=__name__,
    base=ProjectSeen,
)
