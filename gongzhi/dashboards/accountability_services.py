"""Accountability (责任追究), the writes: evaluating the rules for a period (the periodic task
after each month's end, or a leader on demand) and acknowledging a warning.

Evaluation is idempotent: a warning is recorded once per rule × subject × period (a unique
constraint, so two workers evaluating at once record it once), audited, and its person is told
(gongzhi.notifications). Running it again records only what is new. Acknowledging is for the
warning's own person, with a note, audited; a second acknowledgement is refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import access_for
from gongzhi.notifications import services as notifications

from . import periods
from .accountability import (
    accountability_period,
    answerable,
    cases_of,
    judged_at,
    sees_all,
    subject_counts,
)
from .accountability_models import AccountabilityRule, AccountabilityWarning, RulePeriod
from .periods import Period

NOTE_MAX = 1000


@dataclass
class Evaluation:
    period: Period
    created: list[AccountabilityWarning] = field(default_factory=list)
    existing: int = 0


def _notify(warning: AccountabilityWarning) -> None:
    if warning.person_id is None:
        return
    user = User.objects.filter(person_id=warning.person_id, is_active=True).first()
    if user is None:
        return
    notifications.notify(
        template="accountability_warning",
        context={
            "subject": warning.subject_label,
            "measure": warning.rule.get_measure_display(),
            "count": warning.count,
            "threshold": warning.threshold,
            "period": warning.period_start.strftime("%Y-%m")
            if warning.rule.period == RulePeriod.MONTH
            else f"{warning.period_start:%Y-%m}–{warning.period_end:%Y-%m}",
        },
        user=user,
        target=warning,
        link=reverse("dashboards:warnings"),
    )


@transaction.atomic
def evaluate(*, period: Period, actor: Any = None, as_of: dt.datetime | None = None) -> Evaluation:
    """Record the warnings the active rules of this period's kind call for, per subdistrict: of
    the actor's subdistrict(s) (every one for the schedule and the district level)."""
    if period.kind not in (RulePeriod.MONTH, RulePeriod.QUARTER):
        raise ServiceError(_("Accountability is judged by month or by quarter."))
    access = access_for(actor) if actor is not None else None
    if access is not None and not sees_all(access):
        raise NotAllowed(_("Only leaders evaluate the accountability rules."))
    cases = cases_of(access) if access is not None else None
    as_of = as_of or judged_at(period)
    result = Evaluation(period)
    rules = list(AccountabilityRule.objects.active().filter(active=True, period=period.kind))
    counted: dict[str, list[Any]] = {}
    for rule in rules:
        if rule.subject_kind not in counted:
            counted[rule.subject_kind] = subject_counts(
                rule.subject_kind, period, as_of=as_of, cases=cases
            )
        hits = [r for r in counted[rule.subject_kind] if r.counts[rule.measure] >= rule.threshold]
        if not hits:
            continue
        people = answerable(rule.subject_kind, [r.key for r in hits])
        done = set(
            AccountabilityWarning.objects.filter(
                rule=rule, period_start=period.date_from, subject_id__in=[r.key for r in hits]
            ).values_list("subject_id", "subdistrict_id")
        )
        for row in hits:
            if (row.key, row.subdistrict_id) in done:
                result.existing += 1
                continue
            warning = AccountabilityWarning(
                rule=rule,
                subdistrict_id=row.subdistrict_id,
                subject_kind=rule.subject_kind,
                subject_id=row.key,
                subject_label=row.label[:120],
                period_start=period.date_from,
                period_end=period.date_to,
                count=row.counts[rule.measure],
                threshold=rule.threshold,
                person_id=people.get(row.key),
            )
            try:
                with transaction.atomic():
                    warning.save()
            except IntegrityError:
                # Another evaluation recorded it a moment ago.
                result.existing += 1
                continue
            audit.record_created(actor=actor, obj=warning)
            _notify(warning)
            result.created.append(warning)
    return result


def evaluate_finished(*, today: dt.date | None = None) -> list[Evaluation]:
    """The periodic run: the month that ended last, and the quarter if it ended with it."""
    today = today or timezone.localdate()
    month = periods.month(today.replace(day=1)).previous()
    out = [evaluate(period=month)]
    if month.date_to.month % 3 == 0:
        out.append(evaluate(period=periods.quarter(month.date_from)))
    return out


def evaluate_on_demand(*, actor: Any, period_key: str | None) -> Evaluation:
    return evaluate(period=accountability_period(period_key), actor=actor)


@transaction.atomic
def acknowledge(*, actor: Any, warning_id: int, note: str) -> AccountabilityWarning:
    """The warning's person acknowledges it, with a note saying what they will do."""
    warning = AccountabilityWarning.objects.select_for_update().filter(pk=warning_id).first()
    access = access_for(actor)
    if warning is None or (warning.person_id != access.person_id and not sees_all(access)):
        raise NotAllowed(_("This warning is not yours."))
    if warning.person_id is None or warning.person_id != access.person_id:
        raise NotAllowed(_("Only the person who answers for a warning acknowledges it."))
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Write a note: what happened and what you will do."))
    if len(note) > NOTE_MAX:
        raise ServiceError(_("The note is too long (at most %(n)d characters).") % {"n": NOTE_MAX})
    if warning.acknowledged_at is not None:
        raise ServiceError(_("This warning has been acknowledged already."))
    before = audit.snapshot(warning, ["acknowledged_at", "acknowledged_by", "acknowledgement"])
    warning.acknowledged_at = timezone.now()
    warning.acknowledged_by = actor
    warning.acknowledgement = note
    warning.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement"])
    after = audit.snapshot(warning, ["acknowledged_at", "acknowledged_by", "acknowledgement"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=warning,
        changes=audit.diff(before, after),
        note=_("warning acknowledged"),
    )
    return warning
