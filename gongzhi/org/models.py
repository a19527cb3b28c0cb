"""The organisation ("1+2+2", the three-level linkage, resident units, departments) and its people.

- `Organisation` is one tree (parent/children) of every body in the subdistrict, typed by `kind`.
- `OrgRelation` holds the links besides the tree, such as a unit attending a body's meetings
  without a vote (列席).
- `Person` holds personal data once; `Position` is person × organisation × role × term, and is
  where a user's roles and scopes come from (gongzhi.org.access).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey, ProtectedOneToOneField
from gongzhi.core.models import ArchivableModel, unique_among_active
from gongzhi.core.pii import Masked, mask_id_number, mask_phone


class Organisation(ArchivableModel):
    class Kind(models.TextChoices):
        PARTY_WORKING_COMMITTEE = "party_working_committee", _("Party Working Committee")
        ADMIN_PARTY_GROUP = "admin_party_group", _("Administrative Party Group")
        COMMUNITY_PARTY_COMMITTEE = "community_party_committee", _("Community Party Committee")
        PARTY_BUILDING_OFFICE = "party_building_office", _("Party-building Office")
        SERVICE_CENTRE = "service_centre", _("service centre")
        SERVICE_STATION = "service_station", _("service station")
        GRID_CENTRE = "grid_centre", _("grid management centre")
        GRID_STATION = "grid_station", _("grid station")
        OFFICE = "office", _("subdistrict office")
        GENERAL_BRANCH = "general_branch", _("general branch")
        PARTY_BRANCH = "party_branch", _("Party branch")
        PARTY_COMMITTEE = "party_committee", _("Party committee")
        RESIDENTS_COMMITTEE = "residents_committee", _("residents' committee")
        REPRESENTATIVE_COUNCIL = "representative_council", _("representative council")
        RESIDENT_UNIT = "resident_unit", _("resident unit")
        DEPARTMENT = "department", _("department")
        PROPERTY_COMPANY = "property_company", _("property company")
        SOCIAL_ORGANISATION = "social_organisation", _("social organisation")
        DISTRICT_OFFICE = "district_office", _("district office")

    class Sector(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        PUBLIC_INSTITUTION = "public_institution", _("public institution")
        RESEARCH_INSTITUTE = "research_institute", _("research institute")
        SCHOOL = "school", _("school")
        HOSPITAL = "hospital", _("hospital")
        ARMY_UNIT = "army_unit", _("army unit")
        TWO_NEW = "two_new", _("“two new” organisation")
        GOVERNMENT = "government", _("government body")
        RESIDENTIAL = "residential", _("residential area")

    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices, db_index=True)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices, blank=True)
    parent = ProtectedForeignKey("self", _("parent"), null=True, related_name="children")
    subdistrict = ProtectedForeignKey(
        "places.Subdistrict",
        _("subdistrict"),
        null=True,
        related_name="organisations",
        help_text=_(
            "The subdistrict the organisation belongs to; empty for the district's own offices, "
            "whose positions reach every subdistrict."
        ),
    )
    is_party_organisation = models.BooleanField(
        _("Party organisation"), default=False, db_index=True
    )
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), null=True, related_name="organisations"
    )
    grid_station = ProtectedOneToOneField(
        "places.GridStation",
        _("grid station"),
        null=True,
        related_name="organisation",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    alliance_joined_on = models.DateField(
        _("joined the alliance on"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Member of the regional Party-building alliance since this date."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["sort_order", "name"]
        indexes = [models.Index(fields=["parent", "sort_order"], name="org_parent_order")]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_alliance_member(self) -> bool:
        return self.alliance_joined_on is not None


class OrgRelation(ArchivableModel):
    class Kind(models.TextChoices):
        ATTENDS = "attends", _("attends meetings (non-voting)")
        PAIRED = "paired", _("paired for co-building")

    source = ProtectedForeignKey(Organisation, _("organisation"), related_name="relations_out")
    kind = models.CharField(_("relation"), max_length=20, choices=Kind.choices)
    target = ProtectedForeignKey(Organisation, _("body"), related_name="relations_in")
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("organisation relation")
        verbose_name_plural = _("organisation relations")
        constraints = [
            unique_among_active("source", "kind", "target", name="org_relation_unique_active"),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="org_relation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.get_kind_display()})"


class Person(ArchivableModel):
    class Gender(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")

    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    # Personal data (PIPL): stored once, shown masked; see gongzhi.org.services.person_reveal.
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    email = models.EmailField(_("email"), blank=True)
    home_area = ProtectedForeignKey(
        "places.ResidentialArea", _("home residential area"), null=True, related_name="residents"
    )
    home_address = models.CharField(_("home address"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    PERSONAL_FIELDS = ("mobile", "id_number")
    mobile_masked = Masked("mobile", mask_phone)
    id_number_masked = Masked("id_number", mask_id_number)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Position(ArchivableModel):
    class Role(models.TextChoices):
        SECRETARY = "secretary", _("secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
        COMMITTEE_MEMBER = "committee_member", _("committee member")
        PART_TIME_MEMBER = "part_time_member", _("part-time committee member")
        DIRECTOR = "director", _("director")
        LEADER = "leader", _("leader")
        RESPONSIBLE_LEADER = "responsible_leader", _("responsible leader")
        CADRE = "cadre", _("cadre")
        AREA_HEAD = "area_head", _("residential-area head")
        INSPECTOR = "inspector", _("inspector")
        DEPARTMENT_LIAISON = "department_liaison", _("department liaison")
        OPERATOR = "operator", _("operator")
        DUTY_CHIEF = "duty_chief", _("duty chief")
        HANDLER = "handler", _("handler")
        SERVICE_STAFF = "service_staff", _("service-centre staff")
        UNIT_LIAISON = "unit_liaison", _("member unit liaison")
        COMMUNITY_POLICE = "community_police", _("community police officer")
        AUDITOR = "auditor", _("auditor")
        ADMINISTRATOR = "administrator", _("administrator")
        STAFF = "staff", _("staff")

    person = ProtectedForeignKey(Person, _("person"), related_name="positions")
    organisation = ProtectedForeignKey(Organisation, _("organisation"), related_name="positions")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, db_index=True)
    title = models.CharField(_("title"), max_length=60, blank=True)
    starts_on = models.DateField(_("term starts"), null=True, blank=True)
    ends_on = models.DateField(_("term ends"), null=True, blank=True)
    grids = models.ManyToManyField(
        "places.Grid", verbose_name=_("grids"), blank=True, related_name="positions"
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["organisation__sort_order", "role", "person__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="position_term_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.organisation} · {self.title or self.get_role_display()}"


class PartyMembership(ArchivableModel):
    class Status(models.TextChoices):
        FULL = "full", _("full member")
        PROBATIONARY = "probationary", _("probationary member")

    person = ProtectedOneToOneField(Person, _("person"), related_name="party_membership")
    branch = ProtectedForeignKey(
        Organisation,
        _("Party organisation"),
        related_name="party_members",
        limit_choices_to={"is_party_organisation": True},
    )
    joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.FULL
    )
    in_work = models.BooleanField(
        _("in-work Party member"),
        default=False,
        help_text=_("Belongs to a Party organisation at work rather than where they live."),
    )

    class Meta:
        verbose_name = _("Party membership")
        verbose_name_plural = _("Party memberships")

    def __str__(self) -> str:
        return f"{self.person} · {self.branch}"


class DualRegistration(ArchivableModel):
    """在职党员双报到: an in-work Party member reports to the residential area they live in."""

    person = ProtectedForeignKey(Person, _("person"), related_name="dual_registrations")
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), related_name="dual_registrations"
    )
    registered_on = models.DateField(_("registered on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dual registration")
        verbose_name_plural = _("dual registrations")
        constraints = [
            unique_among_active(
                "person", "residential_area", name="dual_registration_unique_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.residential_area}"
