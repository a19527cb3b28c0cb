"""The cockpit's pre-aggregates: per day of receipt × subdistrict × department × grid station × residential
area × category group × channel, the counts of every measure's figures that change only when a
case changes (gongzhi.cases.measures.stable_conditions). The "due" figures add, at the moment of
reading, the open cases past their deadline (live_conditions), which an index on state finds.

Kept current by the case events (aggregates.py subscribes to them, after the commit),
rebuilt by `manage.py cockpit refresh` (and the nightly task), checked by `manage.py cockpit
verify`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey

# The stored counts, each named after its condition in stable_conditions().
COUNTS = (
    "filed",
    "handled",
    "handled_on_time",
    "closed",
    "closed_on_time",
    "reported",
    "reworked",
    "timed",
    "evaluated",
    "satisfied",
    "hotline_responded",
    "hotline_closed",
    "hotline_resolved",
    "hotline_evaluated",
    "hotline_satisfied",
)
# The dimensions: a case is in exactly one row per day.
DIMENSIONS = (
    "subdistrict_id",
    "department_id",
    "grid_id",
    "station_id",
    "residential_area_id",
    "category_id",
    "category_group_id",
    "channel",
)


class Dimensions(models.Model):
    """The columns of DIMENSIONS, which key a row of the figures with its day."""

    subdistrict_id = models.IntegerField(null=True)
    department_id = models.IntegerField(null=True)
    grid_id = models.IntegerField(null=True)
    station_id = models.IntegerField(null=True)
    residential_area_id = models.IntegerField(null=True)
    category_id = models.IntegerField(null=True)
    category_group_id = models.IntegerField(null=True)
    channel = models.CharField(max_length=20)

    class Meta:
        abstract = True


class CaseOfDay(Dimensions):
    """A row of one case (its id) with the key of its row of the daily figures."""

    case_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()

    class Meta:
        abstract = True


class CaseDay(Dimensions):
    day = models.DateField(_("day received"))
    received = models.PositiveIntegerField(default=0)
    filed = models.PositiveIntegerField(default=0)
    handled = models.PositiveIntegerField(default=0)
    handled_on_time = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)
    reworked = models.PositiveIntegerField(default=0)
    timed = models.PositiveIntegerField(default=0)
    handling_seconds = models.FloatField(default=0)
    evaluated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    hotline_responded = models.PositiveIntegerField(default=0)
    hotline_closed = models.PositiveIntegerField(default=0)
    hotline_resolved = models.PositiveIntegerField(default=0)
    hotline_evaluated = models.PositiveIntegerField(default=0)
    hotline_satisfied = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily case figures")
        verbose_name_plural = _("daily case figures")
        indexes = [
            models.Index(fields=["day", "department_id"], name="caseday_day_department"),
            models.Index(fields=["day", "residential_area_id"], name="caseday_day_area"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.station_id}/{self.channel}"


class CaseFact(CaseOfDay):
    """What one case contributes to the daily figures now: its row's key and its counts (0 or
    1, and its handling time). When the case changes, the difference between the stored fact
    and the new one is added to the daily rows — a few small writes, however many cases that
    day had."""

    counts = models.JSONField(default=dict)  # count name → 0/1, and "handling_seconds"

    def __str__(self) -> str:
        return f"case {self.case_id} on {self.day}"


class CaseDayStamp(models.Model):
    """One row per day: refreshing a day locks it, so two transactions never both rebuild the
    same day's rows."""

    day = models.DateField(primary_key=True)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.day)


class CaseOpen(CaseOfDay):
    """The "open now" snapshot: one row per open case (a few percent of the table), with its
    row's key and the deadline of each clock that runs on it (gongzhi.cases.measures
    .running_clocks; empty when that clock does not run). "Overdue now" and the live part of the
    "due" figures are a comparison of these deadlines with the moment of reading. Kept by the
    case events with CaseFact, rebuilt with it."""

    handle_due_at = models.DateTimeField(null=True)
    close_due_at = models.DateTimeField(null=True)
    response_due_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["day"], name="caseopen_day")]

    def __str__(self) -> str:
        return f"open case {self.case_id}"


# --- The monthly report (gongzhi.dashboards.report) ------------------------------------------


class Report(models.Model):
    """One generated report of a period (a month, a quarter, a year) for one scope, as the
    cockpit scopes its viewers: a subdistrict, a residential area or a department (each of one
    subdistrict), or the whole district (every subdistrict: no subdistrict). Its files
    are kept under MEDIA_ROOT/reports/ with names made by the service (no user input); they
    are downloaded through the report pages, which check the reader's scope and audit it."""

    class Kind(models.TextChoices):
        MONTH = "month", _("month")
        QUARTER = "quarter", _("quarter")
        YEAR = "year", _("year")

    class ScopeKind(models.TextChoices):
        DISTRICT = "district", _("district")
        SUBDISTRICT = "subdistrict", _("subdistrict")
        AREA = "area", _("residential area")
        DEPARTMENT = "department", _("department")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being generated")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    period_kind = models.CharField(_("period"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("period starts"))
    scope_kind = models.CharField(
        _("scope"), max_length=12, choices=ScopeKind.choices, default=ScopeKind.SUBDISTRICT
    )
    # The subdistrict the report's figures are of (the area's, the department's); None: the
    # whole district (or a district-level department).
    subdistrict = ProtectedForeignKey("places.Subdistrict", _("subdistrict"), null=True)
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), null=True
    )
    department = ProtectedForeignKey("org.Organisation", _("department"), null=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.CharField(_("progress note"), max_length=200, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/", blank=True)
    xlsx = models.FileField(_("spreadsheet"), upload_to="reports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    scheduled = models.BooleanField(_("scheduled"), default=False)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    requested_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("requested by"), null=True)
    task = ProtectedForeignKey("core.Task", _("background task"), null=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        scope_kind="district",
                        subdistrict__isnull=True,
                        residential_area__isnull=True,
                        department__isnull=True,
                    )
                    | models.Q(
                        scope_kind="subdistrict",
                        residential_area__isnull=True,
                        department__isnull=True,
                    )
                    | models.Q(
                        scope_kind="area", residential_area__isnull=False, department__isnull=True
                    )
                    | models.Q(
                        scope_kind="department",
                        residential_area__isnull=True,
                        department__isnull=False,
                    )
                ),
                name="report_scope_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["period_kind", "period_start"], name="report_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period_key} {self.scope_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A subdistrict's report names its subdistrict: the installation's when not given.
        if self.scope_kind == self.ScopeKind.SUBDISTRICT and self.subdistrict_id is None:
            from gongzhi.places.selectors import default_subdistrict_id

            self.subdistrict_id = default_subdistrict_id()
        super().save(*args, **kwargs)

    @property
    def period_key(self) -> str:
        d = self.period_start
        if self.period_kind == self.Kind.MONTH:
            return f"{d:%Y-%m}"
        if self.period_kind == self.Kind.QUARTER:
            return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
        return str(d.year)

    @property
    def scope_label(self) -> str:
        if self.scope_kind == self.ScopeKind.AREA and self.residential_area_id:
            return str(self.residential_area)
        if self.scope_kind == self.ScopeKind.DEPARTMENT and self.department_id:
            return str(self.department)
        if self.scope_kind == self.ScopeKind.SUBDISTRICT and self.subdistrict_id:
            return str(self.subdistrict)
        return str(self.ScopeKind(self.scope_kind).label)

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


# Accountability's rules and warnings live in their own module; Django finds them here.
from .accountability_models import AccountabilityRule, AccountabilityWarning  # noqa: E402, F401
