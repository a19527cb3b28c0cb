"""The report pages: the reports kept (each reader sees their scope's), the form that asks for
one, its progress (an htmx fragment the page polls; it survives a reload since the progress is
on the report's row) and the downloads (checked and audited by the service). Bad input is a
message on the page with status 400, never a 500."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import Access, access_for
from gongzhi.org.models import Organisation
from gongzhi.places.models import ResidentialArea

from . import periods
from . import report_services as services
from .forms import subdistrict_choices
from .models import Report

PAGE = 30


def _require(request: HttpRequest) -> Access:
    access = access_for(request.user)
    if not services.may_use(access):
        raise NotAllowed(
            _("The reports are for leaders, the centre, departments and residential areas.")
        )
    return access


def scope_choices(access: Access) -> list[tuple[str, str]]:
    """The scopes this viewer may ask for, as `kind` or `kind:id`."""
    out: list[tuple[str, str]] = []
    areas = ResidentialArea.objects.active().order_by("code")
    depts = Organisation.objects.filter(
        kind__in=services.DEPARTMENT_KINDS, archived_at__isnull=True
    ).order_by("name")
    if access.whole_subdistrict:
        subdistricts = list(subdistrict_choices(access))
        if not subdistricts:  # an installation of one subdistrict
            out.append(("subdistrict", services.scope_of("subdistrict").label))
        else:
            if access.every_subdistrict:
                out.append(("district", services.scope_of("district").label))
            out += [(f"subdistrict:{sd.pk}", sd.name) for sd in subdistricts]
    if access.subdistrict_ids is not None:
        areas = areas.filter(subdistrict_id__in=access.subdistrict_ids)
        depts = depts.filter(subdistrict_id__in=access.subdistrict_ids)
    if not access.whole_subdistrict:
        areas = areas.filter(pk__in=access.area_ids)
    out += [(f"area:{a.pk}", a.name) for a in areas]
    if not access.whole_subdistrict:
        depts = depts.filter(pk__in=access.department_ids)
    out += [(f"department:{d.pk}", d.name) for d in depts]
    return out


def period_choices() -> list[tuple[str, str]]:
    return [(k, label) for k, label in periods.choices() if periods.parse(k).kind != "span"]


def _scope_from(value: str) -> Any:
    kind, _sep, pk = (value or "").partition(":")
    try:
        ident = int(pk) if pk else None
    except ValueError as exc:
        raise ServiceError(
            _("Unknown scope: choose the subdistrict, a residential area or a department.")
        ) from exc
    return services.scope_of(
        kind,
        area_id=ident if kind == "area" else None,
        department_id=ident if kind == "department" else None,
        subdistrict_id=ident if kind == "subdistrict" else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    access = _require(request)
    errors: list[str] = []
    status = 200
    chosen = {"period": "", "scope": ""}
    if request.method == "POST":
        chosen = {
            "period": request.POST.get("period", ""),
            "scope": request.POST.get("scope", ""),
        }
        try:
            r = services.report_request(
                actor=request.user,
                period=services.parse_period(chosen["period"]),
                scope=_scope_from(chosen["scope"]),
            )
        except (ServiceError, NotAllowed) as exc:
            errors.append(str(exc.message))
            status = 403 if isinstance(exc, NotAllowed) else 400
        else:
            messages.success(request, _("The report is being generated."))
            return redirect(f"{request.path}#report-{r.pk}")
    page = Paginator(services.visible(request.user).select_related("task"), PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "errors": errors,
        "chosen": chosen,
        "period_choices": period_choices(),
        "scope_choices": scope_choices(access),
        "active_nav": "reports",
    }
    return render(request, "dashboards/reports.html", context, status=status)


def _report(request: HttpRequest, pk: int) -> Report:
    _require(request)
    return perms.get_visible_or_404(request.user, services.visible(request.user), pk=pk)


@login_required
@require_GET
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls; when the report is ready it tells the page to reload."""
    r = _report(request, pk)
    response = render(request, "dashboards/_report_progress.html", {"r": r})
    if not r.running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    r = _report(request, pk)
    try:
        f, name, content_type = services.download(actor=request.user, r=r, fmt=fmt)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("dashboards:reports")
    return FileResponse(f, as_attachment=True, filename=name, content_type=content_type)
