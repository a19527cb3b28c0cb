"""Pages for the people who do the work: a department's inbox, and an inspector's verification
tasks (list and map) and patrol report, made for a phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import NotAllowed
from gongzhi.core.roles import Role, access_for

from . import selectors
from .forms import InspectorReportForm, file_report
from .views import is_partial, map_config


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The department's own work orders: to accept, being handled, waiting for verification,
    closed."""
    access = access_for(request.user)
    if not access.has(Role.DEPARTMENT) or not access.department_ids:
        raise NotAllowed(_("This page is for the departments that handle cases."))
    cursor = request.GET.get("after", "")
    box = selectors.department_inbox(request.user, tab=request.GET.get("tab", "new"), cursor=cursor)
    template = "cases/_inbox_rows.html" if cursor and is_partial(request) else "cases/inbox.html"
    response = render(request, template, {"box": box, "active_nav": "department"})
    patch_vary_headers(response, ("HX-Request",))
    return response


def _require_inspector(request: HttpRequest) -> None:
    if not access_for(request.user).has(Role.INSPECTOR):
        raise NotAllowed(_("This page is for grid inspectors."))


@require_GET
@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """Handled cases waiting for the inspector's check on site, on a list and a map."""
    _require_inspector(request)
    found = selectors.inspector_tasks(request.user)
    return render(
        request,
        "cases/tasks.html",
        {
            "tasks": found,
            "map_config": map_config(
                grids=True, points=found.points, access=access_for(request.user)
            ),
            "active_nav": "tasks",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def inspector_report(request: HttpRequest) -> HttpResponse:
    """An inspector reports a problem on patrol: photo, category, the phone's position."""
    _require_inspector(request)
    form = InspectorReportForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    status = 200
    if request.method == "POST":
        result = file_report(form, actor=request.user)
        if result is not None:
            messages.success(
                request, _("Reported as case %(number)s.") % {"number": result.case.number}
            )
            return redirect("cases:tasks")
        status = 400
    return render(
        request,
        "cases/report.html",
        {
            "form": form,
            "map_config": map_config(locate_on_load=True, access=access_for(request.user)),
            "inspector": True,
            "active_nav": "tasks",
        },
        status=status,
    )
