"""Sending notices. `notify()` is the one entry point: it renders the message in the recipient's
language, records one Notification per channel and delivers email and SMS in the background.

In-app notices are delivered at once (they are the inbox). Email goes through Django's mail API,
SMS through the gateway named by settings.SMS_BACKEND (gongzhi.notifications.sms). A user who
opted out of email or SMS gets a "not sent (opted out)" row instead, so the log still shows that
the notice was due.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import tasks
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import access_for

from . import registry, rendering
from . import tasks as delivery
from .models import Notification, NotificationPreference
from .sms import get_backend

log = logging.getLogger("gongzhi.notifications")

Channel = Notification.Channel
Status = Notification.Status


class DeliveryError(Exception):
    """One attempt to deliver failed; the task runner tries again later."""


def render(
    template: str, context: dict[str, Any], *, channel: str = "in_app", language: str = ""
) -> tuple[str, str]:
    """(subject, body) of message `template` for `channel` in `language` (default: the active
    language), from the database override if there is one, else from the code default."""
    lang = rendering.normalise_language(language or translation.get_language())
    with translation.override(lang):
        ctx = _full_context(template, context, lang, link=str(context.get("link", "")))
        out = _render_one(template, channel, lang, ctx, rendering.overrides(template, lang))
    return out.subject, out.body


def _full_context(
    template: str, context: dict[str, Any], language: str, *, link: str, target: Any = None
) -> dict[str, Any]:
    """The variables every message has, then what the message's domain adds (in the active
    language: the caller has switched to the recipient's)."""
    ctx = dict(context)
    ctx.setdefault("link", absolute_link(link))
    ctx["signature"] = rendering.signature(language)
    return registry.prepare(template, ctx, target)


def _render_one(
    template: str,
    channel: str,
    language: str,
    ctx: dict[str, Any],
    db: dict[str, tuple[str, str]],
) -> rendering.Rendered:
    subject, body = rendering.source_for(template, channel, language, db)
    try:
        return rendering.render_source(subject, body, ctx)
    except Exception:  # an override broken after validation: fall back to the code default
        log.exception(
            "message template %s/%s/%s failed; using the default", template, channel, language
        )
        subject, body = rendering.source_for(template, channel, language, {})
        return rendering.render_source(subject, body, ctx)


def absolute_link(link: str) -> str:
    """The link as a full address for email, when settings.SITE_URL is set."""
    base = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if link.startswith("/") and base:
        return base + link
    return link


def _email_text(body: str, link: str, language: str) -> str:
    with translation.override(language):
        parts = [body]
        url = absolute_link(link)
        if url:
            parts.append(_("Details: %(url)s") % {"url": url})
        parts.append(
            _("This message was sent automatically by %(sender)s. Please do not reply.")
            % {"sender": rendering.signature(language)}
        )
    return "\n\n".join(parts)


def _preference(user: Any) -> NotificationPreference | None:
    if user is None or getattr(user, "pk", None) is None:
        return None
    return NotificationPreference.objects.filter(user_id=user.pk).first()


def reaches(user: Any, target: Any) -> bool:
    """May a notice about `target` go to `user`? Not when the target belongs to a subdistrict
    (its `subdistrict_id`) that the user's staff scope does not reach."""
    if user is None or target is None:
        return True
    subdistrict_id = getattr(target, "subdistrict_id", None)
    return subdistrict_id is None or access_for(user).in_subdistrict(subdistrict_id)


def notify(
    *,
    template: str,
    context: dict[str, Any],
    user: Any = None,
    email: str = "",
    phone: str = "",
    channels: Iterable[str] = ("in_app", "email", "sms"),
    link: str = "",
    target: Any = None,
    language: str = "zh-hans",
) -> list[Notification]:
    """Send message `template` to one person on each of `channels` they can be reached on.

    `target` is the object the notice is about, of any model (a case, a project …): the notice
    is found again with Notification.objects.for_object(obj), and the message's domain may read
    it to complete the context (gongzhi.notifications.registry).

    `user` gets in-app notices (and email/SMS at their account's address unless `email` /
    `phone` is given); without a user, email and SMS go to the addresses given. The language is
    the user's, else `language`. Returns the rows created (queued email/SMS are delivered after
    the transaction commits).

    A notice about an object of one subdistrict never reaches a user narrowed to others (where
    the installation serves several): it is dropped, and nothing is returned."""
    if not reaches(user, target):
        return []
    lang = rendering.normalise_language(getattr(user, "language", "") or language)
    wanted = list(dict.fromkeys(channels))
    email = (email or getattr(user, "email", "") or "").strip()
    phone = (phone or getattr(user, "phone", "") or "").strip()
    pref = _preference(user) if ({"email", "sms"} & set(wanted)) else None
    now = timezone.now()
    rows: list[Notification] = []
    with translation.override(lang):
        ctx = _full_context(template, context, lang, link=link, target=target)
        db = rendering.overrides(template, lang)
        for channel in wanted:
            common = {
                "channel": channel,
                "template": template,
                "language": lang,
                "recipient": user,
                "link": link,
                "target": target,
                "target_repr": str(target)[:200] if target is not None else "",
            }
            if channel == Channel.IN_APP:
                if user is None:
                    continue
                text = _render_one(template, channel, lang, ctx, db)
                rows.append(
                    Notification(
                        **common,
                        subject=text.subject,
                        body=text.body,
                        status=Status.SENT,
                        sent_at=now,
                    )
                )
            elif channel in (Channel.EMAIL, Channel.SMS):
                address = email if channel == Channel.EMAIL else phone
                if not address:
                    continue
                text = _render_one(template, channel, lang, ctx, db)
                body = text.body
                if channel == Channel.EMAIL:
                    body = _email_text(text.body, link, lang)
                opted_out = pref is not None and not (
                    pref.receive_email if channel == Channel.EMAIL else pref.receive_sms
                )
                rows.append(
                    Notification(
                        **common,
                        to_address=address[:254],
                        subject=text.subject,
                        body=body,
                        status=Status.SKIPPED if opted_out else Status.QUEUED,
                        error=_("The recipient opted out of this channel.") if opted_out else "",
                    )
                )
            else:
                log.warning("unknown notification channel %r for %s", channel, template)
    if not rows:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        for row in created:
            if row.status == Status.QUEUED:
                delivery.deliver_task.enqueue(notification_id=row.pk)
    return created


def on_commit_notify(**kwargs: Any) -> None:
    """notify(**kwargs) once the current transaction commits (nothing if it rolls back). A
    failure to notify is logged and never undoes or breaks the change that caused it."""
    transaction.on_commit(lambda: notify(**kwargs), robust=True)


# --- Delivery (in the background) ---------------------------------------------------------------


def _send(row: Notification) -> str:
    if row.channel == Channel.EMAIL:
        message = EmailMessage(
            subject=row.subject,
            body=row.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[row.to_address],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.send(fail_silently=False)
        return ""
    if row.channel == Channel.SMS:
        return get_backend().send(phone=row.to_address, text=row.body, ref=str(row.pk))
    raise DeliveryError(f"channel {row.channel!r} is not delivered in the background")


def deliver(*, notification_id: int) -> str:
    """Send one queued email or SMS. The row is claimed with a conditional UPDATE, so two
    workers never send it twice. On failure the error is kept; the task is retried with backoff
    until the last attempt, which marks the row failed. Returns the row's status."""
    row = Notification.objects.filter(pk=notification_id).first()
    if row is None:
        return "missing"
    if row.status != Status.QUEUED:
        return row.status
    attempt = row.attempts + 1
    claimed = Notification.objects.filter(
        pk=row.pk, status=Status.QUEUED, attempts=row.attempts
    ).update(attempts=attempt)
    if claimed != 1:
        return "taken"
    try:
        reference = _send(row)
    except Exception as exc:  # noqa: BLE001  (any failure of a gateway is a failed attempt)
        final = attempt >= delivery.MAX_ATTEMPTS or not tasks.retries()
        error = f"attempt {attempt}: {type(exc).__name__}: {exc}"[:2000]
        Notification.objects.filter(pk=row.pk).update(
            status=Status.FAILED if final else Status.QUEUED, error=error
        )
        log.warning(
            "%s #%s to %s failed (%s)%s",
            row.channel,
            row.pk,
            row.to_address_masked,
            error,
            "" if final else ", will retry",
        )
        if tasks.retries():
            raise DeliveryError(error) from exc
        return Status.FAILED
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENT, sent_at=timezone.now(), error="", provider_ref=(reference or "")[:100]
    )
    return Status.SENT


@transaction.atomic
def notification_resend(*, actor: Any, notification: Notification) -> Notification:
    """Queue a failed email or SMS again (an administrator's action), audited."""
    if notification.channel not in (Channel.EMAIL, Channel.SMS) or notification.status != (
        Status.FAILED
    ):
        raise ServiceError(_("Only a failed email or SMS can be sent again."))
    updated = Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
        status=Status.QUEUED, attempts=0
    )
    if updated != 1:
        raise ServiceError(_("Only a failed email or SMS can be sent again."))
    audit.record_change(
        actor=actor,
        obj=notification,
        field="status",
        before=Status.FAILED,
        after=Status.QUEUED,
        note="resend",
    )
    delivery.deliver_task.enqueue(notification_id=notification.pk)
    notification.status, notification.attempts = Status.QUEUED, 0
    return notification


# --- The inbox ---------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's own in-app notices read (again: no change)."""
    if notification.recipient_id != getattr(actor, "pk", None):
        raise ServiceError(_("This notice is not yours."))
    if notification.read_at is not None:
        return notification
    now = timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now
    )
    if updated:
        notification.read_at = now
        audit.record_change(
            actor=actor, obj=notification, field="read_at", before=None, after=now, note="read"
        )
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Any) -> int:
    """Mark all of the actor's unread in-app notices read; returns how many."""
    now = timezone.now()
    count = Notification.objects.filter(
        recipient_id=actor.pk, channel=Channel.IN_APP, read_at__isnull=True
    ).update(read_at=now)
    if count:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=None,
            changes={"read_at": {"before": None, "after": now}, "count": {"after": count}},
            note="read all",
            object_repr=f"{count} notifications of {actor}",
        )
    return count


def preference_for(*, user: Any) -> NotificationPreference:
    """The user's preference (an unsaved default one when they never chose)."""
    return _preference(user) or NotificationPreference(user=user)


@transaction.atomic
def preference_set(
    *, actor: Any, user: Any, receive_email: bool, receive_sms: bool
) -> NotificationPreference:
    """Opt in or out of email and SMS; audited."""
    if actor.pk != user.pk:
        raise ServiceError(_("You may only change your own preferences."))
    existing = NotificationPreference.objects.select_for_update().filter(user=user).first()
    if existing is None:
        return audit.create(
            actor=actor,
            model=NotificationPreference,
            user=user,
            receive_email=receive_email,
            receive_sms=receive_sms,
        )
    return audit.update(
        actor=actor, obj=existing, receive_email=receive_email, receive_sms=receive_sms
    )
