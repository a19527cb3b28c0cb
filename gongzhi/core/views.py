from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from gongzhi.core.roles import access_for

from . import selectors
from .home import panels_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The viewer's work first (the panels each app registers for their role), then, for
    administrators, the subdistrict's structure at a glance."""
    access = access_for(request.user)
    return render(
        request,
        "core/home.html",
        {
            "panels": panels_for(request.user, access),
            "overview": selectors.home_overview(access),
            "role": access.primary_role,
            "active_nav": "home",
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = getattr(exception, "message", "") or ""
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
