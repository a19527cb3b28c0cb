"""Shared resources of the alliance's units and what happens around them.

A `SharedResource` (a car park, a hall, a room, a sports ground) belongs to a unit and is open in
weekly `AvailabilityWindow`s, changed on some dates by `AvailabilityException`s (school holidays
widen them, exam days close them). Residents apply for parking (`PermitApplication`); when the
applications exceed the spaces a `Draw` allocates them by published priority rules and a seeded,
reproducible shuffle; the winners get `Permit`s. The gate asks about a plate at a moment and
every answer is logged (`GateEvent`); a stay into school hours is a `Violation`. Halls and rooms
are booked (`Booking`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.fields import ProtectedForeignKey
from gongzhi.core.models import ArchivableModel
from gongzhi.core.pii import Masked, mask_name, mask_phone


class SharedResource(ArchivableModel):
    class Kind(models.TextChoices):
        CAR_PARK = "car_park", _("car park")
        HALL = "hall", _("hall")
        ROOM = "room", _("room")
        SPORTS_GROUND = "sports_ground", _("sports ground")

    owner = ProtectedForeignKey("org.Organisation", _("owner unit"), related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), help_text=_("Parking spaces, or seats of a hall or room.")
    )
    rules = models.TextField(_("rules"), blank=True)
    violations_to_suspend = models.PositiveSmallIntegerField(
        _("violations that suspend a permit"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("The first violations are warnings; this many suspend the permit."),
    )
    follows_school_calendar = models.BooleanField(
        _("follows the working-day calendar"),
        default=True,
        help_text=_(
            "Statutory holidays count as non-school days (weekend windows apply) and make-up "
            "working days as school days (weekday windows apply)."
        ),
    )
    areas = models.ManyToManyField(
        "places.ResidentialArea",
        verbose_name=_("residential areas served"),
        related_name="+",
        blank=True,
    )
    listing = ProtectedForeignKey(
        "alliance.Resource",
        _("on the alliance's resource list as"),
        null=True,
        related_name="shared_resources",
        help_text=_("The owner unit's entry on the alliance's resource list (资源清单), if any."),
    )

    class Meta:
        verbose_name = _("shared resource")
        verbose_name_plural = _("shared resources")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.listing_id and self.listing is not None and self.listing.owner_id != self.owner_id:
            raise ValidationError(
                {"listing": _("Choose an entry of the owner unit's own resource list.")}
            )


class AvailabilityWindow(ArchivableModel):
    """Open on the given weekdays from `start` to `end`. An `end` at or before `start` runs past
    midnight into the next day (17:30–07:30); `start` = `end` = 00:00 is the whole day."""

    resource = ProtectedForeignKey(SharedResource, _("resource"), related_name="windows")
    weekdays = models.JSONField(
        _("weekdays"), default=list, help_text=_("0 = Monday … 6 = Sunday.")
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("availability window")
        verbose_name_plural = _("availability windows")
        ordering = ["resource", "start", "id"]

    def __str__(self) -> str:
        return f"{self.weekday_labels()} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start and not self.all_day

    @property
    def all_day(self) -> bool:
        return self.start == self.end == dt.time(0, 0)

    def weekday_labels(self) -> str:
        names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
        return " ".join(str(names[d]) for d in sorted(self.weekdays) if 0 <= d <= 6)


class AvailabilityException(ArchivableModel):
    class Kind(models.TextChoices):
        OPEN = "open", _("open all day (widens the windows)")
        CLOSED = "closed", _("closed all day")

    resource = ProtectedForeignKey(SharedResource, _("resource"), related_name="exceptions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("until (inclusive)"))
    note = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("availability exception")
        verbose_name_plural = _("availability exceptions")
        ordering = ["date_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="sharing_exception_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date_from}–{self.date_to}"


class VehicleType(models.TextChoices):
    CAR = "car", _("small car")
    NEW_ENERGY = "new_energy", _("new-energy car")
    VAN = "van", _("van / MPV")


class PermitApplication(ArchivableModel):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ALLOCATED = "allocated", _("allocated")
        WAITLISTED = "waitlisted", _("waiting list")
        WITHDRAWN = "withdrawn", _("withdrawn")

    resource = ProtectedForeignKey(SharedResource, _("resource"), related_name="applications")
    applicant_user = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("applicant's account"), null=True, related_name="+"
    )
    name = models.CharField(_("applicant's name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), related_name="+"
    )
    plate = models.CharField(_("plate number"), max_length=10, db_index=True)
    vehicle_type = models.CharField(
        _("vehicle type"), max_length=20, choices=VehicleType.choices, default=VehicleType.CAR
    )
    proof_note = models.CharField(_("proof of residence"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    PERSONAL_FIELDS = ("phone",)
    phone_masked = Masked("phone", mask_phone)
    name_masked = Masked("name", mask_name)

    class Meta:
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "plate"],
                condition=Q(archived_at__isnull=True, state="submitted"),
                name="sharing_one_open_application_per_plate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plate} → {self.resource}"

    @property
    def has_proof(self) -> bool:
        return bool(self.proof_note.strip())


class ProofDocument(ArchivableModel):
    """A scan or photo of the proof of residence an applicant uploaded (optional). Personal
    data: never served publicly; the applicant and the owner unit's liaison open it, logged."""

    application = ProtectedForeignKey(PermitApplication, _("application"), related_name="proofs")
    file = models.FileField(_("file"), upload_to="sharing/proofs/%Y/%m/", max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)

    class Meta:
        verbose_name = _("proof of residence")
        verbose_name_plural = _("proofs of residence")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.file.name}"


class Draw(ArchivableModel):
    """One lottery: the inputs (applications, rules, seed) are frozen in `inputs` when it is
    drawn, so anyone can re-run it (`manage.py sharing_redraw`)."""

    resource = ProtectedForeignKey(SharedResource, _("resource"), related_name="draws")
    period_from = models.DateField(_("permits valid from"))
    period_to = models.DateField(_("permits valid until"))
    seed = models.CharField(_("seed"), max_length=100)
    rules = models.JSONField(_("priority rules"), default=list)
    spaces = models.PositiveIntegerField(_("spaces allocated"))
    inputs = models.JSONField(_("published inputs"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    drawn_at = models.DateTimeField(_("drawn at"))
    drawn_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("drawn by"), null=True)

    class Meta:
        verbose_name = _("lottery draw")
        verbose_name_plural = _("lottery draws")
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"{self.resource} {self.period_from}–{self.period_to}"


class Permit(ArchivableModel):
    class State(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("permit", "active")
        SUSPENDED = "suspended", _("suspended")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    resource = ProtectedForeignKey(SharedResource, _("resource"), related_name="permits")
    application = ProtectedForeignKey(
        PermitApplication, _("application"), null=True, related_name="permits"
    )
    draw = ProtectedForeignKey(Draw, _("draw"), null=True, related_name="permits")
    holder_user = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("holder's account"), null=True, related_name="+"
    )
    holder_name = models.CharField(_("holder"), max_length=50)
    plate = models.CharField(_("plate number"), max_length=10, db_index=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.ACTIVE, db_index=True
    )
    state_note = models.CharField(_("reason"), max_length=200, blank=True)
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    version = models.PositiveIntegerField(_("version"), default=0)

    holder_name_masked = Masked("holder_name", mask_name)

    class Meta:
        verbose_name = _("parking permit")
        verbose_name_plural = _("parking permits")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "plate"],
                condition=Q(archived_at__isnull=True, state__in=("active", "suspended")),
                name="sharing_one_live_permit_per_plate",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="sharing_permit_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plate} @ {self.resource}"


class PermitEvent(models.Model):
    """The timeline of a permit: every action of its action table (workflow.py)."""

    permit = ProtectedForeignKey(Permit, _("permit"), related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=10, blank=True)
    to_state = models.CharField(_("to"), max_length=10, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("by"), null=True)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("permit event")
        verbose_name_plural = _("permit events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.permit_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class GateEvent(models.Model):
    """One question of the gate and its answer. Only ever inserted."""

    class Direction(models.TextChoices):
        IN = "in", _("in")
        OUT = "out", _("out")
        CHECK = "check", _("check only")

    class Verdict(models.TextChoices):
        ALLOWED = "allowed", _("allowed")
        REFUSED = "refused", _("refused")

    resource = ProtectedForeignKey(SharedResource, _("resource"), related_name="gate_events")
    plate = models.CharField(_("plate number"), max_length=10, db_index=True, blank=True)
    plate_input = models.CharField(_("plate as entered"), max_length=40, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)
    direction = models.CharField(_("direction"), max_length=5, choices=Direction.choices)
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    reason = models.CharField(_("reason"), max_length=30, blank=True)
    permit = ProtectedForeignKey(Permit, _("permit"), null=True, related_name="gate_events")
    recorded_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("recorded by"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("gate event")
        verbose_name_plural = _("gate log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["resource", "plate", "at"], name="sharing_gate_plate")]

    def __str__(self) -> str:
        return f"{self.plate or self.plate_input} {self.direction} {self.at:%Y-%m-%d %H:%M}"


class Violation(ArchivableModel):
    class Outcome(models.TextChoices):
        WARNING = "warning", _("warning")
        SUSPENSION = "suspension", _("suspension")

    class Appeal(models.TextChoices):
        NONE = "", _("no appeal")
        PENDING = "pending", _("appeal pending")
        UPHELD = "upheld", _("appeal upheld (violation cancelled)")
        REJECTED = "rejected", _("appeal rejected")

    permit = ProtectedForeignKey(Permit, _("permit"), related_name="violations")
    entered_at = models.DateTimeField(_("entered at"))
    window_closed_at = models.DateTimeField(_("window closed at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    appeal = models.CharField(
        _("appeal"), max_length=10, choices=Appeal.choices, default="", blank=True
    )
    appeal_text = models.TextField(_("appeal"), blank=True)
    appeal_decision_note = models.CharField(_("decision"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-window_closed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["permit", "entered_at"], name="sharing_one_violation_per_stay"
            )
        ]

    def __str__(self) -> str:
        return f"{self.permit.plate} {self.window_closed_at:%Y-%m-%d %H:%M}"


class Booking(ArchivableModel):
    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")

    resource = ProtectedForeignKey(SharedResource, _("resource"), related_name="bookings")
    title = models.CharField(_("event"), max_length=120)
    organiser = ProtectedForeignKey("org.Organisation", _("organiser"), null=True)
    booked_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("booked by"), null=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    attendees = models.PositiveIntegerField(_("attendees"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.REQUESTED, db_index=True
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="sharing_booking_times"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"
