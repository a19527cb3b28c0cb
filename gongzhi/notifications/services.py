"""Sending notices. `notify()` is the one entry point: it renders the message in the recipient's
language, records one Notification per channel and delivers in the background."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.template import Context, Template
from django.utils import timezone, translation

from .models import Notification

# Message templates: key → (subject, body). Django template syntax; editable copies may
# override these in the database (see MessageTemplate, when present).
DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {}


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    subject, body = DEFAULT_TEMPLATES.get(template, (template, "{{ text|default:'' }}"))
    ctx = Context(context)
    return Template(subject).render(ctx).strip(), Template(body).render(ctx).strip()


def notify(
    *,
    template: str,
    context: dict[str, Any],
    user: Any = None,
    email: str = "",
    phone: str = "",
    channels: Iterable[str] = ("in_app", "email", "sms"),
    link: str = "",
    case: Any = None,
    language: str = "zh-hans",
) -> list[Notification]:
    with translation.override(getattr(user, "language", "") or language):
        subject, body = render(template, context)
    rows = []
    for channel in channels:
        if channel == Notification.Channel.IN_APP and user is not None:
            rows.append(
                Notification(
                    channel=channel,
                    template=template,
                    recipient=user,
                    subject=subject,
                    body=body,
                    link=link,
                    case=case,
                    status=Notification.Status.SENT,
                    sent_at=timezone.now(),
                )
            )
        elif channel == Notification.Channel.EMAIL and (email or getattr(user, "email", "")):
            rows.append(
                Notification(
                    channel=channel,
                    template=template,
                    recipient=user,
                    to_address=email or user.email,
                    subject=subject,
                    body=body,
                    link=link,
                    case=case,
                )
            )
        elif channel == Notification.Channel.SMS and phone:
            rows.append(
                Notification(
                    channel=channel,
                    template=template,
                    recipient=user,
                    to_address=phone,
                    subject=subject,
                    body=body,
                    link=link,
                    case=case,
                )
            )
    created = Notification.objects.bulk_create(rows)
    return created


def on_commit_notify(**kwargs: Any) -> None:
    transaction.on_commit(lambda: notify(**kwargs))
