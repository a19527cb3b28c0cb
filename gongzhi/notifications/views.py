"""The inbox: a user's own in-app notices, marking them read, the navigation badge, and the
email/SMS opt-out. Views stay thin: rows from selectors, writes through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import permissions as perms
from gongzhi.core.errors import ServiceError
from gongzhi.core.pii import mask_phone
from gongzhi.core.redirects import redirect_back

from . import selectors, services
from .forms import PreferenceForm
from .models import Notification, mask_email

PAGE_SIZE = 20


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _list_context(request: HttpRequest, page_number: Any = None) -> dict[str, Any]:
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.inbox(user=request.user, unread_only=unread_only)
    page = Paginator(qs, PAGE_SIZE).get_page(page_number or request.GET.get("page"))
    return {
        "page": page,
        "unread_only": unread_only,
        "query": "unread=1" if unread_only else "",
        "unread": selectors.unread_count(user_id=request.user.pk),
        "active_nav": "inbox",
    }


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    context = _list_context(request)
    template = "notifications/_list.html" if _is_partial(request) else "notifications/inbox.html"
    response = render(request, template, {**context, "oob": _is_partial(request)})
    patch_vary_headers(response, ("HX-Request",))
    add_never_cache_headers(response)
    return response


@require_GET
@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """A tiny fragment with the unread count, polled every 60 s by the navigation."""
    response = render(
        request,
        "notifications/_badge.html",
        {"count": selectors.unread_count(user_id=request.user.pk)},
    )
    add_never_cache_headers(response)
    return response


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    return redirect_back(request, "notifications:inbox")


@require_POST
@login_required
def read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = perms.get_visible_or_404(request.user, Notification, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notice)
    if _is_partial(request):
        return render(
            request,
            "notifications/_read.html",
            {"n": notice, "unread": selectors.unread_count(user_id=request.user.pk)},
        )
    return _back_to_inbox(request)


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    if _is_partial(request):
        context = _list_context(request, page_number=request.POST.get("page"))
        return render(request, "notifications/_list.html", {**context, "oob": True})
    if count:
        messages.success(request, _("%(n)d notices marked as read.") % {"n": count})
    return _back_to_inbox(request)


@require_POST
@login_required
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notice read and go to the page it is about."""
    notice = perms.get_visible_or_404(request.user, Notification, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notice)
    if notice.link and url_has_allowed_host_and_scheme(
        notice.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notice.link)
    return redirect("notifications:inbox")


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = services.preference_for(user=request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.preference_set(
                    actor=request.user,
                    user=request.user,
                    receive_email=form.cleaned_data["receive_email"],
                    receive_sms=form.cleaned_data["receive_sms"],
                )
            except ServiceError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Your notification settings were saved."))
                return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={"receive_email": current.receive_email, "receive_sms": current.receive_sms}
        )
    user: Any = request.user
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "email_masked": mask_email(user.email),
            "phone_masked": mask_phone(user.phone),
            "active_nav": "inbox",
        },
    )
