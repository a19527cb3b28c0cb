"""The cockpit's pre-aggregates: per day of receipt × department × grid station × residential
area × category group × channel, the counts of every measure's figures that change only when a
case changes (gongzhi.cases.measures.stable_conditions). The "due" figures add, at the moment of
reading, the open cases past their deadline (live_conditions), which an index on state finds.

Kept current by the case events (aggregates.py subscribes to them, after the commit),
rebuilt by `manage.py cockpit refresh` (and the nightly task), checked by `manage.py cockpit
verify`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

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
    "department_id",
    "station_id",
    "residential_area_id",
    "category_group_id",
    "channel",
)


class CaseDay(models.Model):
    day = models.DateField(_("day received"))
    department_id = models.IntegerField(null=True)
    station_id = models.IntegerField(null=True)
    residential_area_id = models.IntegerField(null=True)
    category_group_id = models.IntegerField(null=True)
    channel = models.CharField(max_length=20)
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


class CaseFact(models.Model):
    """What one case contributes to the daily figures now: its row's key and its counts (0 or
    1, and its handling time). When the case changes, the difference between the stored fact
    and the new one is added to the daily rows — a few small writes, however many cases that
    day had."""

    case_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()
    department_id = models.IntegerField(null=True)
    station_id = models.IntegerField(null=True)
    residential_area_id = models.IntegerField(null=True)
    category_group_id = models.IntegerField(null=True)
    channel = models.CharField(max_length=20)
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
