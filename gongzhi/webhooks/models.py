"""Webhooks: external systems subscribe to case events (and the events of the other domains'
topics, topics.py) and get signed JSON by HTTP POST.

A `Subscription` names the external system, its address, the events it wants and optional
filters. For every matching case event a `Delivery` row is written in the same transaction as
the case change (so it exists if and only if the change commits); a background task then POSTs
it, and each try is one `DeliveryAttempt` row (the delivery log). Failed deliveries are tried
again with exponential backoff for a day, then marked dead; administrators may send any
delivery again, with the same id.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Case
from gongzhi.core.crypto import EncryptedTextField
from gongzhi.core.fields import ProtectedForeignKey
from gongzhi.core.models import ArchivableModel


class EventType(models.TextChoices):
    """What a subscriber may ask for. The payload's `type` is "case.<value>"."""

    RECEIVED = "received", _("received (a new report)")
    FILED = "filed", _("filed")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    MERGED = "merged", _("merged into another case")
    DISPATCHED = "dispatched", _("dispatched")
    ACCEPTED = "accepted", _("accepted by the department")
    RETURNED = "returned", _("returned to the centre")
    EXTENDED = "extended", _("extension approved")
    HANDLED = "handled", _("handled (result reported)")
    CLOSED = "closed", _("closed")
    REWORKED = "reworked", _("sent back for rework")
    EVALUATED = "evaluated", _("evaluated (satisfaction)")
    REOPENED = "reopened", _("reopened")
    SUSPENDED = "suspended", _("suspended")
    RESUMED = "resumed", _("resumed")
    ESCALATED = "escalated", _("escalated to the district")
    SUPERVISED = "supervised", _("supervised")
    OVERDUE = "overdue", _("overdue")


TEST_EVENT = "ping"


HOST_RE = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$"
)


def validate_target_url(value: str) -> None:
    """An http(s) address. Intranet host names without a dot (http://gw-12345:8080/in) and IP
    addresses are fine; credentials in the address are not."""
    message = _("Enter an http:// or https:// address.")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(message) from exc
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in value):
        raise ValidationError(message)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not HOST_RE.match(host):
            raise ValidationError(message) from None
    if port == 0:
        raise ValidationError(message)
    if parts.username or parts.password:
        raise ValidationError(
            _(
                "Put no user name or password in the address: the signature tells the receiver "
                "that the request comes from Gongzhi."
            )
        )
    if parts.fragment:
        raise ValidationError(_("The address cannot have a #fragment."))


class Subscription(ArchivableModel):
    # Never in the audit trail, the logs or a page after the first one.
    SECRET_FIELDS = ("secret", "previous_secret")

    name = models.CharField(
        _("external system"),
        max_length=100,
        help_text=_("Who receives these events, e.g. the district 12345 platform."),
    )
    url = models.CharField(
        _("target address"),
        max_length=500,
        validators=[validate_target_url],
        help_text=_("The receiver's http(s) address; events are POSTed to it as JSON."),
    )
    # Encrypted at rest (gongzhi.core.crypto): they sign every delivery, so they can't be hashed.
    secret = EncryptedTextField(_("signing secret"), editable=False)
    previous_secret = EncryptedTextField(blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(
        _("secret last rotated"), null=True, blank=True, editable=False
    )
    event_types = models.JSONField(_("events"), default=list)
    # Where the installation serves several subdistricts: the one whose events it gets.
    subdistrict = ProtectedForeignKey(
        "places.Subdistrict",
        _("only cases of subdistrict"),
        null=True,
        help_text=_("Empty: the events of every subdistrict (a district-level system)."),
    )
    department = ProtectedForeignKey(
        "org.Organisation",
        _("only cases of department"),
        null=True,
        limit_choices_to={"kind__in": ("department", "property_company")},
    )
    category_group = ProtectedForeignKey(
        "cases.Category",
        _("only cases in category group"),
        null=True,
        limit_choices_to={"parent__isnull": True},
    )
    channel = models.CharField(
        _("only cases from channel"),
        max_length=20,
        blank=True,
        choices=Case.Channel.choices,
    )
    include_tracking_link = models.BooleanField(
        _("include the public tracking link"),
        default=False,
        help_text=_(
            "The link lets whoever holds it follow the case and rate it once closed: include it "
            "only for a system that passes it on to the reporter."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_by = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("created by"), null=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        chosen = self.event_types if isinstance(self.event_types, list) else None
        if not chosen:
            raise ValidationError({"event_types": _("Choose at least one event.")})
        from .topics import known

        unknown = [e for e in chosen if e not in EventType.values and not known(e)]
        if unknown:
            raise ValidationError(
                {"event_types": _("Unknown events: %(events)s") % {"events": ", ".join(unknown)}}
            )

    def signing_secrets(self, now: dt.datetime | None = None) -> list[str]:
        """The current secret, and the previous one while its grace period after a rotation
        lasts (receivers switch over without losing events)."""
        now = now or timezone.now()
        keys = [self.secret]
        if self.previous_secret and self.previous_secret_until and self.previous_secret_until > now:
            keys.append(self.previous_secret)
        return keys


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed (will retry)")
        DEAD = "dead", _("dead (gave up)")

    event_id = models.UUIDField(
        _("delivery id"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Sent as X-Gongzhi-Delivery and the payload's id; the same on every try."),
    )
    subscription = ProtectedForeignKey(Subscription, _("subscription"), related_name="deliveries")
    event_type = models.CharField(_("event"), max_length=30, db_index=True)
    case = ProtectedForeignKey("cases.Case", _("case"), null=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    retry_until = models.DateTimeField(_("retried until"))
    last_status_code = models.PositiveSmallIntegerField(
        _("last response code"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id} ({self.status})"

    @property
    def type_name(self) -> str:
        """The payload's `type`: a case event's type is stored bare ("dispatched" →
        "case.dispatched"); other domains' with their domain ("project.agreed")."""
        if self.event_type == TEST_EVENT or "." in self.event_type:
            return self.event_type
        return f"case.{self.event_type}"


class DeliveryAttempt(models.Model):
    delivery = ProtectedForeignKey(Delivery, _("delivery"), related_name="log")
    number = models.PositiveIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"), db_index=True)
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("response time (ms)"))
    error = models.CharField(_("error"), max_length=500, blank=True)
    succeeded = models.BooleanField(_("succeeded"))
    manual = models.BooleanField(_("sent again by hand"), default=False)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error[:40]}"
