"""Accountability (责任追究): the rules that trigger a warning, as data, and the warnings.

A rule says: for each subject of a kind (grid station, department, responsible person), when
its count of one measure (overdue, late, reworked, unsatisfied cases) in a period (month or
quarter) reaches the threshold, record a warning. A warning is recorded once per rule × subject
× period (the database refuses a second), names the person who answers for it, and is
acknowledged by that person with a note. Imported by models.py, so Django finds them there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey
from gongzhi.core.models import ArchivableModel, TimeStampedModel


class SubjectKind(models.TextChoices):
    STATION = "station", _("grid station")
    DEPARTMENT = "department", _("department")
    PERSON = "person", _("responsible person")


class AccountabilityMeasure(models.TextChoices):
    OVERDUE = "overdue", _("overdue cases")
    LATE = "late", _("cases closed late")
    REWORKED = "reworked", _("reworked cases")
    UNSATISFIED = "unsatisfied", _("unsatisfied cases")


class RulePeriod(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")


class AccountabilityRule(ArchivableModel):
    subject_kind = models.CharField(_("whom it concerns"), max_length=20, choices=SubjectKind)
    measure = models.CharField(_("measure"), max_length=20, choices=AccountabilityMeasure)
    threshold = models.PositiveIntegerField(
        _("threshold"), help_text=_("A warning is recorded when the count reaches this number.")
    )
    period = models.CharField(
        _("period"), max_length=10, choices=RulePeriod, default=RulePeriod.MONTH
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("accountability rule")
        verbose_name_plural = _("accountability rules")
        ordering = ["period", "subject_kind", "measure", "threshold"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=1), name="accountability_threshold_positive"
            )
        ]

    def __str__(self) -> str:
        return str(
            _("%(subject)s: %(threshold)d or more %(measure)s in a %(period)s")
            % {
                "subject": self.get_subject_kind_display(),
                "threshold": self.threshold,
                "measure": self.get_measure_display(),
                "period": self.get_period_display(),
            }
        )


class AccountabilityWarning(TimeStampedModel):
    """A subject's warning for its cases of one subdistrict (rules are judged per subdistrict:
    a department or person working in two is judged in each)."""

    rule = ProtectedForeignKey(AccountabilityRule, _("rule"), related_name="warnings")
    subdistrict = ProtectedForeignKey("places.Subdistrict", _("subdistrict"))
    subject_kind = models.CharField(_("whom it concerns"), max_length=20, choices=SubjectKind)
    subject_id = models.PositiveIntegerField(_("subject"))
    subject_label = models.CharField(_("subject"), max_length=120)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    count = models.PositiveIntegerField(_("count"))
    threshold = models.PositiveIntegerField(_("threshold"))
    person = ProtectedForeignKey(
        "org.Person", _("answered by"), null=True, related_name="accountability_warnings"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("acknowledged by"), null=True)
    acknowledgement = models.TextField(_("acknowledgement note"), blank=True)

    class Meta:
        verbose_name = _("accountability warning")
        verbose_name_plural = _("accountability warnings")
        ordering = ["-period_start", "subject_kind", "subject_label", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_kind", "subject_id", "period_start", "subdistrict"],
                name="warning_once_per_rule_subject_period",
            )
        ]
        indexes = [
            models.Index(fields=["period_start", "period_end"], name="warning_period"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} · {self.rule}"

    @property
    def period_key(self) -> str:
        """The period as the pages' URLs name it: `2026-11`, or `2026-Q4` for a quarter."""
        if self.period_start.month == self.period_end.month:
            return f"{self.period_start:%Y-%m}"
        return f"{self.period_start.year}-Q{(self.period_start.month - 1) // 3 + 1}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None
