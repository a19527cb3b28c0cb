"""The residential area's cockpit page (its secretary and members; the subdistrict's roles for
any area). Thin: scope and figures in area_cockpit.py; a bad period is a message (400)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from gongzhi.core.errors import ServiceError

from . import area_cockpit, periods


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    area = area_cockpit.default_area(request.user)
    if area is None:
        raise Http404
    return redirect("dashboards:area", pk=area.pk)


@login_required
@require_GET
def area(request: HttpRequest, pk: int) -> HttpResponse:
    found = area_cockpit.area_for(request.user, pk)
    errors: list[str] = []
    data = None
    try:
        period = periods.parse(request.GET.get("period"))
        data = area_cockpit.area_cockpit(request.user, found, period)
    except ServiceError as exc:
        errors.append(str(exc.message))
    context = {
        "area": found,
        "c": data,
        "errors": errors,
        "choices": periods.choices(),
        "active_nav": "area_cockpit",
    }
    return render(request, "dashboards/area_cockpit.html", context, status=400 if errors else 200)
