"""The grid centre's staff pages: the operator console (queue, intake, bulk dispatch), the case
page with its action forms, the logged reveal of the reporter's phone and the staff photo view.

Views stay thin: permissions through gongzhi.core.permissions, reads from selectors, writes
through services. A refused action is a 403 with the reason, bad input a 400 with the messages
next to the fields, a lost race a 409 naming who got there first; none of them changes anything.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import permissions as perms
from gongzhi.core.conf import product_setting
from gongzhi.core.errors import ConflictError, NotAllowed, ServiceError
from gongzhi.core.roles import Role, access_for

from . import selectors, services, sla, suggestions
from .forms import (
    ACTION_FORMS,
    ActionForm,
    BulkDispatchForm,
    QueueFilterForm,
    StaffIntakeForm,
    action_form,
    add_service_error,
    file_report,
)
from .models import Case, CasePhoto
from .workflow import CASES, extension_unit

CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def _require_staff(request: HttpRequest) -> None:
    if not access_for(request.user).is_staff_member:
        raise NotAllowed(_("This page is for the subdistrict's staff."))


def _require_centre(request: HttpRequest) -> None:
    if not access_for(request.user).has(Role.OPERATOR, Role.DUTY_CHIEF):
        raise NotAllowed(_("Only the grid centre's operators can do this."))


def is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _nav_for(request: HttpRequest) -> str:
    access = access_for(request.user)
    if access.has(Role.OPERATOR, Role.DUTY_CHIEF, Role.LEADER):
        return "cases"
    if access.has(Role.DEPARTMENT):
        return "department"
    if access.has(Role.INSPECTOR):
        return "tasks"
    return "cases"


# --- The queue ------------------------------------------------------------------------------


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The operator console: every case in scope, filtered, most pressing first."""
    _require_staff(request)
    mine = access_for(request.user).subdistrict_ids
    form = QueueFilterForm(request.GET or None, subdistrict_ids=mine)
    filters = form.filters()
    cursor = request.GET.get("after", "")
    page = selectors.case_queue(
        request.user,
        filters=filters,
        cursor=cursor,
        with_counts=not (cursor and is_partial(request)),
    )
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "bulk_form": BulkDispatchForm(subdistrict_ids=mine),
        "may_dispatch": access_for(request.user).has(Role.OPERATOR, Role.DUTY_CHIEF),
        "may_intake": access_for(request.user).has(Role.OPERATOR, Role.DUTY_CHIEF),
        "filters": filters,
        "refresh_seconds": max(1, int(product_setting("QUEUE_REFRESH_SECONDS", 30))),
        "active_nav": "cases",
    }
    if is_partial(request):
        template = "cases/_queue_rows.html" if cursor else "cases/_queue_results.html"
    else:
        template = "cases/queue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _safe_next(request: HttpRequest, fallback: str) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return nxt
    return fallback


@require_POST
@login_required
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """Dispatch the ticked cases, each to the chosen department or to its suggested one. Each
    case is its own transaction: a case someone else dispatched first is reported, not lost."""
    _require_centre(request)
    back = _safe_next(request, reverse("cases:queue"))
    form = BulkDispatchForm(request.POST, subdistrict_ids=access_for(request.user).subdistrict_ids)
    selected = form.selected()
    if not form.is_valid() or not selected:
        messages.error(request, _("Tick the cases to dispatch first."))
        return redirect(back)
    chosen = form.cleaned_data["department"]
    reason = form.cleaned_data["override_reason"] or ""
    done: list[str] = []
    for pk, seen in selected:
        case = perms.visible(request.user, Case.objects.all()).filter(pk=pk).first()
        if case is None:
            messages.error(request, _("Case %(id)s: not found.") % {"id": pk})
            continue
        department = chosen.pk if chosen else sla.routed_department_id(case.category_id)
        try:
            services.case_dispatch(
                actor=request.user,
                case=case,
                department=department,
                override_reason=reason,
                expected_state=seen,
            )
        except (ServiceError, NotAllowed) as exc:
            messages.error(request, f"{case.number}: {exc.message}")
        else:
            done.append(case.number)
    if done:
        messages.success(
            request,
            _("Dispatched: %(numbers)s.") % {"numbers": ", ".join(done)},
        )
    return redirect(back)


# --- Intake ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """One intake for every channel (hotline, emergency duty, joint patrol, deputies …)."""
    _require_centre(request)
    # An empty POST is a bound form with errors, not an unbound one.
    form = StaffIntakeForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    status = 200
    if request.method == "POST":
        with transaction.atomic():  # the verdict on the suggestion shown commits with the case
            result = file_report(form, actor=request.user)
            if result is not None and result.created:
                suggestions.record_verdict(
                    actor=request.user,
                    case_id=result.case.pk,
                    shown_category_id=_int_or_none(request.POST.get("suggested_category")),
                    shown=suggestions.shown_for(
                        request.POST.get("suggestion_token"),
                        request.POST.get("title", ""),
                        request.POST.get("description", ""),
                    ),
                )
        if result is not None:
            case = result.case
            if not result.created:
                messages.info(
                    request,
                    _("This work order was already taken in as case %(number)s.")
                    % {"number": case.number},
                )
            else:
                messages.success(request, _("Case %(number)s taken in.") % {"number": case.number})
                if result.duplicates:
                    messages.warning(
                        request,
                        _(
                            "%(n)d open cases nearby look similar: check them beside the dispatch form."
                        )
                        % {"n": len(result.duplicates)},
                    )
            return redirect("cases:detail", case.pk)
        status = 400
    return render(
        request,
        "cases/intake.html",
        {
            "form": form,
            "map_config": map_config(access=access_for(request.user)),
            "suggestion": _suggestion(request) if request.method == "POST" else None,
            "active_nav": "cases",
        },
        status=status,
    )


def _int_or_none(raw: Any) -> int | None:
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _suggestion(request: HttpRequest) -> suggestions.Shown | None:
    return suggestions.for_report(
        request.POST.get("title", ""), request.POST.get("description", "")
    )


@require_POST
@login_required
def intake_suggestion(request: HttpRequest) -> HttpResponse:
    """The category suggested for the report the operator is writing (htmx, as they type):
    confident, it pre-selects the category; uncertain, it says so and fills nothing."""
    _require_centre(request)
    response = render(
        request, "cases/_intake_suggestion.html", {"suggestion": _suggestion(request)}
    )
    add_never_cache_headers(response)
    return response


def map_config(*, grids: bool = True, access: Any = None, **extra: Any) -> dict[str, Any]:
    """What the case maps' script needs: the layers to draw (the user's subdistricts' where
    `access` is narrowed to some) and its words."""
    return {
        "layers": selectors.outline_layers(grids=grids, access=access),
        "labels": {
            "near": _("near %(place)s"),
            "no_grid": _("inside the subdistrict, in no grid"),
            "locate": _("Use my location"),
            "no_geolocation": _("This device can't tell where it is."),
            "outside": _("This point is outside the subdistrict."),
            "pinned": _("Place marked on the map."),
            "correct": _("Not right? Drag the pin, tap the map or find the place by name."),
            "not_found": _("No place called “%(name)s” on the map."),
            "tap": _("Tap the map to mark the place."),
            "overdue": _("overdue"),
            "due": _("due in"),
        },
        **extra,
    }


# --- One case -------------------------------------------------------------------------------


def _forms_for(
    view: selectors.CaseView, bound: dict[str, ActionForm] | None = None
) -> list[tuple[Any, ActionForm]]:
    """A form for each action the user may take now (the bound one when it was refused)."""
    out = []
    suggested = view.suggestions.department if view.suggestions else None
    for t in view.actions:
        if bound and t.name in bound:
            form = bound[t.name]
        elif t.name == "dispatch":
            form = action_form("dispatch", view.case, suggested_department=suggested)
        elif t.name == "request_extension":
            form = action_form(
                t.name, view.case, initial={"unit": extension_unit(view.case), "amount": 1}
            )
        elif t.name in ("approve_extension", "refuse_extension"):
            form = action_form(
                t.name,
                view.case,
                initial={"request": view.pending_extension.pk if view.pending_extension else None},
            )
        else:
            form = action_form(t.name, view.case)
        out.append((t, form))
    return out


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, ActionForm] | None = None,
    conflict: str = "",
    revealed_phone: str = "",
    status: int = 200,
) -> HttpResponse:
    view = selectors.case_view(request.user, case)
    forms = _forms_for(view, bound)
    open_action = next(iter(bound)) if bound else ""
    # A refused action that the case no longer offers: its messages go on top of the page.
    shown = {t.name for t, _form in forms}
    refused = [
        str(message)
        for action, form in (bound or {}).items()
        if action not in shown
        for messages_ in form.errors.values()
        for message in messages_
    ]
    point = (
        {"lat": case.lat, "lng": case.lng, "label": case.number}
        if case.lat is not None and case.lng is not None
        else None
    )
    response = render(
        request,
        "cases/detail.html",
        {
            "view": view,
            "case": case,
            "forms": forms,
            "open_action": open_action,
            "conflict": conflict,
            "refused": refused,
            "revealed_phone": revealed_phone,
            "map_config": map_config(point=point, access=access_for(request.user))
            if point
            else None,
            "active_nav": _nav_for(request),
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_page(request.user, pk)
    if not access_for(request.user).is_staff_member:
        # A resident who reported it follows it where every reporter does.
        return redirect("cases:track", case.tracking_code)
    return render_case(request, case)


def _run(user: Any, case: Case, form: ActionForm) -> str:
    """Take the form's action (the action table says what it checks and changes); returns the
    message to show on success."""
    a, d = form.action, form.cleaned_data
    step = services.case_act(
        actor=user,
        case=case,
        action=a.name,
        note=d.get("note") or "",
        params=form.service_params(),
        expected_state=d["expected_state"],
    )
    return a.success(step) if a.success else _("Done: %(action)s.") % {"action": a.label}


@require_GET
@login_required
def dispatch_people(request: HttpRequest, pk: int) -> HttpResponse:
    """The responsible-person choices of the dispatch form for the department chosen in it
    (htmx swaps them in when the department changes)."""
    _require_centre(request)
    case = selectors.case_for_page(request.user, pk)
    form = action_form(
        "dispatch", case, data={"dispatch-department": request.GET.get("dispatch-department", "")}
    )
    choices = form.fields["assignee"].choices  # type: ignore[attr-defined]
    return render(request, "cases/_options.html", {"choices": choices})


@require_POST
@login_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404
    case = selectors.case_for_page(request.user, pk)
    t = CASES.actions[action]
    if not perms.can(request.user, action, case):
        raise NotAllowed(
            _("You are not allowed to “%(action)s” on this case.") % {"action": t.label}
        )
    form = action_form(action, case, request.POST, request.FILES)
    if not form.is_valid():
        return render_case(request, case, bound={action: form}, status=400)
    try:
        with transaction.atomic():  # the action and its photos together, or nothing
            message = _run(request.user, case, form)
    except ConflictError as exc:
        fresh = selectors.case_for_page(request.user, pk)
        return render_case(request, fresh, conflict=str(exc.message), status=409)
    except ServiceError as exc:
        add_service_error(form, exc, form.ALIASES)
        fresh = selectors.case_for_page(request.user, pk)
        return render_case(request, fresh, bound={action: form}, status=400)
    messages.success(request, message)
    if not perms.visible(request.user, Case.objects.filter(pk=pk)).exists():
        # Returned or merged out of the user's scope: back to their list.
        return redirect(_home_for(request))
    return redirect("cases:detail", pk)


def _home_for(request: HttpRequest) -> str:
    return {
        "cases": reverse("cases:queue"),
        "department": reverse("cases:inbox"),
        "tasks": reverse("cases:tasks"),
    }[_nav_for(request)]


@require_POST
@login_required
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The reporter's full phone number, for those who call back; every reveal is logged, and
    so is every refusal."""
    case = selectors.case_for_page(request.user, pk)
    try:
        phone = services.reveal_reporter_phone(actor=request.user, case=case)
    except NotAllowed as exc:
        if not is_partial(request):
            raise
        response = render(
            request, "cases/_reveal_refused.html", {"message": exc.message}, status=403
        )
    else:
        if not is_partial(request):
            return render_case(request, case, revealed_phone=phone)
        response = render(request, "cases/_revealed.html", {"value": phone})
    add_never_cache_headers(response)
    return response


# --- Photos -----------------------------------------------------------------------------------


def file_response(file: Any, content_type: str, *, public: bool) -> HttpResponseBase:
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("Not found.")) from exc
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    if not public:
        response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@login_required
def photo(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    """A case photo for staff who may see the case. The original (with its location data) is
    only ever served here, never from a public URL."""
    p: CasePhoto = selectors.staff_photo(request.user, pk)
    if kind == "original":
        if not access_for(request.user).is_staff_member:
            raise Http404(_("Not found."))
        return file_response(
            p.original, CONTENT_TYPES.get(p.extension, "application/octet-stream"), public=False
        )
    if kind == "public":
        return file_response(p.public_image, "image/jpeg", public=False)
    if kind == "thumb":
        return file_response(p.thumbnail, "image/jpeg", public=False)
    raise Http404(_("Not found."))
