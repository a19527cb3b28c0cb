"""Where a page's form sends the user back to after a write: the address it posted as `next` when
that address is on this site, else the page's default (never another host: no open redirect)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """To the posted `next` if it is this site's (over HTTPS when the request was), else to
    `default` (a URL or a URL name)."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)
