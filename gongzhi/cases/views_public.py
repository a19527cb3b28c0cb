"""The public pages, for residents without an account: report a problem (map pin, photos), get a
tracking code, follow the case's progress and rate the outcome.

A case is reached by its tracking code only (10 random characters), never by its id. POSTs are
limited per address (gongzhi.core.http.client_ip) by the one rate limiter,
gongzhi.core.ratelimit: reports taken in per address and per phone number (refused attempts do
not count against the resident), every attempt per address more generously, lookups and
ratings per address; the refusal says how long to wait. The tracking page shows public events only, no
staff names and no reporter data, and photos re-encoded without location data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import ratelimit
from gongzhi.core.conf import product_setting
from gongzhi.core.errors import ConflictError, ServiceError
from gongzhi.core.http import client_ip

from . import selectors, services
from .forms import PublicReportForm, RateForm, TrackLookupForm, add_service_error, file_report
from .intake import normalise_phone
from .views import file_response, map_config

RECENT_CODES = "gz_cases_tracking_codes"


# Bucket → (the product setting that limits it, its default, the window in seconds).
LIMITS = {
    # Reports taken in, per address: refused attempts (a typo, a missing pin) do not count,
    # and a community centre's shared network has room for its residents.
    "report": ("PUBLIC_REPORTS_PER_HOUR", 30, 3600),
    # Reports taken in, per phone number given.
    "report_phone": ("PUBLIC_REPORTS_PER_PHONE_PER_DAY", 10, 86400),
    # Every POST of the report form, per address, taken in or not: hammering still stops.
    "report_attempt": ("PUBLIC_REPORT_ATTEMPTS_PER_HOUR", 120, 3600),
    "lookup": ("PUBLIC_LOOKUPS_PER_10_MIN", 30, 600),
    "rate": ("PUBLIC_LOOKUPS_PER_10_MIN", 30, 600),  # ratings count with the lookups
}


def _bucket(bucket: str, key: str) -> tuple[str, int, int]:
    setting, default, window_s = LIMITS[bucket]
    return f"public:{bucket}:{key}", int(product_setting(setting, default)), window_s


def too_many(request: HttpRequest, bucket: str) -> HttpResponse | None:
    """Count one POST for this address in this bucket; once over the bucket's limit per window
    (LIMITS), the 429 page to answer with (Retry-After: the seconds left in the window)."""
    name, limit, window_s = _bucket(bucket, client_ip(request) or "unknown")
    verdict = ratelimit.hit(name, limit=limit, window_s=window_s)
    return None if verdict.allowed else _limited(request, bucket, verdict)


def _full(request: HttpRequest, buckets: list[tuple[str, str]]) -> HttpResponse | None:
    """The 429 page when one of these (bucket, key) limits, which count only reports taken in,
    has no room for one more."""
    for bucket, key in buckets:
        name, limit, _window = _bucket(bucket, key)
        verdict = ratelimit.standing(name, limit=limit)
        if not verdict.allowed:
            return _limited(request, bucket, verdict)
    return None


def _count(buckets: list[tuple[str, str]]) -> None:
    for bucket, key in buckets:
        name, limit, window_s = _bucket(bucket, key)
        ratelimit.hit(name, limit=limit, window_s=window_s)


def _wait_text(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    if minutes <= 90:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = -(-minutes // 60)
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}


def _limited(request: HttpRequest, bucket: str, verdict: ratelimit.Verdict) -> HttpResponse:
    wait = _wait_text(verdict.retry_after)
    until = timezone.localtime(timezone.now() + dt.timedelta(seconds=verdict.retry_after))
    messages_by_bucket = {
        "report": _(
            "This address has sent %(n)s reports within the hour, as many as we take from one "
            "address. You can report again in %(wait)s (from %(time)s)."
        ),
        "report_phone": _(
            "%(n)s reports with this phone number have been taken in today, as many as we take "
            "from one number. You can report again in %(wait)s (from %(time)s)."
        ),
    }
    message = messages_by_bucket.get(
        bucket,
        _("Too many requests from your address. Please try again in %(wait)s (from %(time)s)."),
    ) % {"n": verdict.count, "wait": wait, "time": until.strftime("%H:%M")}
    if bucket.startswith("report"):
        message += " " + _("For something urgent or dangerous, call 12345 or 110.")
    response = render(
        request,
        "cases/public_message.html",
        {"title": _("Too many requests"), "message": message},
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _actor(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else selectors.PUBLIC_ACTOR


def _remember(request: HttpRequest, code: str) -> None:
    codes = [c for c in request.session.get(RECENT_CODES, []) if c != code]
    request.session[RECENT_CODES] = [code, *codes][:10]


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Report a problem: what, where (a pin on the map or an address), photos, and how to be
    called back. Answers with the tracking code."""
    form = PublicReportForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    status = 200
    if request.method == "POST":
        refused = too_many(request, "report_attempt")
        if refused is not None:
            return refused
        # Only reports taken in count against the address and the phone number.
        counted = [("report", client_ip(request) or "unknown")]
        if form.is_valid() and (phone := normalise_phone(form.cleaned_data.get("reporter_phone"))):
            counted.append(("report_phone", phone))
        refused = _full(request, counted)
        if refused is not None:
            return refused
        result = file_report(
            form, actor=_actor(request), reporter_user=request.user, find_duplicates=False
        )
        if result is not None:
            _count(counted)
            _remember(request, result.case.tracking_code)
            return redirect(f"{_track_url(result.case.tracking_code)}?new=1")
        status = 400
    response = render(
        request,
        "cases/report.html",
        {
            "form": form,
            "map_config": map_config(),
            "inspector": False,
            "recent_codes": request.session.get(RECENT_CODES, []),
            "lookup_form": TrackLookupForm(),
            "active_nav": "report",
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


def _track_url(code: str) -> str:
    return reverse("cases:track", args=[code])


@require_http_methods(["GET", "POST"])
def track_lookup(request: HttpRequest) -> HttpResponse:
    """Type a tracking code to open its page."""
    form = TrackLookupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        refused = too_many(request, "lookup")
        if refused is not None:
            return refused
        status = 400
        if form.is_valid():
            code = form.cleaned_data["code"]
            if selectors.tracking(code) is not None:
                return redirect("cases:track", code)
            form.add_error("code", _("No report has this tracking code."))
            status = 404
    return render(
        request,
        "cases/track_lookup.html",
        {"form": form, "active_nav": "report"},
        status=status,
    )


def _render_tracking(
    request: HttpRequest,
    found: selectors.Tracking,
    *,
    rate_form: RateForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    response = render(
        request,
        "cases/track.html",
        {
            "t": found,
            "case": found.case,
            "new": request.GET.get("new") == "1",
            "rate_form": rate_form
            or (RateForm(initial={"expected_state": found.case.state}) if found.may_rate else None),
            "conflict": conflict,
            "active_nav": "report",
        },
        status=status,
    )
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def track(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.tracking(code)
    if found is None:
        raise Http404(_("Not found."))
    return _render_tracking(request, found)


@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """The reporter rates the outcome of a closed case, by its tracking code."""
    refused = too_many(request, "rate")
    if refused is not None:
        return refused
    found = selectors.tracking(code)
    if found is None:
        raise Http404(_("Not found."))
    form = RateForm(request.POST)
    if not form.is_valid():
        return _render_tracking(request, found, rate_form=form, status=400)
    try:
        services.case_evaluate(
            actor=_actor(request),
            case=found.case,
            satisfaction=form.cleaned_data["satisfaction"],
            note=form.cleaned_data["note"],
            via_tracking_code=True,
            expected_state=form.cleaned_data["expected_state"],
        )
    except ConflictError as exc:
        fresh = selectors.tracking(code)
        assert fresh is not None  # noqa: S101  (cases are never deleted)
        return _render_tracking(request, fresh, conflict=str(exc.message), status=409)
    except ServiceError as exc:
        add_service_error(form, exc)
        return _render_tracking(request, found, rate_form=form, status=400)
    messages.success(request, _("Thank you for your rating."))
    return redirect("cases:track", found.case.tracking_code)


@require_GET
def public_photo(request: HttpRequest, code: str, pk: int, kind: str) -> HttpResponseBase:
    """A photo on the tracking page: the copy without location data, or its thumbnail."""
    photo = selectors.public_photo(code, pk)
    if photo is None or kind not in ("public", "thumb"):
        raise Http404(_("Not found."))
    file = photo.public_image if kind == "public" else photo.thumbnail
    return file_response(file, "image/jpeg", public=True)
