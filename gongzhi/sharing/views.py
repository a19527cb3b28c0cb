"""Sharing pages: resources (windows, exceptions, occupancy), applying for a permit, the draw,
the guard's gate check, permits and violations, bookings. Views stay thin: permissions through
gongzhi.core.permissions, reads from selectors, writes through services; a refused write shows
the service's message and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.alliance.models import Resource as AllianceResource
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import Role, access_for
from gongzhi.places.subdistricts import narrow
from gongzhi.workflow.forms import attempt as _attempt
from gongzhi.workflow.forms import first_error

from . import lottery, selectors, services
from .forms import (
    AppealForm,
    ApplicationForm,
    BookingForm,
    DrawForm,
    ExceptionForm,
    GateForm,
    NoteForm,
    RenewForm,
    ResourceForm,
    WindowForm,
)
from .models import (
    AvailabilityException,
    AvailabilityWindow,
    Booking,
    Draw,
    Permit,
    PermitApplication,
    ProofDocument,
    SharedResource,
    Violation,
)
from .plates import display_plate
from .workflow import PERMITS


def _resource(request: HttpRequest, pk: int) -> SharedResource:
    return perms.get_visible_or_404(request.user, SharedResource.objects.active(), pk=pk)


def _application(request: HttpRequest, pk: int) -> PermitApplication:
    return perms.get_visible_or_404(
        request.user, PermitApplication.objects.active().select_related("resource"), pk=pk
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "sharing/index.html",
        {
            "resources": selectors.resources_for(user),
            "my_applications": selectors.applications_for(user).filter(applicant_user=user)[:20],
            "my_permits": selectors.permits_for(user).filter(holder_user=user)[:20],
            "my_violations": selectors.violations_for(user).filter(permit__holder_user=user)[:20],
            "my_bookings": selectors.bookings_for(user).filter(booked_by=user)[:20],
            "can_create": perms.can(user, "create", SharedResource),
            "gate_resources": selectors.gate_resources(user),
        },
    )


@login_required
def resource(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    res = _resource(request, pk)
    manages = perms.can(user, "change", res)
    sees_log = perms.can(user, "see_log", res)
    context: dict[str, Any] = {
        "resource": res,
        "windows": AvailabilityWindow.objects.active().filter(resource=res),
        "exceptions": AvailabilityException.objects.active()
        .filter(resource=res, date_to__gte=timezone.localdate())
        .order_by("date_from"),
        "areas": res.areas.all(),
        "manages": manages,
        "can_apply": perms.can(user, "apply", res),
        "can_book": perms.can(user, "book", res),
        "can_gate": perms.can(user, "gate", res),
        "draws": selectors.draws_of(res)[:10],
        "is_car_park": res.kind == SharedResource.Kind.CAR_PARK,
        "listing": res.listing if res.listing_id else None,
        # A link to the alliance's entry for those who may open it; its title for everyone.
        "listing_visible": res.listing_id is not None
        and perms.visible(user, AllianceResource.objects.filter(pk=res.listing_id)).exists(),
    }
    if res.kind == SharedResource.Kind.CAR_PARK and sees_log:
        context["chart"] = selectors.occupancy_chart(res)
        context["gate_log"] = selectors.gate_log(user, res, limit=15)
    if manages or perms.can(user, "see_log", res):
        context["applications"] = (
            selectors.applications_for(user, res)
            .prefetch_related("proofs")
            .order_by("-submitted_at")[:50]
        )
        context["permits"] = selectors.permits_for(user, res).order_by("state", "plate")[:100]
        context["violations"] = selectors.violations_for(user, res)[:30]
    context["bookings"] = (
        selectors.bookings_for(user, res)
        .filter(ends_at__gte=timezone.now())
        .exclude(state=Booking.State.CANCELLED)[:30]
    )
    if manages:
        context["window_form"] = WindowForm()
        context["exception_form"] = ExceptionForm()
        today = timezone.localdate()
        context["draw_form"] = DrawForm(
            initial={
                "seed": f"{today:%Y%m%d}-{res.pk}",
                "period_from": today,
                "period_to": today.replace(year=today.year + 1, day=1) - dt.timedelta(days=1),
                "rules": lottery.DEFAULT_RULES,
            }
        )
        context["waiting"] = (
            res.applications.active().filter(state=PermitApplication.State.SUBMITTED).count()
        )
    return render(request, "sharing/resource.html", context)


def _owners(request: HttpRequest) -> list[Any]:
    """The units whose resources this user manages (administrators: every resident unit)."""
    from gongzhi.org.models import Organisation

    access = access_for(request.user)
    qs = Organisation.objects.active().order_by("name")
    if not access.has(Role.ADMIN):
        qs = qs.filter(pk__in=access.unit_ids)
    else:
        qs = narrow(qs.filter(kind=Organisation.Kind.RESIDENT_UNIT), access)
    return list(qs)


@login_required
def resource_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Share a new resource (a unit's liaison), or change one of the unit's."""
    user = request.user
    res = _resource(request, pk) if pk is not None else None
    if res is not None:
        perms.check(user, "change", res)
    else:
        perms.check(user, "create", SharedResource)
    owners = _owners(request) if res is None else [res.owner]
    if request.method == "POST":
        form = ResourceForm(request.POST, owners=owners)
        if form.is_valid():
            data = dict(form.cleaned_data)
            areas = data.pop("areas")
            owner_id = data.pop("owner")
            try:
                if res is None:
                    res = services.resource_create(
                        actor=user,
                        owner=next(o for o in owners if o.pk == owner_id),
                        areas=list(areas),
                        **data,
                    )
                else:
                    services.resource_update(actor=user, resource=res, areas=list(areas), **data)
            except ServiceError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Saved."))
                return redirect("sharing:resource", pk=res.pk)
    elif res is not None:
        form = ResourceForm(
            owners=owners,
            initial={
                "owner": res.owner_id,
                "kind": res.kind,
                "name": res.name,
                "address": res.address,
                "capacity": res.capacity,
                "rules": res.rules,
                "violations_to_suspend": res.violations_to_suspend,
                "follows_school_calendar": res.follows_school_calendar,
                "areas": list(res.areas.values_list("pk", flat=True)),
            },
        )
    else:
        form = ResourceForm(owners=owners)
    return render(request, "sharing/resource_form.html", {"form": form, "resource": res})


def _add_to_resource(
    request: HttpRequest, pk: int, form_class: type[Any], write: Callable[..., Any], done: str
) -> HttpResponse:
    """A resource's small forms (windows, exceptions): the form's first error or the service's
    answer as the message; back to the resource."""
    res = _resource(request, pk)
    perms.check(request.user, "change", res)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
    else:
        _attempt(
            request,
            lambda: write(actor=request.user, resource=res, **form.cleaned_data),
            done,
        )
    return redirect("sharing:resource", pk=res.pk)


@login_required
@require_POST
def window_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to_resource(request, pk, WindowForm, services.window_add, _("Window added."))


@login_required
@require_POST
def window_archive(request: HttpRequest, pk: int) -> HttpResponse:
    window = perms.get_visible_or_404(
        request.user, AvailabilityWindow.objects.active().select_related("resource"), pk=pk
    )
    perms.check(request.user, "change", window)
    services.window_archive(actor=request.user, window=window)
    messages.success(request, _("Window removed."))
    return redirect("sharing:resource", pk=window.resource_id)


@login_required
@require_POST
def exception_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to_resource(
        request, pk, ExceptionForm, services.exception_add, _("Exception added.")
    )


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    res = _resource(request, pk)
    if not perms.can(user, "apply", res):
        raise NotAllowed(_("Only car parks take parking applications."))
    person = getattr(user, "person", None)
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.application_submit(
                    actor=user, resource=res, applicant_user=user, **form.cleaned_data
                )
            except ServiceError as exc:
                form.add_error(None, str(exc.message))
                for name, errs in exc.field_errors.items():
                    if name in form.fields:
                        for err in errs:
                            form.add_error(name, str(err))
            else:
                messages.success(
                    request, _("Your application is in. You will see the draw's result here.")
                )
                return redirect("sharing:index")
    else:
        form = ApplicationForm(
            initial={
                "name": getattr(person, "name", ""),
                "residential_area": getattr(person, "home_area_id", None),
            }
        )
    return render(request, "sharing/apply.html", {"resource": res, "form": form})


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    perms.check(request.user, "withdraw", app)
    _attempt(
        request,
        lambda: services.application_withdraw(actor=request.user, application=app),
        _("Application withdrawn."),
    )
    return redirect("sharing:index")


@login_required
@require_POST
def application_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's full phone in place of the masked one (logged; see the service)."""
    app = _application(request, pk)
    phone = services.application_reveal_phone(actor=request.user, application=app)
    return HttpResponse(f'<a href="tel:{escape(phone)}" data-testid="phone">{escape(phone)}</a>')


@login_required
def proof(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An uploaded proof of residence, for the applicant and the owner unit (logged)."""
    doc = perms.get_visible_or_404(
        request.user,
        ProofDocument.objects.active().select_related("application__resource"),
        pk=pk,
    )
    services.proof_open(actor=request.user, proof=doc)
    try:
        handle = doc.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("Not found.")) from exc
    response = FileResponse(handle, content_type=doc.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Robots-Tag"] = "noindex"
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def draw_new(request: HttpRequest, pk: int) -> HttpResponse:
    res = _resource(request, pk)
    perms.check(request.user, "draw", res)
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("sharing:resource", pk=res.pk)
    data = form.cleaned_data
    # Keep the rules in their published order, whatever order the browser sent them in.
    rules = [r for r in lottery.RULES if r in data["rules"]]
    made: list[Draw] = []
    ok = _attempt(
        request,
        lambda: made.append(
            services.draw_run(
                actor=request.user,
                resource=res,
                period_from=data["period_from"],
                period_to=data["period_to"],
                seed=data["seed"],
                rules=rules,
            )
        ),
        _("The lottery is drawn and its inputs are published."),
    )
    if ok:
        return redirect("sharing:draw", pk=made[0].pk)
    return redirect("sharing:resource", pk=res.pk)


@login_required
def draw(request: HttpRequest, pk: int) -> HttpResponse:
    d = perms.get_visible_or_404(request.user, Draw.objects.select_related("resource"), pk=pk)
    check = services.redraw(d) if request.GET.get("rerun") else None
    apps = {a["id"]: a for a in d.inputs.get("applications", [])}
    order = d.result.get("order", [])
    allocated = set(d.result.get("allocated", []))
    waitlist = {pk: i + 1 for i, pk in enumerate(d.result.get("waitlist", []))}
    rows = [
        {
            **apps.get(o["id"], {}),
            "key": o["key"],
            "meets": o["meets"],
            "outcome": "allocated"
            if o["id"] in allocated
            else ("waitlist" if o["id"] in waitlist else "duplicate"),
            "position": waitlist.get(o["id"]),
        }
        for o in order
    ]
    return render(
        request,
        "sharing/draw.html",
        {
            "draw": d,
            "rows": rows,
            "rules": [(r, lottery.RULES.get(r, r)) for r in d.rules],
            "check": check,
            "allocated_count": len(allocated),
        },
    )


@login_required
def gate(request: HttpRequest) -> HttpResponse:
    """The guard's page: a plate and a time → a big allowed or refused, with the reason."""
    user = request.user
    resources = selectors.gate_resources(user)
    if not resources:
        raise NotAllowed(_("The gate page is for the staff of a unit that shares its car park."))
    result = None
    if request.method == "POST":
        form = GateForm(request.POST, resources=resources)
        if form.is_valid():
            data = form.cleaned_data
            res = next(r for r in resources if r.pk == data["resource"])
            perms.check(user, "gate", res)
            try:
                result = services.gate_check(
                    actor=user,
                    resource_id=res.pk,
                    plate=data["plate"],
                    at=data["at"] or None,
                    direction=data["direction"],
                )
            except ServiceError as exc:
                form.add_error(None, str(exc.message))
    else:
        form = GateForm(resources=resources, initial={"resource": resources[0].pk})
    template = (
        "sharing/_gate_result.html" if request.headers.get("HX-Request") else "sharing/gate.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "result": result,
            "plate_shown": display_plate(result.plate) if result and result.plate else "",
        },
    )


@login_required
def permit(request: HttpRequest, pk: int) -> HttpResponse:
    p = perms.get_visible_or_404(
        request.user, Permit.objects.active().select_related("resource", "application"), pk=pk
    )
    return render(
        request,
        "sharing/permit.html",
        {
            "permit": p,
            "manages": perms.can(request.user, "change", p),
            "violations": p.violations.active().order_by("-entered_at"),
            "is_holder": p.holder_user_id == request.user.pk,
            "renew_form": RenewForm(),
            "note_form": NoteForm(),
            "appeal_form": AppealForm(),
            "gate_log": p.gate_events.order_by("-at")[:20],
            "timeline": [
                (e, PERMITS.actions[e.action].label if e.action in PERMITS.actions else e.action)
                for e in p.events.select_related("actor").order_by("-at", "-id")
            ],
        },
    )


@login_required
@require_POST
def permit_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    p = perms.get_visible_or_404(request.user, Permit.objects.active(), pk=pk)
    perms.check(request.user, "change", p)
    if action == "renew":
        form: Any = RenewForm(request.POST)
        if form.is_valid():
            _attempt(
                request,
                lambda: services.permit_renew(
                    actor=request.user, permit=p, valid_to=form.cleaned_data["valid_to"]
                ),
                _("Permit renewed."),
            )
        else:
            messages.error(request, first_error(form))
    elif action in ("suspend", "reinstate", "revoke"):
        form = NoteForm(request.POST)
        form.is_valid()
        _attempt(
            request,
            lambda: services.permit_change_state(
                actor=request.user,
                permit=p,
                action=action,
                note=form.cleaned_data.get("note", ""),
            ),
            _("Permit changed."),
        )
    else:
        raise NotAllowed(_("Unknown action."))
    return redirect("sharing:permit", pk=p.pk)


@login_required
@require_POST
def violation_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    v = perms.get_visible_or_404(
        request.user, Violation.objects.active().select_related("permit__resource"), pk=pk
    )
    if action == "appeal":
        perms.check(request.user, "appeal", v, _("Only the permit's holder appeals."))
        form = AppealForm(request.POST)
        text = form.cleaned_data["text"] if form.is_valid() else ""
        _attempt(
            request,
            lambda: services.violation_appeal(actor=request.user, violation=v, text=text),
            _("Your appeal is recorded."),
        )
    elif action in ("uphold", "reject"):
        perms.check(request.user, "decide", v)
        note = request.POST.get("note", "")[:200]
        _attempt(
            request,
            lambda: services.violation_decide(
                actor=request.user, violation=v, upheld=action == "uphold", note=note
            ),
            _("The appeal is decided."),
        )
    else:
        raise NotAllowed(_("Unknown action."))
    return redirect("sharing:permit", pk=v.permit_id)


@login_required
def book(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    res = _resource(request, pk)
    if not perms.can(user, "book", res):
        raise NotAllowed(_("Car parks are not booked; residents apply for permits."))
    if request.method == "POST":
        form = BookingForm(request.POST)
        if form.is_valid():
            try:
                services.booking_create(
                    actor=user,
                    resource=res,
                    confirmed=perms.can(user, "change", res),
                    **form.cleaned_data,
                )
            except ServiceError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Booked."))
                return redirect("sharing:resource", pk=res.pk)
    else:
        form = BookingForm()
    return render(request, "sharing/book.html", {"resource": res, "form": form})


@login_required
@require_POST
def booking_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    b = perms.get_visible_or_404(
        request.user, Booking.objects.active().select_related("resource"), pk=pk
    )
    if action == "confirm":
        perms.check(request.user, "confirm", b)
        state = Booking.State.CONFIRMED
    elif action == "cancel":
        perms.check(request.user, "cancel", b)
        state = Booking.State.CANCELLED
    else:
        raise NotAllowed(_("Unknown action."))
    _attempt(
        request,
        lambda: services.booking_set_state(actor=request.user, booking=b, state=state),
        _("Booking changed."),
    )
    return redirect("sharing:resource", pk=b.resource_id)
