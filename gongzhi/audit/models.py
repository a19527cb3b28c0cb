"""The append-only audit trail: who did what, when, to which object, with fields before and after.

Rows are only ever inserted. The model refuses save() of an existing row and delete(); the
queryset refuses update() and delete(); the database itself refuses UPDATE (both engines) and
DELETE (PostgreSQL, by trigger; see migrations 0002 and 0003). The seals chain the rows' hashes,
so that a change made around all of these (by the database's owner) is still found.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey


class AuditImmutableError(RuntimeError):
    def __init__(self) -> None:
        super().__init__("The audit trail is append-only: its rows can't be changed or deleted.")


_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError()

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditImmutableError()


class AuditQuerySet(AppendOnlyQuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> AuditQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class AppendOnlyModel(models.Model):
    """A row that is only ever inserted: saving it again or deleting it is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError()


class AuditEvent(AppendOnlyModel):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        ARCHIVE = "archive", _("archived")
        RESTORE = "restore", _("restored")
        STATE = "state", _("state changed")
        REVEAL = "reveal", _("personal data revealed")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("login failed")
        LOGOUT = "logout", _("logged out")
        IMPORT = "import", _("imported")
        EXPORT = "export", _("exported")
        DENIED = "denied", _("access refused")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = ProtectedForeignKey(
        settings.AUTH_USER_MODEL,
        _("who"),
        null=True,
        related_name="audit_events",
        db_constraint=False,
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request"), max_length=32, blank=True)
    # The subdistrict the row is about (its object's, else its actor's when they serve one);
    # empty for the district's and the installation's own rows, which every auditor reads.
    subdistrict = models.ForeignKey(
        "places.Subdistrict",
        verbose_name=_("subdistrict"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="audit_object_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_repr}"


class AuditSeal(AppendOnlyModel):
    """The tamper-evident chain over the audit trail: one seal per audit row, in the order the
    sealer took them (`seq`), each carrying the SHA-256 of the previous seal's hash and the row's
    canonical text (gongzhi.audit.chain). Changing, removing or inserting a sealed row, or a seal,
    breaks every hash from there on, which `manage.py audit_verify` reports.

    Rows are sealed shortly after they are written (the `audit.seal` task, every minute), not in
    the transaction that writes them: a chain written at insert time would make every writing
    transaction wait for the one before it to commit."""

    seq = models.BigAutoField(_("seal number"), primary_key=True)
    event = models.OneToOneField(
        AuditEvent,
        verbose_name=_("audit event"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # a removed audit row must leave its seal behind, as evidence
        related_name="seal",
    )
    hash = models.CharField(_("hash"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed at"), default=timezone.now)

    objects = AppendOnlyQuerySet["AuditSeal"].as_manager()

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
