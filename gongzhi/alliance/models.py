"""The regional Party-building alliance "筑梦曹杨": the alliance and its charter, member units,
joint activities, dual registration records (双报到, on `org.DualRegistration`), and the three
lists — resources, needs and projects (alliance projects and residential-area self-governance
projects share one list and one life cycle, see workflow.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.fields import ProtectedForeignKey
from gongzhi.core.models import ArchivableModel, Photo, TimelineEvent, unique_among_active


class Alliance(ArchivableModel):
    """The regional alliance of one subdistrict (of none: a district-wide alliance)."""

    name = models.CharField(_("name"), max_length=120)
    subdistrict = ProtectedForeignKey(
        "places.Subdistrict",
        _("subdistrict"),
        null=True,
        related_name="+",
        help_text=_(
            "The subdistrict whose regional alliance this is; empty for a district-wide alliance."
        ),
    )
    founded_on = models.DateField(_("founded on"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        ordering = ["founded_on", "id"]
        constraints = [
            unique_among_active("subdistrict", name="alliance_one_per_subdistrict"),
        ]

    def __str__(self) -> str:
        return self.name


class CharterVersion(ArchivableModel):
    alliance = ProtectedForeignKey(Alliance, _("alliance"), related_name="charter_versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    dated_on = models.DateField(_("dated"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        ordering = ["alliance", "-number"]
        constraints = [
            unique_among_active("alliance", "number", name="alliance_charter_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.alliance} v{self.number}"


class Membership(ArchivableModel):
    """A unit's membership of the alliance: joined, maybe left, with its liaison and its Party
    organisation. `Organisation.alliance_joined_on` mirrors the current membership."""

    alliance = ProtectedForeignKey(Alliance, _("alliance"), related_name="memberships")
    organisation = ProtectedForeignKey(
        "org.Organisation", _("member unit"), related_name="alliance_memberships"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    liaison = ProtectedForeignKey("org.Person", _("liaison"), null=True, related_name="+")
    party_organisation = ProtectedForeignKey(
        "org.Organisation", _("the unit's Party organisation"), null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation"],
                condition=Q(archived_at__isnull=True, left_on__isnull=True),
                name="alliance_membership_one_current",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="alliance_membership_dates",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def is_current(self) -> bool:
        return self.left_on is None and self.archived_at is None


class JointActivity(ArchivableModel):
    class Kind(models.TextChoices):
        STUDY = "study", _("joint study (思想政治联学)")
        WELFARE = "welfare", _("joint public-welfare work (公益事业联做)")
        ORDER = "order", _("joint order-keeping (社区秩序联护)")
        CULTURE = "culture", _("joint cultural fellowship (文化活动联谊)")

    alliance = ProtectedForeignKey(Alliance, _("alliance"), related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"), db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField(
        "org.Organisation", verbose_name=_("units"), related_name="alliance_activities"
    )
    participants = models.PositiveIntegerField(_("participants"), default=0)
    hours = models.DecimalField(_("hours of service"), max_digits=7, decimal_places=1, default=0)
    photo_captions = models.JSONField(_("photos"), default=list, blank=True)

    class Meta:
        verbose_name = _("joint activity")
        verbose_name_plural = _("joint activities")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ActivityPhoto(Photo):
    """A photo of a joint activity."""

    activity = ProtectedForeignKey(JointActivity, _("joint activity"), related_name="photos")
    image = models.ImageField(_("image"), upload_to="alliance/activities/", max_length=200)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="alliance/thumbs/", max_length=200)

    class Meta(Photo.Meta):
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.sha256[:8]}"


class UnitRegistration(ArchivableModel):
    """双报到 of a unit's Party organisation: it reports to the residential area it is in (or
    serves), by itself, like an in-work Party member does (`org.DualRegistration`)."""

    party_organisation = ProtectedForeignKey(
        "org.Organisation",
        _("Party organisation"),
        related_name="area_registrations",
        limit_choices_to={"is_party_organisation": True},
    )
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), related_name="unit_registrations"
    )
    registered_on = models.DateField(_("registered on"))

    class Meta:
        verbose_name = _("unit dual registration")
        verbose_name_plural = _("unit dual registrations")
        constraints = [
            unique_among_active(
                "party_organisation", "residential_area", name="alliance_unit_registration_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.party_organisation} → {self.residential_area}"


class DualRegistrationYear(ArchivableModel):
    """One year of a dual registration — an in-work Party member's (`org.DualRegistration`) or
    a unit Party organisation's (`UnitRegistration`): the posts and needs claimed, the hours,
    the area's evaluation, the secretary's confirmation."""

    class Evaluation(models.TextChoices):
        EXCELLENT = "excellent", _("excellent")
        GOOD = "good", _("good")
        FAIR = "fair", _("fair")
        POOR = "poor", _("needs improvement")

    registration = ProtectedForeignKey(
        "org.DualRegistration", _("dual registration"), null=True, related_name="years"
    )
    unit_registration = ProtectedForeignKey(
        UnitRegistration, _("unit dual registration"), null=True, related_name="years"
    )
    year = models.PositiveIntegerField(_("year"))
    posts = models.CharField(_("posts and needs claimed"), max_length=300, blank=True)
    hours = models.DecimalField(_("hours of service"), max_digits=6, decimal_places=1, default=0)
    evaluation = models.CharField(
        _("evaluation"), max_length=20, choices=Evaluation.choices, blank=True
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("confirmed by"), null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dual registration year")
        verbose_name_plural = _("dual registration years")
        ordering = ["-year", "id"]
        constraints = [
            unique_among_active("registration", "year", name="alliance_dual_year_unique"),
            unique_among_active("unit_registration", "year", name="alliance_unit_year_unique"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="alliance_dual_hours"),
            models.CheckConstraint(
                condition=Q(registration__isnull=False, unit_registration__isnull=True)
                | Q(registration__isnull=True, unit_registration__isnull=False),
                name="alliance_dual_year_one_registrant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration or self.unit_registration} {self.year}"

    @property
    def residential_area_id(self) -> int | None:
        reg = self.registration or self.unit_registration
        return reg.residential_area_id if reg is not None else None

    @property
    def registrant(self) -> Any:
        """Who registered: the Party member, or the unit's Party organisation."""
        if self.registration is not None:
            return self.registration.person
        return self.unit_registration.party_organisation if self.unit_registration else None


class Category(models.TextChoices):
    """What a resource offers and what a need asks for (one vocabulary, so they match)."""

    VENUE = "venue", _("venue")
    PARKING = "parking", _("parking")
    VOLUNTEERS = "volunteers", _("volunteers")
    EXPERTISE = "expertise", _("expertise")
    LECTURE = "lecture", _("lecture")
    FUNDS = "funds", _("funds")
    EQUIPMENT = "equipment", _("equipment")


class Resource(ArchivableModel):
    """资源清单: what a member unit can offer."""

    owner = ProtectedForeignKey("org.Organisation", _("owner unit"), related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Category.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    capacity_unit = models.CharField(_("unit of capacity"), max_length=20, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    # [{"days": [0..6], "start": "HH:MM", "end": "HH:MM"}], Monday = 0; end ≤ start crosses
    # midnight. Empty: any time.
    windows = models.JSONField(_("availability windows"), default=list, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), null=True, related_name="+"
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Need(ArchivableModel):
    """需求清单: what the community (a residential area, a unit) asks for."""

    class Urgency(models.TextChoices):
        LOW = "low", _("low")
        NORMAL = "normal", pgettext_lazy("urgency", "normal")
        HIGH = "high", _("high")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("need", "open")
        MATCHED = "matched", _("matched")
        CLOSED = "closed", pgettext_lazy("need", "closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, db_index=True
    )
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), null=True, related_name="+"
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    windows = models.JSONField(_("when needed"), default=list, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    raised_by_unit = ProtectedForeignKey(
        "org.Organisation", _("raised by unit"), null=True, related_name="+"
    )
    raised_by = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("raised by"), null=True, related_name="+"
    )
    subdistrict = ProtectedForeignKey(
        "places.Subdistrict",
        _("subdistrict"),
        null=True,
        related_name="+",
        help_text=_("The subdistrict the need was raised in."),
    )

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Project(ArchivableModel):
    """项目清单: an alliance project (units agree to serve a need) or a residential area's
    self-governance project (自治项目, `owner_area` set). One life cycle (workflow.py)."""

    class Kind(models.TextChoices):
        ALLIANCE = "alliance", _("alliance project")
        SELF_GOVERNANCE = "self_governance", _("self-governance project")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        AGREED = "agreed", _("agreed")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", pgettext_lazy("project", "completed")
        EVALUATED = "evaluated", _("evaluated")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.ALLIANCE, db_index=True
    )
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    need = ProtectedForeignKey(Need, _("need"), null=True, related_name="projects")
    resource = ProtectedForeignKey(Resource, _("resource"), null=True, related_name="projects")
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area served"), null=True, related_name="+"
    )
    owner_area = ProtectedForeignKey(
        "places.ResidentialArea",
        _("owner (residential area)"),
        null=True,
        related_name="+",
        help_text=_("Set for a residential area's self-governance project."),
    )
    beneficiaries = models.CharField(_("beneficiaries"), max_length=200, blank=True)
    beneficiary_count = models.PositiveIntegerField(_("number of beneficiaries"), default=0)
    budget = models.DecimalField(
        _("budget (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    public = models.BooleanField(
        _("shown to the public"),
        default=False,
        help_text=_("The units agreed to show this project on the public page."),
    )
    photo_captions = models.JSONField(_("photos"), default=list, blank=True)
    proposed_by = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("proposed by"), null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    quarter = models.CharField(_("quarter"), max_length=7, blank=True, db_index=True)
    subdistrict = ProtectedForeignKey(
        "places.Subdistrict",
        _("subdistrict"),
        null=True,
        related_name="+",
        help_text=_("The subdistrict whose project this is."),
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="self_governance") | Q(owner_area__isnull=False),
                name="alliance_project_self_governance_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectParty(ArchivableModel):
    class Role(models.TextChoices):
        LEAD = "lead", _("lead")
        PROVIDER = "provider", _("provider")
        BENEFICIARY = "beneficiary", _("beneficiary")
        PARTNER = "partner", _("partner")

    project = ProtectedForeignKey(Project, _("project"), related_name="parties")
    organisation = ProtectedForeignKey("org.Organisation", _("unit"), related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("project party")
        verbose_name_plural = _("project parties")
        ordering = ["project", "role", "id"]
        constraints = [
            unique_among_active("project", "organisation", name="alliance_party_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Milestone(ArchivableModel):
    project = ProtectedForeignKey(Project, _("project"), related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="alliance_progress_max")
        ]

    def __str__(self) -> str:
        return self.title


class ProjectEvent(TimelineEvent):
    """The project's timeline."""

    project = ProtectedForeignKey(Project, _("project"), related_name="events")
    public = models.BooleanField(_("public"), default=False)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("project event")
        verbose_name_plural = _("project events")

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


class ProjectEvaluation(ArchivableModel):
    """A resident's evaluation of a project that served their area."""

    project = ProtectedForeignKey(Project, _("project"), related_name="evaluations")
    user = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("resident"), related_name="+")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at"]
        constraints = [
            unique_among_active("project", "user", name="alliance_evaluation_once"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="alliance_evaluation_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.score}"


class ProjectPhoto(Photo):
    """A photo of a project's progress or outcome."""

    project = ProtectedForeignKey(Project, _("project"), related_name="photos")
    event = ProtectedForeignKey(ProjectEvent, _("event"), null=True, related_name="photos")
    image = models.ImageField(_("image"), upload_to="alliance/photos/", max_length=200)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="alliance/thumbs/", max_length=200)

    class Meta(Photo.Meta):
        verbose_name = _("project photo")
        verbose_name_plural = _("project photos")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.sha256[:8]}"
