"""Time-limit units and the admin-editable corrections to the holiday calendar."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ArchivableModel


class Unit(models.TextChoices):
    """The three units of a time limit in digital urban management (see services.py)."""

    CONTINUOUS_HOURS = "continuous_hours", _("continuous hours")  # 紧急工作时
    WORKING_HOURS = "working_hours", _("working hours")  # 工作时
    WORKING_DAYS = "working_days", _("working days")  # 工作日


class CalendarOverride(ArchivableModel):
    """One date whose working/non-working status differs from the chinesecalendar package (or
    from Monday–Friday for a year the package does not know yet): a statutory holiday or make-up
    working day (调休上班) of a year not yet in the package, or a local decision such as a
    typhoon day off. Archived overrides no longer apply."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_(
            "Ticked: people work on this date (e.g. a make-up working day). "
            "Unticked: a day off (e.g. National Day)."
        ),
    )
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("For example 国庆节 or 调休上班.")
    )
    # Not called "note": core.services.create/update take `note=` for the audit trail.
    remarks = models.TextField(
        _("remarks"), blank=True, help_text=_("Where the decision comes from (notice, number).")
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        kind = gettext("working day") if self.is_working_day else gettext("day off")
        return f"{self.date.isoformat()} {self.name or kind}"
