"""Duty pages: the duty desk (who is on duty, emergencies waiting for acknowledgement, the shift
log, the handover), the week roster, a shift, and my shifts and swaps. Views stay thin:
permissions through gongzhi.core.permissions, reads from selectors, writes through services;
a refused write shows the service's message and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.redirects import redirect_back
from gongzhi.core.roles import Role, access_for
from gongzhi.places.selectors import serves_one_subdistrict
from gongzhi.workflow.forms import first_error

from . import selectors, services
from .forms import (
    AcknowledgeHandoverForm,
    AssignForm,
    DecisionForm,
    GenerateForm,
    HandoverForm,
    LogEntryForm,
    SwapRequestForm,
)
from .models import DutyAssignment, Handover, Shift, ShiftLogEntry, SwapRequest
from .permissions import edits_roster, leads_shift, reads_roster, writes_log


def _require_reader(request: HttpRequest) -> None:
    if not reads_roster(access_for(request.user)):
        raise NotAllowed(_("The duty pages are for the grid centre's staff."))


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _render_fresh(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A page that is never cached: it shows who is on duty and what waits, now."""
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def _submit(
    request: HttpRequest,
    form: Any,
    write: Callable[[dict[str, Any]], str],
    back: HttpResponseRedirect,
) -> HttpResponseRedirect:
    """Run `write` with the form's cleaned data and show the message it returns, or the form's
    first error or the service's refusal; then go `back`."""
    if not form.is_valid():
        messages.error(request, first_error(form))
        return back
    try:
        done = write(form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return back


def _get_shift(request: HttpRequest, pk: int) -> Shift:
    return perms.get_visible_or_404(
        request.user, Shift.objects.active().select_related("pattern"), pk=pk
    )


# --- the desk ---------------------------------------------------------------------------------


def _centre(request: HttpRequest) -> int | None:
    """The centre the pages show: the viewer's (one they choose, at the district level)."""
    return selectors.centre_of(access_for(request.user), request.GET.get("subdistrict"))


def _desk_context(request: HttpRequest, now: dt.datetime) -> dict[str, Any]:
    access = access_for(request.user)
    centre = _centre(request)
    shift = selectors.current_shift(now, subdistrict_id=centre)
    handover = selectors.handover_of(shift) if shift else None
    incoming = selectors.handover_into(shift) if shift else None
    return {
        "now": now,
        "shift": shift,
        "next_shift": selectors.next_shift(shift) if shift else None,
        "on_duty": selectors.on_duty(now, subdistrict_id=centre),
        "log": selectors.shift_log(shift=shift, subdistrict_id=centre)
        if shift
        else _recent_log(now, centre),
        "log_form": LogEntryForm(),
        "may_log": writes_log(access),
        "handover": handover,
        "handover_form": HandoverForm(),
        "may_hand_over": shift is not None and handover is None and leads_shift(access, shift),
        "incoming": incoming,
        "ack_form": AcknowledgeHandoverForm(),
        "may_acknowledge": incoming is not None
        and not incoming.is_acknowledged
        and leads_shift(access, incoming.next_shift),
        "emergencies": selectors.unacknowledged_emergencies(request.user, now=now),
        "ack_minutes": int(selectors.ack_window().total_seconds() // 60),
        "may_acknowledge_cases": access.has(Role.OPERATOR, Role.DUTY_CHIEF),
        "active_nav": "duty",
        "tab": "desk",
    }


def _recent_log(now: dt.datetime, centre: int | None = None) -> list[ShiftLogEntry]:
    return selectors.shift_log(since=now - dt.timedelta(hours=12), subdistrict_id=centre)


@require_GET
@login_required
def desk(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    return _render_fresh(request, "duty/desk.html", _desk_context(request, timezone.now()))


def _emergency_panel(
    request: HttpRequest, *, error: str = "", notice: str = "", status: int = 200
) -> HttpResponse:
    access = access_for(request.user)
    return _render_fresh(
        request,
        "duty/_emergencies.html",
        {
            "emergencies": selectors.unacknowledged_emergencies(request.user),
            "ack_minutes": int(selectors.ack_window().total_seconds() // 60),
            "may_acknowledge_cases": access.has(Role.OPERATOR, Role.DUTY_CHIEF),
            "error": error,
            "notice": notice,
            "now": timezone.now(),
        },
        status=status,
    )


@require_GET
@login_required
def emergencies(request: HttpRequest) -> HttpResponse:
    """The emergency panel alone, polled by the desk every 15 seconds."""
    _require_reader(request)
    return _emergency_panel(request)


@require_POST
@login_required
def emergency_acknowledge(request: HttpRequest, case_pk: int) -> HttpResponse:
    from gongzhi.cases.models import Case

    _require_reader(request)
    case = perms.get_visible_or_404(request.user, Case.objects.all(), pk=case_pk)
    try:
        services.emergency_acknowledge(actor=request.user, case=case)
    except (ServiceError, NotAllowed) as exc:
        if _is_htmx(request):
            return _emergency_panel(request, error=str(exc.message), status=409)
        messages.error(request, exc.message)
        return redirect("duty:desk")
    notice = _("Emergency %(number)s acknowledged.") % {"number": case.number}
    if _is_htmx(request):
        return _emergency_panel(request, notice=notice)
    messages.success(request, notice)
    return redirect("duty:desk")


@require_POST
@login_required
def log_add(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = LogEntryForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.log_write(
                actor=request.user,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                case=form.cleaned_data["case"] or None,
            )
        except ServiceError as exc:
            error = str(exc.message)
            for name, errs in exc.field_errors.items():
                if name in form.fields:
                    for e in errs:
                        form.add_error(name, e)
        else:
            form = LogEntryForm()
    else:
        error = first_error(form)
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("The entry was added to the shift log."))
        return redirect_back(request, reverse("duty:desk"))
    now = timezone.now()
    centre = _centre(request)
    shift = selectors.current_shift(now, subdistrict_id=centre)
    return _render_fresh(
        request,
        "duty/_log.html",
        {
            "log": selectors.shift_log(shift=shift, subdistrict_id=centre)
            if shift
            else _recent_log(now, centre),
            "log_form": form,
            "may_log": True,
            "error": error,
            "shift": shift,
        },
        status=400 if error else 200,
    )


@require_POST
@login_required
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    shift = _get_shift(request, pk)

    def write(data: dict[str, Any]) -> str:
        services.handover_write(actor=request.user, shift=shift, notes=data["notes"])
        return _("The shift was handed over.")

    return _submit(
        request, HandoverForm(request.POST), write, redirect_back(request, reverse("duty:desk"))
    )


@require_POST
@login_required
def handover_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    item = perms.get_visible_or_404(request.user, Handover.objects.active(), pk=pk)

    def write(data: dict[str, Any]) -> str:
        services.handover_acknowledge(actor=request.user, handover=item, note=data["note"])
        return _("You have taken over the shift.")

    form = AcknowledgeHandoverForm(request.POST)
    return _submit(request, form, write, redirect_back(request, reverse("duty:desk")))


# --- the roster -------------------------------------------------------------------------------


@require_GET
@login_required
def roster(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    access = access_for(request.user)
    now = timezone.now()
    start = timezone.localdate(now)
    raw = request.GET.get("week", "")
    if raw:
        try:
            start = dt.date.fromisoformat(raw)
        except ValueError:
            messages.error(request, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw})
    centre = _centre(request)
    week = selectors.week_roster(
        start=start, now=now, person_id=access.person_id, subdistrict_id=centre
    )
    may_edit = edits_roster(access)
    return render(
        request,
        "duty/roster.html",
        {
            "week": week,
            "may_edit": may_edit,
            "generate_form": GenerateForm(subdistrict_id=centre) if may_edit else None,
            "active_nav": "duty",
            "tab": "roster",
        },
    )


def _check_editor(request: HttpRequest) -> None:
    perms.check(
        request.user,
        "edit_roster",
        Shift,
        _("Only duty chiefs and administrators may change the duty roster."),
    )


@require_POST
@login_required
def roster_generate(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    _check_editor(request)
    centre = selectors.centre_of(access_for(request.user), request.POST.get("subdistrict"))
    form = GenerateForm(request.POST, subdistrict_id=centre)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("duty:roster")
    data = form.cleaned_data
    try:
        result = services.roster_generate(
            actor=request.user,
            start=data["start"],
            days=data["days"],
            rotation=services.Rotation(
                chiefs=list(data["chiefs"]),
                operators=list(data["operators"]),
                operators_per_shift=data["operators_per_shift"],
            ),
            subdistrict_id=centre,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("duty:roster")
    messages.success(
        request,
        _("Roster generated: %(created)d assignments added, %(kept)d kept, %(shifts)d new shifts.")
        % {
            "created": result.assignments_created,
            "kept": result.assignments_kept,
            "shifts": result.shifts_created,
        },
    )
    for line in result.conflicts[:10]:
        messages.warning(request, line)
    return redirect(f"{reverse('duty:roster')}?week={data['start'].isoformat()}")


@require_GET
@login_required
def shift(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    access = access_for(request.user)
    item = _get_shift(request, pk)
    now = timezone.now()
    may_edit = edits_roster(access) and item.ends_at > now
    return render(
        request,
        "duty/shift.html",
        {
            "shift": item,
            "assignments": selectors.shift_assignments(item),
            "may_edit": may_edit,
            "assign_form": AssignForm(subdistrict_id=item.subdistrict_id) if may_edit else None,
            "log": selectors.shift_log(shift=item, subdistrict_id=_centre(request)),
            "handover": selectors.handover_of(item),
            "previous_shift": selectors.previous_shift(item),
            "following_shift": selectors.next_shift(item),
            "is_now": item.starts_at <= now < item.ends_at,
            "active_nav": "duty",
            "tab": "roster",
        },
    )


@require_POST
@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    _check_editor(request)
    item = _get_shift(request, pk)

    def write(data: dict[str, Any]) -> str:
        assignment = services.assignment_create(
            actor=request.user, shift=item, person=data["person"], role=data["role"]
        )
        return _("%(person)s is on the shift as %(role)s.") % {
            "person": assignment.person,
            "role": assignment.get_role_display(),
        }

    form = AssignForm(request.POST, subdistrict_id=item.subdistrict_id)
    return _submit(request, form, write, redirect("duty:shift", pk=item.pk))


@require_POST
@login_required
def unassign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    _check_editor(request)
    assignment = perms.get_visible_or_404(
        request.user, DutyAssignment.objects.active().select_related("person"), pk=pk
    )
    try:
        services.assignment_archive(actor=request.user, assignment=assignment)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(person)s was taken off the shift.") % {"person": assignment.person}
        )
    return redirect("duty:shift", pk=assignment.shift_id)


# --- my shifts and swaps --------------------------------------------------------------------


def _one_centre(shift: Shift) -> int | None:
    """A swap stays within the shift's centre (where the installation serves several)."""
    return None if serves_one_subdistrict() else shift.subdistrict_id


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    access = access_for(request.user)
    assignments = selectors.my_assignments(person_id=access.person_id)
    for a in assignments:
        a.swap_form = SwapRequestForm(  # type: ignore[attr-defined]
            exclude_person=access.person_id,
            prefix=f"swap{a.pk}",
            subdistrict_id=_one_centre(a.shift),
        )
    return render(
        request,
        "duty/mine.html",
        {
            "assignments": assignments,
            "swaps": selectors.swaps_for(request.user),
            "may_edit": edits_roster(access),
            "decision_form": DecisionForm(auto_id=False),
            "active_nav": "duty",
            "tab": "mine",
        },
    )


@require_POST
@login_required
def swap_request(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    assignment = perms.get_visible_or_404(
        request.user,
        DutyAssignment.objects.active().select_related("shift", "person"),
        pk=pk,
    )
    form = SwapRequestForm(
        request.POST,
        exclude_person=assignment.person_id,
        prefix=f"swap{assignment.pk}",
        subdistrict_id=_one_centre(assignment.shift),
    )

    def write(data: dict[str, Any]) -> str:
        swap = services.swap_request(
            actor=request.user,
            assignment=assignment,
            to_person=data["to_person"],
            counter_assignment=data["counter_assignment"],
            message=data["message"],
        )
        return _("%(person)s was asked to take the shift of %(shift)s.") % {
            "person": swap.to_person,
            "shift": assignment.shift,
        }

    return _submit(request, form, write, redirect_back(request, reverse("duty:mine")))


def _swap_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_reader(request)
    swap = perms.get_visible_or_404(request.user, SwapRequest.objects.all(), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if action == "accept":
            services.swap_accept(actor=request.user, swap=swap)
            done = _("Swap accepted: the roster has changed.")
        elif action == "refuse":
            services.swap_refuse(actor=request.user, swap=swap, note=note)
            done = _("Swap refused.")
        else:
            services.swap_cancel(actor=request.user, swap=swap, note=note)
            done = _("Swap request cancelled.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect_back(request, reverse("duty:mine"))


@require_POST
@login_required
def swap_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _swap_action(request, pk, "accept")


@require_POST
@login_required
def swap_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _swap_action(request, pk, "refuse")


@require_POST
@login_required
def swap_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _swap_action(request, pk, "cancel")
