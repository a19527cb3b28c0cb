"""Emergency duty (应急值守) at the grid management centre: the roster, the shift log, handovers.

- `ShiftPattern`: a configurable kind of shift ("day" 08:30–17:30, "night" 17:30–08:30 the next
  day). The centre works 7×24: every pattern runs every day, holidays and make-up working days
  included (the working calendar of gongzhi.worktime does not apply here).
- `Shift`: one pattern on one date at one subdistrict's centre, with its start and end as
  aware datetimes (half-open: a shift covers `starts_at <= t < ends_at`, so at 17:30 the night
  shift is on duty). An installation serving several subdistricts has a roster per centre;
  the patterns are shared.
- `DutyAssignment`: a person on a shift as duty chief (值班长) or operator. The database refuses
  a second duty chief on a shift and the same person twice on one shift; the services refuse a
  person on two overlapping shifts.
- `SwapRequest`: a staff member asks another to take their assignment (optionally in exchange
  for one of the other's); accepting moves the assignment(s) in one transaction.
- `ShiftLogEntry`: the shift log (值班日志): notes, incidents and handovers, optionally about a
  case. `Handover`: the outgoing chief's notes at the end of a shift, acknowledged by the
  incoming chief.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey
from gongzhi.core.models import ArchivableModel, unique_among_active


class DutyRole(models.TextChoices):
    DUTY_CHIEF = "duty_chief", _("duty chief")
    OPERATOR = "operator", _("operator")


class ShiftPattern(ArchivableModel):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=40)
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(
        _("ends at"),
        help_text=_("At or before the start time: the shift ends the next day (a night shift)."),
    )
    operators_needed = models.PositiveSmallIntegerField(
        _("operators needed"),
        default=2,
        help_text=_("The roster warns when a shift has fewer operators than this."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("shift pattern")
        verbose_name_plural = _("shift patterns")
        ordering = ["sort_order", "start_time", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(start_time=F("end_time")), name="duty_pattern_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def overnight(self) -> bool:
        return self.end_time <= self.start_time


class Shift(ArchivableModel):
    pattern = ProtectedForeignKey(ShiftPattern, _("shift pattern"))
    # The subdistrict whose grid centre works the shift.
    subdistrict = ProtectedForeignKey("places.Subdistrict", _("subdistrict"), null=True)
    date = models.DateField(_("date"), help_text=_("The day the shift starts."))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "id"]
        constraints = [
            unique_among_active("subdistrict", "pattern", "date", name="duty_shift_unique_active"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="duty_shift_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="duty_shift_span")]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.pattern.name}"


class DutyAssignment(ArchivableModel):
    shift = ProtectedForeignKey(Shift, _("shift"), related_name="assignments")
    person = ProtectedForeignKey("org.Person", _("person"), related_name="duty_assignments")
    role = models.CharField(_("role on the shift"), max_length=20, choices=DutyRole.choices)
    remarks = models.CharField(_("remarks"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty assignments")
        ordering = ["shift__starts_at", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift"],
                condition=Q(role=DutyRole.DUTY_CHIEF, archived_at__isnull=True),
                name="duty_one_chief_per_shift",
            ),
            unique_among_active("shift", "person", name="duty_person_once_per_shift"),
            models.CheckConstraint(
                condition=Q(role__in=DutyRole.values), name="duty_assignment_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["person", "shift"], name="duty_assignment_person")]

    def __str__(self) -> str:
        return f"{self.shift} · {self.get_role_display()} · {self.person}"

    @property
    def is_chief(self) -> bool:
        return self.role == DutyRole.DUTY_CHIEF


class SwapRequest(ArchivableModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")
        CANCELLED = "cancelled", _("cancelled")

    assignment = ProtectedForeignKey(DutyAssignment, _("assignment"), related_name="swap_requests")
    counter_assignment = ProtectedForeignKey(
        DutyAssignment,
        _("in exchange for"),
        null=True,
        related_name="counter_swap_requests",
        help_text=_("One of the other person's shifts, taken in return (optional)."),
    )
    from_person = ProtectedForeignKey("org.Person", _("from"))
    to_person = ProtectedForeignKey("org.Person", _("to"))
    requested_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("requested by"), null=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("decided by"), null=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="duty_swap_one_pending",
            ),
            models.CheckConstraint(
                condition=~Q(from_person=F("to_person")), name="duty_swap_other_person"
            ),
            models.CheckConstraint(
                condition=(Q(status="pending") & Q(decided_at__isnull=True))
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="duty_swap_decided_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_person} → {self.to_person} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class ShiftLogEntry(ArchivableModel):
    class Kind(models.TextChoices):
        NOTE = "note", _("note")
        INCIDENT = "incident", _("incident")
        HANDOVER = "handover", _("handover")

    shift = ProtectedForeignKey(Shift, _("shift"), null=True, related_name="log_entries")
    # The centre whose log it is (the shift's, or the writer's when no shift was on duty).
    subdistrict = ProtectedForeignKey("places.Subdistrict", _("subdistrict"), null=True)
    at = models.DateTimeField(_("time"), db_index=True)
    author = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("author"), null=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"))
    case = ProtectedForeignKey("cases.Case", _("case"), null=True)

    class Meta:
        verbose_name = _("shift log entry")
        verbose_name_plural = _("shift log entries")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["note", "incident", "handover"]),
                name="duty_log_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.text[:40]}"


class Handover(ArchivableModel):
    shift = ProtectedForeignKey(Shift, _("outgoing shift"), related_name="handovers")
    next_shift = ProtectedForeignKey(
        Shift, _("incoming shift"), null=True, related_name="incoming_handovers"
    )
    handed_over_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("handed over by"))
    handed_over_at = models.DateTimeField(_("handed over at"))
    notes = models.TextField(_("handover notes"))
    acknowledged_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("acknowledged by"), null=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledgement_note = models.CharField(_("acknowledgement note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-handed_over_at", "-id"]
        constraints = [
            unique_among_active("shift", name="duty_one_handover_per_shift"),
            models.CheckConstraint(
                condition=(Q(acknowledged_at__isnull=True) & Q(acknowledged_by__isnull=True))
                | (Q(acknowledged_at__isnull=False) & Q(acknowledged_by__isnull=False)),
                name="duty_handover_ack_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shift} → {self.next_shift or '—'}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None
