"""Organisation pages: the chart, the people directory, a person, an organisation, and the
logged reveal of personal data. Views stay thin: permissions through
gongzhi.core.permissions, data from selectors, writes through services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed
from gongzhi.core.roles import access_for

from . import selectors, services
from .forms import PeopleFilterForm, RevealForm
from .models import Organisation, Person

PAGE_SIZE = 25


def _require_staff(request: HttpRequest) -> None:
    if not access_for(request.user).is_staff_member:
        raise NotAllowed(_("This page is for the subdistrict's staff."))


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


@require_GET
@login_required
def chart(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    org_chart = selectors.org_chart(request.user)
    return render(
        request,
        "org/chart.html",
        {"chart": org_chart, "visible_ids": org_chart.visible_person_ids, "active_nav": "org"},
    )


@require_GET
@login_required
def people(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = PeopleFilterForm(request.GET or None, user=request.user)
    found: QuerySet[Person] = Person.objects.none()
    if not request.GET or form.is_valid():
        data: dict[str, Any] = form.cleaned_data if request.GET else {}
        found = selectors.people_search(
            request.user,
            q=data.get("q") or "",
            organisation=data.get("organisation"),
            role=data.get("role") or "",
            area=data.get("area"),
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "org/_people_results.html" if _is_partial(request) else "org/people.html"
    response = render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode(), "active_nav": "people"},
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


def _person_page(
    request: HttpRequest, person: Person, *, revealed: dict[str, str] | None = None
) -> HttpResponse:
    response = render(
        request,
        "org/person.html",
        {
            "person": person,
            "profile": selectors.person_profile(person),
            "may_reveal": perms.can(request.user, "reveal", person),
            "personal_fields": [
                {
                    "name": name,
                    "label": getattr(Person._meta.get_field(name), "verbose_name", name),
                    "masked": getattr(person, f"{name}_masked"),
                    "revealed": (revealed or {}).get(name),
                }
                for name in Person.PERSONAL_FIELDS
            ],
            "active_nav": "people",
        },
    )
    add_never_cache_headers(response)
    return response


@require_GET
@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    person = perms.get_visible_or_404(
        request.user, Person.objects.select_related("home_area"), pk=pk
    )
    return _person_page(request, person)


@require_POST
@login_required
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """POST field=mobile|id_number: the full value, for a user who may see it (logged).
    Refused: 403 with a message, and the attempt is logged."""
    person = perms.get_visible_or_404(
        request.user, Person.objects.select_related("home_area"), pk=pk
    )
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("This field cannot be revealed."), status=400)
    field = form.cleaned_data["field"]
    try:
        value = services.person_reveal(actor=request.user, person=person, field=field)
    except NotAllowed as exc:
        if not _is_partial(request):
            raise
        response = render(request, "org/_reveal_refused.html", {"message": exc.message}, status=403)
    else:
        if not _is_partial(request):
            return _person_page(request, person, revealed={field: value})
        response = render(
            request, "org/_revealed.html", {"person": person, "field": field, "value": value}
        )
    add_never_cache_headers(response)
    return response


@require_GET
@login_required
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    org = perms.get_visible_or_404(
        request.user, Organisation.objects.select_related("parent", "residential_area"), pk=pk
    )
    profile = selectors.organisation_profile(org)
    people = [p.person for p in profile.current_positions + profile.past_positions]
    return render(
        request,
        "org/organisation.html",
        {
            "org": org,
            "profile": profile,
            "visible_ids": selectors.visible_person_ids(request.user, people),
            "active_nav": "org",
        },
    )
