from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext

from gongzhi.core.http import client_ip
from gongzhi.core.roles import access_for

from . import metrics, selectors
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


def readyz(request: HttpRequest) -> JsonResponse:
    """For a load balancer's readiness check during an upgrade: the database answers and has
    every migration this code expects (503 with the reasons otherwise)."""
    problems: list[str] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            problems.append(f"{len(plan)} migrations not applied")
    except DatabaseError as exc:
        problems.append(f"database unavailable: {type(exc).__name__}")
    if problems:
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ready"})


def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    if not metrics.allowed(client_ip(request)):
        raise PermissionDenied
    return HttpResponse(metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = getattr(exception, "message", "") or ""
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A 500, or — when the database can't be reached (restarting, failed over) — a 503 that
    says to try again, with Retry-After. Rendered without the request's context: the menus and
    the user would need the database."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        if request.path.startswith("/api/") or request.path.startswith("/open311/"):
            response: HttpResponse = JsonResponse(
                {"detail": gettext("The service is temporarily unavailable. Try again shortly.")},
                status=503,
            )
        else:
            response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)
