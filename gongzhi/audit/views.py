from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed
from gongzhi.core.roles import Role, access_for

from .forms import AuditFilterForm
from .models import AuditEvent
from .selectors import AuditFilter, audit_events, readable_changes


def _require_auditor(request: HttpRequest) -> None:
    if not access_for(request.user).has(Role.AUDITOR, Role.ADMIN):
        raise NotAllowed()


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = AuditFilterForm(request.GET or None)
    events: QuerySet[AuditEvent] = AuditEvent.objects.none()
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        f = AuditFilter(**{k: v for k, v in data.items() if v not in (None, "")})
        events = perms.visible(request.user, audit_events(f))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "audit/_rows.html" if getattr(request, "htmx", False) else "audit/list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode(), "active_nav": "audit"},
    )


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_auditor(request)
    event = perms.get_visible_or_404(
        request.user, AuditEvent.objects.select_related("content_type", "actor__person"), pk=pk
    )
    return render(
        request,
        "audit/detail.html",
        {
            "event": event,
            "changes": readable_changes(event),
            "TIME_ZONE_NAME": settings.TIME_ZONE,
            "active_nav": "audit",
        },
    )
