"""The REST API's own tables: personal API tokens, and the stored answers to POSTs sent with an
`Idempotency-Key`.

- `ApiToken`: a user's personal token. It acts with exactly that user's roles and scopes (the
  same permission module as the pages), never more. Only a short prefix (to find the row) and a
  SHA-256 of the whole token are stored: the token is random and long, so a fast hash is enough
  and a stolen database yields no working tokens. The token is shown once, when it is created.
  Revoked tokens stay in the table (who had one, until when).
- `IdempotencyRecord`: the first answer to a POST with an `Idempotency-Key`, replayed for a
  retry with the same key and body, so a retried request never creates a second object. Kept
  for a day (gongzhi.api.tasks cleans up), then the key may be used again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import ProtectedForeignKey
from gongzhi.core.models import ProtectedDeletionError, TimeStampedModel


class ApiToken(TimeStampedModel):
    user = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("user"), related_name="api_tokens")
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “12345 bridge”.")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("hash"), max_length=64, editable=False)
    created_by = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("created by"), null=True, editable=False
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(
        _("last used from"), null=True, blank=True, editable=False
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("revoked by"), null=True, editable=False
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_token_name_unique_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ProtectedDeletionError(type(self))


class IdempotencyRecord(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    fingerprint = models.CharField(_("request hash"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), default=0)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    body = models.BinaryField(_("body"), default=b"")
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} {self.method} {self.path} → {self.status}"
