"""The "API tokens" page of a user's account: list, create (the token is shown once, on the
page that answers the creation) and revoke. Administrators manage everyone's tokens in the back
office."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core import permissions as perms
from gongzhi.core.errors import ServiceError

from . import services
from .forms import TokenForm
from .models import ApiToken


def _uid(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created: services.NewToken | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            expires = form.cleaned_data.get("expires_on")
            try:
                created = services.token_create(
                    actor=request.user,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    expires_at=_end_of_day(expires) if expires else None,
                )
            except ServiceError as exc:
                for name, errors in exc.field_errors.items():
                    target = "expires_on" if name == "expires_at" else name
                    for message in errors:
                        form.add_error(target if target in form.fields else None, str(message))
                if not exc.field_errors:
                    form.add_error(None, str(exc.message))
            else:
                form = TokenForm()
        if created is None:
            status = 400
    tokens = perms.visible(request.user, ApiToken.objects.filter(user_id=_uid(request))).order_by(
        "revoked_at", "-created_at", "-id"
    )
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "created": created,
            "now": timezone.now(),
            "docs_url": reverse("api-v1:openapi-view"),
        },
        status=status,
    )
    add_never_cache_headers(response)  # the page may carry a token's secret
    return response


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = perms.get_visible_or_404(
        request.user, ApiToken.objects.filter(user_id=_uid(request)), pk=pk
    )
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
