"""Messages to people: in the app (the inbox), by email, by SMS (through a gateway interface).

- `Notification`: one message on one channel to one recipient, about one object of any domain
  (its target: a case, a project, a meeting …). For email and SMS it is also the message log
  (status, attempts, the gateway's reference, the last error).
- `MessageTemplate`: an administrator's edited wording for one message key, channel and language;
  it overrides the default written in code by the message's domain (see .registry).
- `NotificationPreference`: a user's opt-out of email and SMS (in-app notices always arrive).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey, ProtectedOneToOneField
from gongzhi.core.models import ArchivableModel, TimeStampedModel, unique_among_active
from gongzhi.core.pii import mask_phone


def mask_email(value: str | None) -> str:
    """z***@example.com: the first character of the local part and the domain."""
    if not value:
        return ""
    local, _sep, domain = value.strip().partition("@")
    if not domain:
        return mask_phone(value)
    return f"{local[:1]}***@{domain}"


def message_key_choices() -> list[tuple[object, list[tuple[str, str]]]]:
    """Every message the domains registered (gongzhi.notifications.registry), by domain."""
    from .registry import choices

    return choices()


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_object(self, obj: models.Model) -> NotificationQuerySet:
        """The notices about one object, whatever its model (on the target index)."""
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=obj.pk)


class Notification(models.Model):
    class Channel(models.TextChoices):
        IN_APP = "in_app", _("in the app")
        EMAIL = "email", _("email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not sent (opted out)")

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=60)
    language = models.CharField(_("language"), max_length=10, blank=True)
    recipient = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("recipient"), null=True, related_name="notifications"
    )
    to_address = models.CharField(_("address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    provider_ref = models.CharField(_("gateway reference"), max_length=100, blank=True)
    # What the notice is about: any object of any domain (notify(target=…)), and its name as
    # it was then, for the message log.
    target_type = ProtectedForeignKey(
        ContentType,
        _("object type"),
        null=True,
        db_index=False,  # notification_target leads with it; a second index misleads planners
    )
    target_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(_("object"), max_length=200, blank=True)

    objects = NotificationQuerySet.as_manager()

    PERSONAL_FIELDS = ("to_address",)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox"),
            models.Index(fields=["channel", "status"], name="notification_delivery"),
            models.Index(fields=["target_type", "target_id"], name="notification_target"),
        ]

    def __str__(self) -> str:
        who = self.recipient or self.to_address_masked
        return f"{self.get_channel_display()} {self.template} → {who}"

    @property
    def to_address_masked(self) -> str:
        if self.channel == self.Channel.EMAIL:
            return mask_email(self.to_address)
        return mask_phone(self.to_address)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def open_label(self) -> str:
        """The inbox button's text for the target, as its domain names it ("" for "Open")."""
        from .registry import open_label

        target: Any = self.target
        return open_label(target)


class MessageTemplate(ArchivableModel):
    """An edited message. Subject and body use Django template syntax with the variables the
    message's domain registered (a case's number, title, state …; signature and link for every
    message: see .registry). The newest active row for (key, channel, language) wins over the
    code default; a row for "any channel" covers every channel without a row of its own."""

    class Channel(models.TextChoices):
        ANY = "any", _("any channel")
        IN_APP = "in_app", _("in the app")
        EMAIL = "email", _("email")
        SMS = "sms", _("SMS")

    key = models.CharField(_("message"), max_length=60, choices=message_key_choices)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ANY
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["key", "language", "channel"]
        constraints = [
            unique_among_active(
                "key",
                "channel",
                "language",
                name="message_template_one_active",
                violation_error_message=_(
                    "There is already an active template for this message, channel and "
                    "language: edit it, or archive it first."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.get_channel_display()} · {self.language}"

    def clean(self) -> None:
        from .rendering import check_template

        check_template(key=self.key, channel=self.channel, subject=self.subject, body=self.body)


class NotificationPreference(TimeStampedModel):
    """What a user agreed to receive besides in-app notices."""

    user = ProtectedOneToOneField(
        settings.AUTH_USER_MODEL,
        _("user"),
        related_name="notification_preference",
    )
    receive_email = models.BooleanField(_("receive email"), default=True)
    receive_sms = models.BooleanField(_("receive SMS"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)
