"""The cockpit's pages: the dashboard, the list of the cases behind any figure, and the map's
figures (JSON). Thin: the period and filters are read from the URL, everything else is in
selectors; bad input is a message on the page (status 400), never a 500."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import access_for

from . import periods, selectors
from .forms import CockpitFilterForm

PAGE = 50


def _require_viewer(request: HttpRequest) -> None:
    if not selectors.may_view(access_for(request.user)):
        raise NotAllowed(
            _("The cockpit is for leaders, the centre, departments and residential areas.")
        )


def _read(request: HttpRequest) -> tuple[periods.Period, dict[str, Any]]:
    period = periods.parse(
        request.GET.get("period"), request.GET.get("from"), request.GET.get("to")
    )
    filters = selectors.clean_filters(access_for(request.user), request.GET)
    return period, filters


def _chart_data(c: selectors.Cockpit) -> dict[str, Any]:
    def ranked(rows: list[selectors.Ranked]) -> dict[str, Any]:
        return {
            "labels": [r.label for r in rows],
            "data": [r.value.percent for r in rows],
            "urls": [r.url for r in rows],
        }

    return {
        "trend": c.trend,
        "departments": ranked(c.departments),
        "grids": ranked(c.grids),
        "intake": {
            "labels": [str(r.label) for r in c.intake_today],
            "data": [r.value for r in c.intake_today],
            "urls": [r.url for r in c.intake_today],
        },
        "rank_name": str(selectors.cm.MEASURES[selectors.RANK_MEASURE].name),
    }


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    access = access_for(request.user)
    form = CockpitFilterForm(request.GET or None, access=access)
    cockpit = None
    errors: list[str] = []
    status = 200
    try:
        period, filters = _read(request)
        cockpit = selectors.cockpit(request.user, period, filters)
    except ServiceError as exc:
        errors.append(str(exc.message))
        status = 400
    context = {
        "form": form,
        "c": cockpit,
        "errors": errors,
        "chart_data": _chart_data(cockpit) if cockpit else None,
        "map_config": {
            "layers_url": reverse("places:map_data"),
            "figures_url": f"{reverse('dashboards:map_figures')}?{request.GET.urlencode()}",
            "labels": {
                "filed": _("cases filed"),
                "open": _("open cases"),
                "overdue": _("overdue cases"),
                "rate": str(selectors.cm.MEASURES[selectors.RANK_MEASURE].name),
                "density": _("cases filed per hectare"),
                "list": _("Show the cases"),
                "overdue_list": _("Show the overdue cases"),
                "shade_by": _("Shade by"),
                "no_grids": _("No grids have been drawn yet."),
            },
        },
        "active_nav": "cockpit",
    }
    template = (
        "dashboards/_results.html" if getattr(request, "htmx", False) else "dashboards/index.html"
    )
    return render(request, template, context, status=status)


@login_required
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    figure = request.GET.get("figure", "filed")
    errors: list[str] = []
    page = None
    period = None
    try:
        period, filters = _read(request)
        qs = selectors.figure_list(request.user, figure, period, filters)
        page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    except ServiceError as exc:
        errors.append(str(exc.message))
    query = request.GET.copy()
    query.pop("page", None)
    back = request.GET.copy()
    for key in ("figure", "page"):
        back.pop(key, None)
    context = {
        "figure": figure,
        "figure_label": selectors.figure_label(figure),
        "period": period,
        "page": page,
        "errors": errors,
        "query": query.urlencode(),
        "back": f"{reverse('dashboards:index')}?{back.urlencode()}",
        "now_figure": figure in selectors.cm.NOW_FIGURES,
        "active_nav": "cockpit",
    }
    return render(request, "dashboards/cases.html", context, status=400 if errors else 200)


@login_required
@require_GET
def map_figures(request: HttpRequest) -> JsonResponse:
    if not selectors.may_view(access_for(request.user)):
        return JsonResponse({"error": _("Not allowed.")}, status=403)
    try:
        period, filters = _read(request)
    except ServiceError as exc:
        return JsonResponse({"error": str(exc.message)}, status=400)
    return JsonResponse(selectors.map_figures(request.user, period, filters))
