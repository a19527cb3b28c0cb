"""Accountability's pages: the per-period table (leaders), the cases behind a count, the
warnings (leaders all, anyone else their own) and acknowledging one. Thin: reads in
accountability.py, writes in accountability_services.py; bad input is a message on the page
(status 400), never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import access_for

from . import accountability as acc
from . import accountability_services as services
from . import periods
from .accountability_models import AccountabilityMeasure, SubjectKind

PAGE = 50


def _require_opener(request: HttpRequest) -> None:
    if not acc.may_open(access_for(request.user)):
        raise NotAllowed(_("Accountability is for leaders and the people who answer for cases."))


def _period_choices() -> list[tuple[str, str]]:
    return [(k, label) for k, label in periods.choices() if "-" in k]


@login_required
@require_GET
def table(request: HttpRequest) -> HttpResponse:
    _require_opener(request)
    access = access_for(request.user)
    if not acc.sees_all(access):
        return redirect("dashboards:warnings")
    errors: list[str] = []
    data = None
    try:
        period = acc.accountability_period(request.GET.get("period"))
        data = acc.accountability_table(request.user, period)
    except ServiceError as exc:
        errors.append(str(exc.message))
        period = acc.accountability_period(None)
    context = {
        "t": data,
        "period": period,
        "errors": errors,
        "choices": _period_choices(),
        "measures": AccountabilityMeasure.choices,
        "warnings": acc.warnings_for(period.date_from, period.date_to, access)[:200],
        "active_nav": "accountability",
    }
    return render(request, "dashboards/accountability.html", context, status=400 if errors else 200)


@login_required
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    _require_opener(request)
    errors: list[str] = []
    page = None
    period = None
    kind = request.GET.get("kind", "")
    measure = request.GET.get("measure", "")
    try:
        period = acc.accountability_period(request.GET.get("period"))
        key = int(request.GET.get("id", ""))
        qs = acc.cases_behind(request.user, kind=kind, key=key, measure=measure, period=period)
        page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    except ValueError:
        errors.append(_("Invalid filter value."))
    except ServiceError as exc:
        errors.append(str(exc.message))
    query = request.GET.copy()
    query.pop("page", None)
    labels = dict(AccountabilityMeasure.choices)
    context = {
        "page": page,
        "period": period,
        "errors": errors,
        "query": query.urlencode(),
        "measure_label": labels.get(measure, ""),
        "kind_label": dict(SubjectKind.choices).get(kind, ""),
        "active_nav": "accountability",
    }
    return render(
        request, "dashboards/accountability_cases.html", context, status=400 if errors else 200
    )


@login_required
@require_POST
def evaluate(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("period", "")
    try:
        result = services.evaluate_on_demand(actor=request.user, period_key=key)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("dashboards:accountability")
    messages.success(
        request,
        _("Rules evaluated for %(period)s: %(new)d new warnings, %(old)d recorded before.")
        % {"period": result.period.label, "new": len(result.created), "old": result.existing},
    )
    return redirect(f"{reverse('dashboards:accountability')}?period={result.period.key}")


@login_required
@require_GET
def warnings(request: HttpRequest) -> HttpResponse:
    _require_opener(request)
    open_only = request.GET.get("open") == "1"
    page = Paginator(acc.warnings_page(request.user, open_only=open_only), PAGE).get_page(
        request.GET.get("page")
    )
    access = access_for(request.user)
    context = {
        "page": page,
        "open_only": open_only,
        "sees_all": acc.sees_all(access),
        "person_id": access.person_id,
        "active_nav": "accountability",
    }
    return render(request, "dashboards/warnings.html", context)


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.acknowledge(actor=request.user, warning_id=pk, note=request.POST.get("note", ""))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Warning acknowledged."))
    return redirect("dashboards:warnings")
