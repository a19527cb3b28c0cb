"""The service network ("two stations, one centre", 两站一中心).

- `ServicePoint` gives an `org.Organisation` of kind service centre / service station its
  opening hours and `Room`s; its staff are the people holding positions there.
- The catalogue: `Programme`s (brand programmes such as 悠悠午间) group `CatalogueItem`s.
- Every month the centre publishes a `Menu` of `MenuItem`s; a station places an `Order` for
  dates it proposes; the centre schedules it (派单) into an `Event`, refusing clashes of
  provider, room and time.
- An `Event` takes `Registration`s up to its capacity, then a waiting list; a registration has a
  check-in code and may get `Feedback`.
- `Volunteer`s sign up (`ShiftSignup`) for the `Shift`s of an `Opportunity`; confirmed hours
  credit points in the `PointsEntry` ledger, whose rows are the only record of a balance.
- `ServiceLog` is the timeline of the workflow objects (menu, order, registration, sign-up).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey, ProtectedOneToOneField
from gongzhi.core.models import ArchivableModel, Photo, unique_among_active
from gongzhi.core.pii import Masked, mask_phone

CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"  # no look-alikes (0/O, 1/I, 2/Z, 5/S, 8/B)
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("everyone")
    RESIDENTS = "residents", _("residents")
    OFFICE_WORKERS = "office_workers", _("office workers")
    PARTY_MEMBERS = "party_members", _("Party members")
    ELDERLY = "elderly", _("elderly people")
    YOUTH = "youth", _("children and young people")


class ServicePoint(ArchivableModel):
    class Kind(models.TextChoices):
        CENTRE = "centre", _("service centre")
        BUILDING = "building", _("building/park service station")
        RESIDENTIAL = "residential", _("residential-area service station")

    organisation = ProtectedOneToOneField(
        "org.Organisation", _("organisation"), related_name="service_point"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["kind", "organisation__sort_order", "organisation__name"]

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def is_centre(self) -> bool:
        return self.kind == self.Kind.CENTRE


class Room(ArchivableModel):
    point = ProtectedForeignKey(ServicePoint, _("service point"), related_name="rooms")
    name = models.CharField(_("name"), max_length=60)
    seats = models.PositiveIntegerField(_("seats"), default=30)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["point", "name"]
        constraints = [unique_among_active("point", "name", name="sc_room_unique_active")]

    def __str__(self) -> str:
        return f"{self.point} · {self.name}"


class Programme(ArchivableModel):
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )

    class Meta:
        verbose_name = _("brand programme")
        verbose_name_plural = _("brand programmes")
        ordering = ["name"]
        constraints = [unique_among_active("name", name="sc_programme_unique_active")]

    def __str__(self) -> str:
        return self.name


class CatalogueItem(ArchivableModel):
    class Kind(models.TextChoices):
        LECTURE = "lecture", _("lecture")
        WORKSHOP = "workshop", _("workshop")
        HEALTH = "health", _("health check")
        LEGAL = "legal", _("legal consultation")
        CULTURE = "culture", _("cultural activity")
        OTHER = "other", _("other service")

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LECTURE)
    programme = ProtectedForeignKey(
        Programme, _("brand programme"), null=True, related_name="items"
    )
    provider_org = ProtectedForeignKey(
        "org.Organisation", _("provider (unit)"), null=True, related_name="service_items"
    )
    provider_person = ProtectedForeignKey(
        "org.Person", _("provider (person)"), null=True, related_name="service_items"
    )
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    minutes = models.PositiveIntegerField(_("length (minutes)"), default=60)
    capacity = models.PositiveIntegerField(_("capacity"), default=30)
    materials = models.TextField(_("materials"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["programme__name", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider_org__isnull=False) | Q(provider_person__isnull=False),
                name="sc_item_has_provider",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=10) & Q(minutes__lte=600), name="sc_item_minutes"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="sc_item_capacity"),
            unique_among_active("title", name="sc_item_unique_active"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def provider_label(self) -> str:
        return str(self.provider_person or self.provider_org or "")


class Menu(ArchivableModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    subdistrict = ProtectedForeignKey(
        "places.Subdistrict",
        _("subdistrict"),
        null=True,
        related_name="+",
        help_text=_(
            "The subdistrict whose service centre offers the menu; each has one menu a month."
        ),
    )

    class Meta:
        verbose_name = _("service menu")
        verbose_name_plural = _("service menus")
        ordering = ["-month"]
        constraints = [
            unique_among_active("subdistrict", "month", name="sc_menu_unique_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="sc_menu_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MenuItem(ArchivableModel):
    menu = ProtectedForeignKey(Menu, _("service menu"), related_name="items")
    item = ProtectedForeignKey(CatalogueItem, _("catalogue item"), related_name="menu_items")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        ordering = ["menu", "item__title"]
        constraints = [unique_among_active("menu", "item", name="sc_menu_item_unique")]

    def __str__(self) -> str:
        return f"{self.menu} · {self.item}"


class Order(ArchivableModel):
    class State(models.TextChoices):
        ORDERED = "ordered", _("ordered")
        SCHEDULED = "scheduled", _("scheduled")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    menu_item = ProtectedForeignKey(MenuItem, _("menu item"), related_name="orders")
    station = ProtectedForeignKey(ServicePoint, _("service station"), related_name="orders")
    proposed_on = models.DateField(_("proposed date"))
    alternative_on = models.DateField(_("alternative date"), null=True, blank=True)
    starts_at = models.TimeField(_("start time"))
    expected = models.PositiveIntegerField(_("expected participants"), default=20)
    note = models.CharField(_("note"), max_length=500, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.ORDERED, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    ordered_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("ordered by"), null=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["proposed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["menu_item", "station", "proposed_on"],
                condition=Q(archived_at__isnull=True) & Q(state__in=["ordered", "scheduled"]),
                name="sc_order_unique_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.menu_item.item} · {self.proposed_on}"


class Event(ArchivableModel):
    class State(models.TextChoices):
        OPEN = "open", _("open for registration")
        CANCELLED = "cancelled", _("cancelled")

    order = ProtectedOneToOneField(Order, _("order"), null=True, related_name="event")
    item = ProtectedForeignKey(CatalogueItem, _("catalogue item"), related_name="events")
    point = ProtectedForeignKey(ServicePoint, _("service point"), related_name="events")
    room = ProtectedForeignKey(Room, _("room"), null=True, related_name="events")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.OPEN, db_index=True
    )
    # Bumped under the event's lock by every registration change: the lock SQLite needs too.
    seats_version = models.PositiveIntegerField(_("seat changes"), default=0)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="sc_event_ends_after"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="sc_event_capacity"),
        ]

    def __str__(self) -> str:
        return self.title


class EventPhoto(Photo):
    """A photo of an event."""

    event = ProtectedForeignKey(Event, _("event"), related_name="photos")
    image = models.ImageField(_("image"), upload_to="service/photos/", max_length=200)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="service/thumbs/", max_length=200)

    class Meta(Photo.Meta):
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.sha256[:8]}"


class Registration(ArchivableModel):
    class State(models.TextChoices):
        REGISTERED = "registered", _("registered")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")
        ATTENDED = "attended", _("attended")

    event = ProtectedForeignKey(Event, _("event"), related_name="registrations")
    user = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("user"), related_name="service_registrations"
    )
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    code = models.CharField(_("check-in code"), max_length=12, unique=True, default=new_code)
    promoted_at = models.DateTimeField(_("moved up at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    PERSONAL_FIELDS = ("mobile",)
    mobile_masked = Masked("mobile", mask_phone)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(state="cancelled"),
                name="sc_registration_once",
            )
        ]
        indexes = [models.Index(fields=["event", "state"], name="sc_reg_event_state")]

    def __str__(self) -> str:
        return f"{self.event} · {self.name}"


class Feedback(ArchivableModel):
    registration = ProtectedOneToOneField(Registration, _("registration"), related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="sc_feedback_rating"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} · {self.rating}"


class Volunteer(ArchivableModel):
    user = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("user"), related_name="volunteer_profiles"
    )
    name = models.CharField(_("name"), max_length=50)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), null=True, related_name="volunteers"
    )
    joined_from = ProtectedForeignKey(
        Event, _("joined after the event"), null=True, related_name="new_volunteers"
    )

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["name", "id"]
        constraints = [unique_among_active("user", name="sc_volunteer_one_per_user")]

    def __str__(self) -> str:
        return self.name


class Opportunity(ArchivableModel):
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    organiser = ProtectedForeignKey(ServicePoint, _("organiser"), related_name="opportunities")
    place = models.CharField(_("place"), max_length=120, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    shift_start = models.TimeField(_("shift starts"))
    shift_end = models.TimeField(_("shift ends"))
    working_days_only = models.BooleanField(
        _("working days only"), default=True, help_text=_("Follows the working-day calendar.")
    )
    needed = models.PositiveIntegerField(_("people needed per shift"), default=2)
    points_per_hour = models.PositiveIntegerField(_("points per hour"), default=10)

    class Meta:
        verbose_name = _("volunteer opportunity")
        verbose_name_plural = _("volunteer opportunities")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="sc_opp_days"
            ),
            models.CheckConstraint(
                condition=Q(shift_end__gt=models.F("shift_start")), name="sc_opp_times"
            ),
            models.CheckConstraint(condition=Q(needed__gte=1), name="sc_opp_needed"),
        ]

    def __str__(self) -> str:
        return self.title


class Shift(ArchivableModel):
    opportunity = ProtectedForeignKey(Opportunity, _("opportunity"), related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    needed = models.PositiveIntegerField(_("people needed"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "id"]
        constraints = [
            unique_among_active("opportunity", "starts_at", name="sc_shift_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="sc_shift_times"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} · {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftSignup(ArchivableModel):
    class State(models.TextChoices):
        SIGNED_UP = "signed_up", _("signed up")
        CHECKED_IN = "checked_in", _("checked in")
        CHECKED_OUT = "checked_out", _("checked out")
        CONFIRMED = "confirmed", _("hours confirmed")
        CANCELLED = "cancelled", _("cancelled")

    shift = ProtectedForeignKey(Shift, _("shift"), related_name="signups")
    volunteer = ProtectedForeignKey(Volunteer, _("volunteer"), related_name="signups")
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SIGNED_UP, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, null=True, blank=True)
    confirmed_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("confirmed by"), null=True)

    class Meta:
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        ordering = ["shift", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=~Q(state="cancelled"),
                name="sc_signup_once",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gt=0) & Q(hours__lte=24)),
                name="sc_signup_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.shift}"


class PointsEntry(models.Model):
    """One credit (positive) or debit (negative) of a volunteer's points. Rows are only ever
    added; a balance is the sum of a volunteer's rows and is stored nowhere else."""

    class Kind(models.TextChoices):
        HOURS = "hours", _("volunteer hours")
        REDEEM = "redeem", _("redeemed")
        ADJUST = "adjust", _("adjustment")

    volunteer = ProtectedForeignKey(Volunteer, _("volunteer"), related_name="points")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.IntegerField(_("points"))
    signup = ProtectedOneToOneField(
        ShiftSignup, _("shift sign-up"), null=True, related_name="points_entry"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), db_index=True)
    by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("by"), null=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="sc_points_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.amount:+d}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Points entries are never changed; add a correcting entry.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Points entries are never deleted; add a correcting entry.")


class ServiceLog(models.Model):
    """One step on the timeline of a menu, order, registration or shift sign-up."""

    subject = models.CharField(_("subject"), max_length=20)
    subject_id = models.PositiveIntegerField(_("subject id"))
    at = models.DateTimeField(_("when"), db_index=True)
    actor = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("who"), null=True)
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("service timeline entry")
        verbose_name_plural = _("service timeline entries")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject", "subject_id", "at"], name="sc_log_subject")]

    def __str__(self) -> str:
        return f"{self.subject}#{self.subject_id} {self.action}"


__all__ = [
    "Audience",
    "CatalogueItem",
    "Event",
    "Feedback",
    "Menu",
    "MenuItem",
    "Opportunity",
    "Order",
    "PointsEntry",
    "Programme",
    "Registration",
    "Room",
    "ServiceLog",
    "ServicePoint",
    "Shift",
    "ShiftSignup",
    "Volunteer",
]
