"""Cases of the grid management centre (一口受理、一表派单、一站反馈).

Every report from every channel becomes one `Case`. Its state changes only through
gongzhi.cases.workflow.transition(), which writes a `CaseEvent` (the timeline) and an audit row.
`Category` is the catalogue (the urban-management component/event classes plus the 12345
categories, shipped in gongzhi/cases/data/catalogue.json and loaded by gongzhi.cases.catalogue);
a category carries its routing (department) and its time limits (`TimeLimit`), or inherits
its parent's.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.conf import product_setting
from gongzhi.core.fields import ProtectedForeignKey
from gongzhi.core.models import ArchivableModel, Photo, TimeStampedModel, unique_among_active
from gongzhi.core.pii import Masked, mask_name, mask_phone
from gongzhi.worktime.models import Unit


class Category(ArchivableModel):
    class Kind(models.TextChoices):
        HOTLINE = "hotline", _("hotline matter")
        COMPONENT = "component", _("component")
        EVENT = "event", _("event")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, db_index=True)
    parent = ProtectedForeignKey("self", _("parent"), null=True, related_name="children")
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    group = ProtectedForeignKey(
        "self",
        _("category group"),
        null=True,
        help_text=_("The top-level category; duplicates are searched within a group."),
    )
    department = ProtectedForeignKey(
        "org.Organisation",
        _("department"),
        null=True,
        related_name="routed_categories",
        help_text=_(
            "Where cases of this category are dispatched; inherited from the parent when empty."
        ),
    )
    public = models.BooleanField(_("residents may report"), default=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["kind", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class TimeLimit(ArchivableModel):
    """How long a stage may take for a category and urgency (立结案标准). A category without its own
    limit for a stage uses its parent's, then the defaults in gongzhi.cases.sla."""

    class Stage(models.TextChoices):
        FILE = "file", _("file")
        DISPATCH = "dispatch", _("dispatch")
        HANDLE = "handle", _("handle")
        VERIFY = "verify", _("verify")
        CALLBACK = "callback", _("callback")

    Unit = Unit

    category = ProtectedForeignKey(Category, _("category"), related_name="time_limits")
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=[("urgent", _("urgent")), ("normal", _("normal"))]
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    amount = models.DecimalField(_("amount"), max_digits=6, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [
            unique_among_active("category", "urgency", "stage", name="time_limit_unique_active"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="time_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.urgency} · {self.stage}: {self.amount} {self.unit}"


class Case(TimeStampedModel):
    class Channel(models.TextChoices):
        HOTLINE = "hotline", _("12345 hotline")
        INSPECTOR = "inspector", _("inspector patrol")
        EMERGENCY = "emergency", _("emergency duty")
        JOINT_PATROL = "joint_patrol", _("joint patrol")
        RESIDENT = "resident", _("resident report")
        DEPUTY = "deputy", _("deputies' opinion")

    class Type(models.TextChoices):
        CONSULT = "consult", _("consultation")
        HELP = "help", _("request for help")
        COMPLAINT = "complaint", _("complaint")
        REPORT = "report", _("report of wrongdoing")
        SUGGESTION = "suggestion", _("suggestion")
        COMPONENT = "component", _("component")
        EVENT = "event", _("event")

    class Urgency(models.TextChoices):
        URGENT = "urgent", _("urgent")
        NORMAL = "normal", _("normal")

    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        NOT_ACCEPTED = "not_accepted", _("not accepted")
        MERGED = "merged", _("merged")
        FILED = "filed", _("filed")
        DISPATCHED = "dispatched", _("dispatched")
        ACCEPTED = "accepted", _("being handled")
        RETURNED = "returned", _("returned")
        HANDLED = "handled", _("handled")
        SUSPENDED = "suspended", _("suspended")
        ESCALATED = "escalated", _("escalated to the district")
        CLOSED = "closed", _("closed")
        EVALUATED = "evaluated", _("evaluated")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        BASICALLY = "basically", _("basically satisfied")
        DISSATISFIED = "dissatisfied", _("dissatisfied")

    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, db_index=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    category = ProtectedForeignKey(Category, _("category"), related_name="cases")
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    title = models.CharField(_("summary"), max_length=120, blank=True)
    description = models.TextField(_("description"))
    # Where: a point and/or an address; the grid, area and station follow from the point.
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    # A ~100 m square cell of the point (gongzhi.cases.duplicates.cell_of), indexed with the
    # category (case_cell_category): nearby cases of a category are found by looking up the
    # neighbouring cells, on SQLite and PostgreSQL alike.
    cell = models.BigIntegerField(_("map cell"), null=True, blank=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    grid = ProtectedForeignKey("places.Grid", _("grid"), null=True, related_name="cases")
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), null=True, related_name="cases"
    )
    station = ProtectedForeignKey(
        "places.GridStation", _("grid station"), null=True, related_name="cases"
    )
    # The subdistrict the case belongs to: its grid's, else where it was filed (an installation
    # may serve several subdistricts of a district; every staff scope is narrowed by it).
    subdistrict = ProtectedForeignKey("places.Subdistrict", _("subdistrict"), related_name="cases")
    # Who reported it. The phone number is personal data: shown masked, revealed with a log entry.
    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    reporter_user = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("reporter's account"), null=True, related_name="reported_cases"
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    external_ref = models.CharField(
        _("external reference"),
        max_length=40,
        blank=True,
        help_text=_("e.g. the 12345 work-order number"),
    )
    # Who has it now.
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    department = ProtectedForeignKey(
        "org.Organisation", _("department"), null=True, related_name="cases"
    )
    assignee = ProtectedForeignKey(
        "org.Person", _("responsible person"), null=True, related_name="assigned_cases"
    )
    inspector = ProtectedForeignKey(
        "org.Person", _("inspector"), null=True, related_name="verification_cases"
    )
    created_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("taken in by"), null=True)
    merged_into = ProtectedForeignKey(
        "self", _("merged into"), null=True, related_name="merged_cases"
    )
    suspended_from = models.CharField(_("suspended from state"), max_length=20, blank=True)
    # Deadlines: `due_at` is the current stage's deadline (what the sweep watches).
    received_at = models.DateTimeField(_("received at"), db_index=True)
    # Indexed with the id (case_due_id below): the queue is ordered by (due_at, id).
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    handle_due_at = models.DateTimeField(_("handling due at"), null=True, blank=True)
    close_due_at = models.DateTimeField(_("closure due at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    warned_for_due = models.DateTimeField(_("warned for deadline"), null=True, blank=True)
    overdue_for_due = models.DateTimeField(_("flagged overdue for deadline"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    emergency_escalated_at = models.DateTimeField(
        _("emergency escalated at"), null=True, blank=True
    )
    sweep_claim = models.CharField(max_length=16, blank=True, editable=False)
    supervision_level = models.PositiveSmallIntegerField(_("supervision level"), default=0)
    # Milestones, for the measures (gongzhi.cases.measures).
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    handled_on_time = models.BooleanField(_("handled on time"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=15, choices=Satisfaction.choices, blank=True
    )
    result = models.TextField(_("handling result"), blank=True)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopenings"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)

    PERSONAL_FIELDS = ("reporter_phone",)
    reporter_phone_masked = Masked("reporter_phone", mask_phone)
    reporter_name_masked = Masked("reporter_name", mask_name)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_ref"],
                condition=~Q(external_ref=""),
                name="case_external_ref_unique",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="case_not_merged_into_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="case_state_due"),
            models.Index(fields=["due_at", "id"], name="case_due_id"),
            models.Index(fields=["department", "state"], name="case_department_state"),
            models.Index(fields=["station", "state"], name="case_station_state"),
            models.Index(fields=["residential_area", "state"], name="case_area_state"),
            models.Index(fields=["category", "received_at"], name="case_category_received"),
            # Covers every condition of the duplicate scan (gongzhi.cases.duplicates): only
            # the rows that pass it are read from the table.
            models.Index(
                fields=["cell", "category", "lat", "lng", "state", "received_at"],
                name="case_cell_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title or self.description[:30]}"


# An urgent case waits for the grid centre to acknowledge it (应急值守) in these states, the ones
# the `acknowledge` action starts from (workflow.py). A department that has accepted the case
# does not acknowledge it for the centre: the duty desk lists it and the sweep escalates it after
# the acknowledgement window, like a case that is still being filed or dispatched.
ACK_STATES = frozenset(
    {Case.State.RECEIVED, Case.State.FILED, Case.State.DISPATCHED, Case.State.ACCEPTED}
)


def awaiting_acknowledgement() -> Q:
    """The urgent cases nobody at the centre has acknowledged yet (the desk's emergency panel;
    the sweep escalates those older than `ack_window()`)."""
    return Q(urgency=Case.Urgency.URGENT, acknowledged_at__isnull=True, state__in=ACK_STATES)


def ack_window() -> dt.timedelta:
    """How long an urgent case may wait for acknowledgement before the sweep escalates it
    (settings.GONGZHI["EMERGENCY_ACK_MINUTES"])."""
    return dt.timedelta(minutes=float(product_setting("EMERGENCY_ACK_MINUTES", 5)))


class CaseEvent(models.Model):
    """One step on a case's timeline: a transition, a comment, a notice, a sweep flag."""

    case = ProtectedForeignKey(Case, _("case"), related_name="events")
    at = models.DateTimeField(_("when"), db_index=True)
    actor = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("who"), null=True)
    actor_label = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30, db_index=True)
    from_state = models.CharField(pgettext_lazy("case event", "from"), max_length=20, blank=True)
    to_state = models.CharField(pgettext_lazy("case event", "to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    public = models.BooleanField(_("shown to the reporter"), default=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


def photo_path(instance: CasePhoto, filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.sha256[:16]}{instance.extension}"


class CasePhoto(Photo):
    class Stage(models.TextChoices):
        REPORT = "report", _("report")
        HANDLE = "handle", _("handling")
        VERIFY = "verify", _("verification")

    case = ProtectedForeignKey(Case, _("case"), related_name="photos")
    event = ProtectedForeignKey(CaseEvent, _("event"), null=True, related_name="photos")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    original = models.ImageField(_("original"), upload_to=photo_path, max_length=200)
    public_image = models.ImageField(
        _("image without location data"), upload_to="cases/public/", max_length=200
    )
    thumbnail = models.ImageField(_("thumbnail"), upload_to="cases/thumbs/", max_length=200)
    extension = models.CharField(max_length=8, default=".jpg")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta(Photo.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.sha256[:8]}"


class ExtensionRequest(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    case = ProtectedForeignKey(Case, _("case"), related_name="extension_requests")
    requested_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("requested by"))
    amount = models.DecimalField(_("extra time"), max_digits=6, decimal_places=2)
    unit = models.CharField(
        _("unit"),
        max_length=20,
        choices=TimeLimit.Unit.choices,
        default=TimeLimit.Unit.WORKING_DAYS,
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("decided by"), null=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    old_due_at = models.DateTimeField(_("deadline before"), null=True, blank=True)
    new_due_at = models.DateTimeField(_("deadline after"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="one_pending_extension_per_case",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="extension_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.amount} {self.unit} ({self.status})"


class CaseCounter(models.Model):
    """The last number given in a year (CY2026-000123): one row per year, incremented under lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case counter")
        verbose_name_plural = _("case counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
