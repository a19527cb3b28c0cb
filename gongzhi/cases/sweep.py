"""The deadline sweep: flag cases about to be overdue and overdue, supervise overdue cases
automatically, escalate emergencies nobody acknowledged, and notify the people responsible.

Safe to run in several processes at once: each flag is claimed with a conditional UPDATE that
only matches rows not yet flagged for their current deadline (healthchecks' `sendalerts`), and
marks them with this sweep's token; only the sweep that claimed a row writes its events and
notices. A case is flagged once per deadline, however many sweeps run.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.core import events, tasks
from gongzhi.core.conf import product_setting

from .models import Case, CaseEvent, ack_window, awaiting_acknowledgement
from .workflow import TIMED_STATES

BATCH = 5000


@dataclass
class SweepResult:
    warned: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)
    emergencies: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "warned": len(self.warned),
            "overdue": len(self.overdue),
            "emergencies": len(self.emergencies),
        }


def _warn_window() -> dt.timedelta:
    return dt.timedelta(hours=float(product_setting("SLA_WARN_HOURS", 4)))


def _sweep_step(
    qs: Any,
    token: str,
    *,
    action: str,
    event: str,
    now: dt.datetime,
    data: dict[str, Any],
    done: list[int],
    **updates: Any,
) -> None:
    """Claim the rows of `qs` (already restricted to unclaimed ones) in batches. Each batch is
    one transaction: the flags, the timeline and audit rows, and the event (whose notices and
    webhooks are queued in the same transaction). A sweep killed half-way leaves every case
    either fully flagged and notified or untouched, and the next sweep takes up the rest."""
    ids = list(qs.values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with transaction.atomic():
            qs.filter(pk__in=chunk).update(sweep_claim=token, **updates)
            claimed = list(
                Case.objects.filter(pk__in=chunk, sweep_claim=token).values_list("id", flat=True)
            )
            _write_events(claimed, action, now, "", data)
            if claimed:
                # Whoever cares (notices, webhooks) subscribes (gongzhi.core.events).
                events.publish(event, at=now, case_ids=claimed)
        done.extend(claimed)
        tasks.progress(start + len(chunk), len(ids), action)


def _write_events(
    ids: list[int], action: str, now: dt.datetime, note: str, data: dict[str, Any]
) -> None:
    """One timeline row and one audit row per claimed case, written by INSERT … SELECT from the
    cases themselves (number and state read by the database, not round-tripped through Python):
    ten thousand overdue cases are a few statements, not ten thousand objects."""
    if not ids:
        return
    qn = connection.ops.quote_name
    ct = ContentType.objects.get_for_model(Case)
    json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    at = connection.ops.adapt_datetimefield_value(now)
    cases = qn(Case._meta.db_table)
    events = qn(CaseEvent._meta.db_table)
    audit = qn(AuditEvent._meta.db_table)
    data_json = json.dumps(data, ensure_ascii=False)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        marks = ", ".join(["%s"] * len(chunk))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {events} (case_id, at, actor_id, actor_label, action, from_state,"  # noqa: S608
                f" to_state, note, data, public) SELECT id, %s, NULL, 'system', %s, state, state,"
                f" %s, {json_param}, %s FROM {cases} WHERE id IN ({marks})",
                [at, action, note, data_json, False, *chunk],
            )
            cursor.execute(
                f"INSERT INTO {audit} (at, actor_id, actor_label, action, content_type_id,"  # noqa: S608
                f" object_id, object_repr, changes, note, ip, request_id) SELECT %s, NULL,"
                f" 'system', %s, %s, CAST(id AS VARCHAR(64)), number, {json_param}, %s, NULL, ''"
                f" FROM {cases} WHERE id IN ({marks})",
                [at, AuditEvent.Action.UPDATE, ct.pk, "{}", action, *chunk],
            )


def sweep(*, now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    token = secrets.token_hex(8)
    result = SweepResult()
    timed = Case.objects.filter(state__in=TIMED_STATES, due_at__isnull=False)

    overdue_q = timed.filter(due_at__lt=now).filter(
        Q(overdue_for_due__isnull=True) | ~Q(overdue_for_due=F("due_at"))
    )
    _sweep_step(
        overdue_q,
        token,
        action="overdue",
        event="case.overdue",
        now=now,
        data={"supervised": True},
        done=result.overdue,
        overdue_for_due=F("due_at"),
        supervision_level=Greatest(F("supervision_level"), 1),
    )

    warn_q = timed.filter(
        urgency=Case.Urgency.NORMAL, due_at__gte=now, due_at__lt=now + _warn_window()
    ).filter(Q(warned_for_due__isnull=True) | ~Q(warned_for_due=F("due_at")))
    _sweep_step(
        warn_q,
        token,
        action="warn",
        event="case.warned",
        now=now,
        data={},
        done=result.warned,
        warned_for_due=F("due_at"),
    )

    emergency_q = Case.objects.filter(
        awaiting_acknowledgement(),
        emergency_escalated_at__isnull=True,
        received_at__lt=now - ack_window(),
    )
    _sweep_step(
        emergency_q,
        token,
        action="emergency_escalate",
        event="case.emergency_escalated",
        now=now,
        data={},
        done=result.emergencies,
        emergency_escalated_at=now,
    )
    return result
