"""Sending deliveries: claim, POST, log the attempt, schedule the next one.

A delivery is sent by the `webhooks.deliver` task (queued when the case change commits, or by
a re-send). A failure — no answer within the time limit, no connection, any answer but 2xx — is
tried again with exponential backoff (30 s, 1 min, 2 min … at most an hour apart) until a day
has passed since the event (or the re-send), then the delivery is dead. The schedule lives on the
row (`next_attempt_at`); the periodic `webhooks.retry_due` task queues what is due, so retries
survive restarts and do not depend on the task runner's own retry count.

Two workers never send the same delivery at once: an attempt first claims the row with a
conditional UPDATE that moves `next_attempt_at` past the time limit (a lease); the loser sees
nothing to do. A worker that dies mid-attempt leaves the lease to expire, and the retry task
picks the row up again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.core import tasks

from . import payloads, sending, signing
from .models import TEST_EVENT, Delivery, DeliveryAttempt

log = logging.getLogger("gongzhi.webhooks")

RETRY_WINDOW = dt.timedelta(hours=24)
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
# A new delivery's own task should have sent it by then; after that the retry task takes over.
PENDING_GRACE = dt.timedelta(minutes=2)
DUE_BATCH = 500

S = Delivery.Status


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=sending.timeouts()[1] + 60)


def backoff(failures: int) -> dt.timedelta:
    """The wait after the n-th failure in a row: 30 s, 1 min, 2 min, 4 min … at most an hour."""
    exponent = max(0, min(failures - 1, 16))
    return min(BACKOFF_FIRST * (2**exponent), BACKOFF_CAP)


def next_attempt(
    *, failures: int, now: dt.datetime, retry_until: dt.datetime
) -> dt.datetime | None:
    """When to try again, or None when the day is over (the delivery is dead). The last try is
    at the end of the window itself."""
    at = now + backoff(failures)
    if at <= retry_until:
        return at
    if now < retry_until:
        return retry_until
    return None


def headers_for(delivery: Delivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": signing.CONTENT_TYPE,
        "User-Agent": "Gongzhi-Webhooks/1",
        signing.EVENT_HEADER: delivery.type_name,
        signing.DELIVERY_HEADER: str(delivery.event_id),
        signing.SIGNATURE_HEADER: signing.sign(delivery.subscription.signing_secrets(), body),
    }


def _claim(delivery_id: int, now: dt.datetime) -> dt.datetime | None:
    lease_until = now + lease()
    won = Delivery.objects.filter(
        pk=delivery_id, status__in=(S.PENDING, S.FAILED), next_attempt_at__lte=now
    ).update(next_attempt_at=lease_until)
    return lease_until if won == 1 else None


def attempt(*, delivery_id: int, manual: bool = False) -> dict[str, Any]:
    """Try to send one delivery now, if it is due and nobody else is sending it."""
    started = timezone.now()
    lease_until = _claim(delivery_id, started)
    if lease_until is None:
        return {"sent": False, "reason": "not due or taken"}
    d = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    sub = d.subscription
    if d.event_type != TEST_EVENT and (not sub.active or sub.archived_at is not None):
        _finish(d, None, manual=manual, lease_until=lease_until, inactive=True)
        return {"sent": False, "reason": "subscription inactive"}
    body = payloads.body_bytes(d.payload)
    outcome = sending.post(sub.url, body, headers_for(d, body))
    if not outcome.ok:
        log.warning(
            "webhook %s (%s) to subscription %s failed: %s",
            d.event_id,
            d.type_name,
            sub.pk,
            outcome.error,
        )
    status = _finish(d, outcome, manual=manual, lease_until=lease_until)
    return {"sent": outcome.ok, "status": status, "code": outcome.status_code}


@transaction.atomic
def _finish(
    d: Delivery,
    outcome: sending.Outcome | None,
    *,
    manual: bool,
    lease_until: dt.datetime,
    inactive: bool = False,
) -> str:
    now = timezone.now()
    number = d.attempts + 1
    if outcome is None:
        outcome = sending.Outcome(None, 0, "the subscription is inactive" if inactive else "")
    DeliveryAttempt.objects.create(
        delivery=d,
        number=number,
        at=now,
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error[:500],
        succeeded=outcome.ok,
        manual=manual,
    )
    fields: dict[str, Any] = {
        "attempts": number,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error[:500],
        "last_duration_ms": outcome.duration_ms,
    }
    if outcome.ok:
        fields.update(status=S.SUCCEEDED, delivered_at=now, next_attempt_at=None)
    elif inactive:
        fields.update(status=S.DEAD, next_attempt_at=None)
    else:
        window_start = d.retry_until - RETRY_WINDOW
        failures = DeliveryAttempt.objects.filter(
            delivery=d, at__gte=window_start, succeeded=False
        ).count()
        at = next_attempt(failures=failures, now=now, retry_until=d.retry_until)
        fields.update(
            status=S.FAILED if at else S.DEAD,
            next_attempt_at=at,
        )
    # A re-send that came in while this attempt was on the wire keeps its own schedule.
    updated = Delivery.objects.filter(pk=d.pk, next_attempt_at=lease_until).update(**fields)
    if updated == 0:
        Delivery.objects.filter(pk=d.pk).update(
            attempts=number,
            last_status_code=outcome.status_code,
            last_error=outcome.error[:500],
            last_duration_ms=outcome.duration_ms,
        )
    return str(fields.get("status", ""))


def queue(
    subs: list[Any], event_type: str, data: Any, *, case: Any = None, manual: bool = False
) -> list[Delivery]:
    """One pending delivery per subscription, written now (in the caller's transaction: the
    outbox), each sent by its own task after the commit. `data` is the payload's "data", or a
    function of the subscription giving it (a case's tracking link is per subscription).
    `manual`: an administrator's send (a test event), tried whether the subscription is active
    or not."""
    now = timezone.now()
    made = []
    for sub in subs:
        d = Delivery(
            subscription=sub,
            event_type=event_type,
            case=case,
            status=S.PENDING,
            next_attempt_at=now,
            retry_until=now + RETRY_WINDOW,
            created_at=now,
        )
        d.payload = payloads.envelope(
            delivery_id=str(d.event_id),
            type_name=d.type_name,
            created=now,
            data=data(sub) if callable(data) else data,
        )
        d.save()
        made.append(d)
    for d in made:
        if manual:
            tasks.enqueue("webhooks.deliver", delivery_id=d.pk, manual=True)
        else:
            tasks.enqueue("webhooks.deliver", delivery_id=d.pk)
    return made


def enqueue_due(now: dt.datetime | None = None) -> int:
    """Queue a send for each delivery whose retry is due (and for new ones whose own task was
    lost). Several queued sends of one delivery are harmless: only one claims it."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            Q(status=S.FAILED, next_attempt_at__lte=now)
            | Q(status=S.PENDING, next_attempt_at__lte=now - PENDING_GRACE)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:DUE_BATCH]
    )
    for pk in due:
        tasks.enqueue("webhooks.deliver", delivery_id=pk)
    return len(due)
