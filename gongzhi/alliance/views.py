"""The alliance's pages: members and activities, the three lists with filters, a need's
matches with their reasons and the confirmation, the project page with its milestones and
actions, the quarterly publication, dual registrations to confirm, and the public page."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import permissions as perms
from gongzhi.core.errors import ConflictError, NotAllowed, ServiceError
from gongzhi.core.roles import Role, access_for
from gongzhi.places.models import ResidentialArea
from gongzhi.places.subdistricts import narrow, public_subdistricts
from gongzhi.workflow.forms import all_errors, attempt

from . import matching, selectors, services
from .forms import (
    ACTION_FORMS,
    ActivityForm,
    CharterForm,
    MemberForm,
    MilestoneForm,
    NeedForm,
    ProjectForm,
    ResourceForm,
    add_service_error,
)
from .models import (
    Category,
    DualRegistrationYear,
    JointActivity,
    Need,
    Project,
    Resource,
)
from .workflow import PROJECTS, action_label

PAGE = 25


def _is_staff(request: HttpRequest) -> bool:
    from .permissions import is_alliance_staff

    return is_alliance_staff(access_for(request.user))


def _require_staff(request: HttpRequest) -> None:
    if not access_for(request.user).is_staff_member:
        raise NotAllowed(_("This page is for the subdistrict's staff."))


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE).get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Members, joint activities of the year, and each member's year."""
    _require_staff(request)
    year = int(request.GET.get("year") or timezone.localdate().year)
    kind = request.GET.get("kind", "")
    alliance = services.current_alliance(request.user)
    members = list(selectors.members(request.user))
    years = {
        y.organisation.pk: y
        for y in selectors.member_years(year, [m.organisation_id for m in members])
    }
    rows = [(m, years.get(m.organisation_id)) for m in members]
    charter = alliance.charter_versions.active().first() if alliance else None
    return render(
        request,
        "alliance/index.html",
        {
            "alliance": alliance,
            "charter": charter,
            "rows": rows,
            "year": year,
            "kind": kind,
            "kinds": JointActivity.Kind.choices,
            "activities": _page(request, selectors.activities(request.user, kind=kind, year=year)),
            "member_form": MemberForm(user=request.user) if _is_staff(request) else None,
            "charter_form": CharterForm(initial={"text": charter.text if charter else ""})
            if _is_staff(request)
            else None,
            "activity_form": (
                ActivityForm(units=_member_units(request.user))
                if alliance and perms.can(request.user, "create", JointActivity)
                else None
            ),
            "query": _query(request),
        },
    )


@login_required
def resources(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    f = {k: request.GET.get(k, "") for k in ("kind", "q", "mine")}
    qs = selectors.resources(request.user, f)
    access = access_for(request.user)
    form = ResourceForm() if perms.can(access, "create", Resource) else None
    return render(
        request,
        "alliance/resources.html",
        {
            "page": _page(request, qs),
            "f": f,
            "selects": [("kind", _("kind"), Category.choices, f["kind"])],
            "form": form,
            "owners": _owners(access),
            "query": _query(request),
        },
    )


def _owners(access: Any) -> Any:
    """The units a user may offer resources for: their own, or every member for the staff."""
    from gongzhi.org.models import Organisation

    from .permissions import is_alliance_staff

    qs = Organisation.objects.active()
    if is_alliance_staff(access):
        return narrow(qs.filter(alliance_joined_on__isnull=False), access)
    return qs.filter(pk__in=access.unit_ids)


@require_POST
@login_required
def resource_new(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    access = access_for(request.user)
    form = ResourceForm(request.POST)
    owner_id = request.POST.get("owner") or next(iter(sorted(access.unit_ids)), None)
    owner = _owners(access).filter(pk=owner_id).first() if str(owner_id or "").isdigit() else None
    if form.is_valid() and owner is not None:
        try:
            r = services.resource_create(actor=request.user, owner=owner, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Resource “%(title)s” added.") % {"title": r.title})
            return redirect("alliance:resource", r.pk)
    elif owner is None:
        form.add_error(None, _("Choose the unit that offers the resource."))
    qs = selectors.resources(request.user)
    return render(
        request,
        "alliance/resources.html",
        {
            "page": _page(request, qs),
            "f": {},
            "selects": [("kind", _("kind"), Category.choices, "")],
            "form": form,
            "owners": _owners(access),
        },
        status=400,
    )


def _render_resource(
    request: HttpRequest, r: Resource, *, form: ResourceForm | None = None, status: int = 200
) -> HttpResponse:
    can_change = perms.can(request.user, "change", r)
    if can_change and form is None:
        form = ResourceForm(initial={f: getattr(r, f) for f in ResourceForm.base_fields})
    return render(
        request,
        "alliance/resource.html",
        {
            "r": r,
            "matches": matching.matches_for_resource(r),
            "can_change": can_change,
            "form": form if can_change else None,
            "windows": matching.describe_windows(r.windows),
        },
        status=status,
    )


@login_required
def resource(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    r = perms.get_visible_or_404(
        request.user, Resource.objects.active().select_related("owner"), pk=pk
    )
    return _render_resource(request, r)


@login_required
def needs(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    f = {k: request.GET.get(k, "") for k in ("category", "state", "area", "urgency", "q", "mine")}
    qs = selectors.needs(request.user, f)
    access = access_for(request.user)
    form = None
    if access.has(*_staff(), Role.AREA, Role.LIAISON):
        areas = narrow(ResidentialArea.objects.active(), request.user)
        if not access.whole_subdistrict and not access.has(*_staff()):
            areas = areas.filter(pk__in=access.area_ids)
        form = NeedForm(areas=areas)
    return render(
        request,
        "alliance/needs.html",
        {
            "page": _page(request, qs),
            "f": f,
            "selects": _need_selects(f, request.user),
            "form": form,
            "query": _query(request),
        },
    )


def _areas(user: Any) -> list[tuple[str, str]]:
    areas = narrow(ResidentialArea.objects.active(), user).order_by("code")
    return [(str(a.pk), a.name) for a in areas]


def _need_selects(f: dict[str, Any], user: Any) -> list[Any]:
    return [
        ("category", _("category"), Category.choices, f.get("category", "")),
        ("state", _("state"), Need.State.choices, f.get("state", "")),
        ("urgency", _("urgency"), Need.Urgency.choices, f.get("urgency", "")),
        ("area", _("residential area"), _areas(user), f.get("area", "")),
    ]


def _staff() -> Any:
    from .workflow import ALLIANCE_STAFF

    return ALLIANCE_STAFF


T = TypeVar("T")


def _refused_on_form(form: Any, write: Callable[[], T]) -> T | None:
    """What the service made, or None with its refusal on the form: a service error on its
    fields, a permission's refusal on the whole form."""
    try:
        return write()
    except ServiceError as exc:
        add_service_error(form, exc)
    except NotAllowed as exc:
        form.add_error(None, str(exc.message))
    return None


@require_POST
@login_required
def need_new(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    access = access_for(request.user)
    form = NeedForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        unit = None
        if data.get("residential_area") is None and access.unit_ids:
            from gongzhi.org.models import Organisation

            unit = Organisation.objects.get(pk=sorted(access.unit_ids)[0])
        n = _refused_on_form(
            form, lambda: services.need_create(actor=request.user, raised_by_unit=unit, **data)
        )
        if n is not None:
            messages.success(request, _("Need “%(title)s” posted.") % {"title": n.title})
            return redirect("alliance:need", n.pk)
    return render(
        request,
        "alliance/needs.html",
        {
            "page": _page(request, selectors.needs(request.user)),
            "f": {},
            "selects": _need_selects({}, request.user),
            "form": form,
        },
        status=400,
    )


@login_required
def need(request: HttpRequest, pk: int) -> HttpResponse:
    """A need and the resources that could serve it, each with the reasons for its score."""
    _require_staff(request)
    n = perms.get_visible_or_404(
        request.user, Need.objects.active().select_related("residential_area"), pk=pk
    )
    access = access_for(request.user)
    found = matching.matches_for_need(n)
    can_match = perms.can(access, "match", n)
    rows = [(m, can_match or m.obj.owner_id in access.unit_ids) for m in found]
    return render(
        request,
        "alliance/need.html",
        {
            "n": n,
            "rows": rows,
            "projects": n.projects.active(),
            "windows": matching.describe_windows(n.windows),
        },
    )


@require_POST
@login_required
def need_match(request: HttpRequest, pk: int, resource_pk: int) -> HttpResponse:
    """Confirm a suggested match: a proposed project."""
    _require_staff(request)
    n = perms.get_visible_or_404(request.user, Need.objects.active(), pk=pk)
    r = perms.get_visible_or_404(request.user, Resource.objects.active(), pk=resource_pk)
    try:
        p = services.match_confirm(actor=request.user, need=n, resource=r)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("alliance:need", pk)
    messages.success(request, _("Project proposed: %(title)s") % {"title": p.title})
    return redirect("alliance:project", p.pk)


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    f = {k: request.GET.get(k, "") for k in ("state", "kind", "area", "quarter", "q", "mine")}
    qs = selectors.projects(request.user, f)
    return render(
        request,
        "alliance/projects.html",
        {
            "form": _project_form(request),
            "page": _page(request, qs),
            "f": f,
            "selects": [
                ("state", _("state"), Project.State.choices, f["state"]),
                ("kind", _("kind"), Project.Kind.choices, f["kind"]),
                ("area", _("residential area"), _areas(request.user), f["area"]),
            ],
            "query": _query(request),
        },
    )


def _member_units(user: Any) -> Any:
    from gongzhi.org.models import Organisation

    return narrow(Organisation.objects.active().filter(alliance_joined_on__isnull=False), user)


def _project_form(request: HttpRequest, data: Any = None) -> ProjectForm | None:
    access = access_for(request.user)
    if not (access.has(*_staff()) or access.unit_ids or access.area_ids):
        return None
    return ProjectForm(
        data,
        units=_member_units(request.user),
        areas=narrow(ResidentialArea.objects.active(), request.user),
    )


@require_POST
@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    """Propose a project (an alliance project, or an area's self-governance project)."""
    _require_staff(request)
    form = _project_form(request, request.POST)
    if form is None:
        raise NotAllowed(
            _("You may propose a project only for your own unit or your own residential area.")
        )
    if form.is_valid():
        d = form.cleaned_data
        access = access_for(request.user)
        parties = [(o, "lead" if o.pk in access.unit_ids else "partner") for o in d["units"]]
        area = d["residential_area"]
        self_gov = d["kind"] == Project.Kind.SELF_GOVERNANCE
        p = _refused_on_form(
            form,
            lambda: services.project_propose(
                actor=request.user,
                title=d["title"],
                kind=d["kind"],
                goal=d["goal"],
                parties=parties,
                residential_area=area,
                owner_area=area if self_gov else None,
                milestones=d["milestones"],
                beneficiaries=d["beneficiaries"],
                budget=d["budget"],
                public=d["public"],
            ),
        )
        if p is not None:
            messages.success(request, _("Project proposed: %(title)s") % {"title": p.title})
            return redirect("alliance:project", p.pk)
    f: dict[str, Any] = {}
    return render(
        request,
        "alliance/projects.html",
        {
            "form": form,
            "page": _page(request, selectors.projects(request.user)),
            "f": f,
            "selects": [],
        },
        status=400,
    )


@require_POST
@login_required
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.project_for_page(request.user, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(actor=request.user, project=p, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Milestone added."))
    else:
        messages.error(request, _("Give the milestone a title."))
    return redirect("alliance:project", pk)


@require_POST
@login_required
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    r = perms.get_visible_or_404(request.user, Resource.objects.active(), pk=pk)
    form = ResourceForm(request.POST)
    if form.is_valid():
        try:
            services.resource_update(actor=request.user, resource=r, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("alliance:resource", pk)
    return _render_resource(request, r, form=form, status=400)


@require_POST
@login_required
def resource_archive(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    r = perms.get_visible_or_404(request.user, Resource.objects.active(), pk=pk)
    services.resource_archive(actor=request.user, resource=r)
    messages.success(request, _("Resource “%(title)s” withdrawn.") % {"title": r.title})
    return redirect("alliance:resources")


def _write_from_form(
    request: HttpRequest, form: Any, write: Callable[[dict[str, Any]], Any], done: str
) -> HttpResponse:
    """The alliance page's small forms: run the service with the form's data and say how it
    went (its refusal, or the form's errors, in the user's language); back to the page."""
    if form.is_valid():
        attempt(request, lambda: write(form.cleaned_data), done)
    else:
        messages.error(request, all_errors(form))
    return redirect("alliance:index")


def _alliance_write(
    request: HttpRequest, form: Any, write: Callable[..., Any], done: str, model: Any = None
) -> HttpResponse:
    """The alliance page's forms that add to the current alliance (members, charter versions,
    activities): staff only (and allowed to create `model`), 404 without an alliance."""
    _require_staff(request)
    if model is not None:
        perms.check(request.user, "create", model)
    alliance = services.current_alliance(request.user)
    if alliance is None:
        raise Http404
    return _write_from_form(
        request, form, lambda data: write(actor=request.user, alliance=alliance, **data), done
    )


@require_POST
@login_required
def member_new(request: HttpRequest) -> HttpResponse:
    from .models import Membership

    return _alliance_write(
        request,
        MemberForm(request.POST, user=request.user),
        services.membership_join,
        _("Member unit added."),
        Membership,
    )


@require_POST
@login_required
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    from .models import Membership

    m = perms.get_visible_or_404(request.user, Membership.objects.active(), pk=pk)
    try:
        services.membership_leave(actor=request.user, membership=m, left_on=timezone.localdate())
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(unit)s has left the alliance.") % {"unit": m.organisation})
    return redirect("alliance:index")


@require_POST
@login_required
def charter_new(request: HttpRequest) -> HttpResponse:
    from .models import CharterVersion

    return _alliance_write(
        request,
        CharterForm(request.POST),
        services.charter_version_add,
        _("New charter version saved."),
        CharterVersion,
    )


@require_POST
@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    photos = request.FILES.getlist("photos")
    return _alliance_write(
        request,
        ActivityForm(request.POST, units=_member_units(request.user)),
        lambda **kw: services.activity_record(photos=photos, **kw),
        _("Activity recorded."),
    )


def _labelled(events: Any) -> list[Any]:
    rows = list(events)
    for e in rows:
        e.label = action_label(e.action)
    return rows


def render_project(
    request: HttpRequest,
    p: Project,
    *,
    bound: dict[str, Any] | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    forms = [
        (a, bound.get(a.name) or ACTION_FORMS[a.name](project=p))
        for a in PROJECTS.available(request.user, p)
    ]
    timeline = _labelled(perms.visible(request.user, p.events.all()).order_by("at", "id"))
    return render(
        request,
        "alliance/project.html",
        {
            "p": p,
            "milestones": p.milestones.active(),
            "progress": selectors.project_progress(p),
            "photos": p.photos.all(),
            "forms": forms,
            "open_action": next(iter(bound), ""),
            "timeline": timeline,
            "conflict": conflict,
            "evaluations": p.evaluations.active(),
            "can_rate": perms.can(request.user, "rate", p),
            "milestone_form": MilestoneForm() if perms.can(request.user, "change", p) else None,
        },
        status=status,
    )


@login_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    return render_project(request, selectors.project_for_page(request.user, pk))


@require_POST
@login_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Any action of the project's table, through the service."""
    if action not in ACTION_FORMS:
        raise Http404
    p = selectors.project_for_page(request.user, pk)
    a = PROJECTS.actions[action]
    if not perms.can(request.user, action, p):
        raise NotAllowed(
            _("You are not allowed to “%(action)s” on this project.") % {"action": a.label}
        )
    form = ACTION_FORMS[action](request.POST, request.FILES, project=p)
    if not form.is_valid():
        return render_project(request, p, bound={action: form}, status=400)
    try:
        services.project_act(
            actor=request.user,
            project=p,
            action=action,
            note=form.cleaned_data.get("note") or "",
            params=form.service_params(),
            expected_state=form.cleaned_data["expected_state"],
        )
    except ConflictError as exc:
        fresh = selectors.project_for_page(request.user, pk)
        return render_project(request, fresh, conflict=str(exc.message), status=409)
    except ServiceError as exc:
        add_service_error(form, exc)
        fresh = selectors.project_for_page(request.user, pk)
        return render_project(request, fresh, bound={action: form}, status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": a.label})
    return redirect("alliance:project", pk)


@require_POST
@login_required
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.project_for_page(request.user, pk)
    try:
        services.project_rate(
            actor=request.user,
            project=p,
            score=int(request.POST.get("score") or 0),
            comment=(request.POST.get("comment") or "").strip()[:500],
        )
    except (ServiceError, ValueError) as exc:
        messages.error(request, str(getattr(exc, "message", _("The score is from 1 to 5."))))
    else:
        messages.success(request, _("Thank you for your evaluation."))
    return (
        redirect("alliance:public_project", pk)
        if not access_for(request.user).is_staff_member
        else redirect("alliance:project", pk)
    )


@login_required
def quarterly(request: HttpRequest) -> HttpResponse:
    """The three lists as published for the alliance's quarterly meeting (printable)."""
    _require_staff(request)
    quarter = request.GET.get("quarter") or selectors.current_quarter(timezone.localdate())
    if (
        len(quarter) != 6
        or quarter[4] != "Q"
        or quarter[-1] not in "1234"
        or not quarter[:4].isdigit()
    ):
        raise Http404
    return render(
        request, "alliance/quarterly.html", selectors.quarterly_lists(request.user, quarter)
    )


@login_required
def dual(request: HttpRequest) -> HttpResponse:
    """Dual registrations (双报到): the years to confirm, for the area's secretary."""
    _require_staff(request)
    return render(
        request,
        "alliance/dual.html",
        {
            "page": _page(
                request, selectors.dual_years(request.user).order_by("confirmed_at", "-year")
            ),
            "evaluations": DualRegistrationYear.Evaluation.choices,
        },
    )


def _posted_area(request: HttpRequest) -> ResidentialArea | None:
    """The residential area a registration form named (None: none, or not an active one)."""
    return (
        ResidentialArea.objects.active()
        .filter(pk=request.POST.get("residential_area") or 0)
        .first()
    )


def _register(
    request: HttpRequest, register: Callable[..., Any], left_out: str, **choices: Any
) -> bool:
    """A dual registration (a member's, a unit's) with the posted posts and hours, unless the form
    left out a choice (`left_out` says which); a message says how it went."""
    try:
        if left_out:
            raise ServiceError(left_out)
        register(
            actor=request.user,
            posts=(request.POST.get("posts") or "")[:300],
            hours=Decimal(request.POST.get("hours") or "0"),
            **choices,
        )
    except (ServiceError, InvalidOperation) as exc:
        messages.error(request, str(getattr(exc, "message", _("Hours must be a number."))))
        return False
    messages.success(request, _("Registered."))
    return True


@login_required
def dual_mine(request: HttpRequest) -> HttpResponse:
    """An in-work Party member's own dual registration: register with the home area, the posts
    claimed and the hours of the year."""
    from gongzhi.org.models import PartyMembership

    person_id = getattr(request.user, "person_id", None)
    member = (
        bool(person_id) and PartyMembership.objects.active().filter(person_id=person_id).exists()
    )
    year = timezone.localdate().year
    if request.method == "POST" and member:
        area = _posted_area(request)
        left_out = _("Choose your home residential area.") if area is None else ""
        if _register(request, services.dual_register, left_out, residential_area=area, year=year):
            return redirect("alliance:dual_mine")
    records = (
        DualRegistrationYear.objects.active()
        .filter(registration__person_id=person_id)
        .select_related("registration__residential_area")
        if person_id
        else DualRegistrationYear.objects.none()
    )
    home = getattr(getattr(request.user, "person", None), "home_area_id", None)
    units = services.unit_party_organisations(request.user)
    return render(
        request,
        "alliance/dual_mine.html",
        {
            "member": member,
            "records": records,
            "areas": ResidentialArea.objects.active().order_by("code"),
            "home": home,
            "year": year,
            "units": units,
            "unit_records": DualRegistrationYear.objects.active()
            .filter(unit_registration__party_organisation__in=units)
            .select_related(
                "unit_registration__party_organisation", "unit_registration__residential_area"
            ),
        },
    )


@require_POST
@login_required
def dual_unit(request: HttpRequest) -> HttpResponse:
    """A unit's Party organisation registers with a residential area (双报到 of the unit)."""
    unit = next(
        (
            o
            for o in services.unit_party_organisations(request.user)
            if str(o.pk) == request.POST.get("party_organisation")
        ),
        None,
    )
    area = _posted_area(request)
    left_out = (
        _("Choose your unit's Party organisation.")
        if unit is None
        else _("Choose the residential area.")
        if area is None
        else ""
    )
    _register(
        request,
        services.unit_register,
        left_out,
        party_organisation=unit,
        residential_area=area,
        year=timezone.localdate().year,
    )
    return redirect("alliance:dual_mine")


@require_POST
@login_required
def dual_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    rec = perms.get_visible_or_404(
        request.user, DualRegistrationYear.objects.active().select_related("registration"), pk=pk
    )
    try:
        services.dual_year_confirm(
            actor=request.user, record=rec, evaluation=request.POST.get("evaluation", "")
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Confirmed."))
    back = request.POST.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)  # the area's page, where the secretary confirmed it
    return redirect("alliance:dual")


def _home_area(request: HttpRequest) -> Any:
    from .permissions import home_area_id

    if not request.user.is_authenticated:
        return None
    home = home_area_id(access_for(request.user))
    return ResidentialArea.objects.filter(pk=home).first() if home else None


def public(request: HttpRequest) -> HttpResponse:
    """The projects the units agreed to show (no login); a resident signed in may tell the
    alliance what their area needs."""
    subdistricts, chosen = public_subdistricts(request)
    return render(
        request,
        "alliance/public.html",
        {
            "page": _page(request, selectors.public_projects(chosen)),
            "query": _query(request),
            "subdistricts": subdistricts,
            "chosen_subdistrict": chosen,
            "home": _home_area(request),
            "categories": Category.choices,
        },
    )


@require_POST
@login_required
def need_raise(request: HttpRequest) -> HttpResponse:
    """A resident raises a need of the area they live in."""
    home = _home_area(request)
    if home is None:
        raise NotAllowed(_("Only residents registered in a residential area can raise its needs."))
    title = (request.POST.get("title") or "").strip()[:200]
    try:
        if not title:
            raise ServiceError(_("Say in a few words what is needed."))
        services.need_create(
            actor=request.user,
            title=title,
            description=(request.POST.get("description") or "").strip()[:2000],
            category=request.POST.get("category") or "",
            residential_area=home,
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you: the area's secretary will take it up."))
    return redirect("alliance:public")


def public_project(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        p = selectors.public_projects().get(pk=pk)
    except Project.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc
    return render(
        request,
        "alliance/public_project.html",
        {
            "p": p,
            "milestones": p.milestones.active(),
            "progress": selectors.project_progress(p),
            "photos": p.photos.all(),
            "timeline": _labelled(p.events.filter(public=True).order_by("at", "id")),
            "can_rate": perms.can(request.user, "rate", p),
        },
    )


def activity_photo(request: HttpRequest, pk: int, size: str) -> HttpResponseBase:
    """A joint activity's photo (re-encoded, without metadata), for those who see the
    alliance's activities."""
    from gongzhi.cases.views import file_response

    from .models import ActivityPhoto

    ph = ActivityPhoto.objects.filter(pk=pk).first()
    if (
        ph is None
        or not perms.visible(request.user, JointActivity.objects.filter(pk=ph.activity_id)).exists()
    ):
        raise Http404(_("Not found."))
    return file_response(ph.thumbnail if size == "thumb" else ph.image, "image/jpeg", public=False)


def photo(request: HttpRequest, pk: int, size: str) -> HttpResponseBase:
    """A project's photo (re-encoded, without metadata): for those who may see the project, and
    for everyone when the project is on the public page."""
    from gongzhi.cases.views import file_response

    from .models import ProjectPhoto

    ph = ProjectPhoto.objects.select_related("project").filter(pk=pk).first()
    if ph is None:
        raise Http404(_("Not found."))
    public = selectors.public_projects().filter(pk=ph.project_id).exists()
    if (
        not public
        and not perms.visible(request.user, Project.objects.filter(pk=ph.project_id)).exists()
    ):
        raise Http404(_("Not found."))
    return file_response(ph.thumbnail if size == "thumb" else ph.image, "image/jpeg", public=public)
