"""Webhook signing secrets are encrypted in the database with keys from the environment, still
sign deliveries, survive a key rotation, and a missing key is named rather than guessed."""

from __future__ import annotations

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from gongzhi.core import crypto
from gongzhi.webhooks.models import Subscription
from gongzhi.webhooks.tests.conftest import subscribe

pytestmark = pytest.mark.django_db


def _stored(sub: Subscription) -> tuple[str, str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT secret, previous_secret FROM webhooks_subscription WHERE id = %s", [sub.pk]
        )
        return cur.fetchone()


def test_the_secret_is_not_in_the_database_in_clear(world):
    sub, secret = subscribe(world, "http://127.0.0.1:9/hook", ["filed"])
    stored, _previous = _stored(sub)
    assert stored.startswith("fernet:") and secret not in stored
    assert Subscription.objects.get(pk=sub.pk).secret == secret  # read back in clear


def test_a_key_rotation_keeps_every_secret_readable(world, settings):
    old, new = crypto.new_key(), crypto.new_key()
    settings.FIELD_ENCRYPTION_KEYS = old
    sub, secret = subscribe(world, "http://127.0.0.1:9/hook", ["filed"])
    before = _stored(sub)[0]

    settings.FIELD_ENCRYPTION_KEYS = f"{new},{old}"  # the new key in front, the old still known
    assert Subscription.objects.get(pk=sub.pk).secret == secret
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "webhooks.Subscription: 1 rows re-encrypted" in out.getvalue()
    assert _stored(sub)[0] != before

    settings.FIELD_ENCRYPTION_KEYS = new  # the old key dropped
    assert Subscription.objects.get(pk=sub.pk).secret == secret
    settings.FIELD_ENCRYPTION_KEYS = old  # …and a value under the new key is not readable
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        Subscription.objects.get(pk=sub.pk)


def test_secrets_written_before_encryption_are_encrypted_by_the_migration(world):
    sub, secret = subscribe(world, "http://127.0.0.1:9/hook", ["filed"])
    with connection.cursor() as cur:  # as the table was before the migration
        cur.execute(
            "UPDATE webhooks_subscription SET secret = %s, previous_secret = %s WHERE id = %s",
            [secret, "whsec_old", sub.pk],
        )
    assert Subscription.objects.get(pk=sub.pk).secret == secret  # plain text still reads

    migration = importlib.import_module("gongzhi.webhooks.migrations.0002_encrypted_secrets")
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration.encrypt_stored(django_apps, editor)
    stored, previous = _stored(sub)
    assert stored.startswith("fernet:") and previous.startswith("fernet:")
    got = Subscription.objects.get(pk=sub.pk)
    assert (got.secret, got.previous_secret) == (secret, "whsec_old")


def test_a_malformed_key_is_refused_with_how_to_make_one(settings):
    settings.FIELD_ENCRYPTION_KEYS = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="rotate_encryption_keys --new-key"):
        crypto.encrypt("x")
    assert [m.id for m in crypto.check_keys()] == ["core.E010"]
    settings.FIELD_ENCRYPTION_KEYS = ""
    assert [m.id for m in crypto.check_keys()] == ["core.W010"]
