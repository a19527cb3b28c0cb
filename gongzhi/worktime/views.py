"""Working-calendar pages: a year's holidays and make-up working days as the deadlines use
them, and the administrator's entry of a year's holiday notice (checked and previewed before
it is saved). Thin: reads from selectors, the checks and writes in services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed
from gongzhi.core.roles import access_for

from . import selectors, services
from .forms import HolidayNoticeForm
from .models import CalendarOverride


def _year_in_range(year: int) -> int:
    this = timezone.localdate().year
    if not this - 5 <= year <= this + 2:
        raise Http404
    return year


@require_GET
@login_required
def this_year(request: HttpRequest) -> HttpResponse:
    return redirect("worktime:year", year=timezone.localdate().year)


@require_GET
@login_required
def year_page(request: HttpRequest, year: int) -> HttpResponse:
    if not access_for(request.user).is_staff_member:
        raise NotAllowed(_("This page is for the subdistrict's staff."))
    report = selectors.year_report(year=_year_in_range(year))
    return render(
        request,
        "worktime/year.html",
        {
            "report": report,
            "may_enter": perms.can(request.user, "add", CalendarOverride),
            "active_nav": "calendar",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def notice(request: HttpRequest, year: int) -> HttpResponse:
    perms.check(request.user, "add", CalendarOverride)
    year = _year_in_range(year)
    form = HolidayNoticeForm(request.POST or None, year=year)
    action = request.POST.get("action")
    if action == "edit":  # back from the preview to the form, as it was filled in
        return render(
            request,
            "worktime/notice.html",
            {"form": form, "year": year, "plan": None, "active_nav": "calendar"},
        )
    if request.method == "POST" and form.is_valid() and form.plan is not None:
        if action == "save":
            written = services.holiday_notice_save(
                actor=request.user, plan=form.plan, remarks=form.cleaned_data["remarks"]
            )
            messages.success(
                request,
                _("%(year)s's holiday notice is saved: %(n)s dates. Deadlines use it from now on.")
                % {"year": year, "n": written},
            )
            return redirect("worktime:year", year=year)
        return render(
            request,
            "worktime/notice.html",
            {"form": form, "year": year, "plan": form.plan, "active_nav": "calendar"},
        )
    return render(
        request,
        "worktime/notice.html",
        {"form": form, "year": year, "plan": None, "active_nav": "calendar"},
        status=400 if request.method == "POST" else 200,
    )
