from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.crypto import EncryptedTextField
from gongzhi.core.fields import ProtectedOneToOneField


class User(AbstractUser):
    """A login. Staff roles and scopes are not stored here: they come from the positions of the
    linked person (gongzhi.org.access). A user without a person is a resident account."""

    person = ProtectedOneToOneField("org.Person", _("person"), null=True, related_name="user")
    language = models.CharField(_("language"), max_length=10, blank=True)
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        if self.person_id and self.person is not None:
            return f"{self.person.name} ({self.username})"
        return self.get_full_name() or self.username

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        from gongzhi.core.models import ProtectedDeletionError

        raise ProtectedDeletionError(type(self))


class LoginAttempt(models.Model):
    """One try at logging in; failures throttle further tries (gongzhi.accounts.services)."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("login attempt")
        verbose_name_plural = _("login attempts")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {'ok' if self.succeeded else 'failed'}"


class TwoFactor(models.Model):
    """A user's authenticator (TOTP, gongzhi.accounts.totp): the shared secret, encrypted at
    rest, and the last time step used, so that a code is taken once only."""

    user = ProtectedOneToOneField(User, _("user"), related_name="two_factor")
    secret = EncryptedTextField(_("secret"), editable=False)
    confirmed_at = models.DateTimeField(_("set up"), null=True, blank=True)
    last_step = models.BigIntegerField(_("last code's time step"), default=0, editable=False)

    class Meta:
        verbose_name = _("two-factor authentication")
        verbose_name_plural = _("two-factor authentication")

    def __str__(self) -> str:
        return str(self.user)
