"""Pages of the service network. Views stay thin: permissions through gongzhi.core.permissions,
reads from selectors, every write through services; a refused write shows the service's message
(in the user's language) and changes nothing.

- Public, phone-first: the events list, an event's page (register, cancel, my check-in code with
  its QR, feedback, become a volunteer), my registrations.
- Staff: the menus (publish, order 点单, schedule 派单 with clashes shown), an event's check-in
  desk (code typed or scanned), volunteers' shifts and hours, statistics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.redirects import redirect_back
from gongzhi.core.roles import access_for
from gongzhi.places.subdistricts import public_subdistricts

from . import certificates, selectors, services
from .models import (
    CatalogueItem,
    Event,
    EventPhoto,
    Menu,
    Opportunity,
    Order,
    Registration,
    Room,
    ServicePoint,
    Shift,
    ShiftSignup,
    Volunteer,
)
from .permissions import sees_network
from .qr import qr_svg
from .staff import is_centre_staff, is_service_staff, point_ids, reads_network
from .workflow import ORDERS, SIGNUPS

R = Registration.State


def _write(request: HttpRequest, back: str, fn: Callable[[], str]) -> HttpResponseRedirect:
    """Run a service; show its message, or its refusal (nothing written); go back."""
    try:
        message = fn()
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    except NotAllowed as exc:
        messages.error(request, str(exc.message) or _("You are not allowed to do this."))
    else:
        if message:
            messages.success(request, message)
    return redirect_back(request, back)


def _do(request: HttpRequest, back: str, write: Callable[[], Any], done: str) -> HttpResponse:
    """_write for a service whose answer the message does not need: `done` once it went."""

    def run() -> str:
        write()
        return done

    return _write(request, back, run)


def _fresh(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    base = {"active_nav": "service", "service_tabs": sees_network(access_for(request.user))}
    response = render(request, template, {**base, **context}, status=status)
    add_never_cache_headers(response)
    return response


def _require_network(request: HttpRequest) -> None:
    if not sees_network(access_for(request.user)):
        raise NotAllowed(_("These pages are for the service centre and its stations."))


# --- Public: events and registration --------------------------------------------------------------


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # Every subdistrict's open events, or one's when the resident asks.
    subdistricts, chosen = public_subdistricts(request)
    qs = perms.visible(request.user, Event.objects.active()).filter(
        state=Event.State.OPEN, ends_at__gte=now
    )
    if chosen is not None:
        qs = qs.filter(point__organisation__subdistrict_id=chosen)
    qs = selectors.events_with_counts(qs).order_by("starts_at")[:60]
    mine: set[int] = set()
    if request.user.is_authenticated:
        mine = set(
            Registration.objects.filter(user=request.user)
            .exclude(state=R.CANCELLED)
            .values_list("event_id", flat=True)
        )
    return _fresh(
        request,
        "servicecentre/events.html",
        {
            "events": qs,
            "mine": mine,
            "active_nav": "events",
            "subdistricts": subdistricts,
            "chosen_subdistrict": chosen,
        },
    )


def _event(request: HttpRequest, pk: int) -> Event:
    return perms.get_visible_or_404(
        request.user,
        Event.objects.active().select_related("point__organisation", "room", "item__programme"),
        pk=pk,
    )


def _my_registration(user: Any, event: Event) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(event=event, user=user)
        .select_related("feedback")
        .order_by("-created_at", "-id")
        .first()
    )


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    reg = _my_registration(request.user, event)
    taken = selectors.seats_taken(event)
    waiting = event.registrations.filter(state=R.WAITLISTED).count()
    access = access_for(request.user)
    feedback = getattr(reg, "feedback", None) if reg else None
    context = {
        "event": event,
        "reg": reg,
        "qr": qr_svg(reg.code) if reg and reg.state == R.REGISTERED else "",
        "taken": taken,
        "free": max(0, event.capacity - taken),
        "waiting": waiting,
        "feedback": feedback,
        "can_check_in": perms.can(request.user, "check_in", event),
        "volunteer": selectors.volunteer_for(request.user),
        "started": event.starts_at <= timezone.now(),
        "is_staff": is_service_staff(access),
        "photos": list(event.photos.all()),
        "active_nav": "events",
    }
    return _fresh(request, "servicecentre/event.html", context)


@require_POST
@login_required
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)

    def write() -> str:
        reg, created = services.register(
            actor=request.user,
            event=event,
            name=request.POST.get("name", ""),
            mobile=request.POST.get("mobile", ""),
        )
        if not created:
            return _("You are registered already.")
        if reg.state == R.WAITLISTED:
            return _(
                "The event is full: you are on the waiting list and will move up when a seat frees."
            )
        return _("You are registered. Show your check-in code at the door.")

    return _write(request, reverse("servicecentre:event", args=[pk]), write)


@require_POST
@login_required
def event_photos_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)

    def write() -> str:
        made = services.event_photos_add(
            actor=request.user, event=event, uploads=request.FILES.getlist("photos")
        )
        return _("%(n)d photos added.") % {"n": len(made)}

    return _write(request, reverse("servicecentre:event", args=[pk]), write)


def event_photo(request: HttpRequest, pk: int, size: str) -> HttpResponseBase:
    """An event's photo (re-encoded, without metadata), for whoever may see the event."""
    from gongzhi.cases.views import file_response

    photo = EventPhoto.objects.select_related("event").filter(pk=pk).first()
    if (
        photo is None
        or not perms.visible(request.user, Event.objects.filter(pk=photo.event_id)).exists()
    ):
        raise Http404(_("Not found."))
    public = photo.event.state == Event.State.OPEN
    return file_response(
        photo.thumbnail if size == "thumb" else photo.image, "image/jpeg", public=public
    )


def _own_registration(request: HttpRequest, pk: int) -> Registration:
    return perms.get_visible_or_404(
        request.user, Registration.objects.select_related("event"), pk=pk
    )


@require_POST
@login_required
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_registration(
        request,
        pk,
        lambda reg: services.cancel_registration(actor=request.user, registration=reg),
        _("Your registration is cancelled."),
    )


@require_POST
@login_required
def registration_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_registration(
        request,
        pk,
        lambda reg: services.give_feedback(
            actor=request.user,
            registration=reg,
            rating=request.POST.get("rating"),
            comment=request.POST.get("comment", ""),
        ),
        _("Thank you for your feedback."),
    )


def _on_registration(
    request: HttpRequest, pk: int, write: Callable[[Registration], Any], done: str
) -> HttpResponse:
    """A registrant's own registration: run the service on it, back to its event."""
    reg = _own_registration(request, pk)
    back = reverse("servicecentre:event", args=[reg.event_id])
    return _do(request, back, lambda: write(reg), done)


@require_GET
@login_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    regs = (
        Registration.objects.filter(user=user)
        .select_related("event__point__organisation")
        .order_by("-event__starts_at")[:100]
    )
    return _fresh(request, "servicecentre/mine.html", {"regs": regs, "active_nav": "events"})


# --- Staff: check-in -------------------------------------------------------------------------------


def _check_in_event(request: HttpRequest, pk: int) -> Event:
    event = _event(request, pk)
    if not perms.can(request.user, "check_in", event):
        raise NotAllowed(_("You may check people in at your own events only."))
    return event


@login_required
def check_in_desk(request: HttpRequest, pk: int) -> HttpResponse:
    event = _check_in_event(request, pk)
    status = 200
    done = None
    error = ""
    if request.method == "POST":
        try:
            done = services.check_in(
                actor=request.user, event=event, code=request.POST.get("code", "")
            )
        except ServiceError as exc:
            error = str(exc.message)
            status = 400
    regs = event.registrations.exclude(state=R.CANCELLED).order_by("state", "created_at")
    counts = event.registrations.aggregate(
        registered=Count("pk", filter=Q(state__in=(R.REGISTERED, R.ATTENDED))),
        attended=Count("pk", filter=Q(state=R.ATTENDED)),
        waiting=Count("pk", filter=Q(state=R.WAITLISTED)),
    )
    context = {"event": event, "regs": regs, "counts": counts, "done": done, "error": error}
    return _fresh(request, "servicecentre/check_in.html", context, status=status)


# --- Staff: menus, orders, scheduling ------------------------------------------------------------


@login_required
def menus(request: HttpRequest) -> HttpResponse:
    _require_network(request)
    access = access_for(request.user)
    if request.method == "POST":
        return _write(
            request,
            reverse("servicecentre:menus"),
            lambda: (
                _("The menu of %(month)s is created.")
                % {
                    "month": f"{services.menu_create(actor=request.user, month=request.POST.get('month'), note=request.POST.get('note', '')).month:%Y-%m}"
                }
            ),
        )
    qs = (
        perms.visible(request.user, Menu.objects.active())
        .annotate(
            n_items=Count("items", filter=Q(items__archived_at__isnull=True), distinct=True),
            n_orders=Count("items__orders", distinct=True),
        )
        .order_by("-month")
    )
    nxt = services.first_of_month(timezone.localdate() + dt.timedelta(days=31))
    return _fresh(
        request,
        "servicecentre/menus.html",
        {"menus": qs, "is_centre": is_centre_staff(access), "next_month": f"{nxt:%Y-%m}"},
    )


def _menu(request: HttpRequest, pk: int) -> Menu:
    return perms.get_visible_or_404(request.user, Menu.objects.active(), pk=pk)


@login_required
def menu_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_network(request)
    menu = _menu(request, pk)
    access = access_for(request.user)
    items = menu.items.active().select_related(
        "item__programme", "item__provider_org", "item__provider_person"
    )
    orders = (
        perms.visible(request.user, Order.objects.active())
        .filter(menu_item__menu=menu)
        .select_related("menu_item__item", "station__organisation", "event")
        .order_by("state", "proposed_on", "starts_at")
    )
    stations = (
        perms.visible(request.user, ServicePoint.objects.active())
        .exclude(kind=ServicePoint.Kind.CENTRE)
        .select_related("organisation")
    )
    if not is_centre_staff(access):
        stations = stations.filter(pk__in=point_ids(access))
    order_rows = []
    for o in orders:
        order_rows.append(
            {
                "order": o,
                "actions": [a.name for a in ORDERS.available(request.user, o)],
                "default_start": f"{o.proposed_on:%Y-%m-%d}T{o.starts_at:%H:%M}",
            }
        )
    context = {
        "menu": menu,
        "items": items,
        "orders": order_rows,
        "stations": list(stations),
        "is_centre": is_centre_staff(access),
        "catalogue": CatalogueItem.objects.active().exclude(
            pk__in=items.values_list("item_id", flat=True)
        ),
        "rooms": perms.visible(request.user, Room.objects.active()).select_related(
            "point__organisation"
        ),
        "min_day": f"{max(menu.month, timezone.localdate()):%Y-%m-%d}",
    }
    return _fresh(request, "servicecentre/menu.html", context)


@require_POST
@login_required
def menu_add_item(request: HttpRequest, pk: int) -> HttpResponse:
    menu = _menu(request, pk)
    return _do(
        request,
        reverse("servicecentre:menu", args=[pk]),
        lambda: services.menu_add_item(
            actor=request.user, menu=menu, item=_int(request.POST.get("item"))
        ),
        _("The item is on the menu."),
    )


@require_POST
@login_required
def menu_publish(request: HttpRequest, pk: int) -> HttpResponse:
    menu = _menu(request, pk)
    return _do(
        request,
        reverse("servicecentre:menu", args=[pk]),
        lambda: services.menu_publish(
            actor=request.user, menu=menu, expected_state=request.POST.get("state") or None
        ),
        _("The menu is published; the stations can order from it."),
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ServiceError(_("Choose an entry from the list.")) from exc


@require_POST
@login_required
def order_place(request: HttpRequest, pk: int) -> HttpResponse:
    menu = _menu(request, pk)
    p = request.POST

    def write() -> str:
        mi = menu.items.active().filter(pk=_int(p.get("menu_item"))).first()
        if mi is None:
            raise ServiceError(_("There is no such menu item."))
        services.order_place(
            actor=request.user,
            menu_item=mi,
            station=p.get("station"),
            proposed_on=p.get("proposed_on"),
            alternative_on=p.get("alternative_on") or None,
            starts_at=p.get("starts_at"),
            expected=p.get("expected") or 20,
            note=p.get("note", ""),
        )
        return _("Ordered. The centre will schedule it.")

    return _write(request, reverse("servicecentre:menu", args=[pk]), write)


@require_POST
@login_required
def order_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = perms.get_visible_or_404(request.user, Order.objects.select_related("menu_item"), pk=pk)
    if action not in ORDERS.actions:
        raise Http404
    back = reverse("servicecentre:menu", args=[order.menu_item.menu_id])
    p = request.POST

    def write() -> str:
        if action == "schedule":
            event = services.order_schedule(
                actor=request.user,
                order=order,
                starts_at=p.get("starts_at") or None,
                room=p.get("room") or None,
                capacity=p.get("capacity") or None,
                expected_state=Order.State.ORDERED,
            )
            return _("Scheduled: the event “%(title)s” is open for registration.") % {
                "title": event.title
            }
        ORDERS.run(actor=request.user, obj=order, action=action, note=p.get("note", ""))
        return _("Done: %(action)s.") % {"action": ORDERS.actions[action].label}

    return _write(request, back, write)


@require_GET
@login_required
def order_clashes(request: HttpRequest, pk: int) -> HttpResponse:
    """The clashes of a proposed time and room (htmx, while the scheduler chooses)."""
    order = perms.get_visible_or_404(
        request.user, Order.objects.select_related("menu_item__item"), pk=pk
    )
    found: list[Any] = []
    error = ""
    try:
        starts = timezone.make_aware(dt.datetime.fromisoformat(request.GET.get("starts_at", "")))
        room = (
            Room.objects.active().filter(pk=_int(request.GET["room"])).first()
            if request.GET.get("room")
            else None
        )
        item = order.menu_item.item
        found = selectors.clashes(
            item=item,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=item.minutes),
            room=room,
        )
    except (ValueError, ServiceError):
        error = _("Give the date and time as YYYY-MM-DD HH:MM.")
    return render(
        request, "servicecentre/_clashes.html", {"clashes": found, "error": error, "order": order}
    )


# --- Volunteers -------------------------------------------------------------------------------------


@login_required
def volunteers(request: HttpRequest) -> HttpResponse:
    vol = selectors.volunteer_for(request.user)
    now = timezone.now()
    shifts = (
        Shift.objects.active()
        .filter(starts_at__gte=now, starts_at__lt=now + dt.timedelta(days=14))
        .select_related("opportunity__organiser__organisation")
        .annotate(taken=Count("signups", filter=~Q(signups__state=ShiftSignup.State.CANCELLED)))
        .order_by("starts_at")[:80]
    )
    mine = []
    signed: set[int] = set()
    if vol is not None:
        for su in vol.signups.select_related("shift__opportunity").order_by("-shift__starts_at")[
            :40
        ]:
            mine.append(
                {
                    "su": su,
                    "actions": [
                        a for a in SIGNUPS.available(request.user, su) if a.name != "confirm"
                    ],
                }
            )
            if su.state != ShiftSignup.State.CANCELLED:
                signed.add(su.shift_id)
    context = {
        "vol": vol,
        "hours": selectors.hours(vol) if vol else 0,
        "balance": selectors.balance(vol) if vol else 0,
        "shifts": shifts,
        "mine": mine,
        "signed": signed,
        "ranking": selectors.rankings(10),
        "is_staff": is_service_staff(access_for(request.user)),
        "active_nav": "volunteers",
    }
    return _fresh(request, "servicecentre/volunteers.html", context)


@require_POST
@login_required
def volunteer_join(request: HttpRequest) -> HttpResponse:
    p = request.POST

    def write() -> str:
        _vol, created = services.volunteer_join(
            actor=request.user,
            skills=p.get("skills", ""),
            availability=p.get("availability", ""),
            from_event=_int(p["event"]) if p.get("event") else None,
        )
        return (
            _("Welcome, you are a volunteer now.") if created else _("You are a volunteer already.")
        )

    return _write(request, reverse("servicecentre:volunteers"), write)


@require_POST
@login_required
def shift_sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    return _write(
        request,
        reverse("servicecentre:volunteers"),
        lambda: (
            services.shift_sign_up(actor=request.user, shift=pk),
            _("You are signed up for the shift."),
        )[1],
    )


@require_POST
@login_required
def signup_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    su = perms.get_visible_or_404(request.user, ShiftSignup.objects.all(), pk=pk)
    if action not in SIGNUPS.actions:
        raise Http404
    return _write(
        request,
        reverse("servicecentre:volunteers"),
        lambda: (
            services.signup_act(
                actor=request.user,
                signup=su,
                action=action,
                hours=request.POST.get("hours") or None,
            ),
            _("Done: %(action)s.") % {"action": SIGNUPS.actions[action].label},
        )[1],
    )


@login_required
def volunteer_desk(request: HttpRequest) -> HttpResponse:
    """Staff: new opportunities with their shifts, sign-ups whose hours wait for confirmation."""
    access = access_for(request.user)
    if not is_service_staff(access):
        raise NotAllowed(_("These pages are for the service centre and its stations."))
    if request.method == "POST":
        p = request.POST
        return _write(
            request,
            reverse("servicecentre:volunteer_desk"),
            lambda: (
                _("The opportunity and its %(n)d shifts are created.")
                % {
                    "n": services.opportunity_create(
                        actor=request.user,
                        organiser=_int(p.get("organiser")),
                        title=p.get("title", ""),
                        starts_on=p.get("starts_on"),
                        ends_on=p.get("ends_on"),
                        shift_start=p.get("shift_start"),
                        shift_end=p.get("shift_end"),
                        needed=p.get("needed") or 1,
                        working_days_only=bool(p.get("working_days_only")),
                        place=p.get("place", ""),
                    ).shifts.count()
                }
            ),
        )
    to_confirm = (
        perms.visible(request.user, ShiftSignup.objects.all())
        .filter(state__in=(ShiftSignup.State.CHECKED_IN, ShiftSignup.State.CHECKED_OUT))
        .select_related("volunteer", "shift__opportunity")
        .order_by("shift__starts_at")[:100]
    )
    organisers = perms.visible(request.user, ServicePoint.objects.active()).select_related(
        "organisation"
    )
    if not is_centre_staff(access):
        organisers = organisers.filter(pk__in=point_ids(access))
    opps = (
        perms.visible(request.user, Opportunity.objects.active())
        .select_related("organiser__organisation")
        .annotate(n=Count("shifts"))[:50]
    )
    return _fresh(
        request,
        "servicecentre/volunteer_desk.html",
        {
            "to_confirm": to_confirm,
            "organisers": organisers,
            "opportunities": opps,
            "n_volunteers": perms.visible(request.user, Volunteer.objects.active()).count(),
            "active_nav": "volunteers",
        },
    )


@require_GET
@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    vol = perms.get_visible_or_404(request.user, Volunteer.objects.active(), pk=pk)
    try:
        pdf = certificates.hours_certificate(vol)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("servicecentre:volunteers")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="volunteer-hours-{vol.pk}.pdf"'
    return response


# --- Service points ---------------------------------------------------------------------------------


@require_GET
@login_required
def points(request: HttpRequest) -> HttpResponse:
    """The centre and its stations: address, opening hours, rooms, staff (names only)."""
    _require_network(request)
    from django.db.models import Prefetch

    from gongzhi.org.models import Position

    qs = (
        perms.visible(request.user, ServicePoint.objects.active())
        .select_related("organisation")
        .prefetch_related(
            Prefetch("rooms", queryset=Room.objects.active()),
            Prefetch(
                "organisation__positions",
                queryset=Position.objects.active().select_related("person"),
                to_attr="staff",
            ),
        )
    )
    return _fresh(request, "servicecentre/points.html", {"points": qs})


# --- Statistics ---------------------------------------------------------------------------------------

GROUPS = ("station", "item", "programme", "month")


@require_GET
@login_required
def stats(request: HttpRequest) -> HttpResponse:
    _require_network(request)
    by = request.GET.get("by", "station")
    if by not in GROUPS:
        by = "station"
    access = access_for(request.user)
    qs = perms.visible(request.user, Event.objects.active())
    if not reads_network(access):  # station staff: their own station's deliveries
        qs = qs.filter(point_id__in=point_ids(access))
    labels = {
        "station": _("Station"),
        "item": _("Item"),
        "programme": _("Programme"),
        "month": _("Month"),
    }
    return _fresh(
        request,
        "servicecentre/stats.html",
        {
            "rows": selectors.statistics(qs, by),
            "by": by,
            "groups": [(g, labels[g]) for g in GROUPS],
        },
    )
