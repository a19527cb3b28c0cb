"""The writes of shared resources: each a typed, keyword-only function, one transaction, audited
through gongzhi.audit.services, refusing bad input with a translated ServiceError before it
writes anything. Views, the API, commands and the demo all call these.

Permissions are the caller's: pages and the API ask gongzhi.core.permissions first (the policies
in permissions.py); the services check the business rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.core import events
from gongzhi.core.errors import ServiceError, validation_errors
from gongzhi.places.subdistricts import refuse_other_subdistrict, require_reach

from . import lottery
from .availability import ResourceInfo, gate_info, schedule_for
from .models import (
    AvailabilityException,
    AvailabilityWindow,
    Booking,
    Draw,
    GateEvent,
    Permit,
    PermitApplication,
    ProofDocument,
    SharedResource,
    Violation,
)
from .plates import PlateError, mask_plate, normalise_plate
from .workflow import PERMITS

# Minutes after a window closes before a car still inside is an overstay.
OVERSTAY_GRACE = dt.timedelta(minutes=15)


# --- resources, windows, exceptions -------------------------------------------------------------


def _owner_subdistrict_id(fields: dict[str, Any]) -> int | None:
    owner = fields.get("owner")
    if owner is None and fields.get("owner_id") is not None:
        from gongzhi.org.models import Organisation

        owner = Organisation.objects.filter(pk=fields["owner_id"]).first()
    return getattr(owner, "subdistrict_id", None)


def resource_create(*, actor: Any, areas: Any = (), **fields: Any) -> SharedResource:
    """A unit shares a resource, serving residential areas of its own subdistrict."""
    sd = _owner_subdistrict_id(fields)
    require_reach(actor, sd)
    refuse_other_subdistrict(sd, list(areas or ()), field="areas")
    with transaction.atomic(), validation_errors(SharedResource):
        resource = audit.create(actor=actor, model=SharedResource, **fields)
        if areas:
            resource.areas.set(areas)
        events.publish("sharing.resource_created", actor=actor, resource=resource.pk)
    return resource


def resource_update(
    *, actor: Any, resource: SharedResource, areas: Any = None, **fields: Any
) -> SharedResource:
    refuse_other_subdistrict(resource.owner.subdistrict_id, list(areas or ()), field="areas")
    with transaction.atomic(), validation_errors(SharedResource):
        resource = audit.update(actor=actor, obj=resource, **fields)
        if areas is not None:
            before = sorted(resource.areas.values_list("pk", flat=True))
            resource.areas.set(areas)
            after = sorted(resource.areas.values_list("pk", flat=True))
            if before != after:
                audit.record_change(
                    actor=actor, obj=resource, field="areas", before=before, after=after
                )
    return resource


def _time(value: Any, label: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise ServiceError(
            _("%(label)s: enter a time like 17:30.") % {"label": label},
            field_errors={label: [_("Enter a time like 17:30.")]},
        ) from exc


def window_add(
    *, actor: Any, resource: SharedResource, weekdays: Any, start: Any, end: Any
) -> AvailabilityWindow:
    days = sorted({int(d) for d in weekdays}) if weekdays else []
    if not days or any(d < 0 or d > 6 for d in days):
        raise ServiceError(
            _("Choose at least one weekday."), field_errors={"weekdays": [_("Required.")]}
        )
    start_t, end_t = _time(start, "start"), _time(end, "end")
    with validation_errors(AvailabilityWindow):
        return audit.create(
            actor=actor,
            model=AvailabilityWindow,
            resource=resource,
            weekdays=days,
            start=start_t,
            end=end_t,
        )


def window_archive(*, actor: Any, window: AvailabilityWindow) -> AvailabilityWindow:
    return audit.archive(actor=actor, obj=window)


def exception_add(
    *,
    actor: Any,
    resource: SharedResource,
    kind: str,
    date_from: dt.date,
    date_to: dt.date,
    note: str = "",
) -> AvailabilityException:
    if date_to < date_from:
        raise ServiceError(
            _("The last date is before the first."),
            field_errors={"date_to": [_("Before the first date.")]},
        )
    if kind not in AvailabilityException.Kind.values:
        raise ServiceError(_("Choose whether the resource opens or closes on these dates."))
    with validation_errors(AvailabilityException):
        return audit.create(
            actor=actor,
            model=AvailabilityException,
            resource=resource,
            kind=kind,
            date_from=date_from,
            date_to=date_to,
            note=note,
        )


# --- applications --------------------------------------------------------------------------------


def application_submit(
    *,
    actor: Any,
    resource: SharedResource,
    name: str,
    residential_area: Any,
    plate: str,
    phone: str = "",
    vehicle_type: str = "car",
    proof_note: str = "",
    proof_upload: Any = None,
    applicant_user: Any = None,
    at: dt.datetime | None = None,
) -> PermitApplication:
    """A resident's application for a parking permit. One open application per plate."""
    if resource.kind != SharedResource.Kind.CAR_PARK:
        raise ServiceError(_("Only car parks take parking applications."))
    if resource.is_archived:
        raise ServiceError(_("This resource is no longer shared."))
    normalised = normalise_plate(plate)
    name = (name or "").strip()
    if not name:
        raise ServiceError(
            _("Enter the applicant's name."), field_errors={"name": [_("Required.")]}
        )
    with transaction.atomic():
        if (
            PermitApplication.objects.active()
            .filter(resource=resource, plate=normalised, state=PermitApplication.State.SUBMITTED)
            .exists()
        ):
            raise ServiceError(
                _(
                    "The plate %(plate)s has applied already; the application is waiting for the draw."
                )
                % {"plate": normalised},
                field_errors={"plate": [_("Applied already.")]},
            )
        fields: dict[str, Any] = {
            "resource": resource,
            "name": name,
            "phone": (phone or "").strip(),
            "residential_area": residential_area,
            "plate": normalised,
            "vehicle_type": vehicle_type,
            "proof_note": (proof_note or "").strip(),
            "applicant_user": applicant_user,
            "submitted_at": at or timezone.now(),
        }
        with validation_errors(PermitApplication):
            application = audit.create(actor=actor, model=PermitApplication, **fields)
        if proof_upload is not None:
            content_type = _proof_type(proof_upload)
            audit.create(
                actor=actor,
                model=ProofDocument,
                application=application,
                file=proof_upload,
                content_type=content_type,
            )
        events.publish(
            "sharing.application_submitted",
            actor=actor,
            application=application.pk,
            resource=resource.pk,
        )
    return application


PROOF_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
}
PROOF_MAX_BYTES = 5 * 1024 * 1024


def _proof_type(upload: Any) -> str:
    import os

    ext = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    if ext not in PROOF_TYPES:
        raise ServiceError(
            _("The proof of residence is a JPEG, PNG or PDF file."),
            field_errors={"proof_upload": [_("Not a JPEG, PNG or PDF file.")]},
        )
    if (getattr(upload, "size", 0) or 0) > PROOF_MAX_BYTES:
        raise ServiceError(
            _("The proof of residence is at most 5 MB."),
            field_errors={"proof_upload": [_("Too large.")]},
        )
    return PROOF_TYPES[ext]


def proof_open(*, actor: Any, proof: ProofDocument) -> ProofDocument:
    """Check and log the opening of an uploaded proof (REVEAL, or DENIED and NotAllowed)."""
    from gongzhi.core import permissions as perms

    audit.record_reveal(
        actor=actor,
        obj=proof,
        field="file",
        allowed=perms.can(actor, "see_phone", proof.application),
        note="open proof of residence",
        refusal=_("You are not allowed to open this proof of residence."),
    )
    return proof


def application_withdraw(*, actor: Any, application: PermitApplication) -> PermitApplication:
    if application.state != PermitApplication.State.SUBMITTED:
        raise ServiceError(_("Only an application waiting for the draw can be withdrawn."))
    return audit.update(actor=actor, obj=application, state=PermitApplication.State.WITHDRAWN)


# --- the lottery ----------------------------------------------------------------------------------


def _flags(app: PermitApplication, area_ids: set[int], had_permit: set[str]) -> dict[str, bool]:
    return {
        "served_area": app.residential_area_id in area_ids,
        "proof_of_residence": app.has_proof,
        "first_permit": app.plate not in had_permit,
        "new_energy": app.vehicle_type == "new_energy" or len(app.plate) == 8,
    }


def _opaque(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:12]


def draw_inputs(
    resource: SharedResource, *, seed: str, spaces: int, rules: list[str]
) -> dict[str, Any]:
    """What the draw publishes: every waiting application (masked plate, residential area, the
    rules each meets), the rules, the seed and the spaces."""
    apps = list(
        PermitApplication.objects.active()
        .filter(resource=resource, state=PermitApplication.State.SUBMITTED)
        .select_related("residential_area")
        .order_by("id")
    )
    area_ids = set(resource.areas.values_list("id", flat=True))
    had_permit = set(
        Permit.objects.filter(resource=resource, plate__in=[a.plate for a in apps]).values_list(
            "plate", flat=True
        )
    )
    return {
        "resource": resource.pk,
        "seed": seed,
        "spaces": spaces,
        "rules": list(rules),
        "applications": [
            {
                "id": a.pk,
                "plate": mask_plate(a.plate),
                "plate_key": _opaque(a.plate),
                "person": _opaque(f"u:{a.applicant_user_id}") if a.applicant_user_id else "",
                "area": a.residential_area.name,
                "flags": _flags(a, area_ids, had_permit),
            }
            for a in apps
        ],
    }


def draw_run(
    *,
    actor: Any,
    resource: SharedResource,
    period_from: dt.date,
    period_to: dt.date,
    seed: str,
    rules: list[str] | None = None,
    spaces: int | None = None,
    at: dt.datetime | None = None,
) -> Draw:
    """Draw the lottery over the waiting applications: publish the inputs, allocate, issue a
    permit to each winner for the period, put the rest on the waiting list."""
    rules = list(lottery.DEFAULT_RULES if rules is None else rules)
    unknown = [r for r in rules if r not in lottery.RULES]
    if unknown:
        raise ServiceError(_("Unknown priority rule: %(rule)s.") % {"rule": ", ".join(unknown)})
    seed = (seed or "").strip()
    if not seed:
        raise ServiceError(
            _("Enter the seed of the draw."), field_errors={"seed": [_("Required.")]}
        )
    if period_to < period_from:
        raise ServiceError(_("The permits' last day is before their first."))
    with transaction.atomic():
        locked = SharedResource.objects.select_for_update().get(pk=resource.pk)
        live = Permit.objects.active().filter(
            resource=locked,
            state__in=(Permit.State.ACTIVE, Permit.State.SUSPENDED),
            valid_to__gte=period_from,
        )
        free = locked.capacity - live.count() if spaces is None else spaces
        if free <= 0:
            raise ServiceError(_("No space is free for this period: every space has a permit."))
        inputs = draw_inputs(locked, seed=seed, spaces=free, rules=rules)
        if not inputs["applications"]:
            raise ServiceError(_("No application is waiting for a draw."))
        result = lottery.allocate(inputs)
        draw = Draw(
            resource=locked,
            period_from=period_from,
            period_to=period_to,
            seed=seed,
            rules=rules,
            spaces=free,
            inputs=inputs,
            result=result,
            drawn_at=at or timezone.now(),
            drawn_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        draw.save()
        audit.record_created(actor=actor, obj=draw)
        apps = PermitApplication.objects.in_bulk(result["allocated"] + result["waitlist"])
        for app_id in result["allocated"]:
            app = apps[app_id]
            _set_state(actor, app, PermitApplication.State.ALLOCATED)
            _issue(actor, app, period_from, period_to, draw=draw)
        for app_id in result["waitlist"]:
            _set_state(actor, apps[app_id], PermitApplication.State.WAITLISTED)
        events.publish(
            "sharing.draw_made",
            actor=actor,
            draw=draw.pk,
            resource=locked.pk,
            allocated=len(result["allocated"]),
        )
    return draw


def _set_state(actor: Any, app: PermitApplication, state: str) -> None:
    before = app.state
    PermitApplication.objects.filter(pk=app.pk).update(state=state)
    app.state = state
    audit.record_change(actor=actor, obj=app, field="state", before=before, after=state)


@dataclass(frozen=True)
class RedrawResult:
    draw: Draw
    same: bool
    result: dict[str, Any]


def redraw(draw: Draw) -> RedrawResult:
    """Re-run a past draw from its published inputs; `same` says whether it gives its result."""
    result = lottery.allocate(draw.inputs)
    same = result["allocated"] == draw.result.get("allocated") and result[
        "waitlist"
    ] == draw.result.get("waitlist")
    return RedrawResult(draw, same, result)


# --- permits --------------------------------------------------------------------------------------


def _issue(
    actor: Any,
    app: PermitApplication,
    valid_from: dt.date,
    valid_to: dt.date,
    *,
    draw: Draw | None = None,
) -> Permit:
    if (
        Permit.objects.active()
        .filter(
            resource_id=app.resource_id,
            plate=app.plate,
            state__in=(Permit.State.ACTIVE, Permit.State.SUSPENDED),
        )
        .exists()
    ):
        raise ServiceError(
            _("The plate %(plate)s has a permit for this resource already.") % {"plate": app.plate}
        )
    try:
        with transaction.atomic(), validation_errors(Permit):
            return audit.create(
                actor=actor,
                model=Permit,
                resource_id=app.resource_id,
                application=app,
                draw=draw,
                holder_user=app.applicant_user,
                holder_name=app.name,
                plate=app.plate,
                valid_from=valid_from,
                valid_to=valid_to,
            )
    except IntegrityError as exc:
        raise ServiceError(
            _("The plate %(plate)s has a permit for this resource already.") % {"plate": app.plate}
        ) from exc


def permit_issue(
    *, actor: Any, application: PermitApplication, valid_from: dt.date, valid_to: dt.date
) -> Permit:
    """Issue a permit outside a draw (a space freed up: the next on the waiting list)."""
    if application.state not in (
        PermitApplication.State.SUBMITTED,
        PermitApplication.State.WAITLISTED,
    ):
        raise ServiceError(_("This application is not waiting for a space."))
    if valid_to < valid_from:
        raise ServiceError(_("The permit's last day is before its first."))
    with transaction.atomic():
        permit = _issue(actor, application, valid_from, valid_to)
        _set_state(actor, application, PermitApplication.State.ALLOCATED)
        events.publish("sharing.permit_issued", actor=actor, permit=permit.pk)
    return permit


def permit_renew(*, actor: Any, permit: Permit, valid_to: dt.date, system: bool = False) -> Permit:
    """Renew a permit to a new last day (an expired one becomes active again)."""
    if permit.state == Permit.State.REVOKED:
        raise ServiceError(_("A revoked permit cannot be renewed."))
    PERMITS.run(
        actor=actor,
        obj=permit,
        action="renew",
        params={"valid_to": valid_to},
        check_roles=not system,
    )
    return permit


def permit_change_state(
    *, actor: Any, permit: Permit, action: str, note: str = "", system: bool = False
) -> Permit:
    """Suspend, reinstate or revoke a permit through its action table (workflow.py); `system`
    for the rules' own moves (a suspension after violations), which no role takes."""
    if action not in ("suspend", "reinstate", "revoke"):
        raise ServiceError(_("Unknown action."))
    PERMITS.run(actor=actor, obj=permit, action=action, note=note, check_roles=not system)
    return permit


def expire_permits(*, today: dt.date) -> int:
    """Mark the permits past their last day expired (a daily sweep; the gate check does not
    depend on it)."""
    ids = list(
        Permit.objects.filter(
            state__in=(Permit.State.ACTIVE, Permit.State.SUSPENDED), valid_to__lt=today
        ).values_list("id", flat=True)
    )
    for pk in ids:
        PERMITS.run(actor=None, obj=pk, action="expire", check_roles=False)
    return len(ids)


# --- the gate -------------------------------------------------------------------------------------

REASONS = {
    "permit": lambda: _("Permit valid now."),
    "exit": lambda: _("Exit recorded."),
    "malformed_plate": lambda: _("The plate number is not valid."),
    "unknown_resource": lambda: _("This gate's car park is not known."),
    "no_permit": lambda: _("No permit for this plate."),
    "not_yet_valid": lambda: _("The permit is not valid yet."),
    "expired": lambda: _("The permit has expired."),
    "suspended": lambda: _("The permit is suspended."),
    "revoked": lambda: _("The permit has been revoked."),
    "outside_window": lambda: _("Outside the opening hours."),
}


@dataclass
class GateResult:
    allowed: bool
    reason: str
    plate: str
    at: dt.datetime
    permit: Permit | None = None
    open_until: dt.datetime | None = None
    next_opening: dt.datetime | None = None
    event: GateEvent | None = None
    detail: str = ""

    @property
    def message(self) -> str:
        text = str(REASONS[self.reason]())
        return f"{text} {self.detail}".strip()


def _verdict(info: ResourceInfo, plate: str, at: dt.datetime, direction: str) -> GateResult:
    local = timezone.localtime(at)
    found = list(
        Permit.objects.active()
        .filter(resource_id=info.pk, plate=plate)
        .order_by("-valid_to", "-id")[:10]
    )
    # A live permit (active or suspended) first, else the newest.
    live = [p for p in found if p.state in (Permit.State.ACTIVE, Permit.State.SUSPENDED)]
    permit = (live or found or [None])[0]
    if direction == GateEvent.Direction.OUT:
        return GateResult(True, "exit", plate, at, permit=permit)
    if permit is None:
        return GateResult(False, "no_permit", plate, at)
    if permit.state == Permit.State.REVOKED:
        return GateResult(False, "revoked", plate, at, permit=permit)
    if permit.state == Permit.State.SUSPENDED:
        return GateResult(False, "suspended", plate, at, permit=permit)
    if permit.state == Permit.State.EXPIRED or local.date() > permit.valid_to:
        return GateResult(False, "expired", plate, at, permit=permit)
    if local.date() < permit.valid_from:
        return GateResult(False, "not_yet_valid", plate, at, permit=permit)
    window = info.schedule.open_at(at)
    if window is None:
        nxt = info.schedule.next_opening(at)
        detail = (
            _("Opens at %(time)s.") % {"time": timezone.localtime(nxt).strftime("%m-%d %H:%M")}
            if nxt
            else ""
        )
        return GateResult(
            False, "outside_window", plate, at, permit=permit, next_opening=nxt, detail=detail
        )
    detail = _("Leave by %(time)s.") % {
        "time": timezone.localtime(window[1]).strftime("%m-%d %H:%M")
    }
    return GateResult(True, "permit", plate, at, permit=permit, open_until=window[1], detail=detail)


def gate_check(
    *,
    actor: Any,
    resource_id: Any,
    plate: str,
    at: dt.datetime | None = None,
    direction: str = GateEvent.Direction.IN,
    record: bool = True,
) -> GateResult:
    """Allowed or refused, and why, for `plate` at the resource's gate at `at` (now). Every
    answer is logged (`record`); an exit also closes the stay and notes an overstay. A
    malformed plate or an unknown resource is a refusal with its reason, never an error.
    The resource's schedule comes from the per-process cache (availability.gate_info)."""
    at = at or timezone.now()
    if direction not in GateEvent.Direction.values:
        raise ServiceError(
            _("The direction is “in”, “out” or “check”."),
            field_errors={"direction": [_("Not a direction.")]},
        )
    try:
        info = gate_info(int(resource_id))
    except (TypeError, ValueError):
        info = None
    if info is None or info.kind != SharedResource.Kind.CAR_PARK:
        return GateResult(False, "unknown_resource", "", at)
    try:
        normalised = normalise_plate(plate)
    except PlateError as exc:
        result = GateResult(False, "malformed_plate", "", at, detail=str(exc.message))
    else:
        result = _verdict(info, normalised, at, direction)
    if not record:
        return result
    with transaction.atomic():
        result.event = GateEvent.objects.create(
            resource_id=info.pk,
            plate=result.plate,
            plate_input=(plate or "")[:40],
            at=at,
            direction=direction,
            verdict=GateEvent.Verdict.ALLOWED if result.allowed else GateEvent.Verdict.REFUSED,
            reason=result.reason,
            permit=result.permit,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if direction == GateEvent.Direction.OUT and result.permit is not None:
            _close_stay(actor, result.permit, at)
    return result


def _last_entry(permit: Permit, before: dt.datetime) -> GateEvent | None:
    """The car's last admitted entry before `before`, if it has not left since."""
    last = (
        GateEvent.objects.filter(
            resource_id=permit.resource_id,
            plate=permit.plate,
            at__lt=before,
            direction__in=(GateEvent.Direction.IN, GateEvent.Direction.OUT),
        )
        .filter(Q(direction=GateEvent.Direction.OUT) | Q(verdict=GateEvent.Verdict.ALLOWED))
        .order_by("-at", "-id")
        .first()
    )
    if last is None or last.direction == GateEvent.Direction.OUT:
        return None
    return last


def _close_stay(actor: Any, permit: Permit, left_at: dt.datetime) -> Violation | None:
    entry = _last_entry(permit, left_at)
    if entry is None:
        return None
    schedule = schedule_for(permit.resource)
    window = schedule.open_at(entry.at)
    if window is None or left_at <= window[1] + OVERSTAY_GRACE:
        return None
    existing = Violation.objects.filter(permit=permit, entered_at=entry.at).first()
    if existing is not None:
        if existing.left_at is None:
            Violation.objects.filter(pk=existing.pk).update(left_at=left_at)
        return existing
    return _violation(actor, permit, entry.at, window[1], left_at)


def overstay_sweep(*, resource: SharedResource, at: dt.datetime) -> list[Violation]:
    """Cars admitted in a window that closed (grace included) before `at` and still inside:
    each is a violation (once per stay)."""
    out = []
    schedule = schedule_for(resource)
    plates = (
        GateEvent.objects.filter(resource=resource, permit__isnull=False, at__lt=at)
        .values_list("plate", flat=True)
        .distinct()
    )
    permits = {
        p.plate: p
        for p in Permit.objects.active().filter(resource=resource, plate__in=list(plates))
    }
    with transaction.atomic():
        for permit in permits.values():
            entry = _last_entry(permit, at)
            if entry is None:
                continue
            window = schedule.open_at(entry.at)
            if window is None or at <= window[1] + OVERSTAY_GRACE:
                continue
            if Violation.objects.filter(permit=permit, entered_at=entry.at).exists():
                continue
            out.append(_violation(None, permit, entry.at, window[1], None))
    return out


def _violation(
    actor: Any,
    permit: Permit,
    entered_at: dt.datetime,
    closed_at: dt.datetime,
    left_at: dt.datetime | None,
) -> Violation:
    counted = (
        Violation.objects.active()
        .filter(permit=permit)
        .exclude(appeal=Violation.Appeal.UPHELD)
        .count()
    )
    limit = permit.resource.violations_to_suspend
    outcome = Violation.Outcome.SUSPENSION if counted + 1 >= limit else Violation.Outcome.WARNING
    violation = Violation(
        permit=permit,
        entered_at=entered_at,
        window_closed_at=closed_at,
        left_at=left_at,
        outcome=outcome,
    )
    violation.save()
    audit.record_created(actor=actor, obj=violation)
    events.publish(
        "sharing.violation", actor=actor, violation=violation.pk, permit=permit.pk, outcome=outcome
    )
    if outcome == Violation.Outcome.SUSPENSION and permit.state == Permit.State.ACTIVE:
        permit_change_state(
            actor=actor,
            permit=permit,
            action="suspend",
            note=_("%(n)s overstays into school hours") % {"n": counted + 1},
            system=True,
        )
    return violation


def violation_appeal(*, actor: Any, violation: Violation, text: str) -> Violation:
    if not (text or "").strip():
        raise ServiceError(_("Say why you appeal."), field_errors={"text": [_("Required.")]})
    if violation.appeal:
        raise ServiceError(_("This violation has been appealed already."))
    return audit.update(
        actor=actor, obj=violation, appeal=Violation.Appeal.PENDING, appeal_text=text.strip()
    )


def violation_decide(
    *, actor: Any, violation: Violation, upheld: bool, note: str = ""
) -> Violation:
    """Decide an appeal. Upheld cancels the violation; a permit suspended by violations is
    reinstated when fewer than the rules' number remain."""
    if violation.appeal != Violation.Appeal.PENDING:
        raise ServiceError(_("No appeal is waiting for a decision."))
    with transaction.atomic():
        violation = audit.update(
            actor=actor,
            obj=violation,
            appeal=Violation.Appeal.UPHELD if upheld else Violation.Appeal.REJECTED,
            appeal_decision_note=note.strip()[:200],
        )
        permit = Permit.objects.get(pk=violation.permit_id)
        remaining = (
            Violation.objects.active()
            .filter(permit=permit)
            .exclude(appeal=Violation.Appeal.UPHELD)
            .count()
        )
        if (
            upheld
            and permit.state == Permit.State.SUSPENDED
            and remaining < permit.resource.violations_to_suspend
        ):
            permit_change_state(
                actor=actor,
                permit=permit,
                action="reinstate",
                note=_("appeal upheld"),
                system=True,
            )
    return violation


# --- bookings ------------------------------------------------------------------------------------


def booking_create(
    *,
    actor: Any,
    resource: SharedResource,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    attendees: int = 0,
    organiser: Any = None,
    confirmed: bool = False,
) -> Booking:
    """Book a hall, room or ground. Refused when it falls outside the opening windows, overlaps
    another booking (requested or confirmed) or has more attendees than seats."""
    if resource.kind == SharedResource.Kind.CAR_PARK:
        raise ServiceError(_("Car parks are not booked; residents apply for permits."))
    refuse_other_subdistrict(resource.owner.subdistrict_id, [organiser], field="organiser")
    if not (title or "").strip():
        raise ServiceError(_("Name the event."), field_errors={"title": [_("Required.")]})
    if ends_at <= starts_at:
        raise ServiceError(
            _("The booking ends before it starts."),
            field_errors={"ends_at": [_("Before the start.")]},
        )
    if attendees > resource.capacity:
        raise ServiceError(
            _("%(n)s attendees do not fit: the resource holds %(cap)s.")
            % {"n": attendees, "cap": resource.capacity},
            field_errors={"attendees": [_("Too many.")]},
        )
    with transaction.atomic():
        SharedResource.objects.select_for_update().filter(pk=resource.pk).first()
        schedule = schedule_for(resource)
        s_local, e_local = timezone.localtime(starts_at), timezone.localtime(ends_at)
        inside = any(
            s <= s_local and e_local <= e
            for s, e in schedule.intervals(s_local.date(), e_local.date())
        )
        if not inside:
            raise ServiceError(
                _("%(name)s is not open for the whole of this time.") % {"name": resource.name},
                code="outside_window",
            )
        clash = (
            Booking.objects.active()
            .filter(
                resource=resource,
                state__in=(Booking.State.REQUESTED, Booking.State.CONFIRMED),
                starts_at__lt=ends_at,
                ends_at__gt=starts_at,
            )
            .first()
        )
        if clash is not None:
            raise ServiceError(
                _("It clashes with “%(title)s”, %(start)s–%(end)s.")
                % {
                    "title": clash.title,
                    "start": timezone.localtime(clash.starts_at).strftime("%m-%d %H:%M"),
                    "end": timezone.localtime(clash.ends_at).strftime("%H:%M"),
                },
                code="conflict",
            )
        with validation_errors(Booking):
            booking = audit.create(
                actor=actor,
                model=Booking,
                resource=resource,
                title=title.strip(),
                starts_at=starts_at,
                ends_at=ends_at,
                attendees=attendees,
                organiser=organiser,
                booked_by=actor if getattr(actor, "is_authenticated", False) else None,
                state=Booking.State.CONFIRMED if confirmed else Booking.State.REQUESTED,
            )
        events.publish("sharing.booking_created", actor=actor, booking=booking.pk)
    return booking


def booking_set_state(*, actor: Any, booking: Booking, state: str) -> Booking:
    allowed: dict[str, tuple[str, ...]] = {
        Booking.State.CONFIRMED: (Booking.State.REQUESTED,),
        Booking.State.CANCELLED: (Booking.State.REQUESTED, Booking.State.CONFIRMED),
    }
    if state not in allowed or booking.state not in allowed[state]:
        raise ServiceError(
            _("The booking is %(state)s: it cannot be changed that way.")
            % {"state": booking.get_state_display()}
        )
    with transaction.atomic():
        booking = audit.update(actor=actor, obj=booking, state=state)
        events.publish(f"sharing.booking_{state}", actor=actor, booking=booking.pk)
    return booking


def application_reveal_phone(*, actor: Any, application: PermitApplication) -> str:
    """The applicant's full phone, for the applicant and the owner unit's liaison; logged either
    way (PIPL: a REVEAL row naming the field, never the value, or a DENIED row and NotAllowed).
    One row per branch, as gongzhi.org.services.person_reveal."""
    from gongzhi.core import permissions as perms

    audit.record_reveal(
        actor=actor,
        obj=application,
        field="phone",
        allowed=perms.can(actor, "see_phone", application),
        note="reveal phone",
        refusal=_("You are not allowed to see this applicant's full phone number."),
    )
    return application.phone
