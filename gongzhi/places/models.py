"""The subdistrict's places: its outline, residential areas, estates, grid stations, unit grids,
buildings and parks, the roads with their names and the landmarks people find their way by. Geometry is GeoJSON (WGS84, [longitude, latitude]) in a JSON column; shapely
does the computations (gongzhi.places.geo), so the default install needs no GDAL."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey
from gongzhi.core.models import ArchivableModel, unique_among_active

grid_code_validator = RegexValidator(r"^\d{15}$", _("A unit-grid code has 15 digits."))
division_code_validator = RegexValidator(r"^\d{9}$", _("A subdistrict code has 9 digits."))


class Subdistrict(ArchivableModel):
    code = models.CharField(
        _("official code"), max_length=9, unique=True, validators=[division_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    district = models.CharField(_("district"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    geometry = models.JSONField(_("outline (GeoJSON)"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("official area (km²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    registered_population = models.PositiveIntegerField(
        _("registered population"), null=True, blank=True
    )
    resident_population = models.PositiveIntegerField(
        _("resident population"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GridStation(ArchivableModel):
    subdistrict = ProtectedForeignKey(Subdistrict, _("subdistrict"), related_name="grid_stations")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    colour = models.CharField(_("map colour"), max_length=7, default="#3388ff")

    class Meta:
        verbose_name = _("grid station")
        verbose_name_plural = _("grid stations")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "number"], name="station_number_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ResidentialArea(ArchivableModel):
    subdistrict = ProtectedForeignKey(
        Subdistrict, _("subdistrict"), related_name="residential_areas"
    )
    code = models.CharField(
        _("community code"),
        max_length=3,
        help_text=_("Three digits, the community part of a unit-grid code."),
    )
    name = models.CharField(_("name"), max_length=100)
    grid_station = ProtectedForeignKey(
        GridStation, _("grid station"), null=True, related_name="residential_areas"
    )
    committee_address = models.CharField(_("committee address"), max_length=200, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    geometry = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    class Meta:
        verbose_name = _("residential area")
        verbose_name_plural = _("residential areas")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "code"], name="area_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Estate(ArchivableModel):
    residential_area = ProtectedForeignKey(
        ResidentialArea, _("residential area"), related_name="estates"
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    households = models.PositiveIntegerField(_("households"), default=0)
    buildings = models.PositiveSmallIntegerField(_("residential buildings"), default=0)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    property_company = ProtectedForeignKey(
        "org.Organisation", _("property company"), null=True, related_name="managed_estates"
    )
    geometry = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["residential_area__code", "name"]

    def __str__(self) -> str:
        return self.name


class Grid(ArchivableModel):
    class Kind(models.TextChoices):
        ESTATE = "estate", _("estate grid")
        ROAD = "road", _("road grid")

    code = models.CharField(
        _("unit-grid code"), max_length=15, unique=True, validators=[grid_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    station = ProtectedForeignKey(GridStation, _("grid station"), related_name="grids")
    residential_area = ProtectedForeignKey(
        ResidentialArea, _("residential area"), related_name="grids"
    )
    estate = ProtectedForeignKey(Estate, _("estate"), null=True, related_name="grids")
    geometry = models.JSONField(_("boundary (GeoJSON)"))
    area_m2 = models.FloatField(_("area (m²)"), default=0)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Building(ArchivableModel):
    class Kind(models.TextChoices):
        OFFICE = "office", _("office building")
        PARK = "park", _("business park")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OFFICE)
    address = models.CharField(_("address"), max_length=200, blank=True)
    residential_area = ProtectedForeignKey(
        ResidentialArea, _("residential area"), null=True, related_name="buildings"
    )
    grid = ProtectedForeignKey(Grid, _("grid"), null=True, related_name="buildings")
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    enterprises = models.PositiveIntegerField(_("enterprises"), default=0)
    workers = models.PositiveIntegerField(_("office workers"), default=0)

    class Meta:
        verbose_name = _("building or park")
        verbose_name_plural = _("buildings and parks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Road(ArchivableModel):
    """A road with its name, drawn along its centre line: the maps show it and describe a pin
    as "near" it, and addresses are numbered along it."""

    class Kind(models.TextChoices):
        MAIN = "main", _("main road")
        BRANCH = "branch", _("branch road")
        BOUNDARY = "boundary", _("boundary road")

    subdistrict = ProtectedForeignKey(Subdistrict, _("subdistrict"), related_name="roads")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MAIN)
    width_m = models.FloatField(_("width (m)"), null=True, blank=True)
    geometry = models.JSONField(_("centre line (GeoJSON)"))

    class Meta:
        verbose_name = _("road")
        verbose_name_plural = _("roads")
        ordering = ["name"]
        constraints = [unique_among_active("subdistrict", "name", name="road_name_unique_active")]

    def __str__(self) -> str:
        return self.name


class Landmark(ArchivableModel):
    """A place people find their way by: a school, the hospital, the service centre, a market,
    a park, a metro station."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("school")
        HOSPITAL = "hospital", _("hospital")
        CLINIC = "clinic", _("health centre")
        SERVICE_CENTRE = "service", _("community service centre")
        GOVERNMENT = "government", _("government office")
        MARKET = "market", _("market")
        PARK = "park", _("park or square")
        TRANSIT = "transit", _("metro or bus station")
        OTHER = "other", _("other landmark")

    subdistrict = ProtectedForeignKey(Subdistrict, _("subdistrict"), related_name="landmarks")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("landmark")
        verbose_name_plural = _("landmarks")
        ordering = ["kind", "name"]
        constraints = [
            unique_among_active("subdistrict", "name", name="landmark_name_unique_active")
        ]

    def __str__(self) -> str:
        return self.name
