"""Webhook subscriptions and the queueing of deliveries.

`case_event()` is called by the case events' listener (listeners.py) inside the transaction that
changed a case:
it writes one `Delivery` per matching subscription (so deliveries commit, or roll back, with the
case change) and queues one background task per delivery. It never touches the network: a slow
or failing receiver cannot slow intake or any other case action. The sending, retries and
backoff are in gongzhi.webhooks.delivery.

Signing secrets are generated here, returned once to be shown to the administrator, and kept
out of the audit trail and the logs.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.core import tasks
from gongzhi.core.cache import TableCache
from gongzhi.core.errors import ServiceError, validation_errors

from . import payloads
from .delivery import RETRY_WINDOW, queue
from .models import TEST_EVENT, Delivery, Subscription

log = logging.getLogger("gongzhi.webhooks")

SECRET_PREFIX = "whsec_"  # noqa: S105  (a prefix, not a secret)
ROTATION_GRACE = dt.timedelta(hours=24)
# In the order the back-office form shows them.
EDITABLE_FIELDS = (
    "name",
    "url",
    "event_types",
    "subdistrict",
    "department",
    "category_group",
    "channel",
    "include_tracking_link",
    "active",
    "note",
)
BULK_BATCH = 500


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _snapshot(sub: Subscription) -> dict[str, Any]:
    """The audited fields: everything but the secrets and the time stamps."""
    hidden = {*Subscription.SECRET_FIELDS, "previous_secret_until", "created_at", "updated_at"}
    return audit.snapshot(sub, [f.name for f in sub._meta.concrete_fields if f.name not in hidden])


def _validate(sub: Subscription) -> None:
    with validation_errors(Subscription):
        sub.full_clean()


# --- Subscriptions ------------------------------------------------------------------------------


@transaction.atomic
def subscription_create(
    *,
    actor: Any,
    name: str,
    url: str,
    event_types: list[str],
    subdistrict: Any = None,
    department: Any = None,
    category_group: Any = None,
    channel: str = "",
    include_tracking_link: bool = False,
    active: bool = True,
    note: str = "",
) -> tuple[Subscription, str]:
    """A new subscription and its secret (show it to the administrator once)."""
    sub = Subscription(
        name=(name or "").strip(),
        url=(url or "").strip(),
        event_types=list(dict.fromkeys(event_types or [])),
        subdistrict=subdistrict,
        department=department,
        category_group=category_group,
        channel=channel or "",
        include_tracking_link=include_tracking_link,
        active=active,
        note=note or "",
        secret=new_secret(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _validate(sub)
    sub.save()
    transaction.on_commit(_active.invalidate)  # this process routes by it at once
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=sub,
        changes={
            k: {"before": None, "after": v}
            for k, v in _snapshot(sub).items()
            if v not in (None, "", [], {})
        },
    )
    return sub, sub.secret


@transaction.atomic
def subscription_update(
    *, actor: Any, subscription: Subscription, note: str = "", **fields: Any
) -> Subscription:
    unknown = set(fields).difference(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be changed here: %(f)s") % {"f": sorted(unknown)})
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    before = _snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    _validate(locked)
    locked.save()
    transaction.on_commit(_active.invalidate)
    changes = audit.diff(before, _snapshot(locked))
    if changes:
        audit.record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=locked, changes=changes, note=note
        )
    for name in fields:
        setattr(subscription, name, getattr(locked, name))
    return locked


@transaction.atomic
def subscription_rotate_secret(
    *, actor: Any, subscription: Subscription, grace: dt.timedelta = ROTATION_GRACE
) -> str:
    """A new secret (returned, to show once). For `grace` the old one still signs too: each
    request then carries two signatures, so the receiver can switch without losing events."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    now = timezone.now()
    locked.previous_secret = locked.secret
    locked.previous_secret_until = now + grace if grace.total_seconds() > 0 else None
    locked.secret = new_secret()
    locked.secret_rotated_at = now
    locked.save(
        update_fields=[
            "secret",
            "previous_secret",
            "previous_secret_until",
            "secret_rotated_at",
            "updated_at",
        ]
    )
    audit.record_change(
        actor=actor,
        obj=locked,
        field="secret_rotated_at",
        before=None,
        after=now,
        note="secret rotated",
    )
    subscription.secret_rotated_at = now
    return locked.secret


# --- Case events → deliveries -------------------------------------------------------------------


def _wants(sub: Subscription, event_type: str, case: Case) -> bool:
    if event_type not in (sub.event_types or []):
        return False
    if sub.subdistrict_id and sub.subdistrict_id != case.subdistrict_id:
        return False
    if sub.department_id and sub.department_id != case.department_id:
        return False
    if sub.channel and sub.channel != case.channel:
        return False
    if sub.category_group_id and sub.category_group_id not in (
        case.category_id,
        case.category.group_id,
    ):
        return False
    return True


def _load_subscriptions() -> list[Subscription]:
    return list(Subscription.objects.active().filter(active=True))


# Intake and every case action ask for the subscribers; the table rarely changes.
_active = TableCache(_load_subscriptions, Subscription)


def subscribers(event_type: str, subdistrict_id: int | None = None) -> list[Subscription]:
    """The active subscriptions to the event; with `subdistrict_id`, those of that subdistrict
    and the district-wide ones (of no subdistrict)."""
    return [
        s
        for s in _active.get()
        if event_type in (s.event_types or [])
        and (subdistrict_id is None or s.subdistrict_id in (None, subdistrict_id))
    ]


def _queue(
    *,
    case: Case,
    event: CaseEvent | None,
    action: str,
    event_type: str,
    subscribers: list[Subscription],
    at: dt.datetime,
) -> list[Delivery]:
    subs = [s for s in subscribers if _wants(s, event_type, case)]
    if not subs:
        return []
    if event is None:
        event = case.events.filter(action=action).order_by("-at", "-id").first()
    data = {
        "case": payloads.case_data(case),
        "event": payloads.event_data(case, event, action=action, at=at),
    }

    def body(sub: Subscription) -> dict[str, Any]:
        if sub.include_tracking_link:
            return {**data, "case": payloads.case_data(case, tracking_link=True)}
        return data

    return queue(subs, event_type, body, case=case)


def case_event(
    *,
    case: Case,
    event_type: str,
    row: CaseEvent | None = None,
    action: str = "",
    at: dt.datetime | None = None,
) -> list[Delivery]:
    """Queue the webhooks of one case event. Called inside the transaction that changed the
    case; `row` is the timeline row (else the latest of `action` is looked up). Only database
    writes happen here; a mistake in building a payload is logged and never stops the change."""
    try:
        subs = subscribers(event_type)
        if not subs:
            return []
        with transaction.atomic():
            return _queue(
                case=case,
                event=row,
                action=row.action if row is not None else action,
                event_type=event_type,
                subscribers=subs,
                at=at or timezone.now(),
            )
    except Exception:
        log.exception("webhooks: could not queue %s of case %s", event_type, case.pk)
        return []


def cases_event(
    *, case_ids: list[int], event_type: str, action: str, at: dt.datetime | None = None
) -> int:
    """The same for many cases at once (the deadline sweep's overdue flags). Returns how many
    deliveries were queued."""
    if not case_ids or not subscribers(event_type):
        return 0
    made = 0
    for start in range(0, len(case_ids), BULK_BATCH):
        chunk = case_ids[start : start + BULK_BATCH]
        cases = Case.objects.filter(pk__in=chunk).select_related(
            "category", "category__group", "department", "grid", "residential_area", "merged_into"
        )
        with transaction.atomic():
            for case in cases:
                made += len(case_event(case=case, event_type=event_type, action=action, at=at))
    return made


# --- Re-sending and testing ---------------------------------------------------------------------


@transaction.atomic
def delivery_resend(*, actor: Any, delivery: Delivery) -> Delivery:
    """Send a delivery again now (an administrator's action), with the same delivery id so the
    receiver can de-duplicate; a failure is retried for another day."""
    locked = Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    sub = locked.subscription
    if locked.event_type != TEST_EVENT and (not sub.active or sub.archived_at is not None):
        raise ServiceError(
            _("The subscription “%(name)s” is inactive: activate it before sending again.")
            % {"name": sub.name}
        )
    now = timezone.now()
    before = locked.status
    Delivery.objects.filter(pk=locked.pk).update(
        status=Delivery.Status.PENDING, next_attempt_at=now, retry_until=now + RETRY_WINDOW
    )
    audit.record_change(
        actor=actor,
        obj=locked,
        field="status",
        before=before,
        after=Delivery.Status.PENDING,
        note="resend",
    )
    tasks.enqueue("webhooks.deliver", delivery_id=locked.pk, manual=True)
    delivery.status, delivery.next_attempt_at = Delivery.Status.PENDING, now
    return locked


@transaction.atomic
def subscription_send_test(*, actor: Any, subscription: Subscription) -> Delivery:
    """Queue a test event ("ping") to the subscription's receiver, active or not."""
    [d] = queue([subscription], TEST_EVENT, payloads.test_data(subscription.name), manual=True)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=d, note="test event", changes={})
    return d
