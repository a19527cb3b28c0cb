"""REDIS_URL: every process shares one cache in Redis and the sessions are kept there
(SESSION_STORE=cached_db by default: read from Redis, written through to the database, so that
emptying Redis logs nobody out). Runs against the Redis server on 127.0.0.1:6379 under a key
prefix of its own, which it removes afterwards; skipped when no Redis answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("GONGZHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _settings_from_env(**env: str) -> dict:
    code = (
        "import json; from gongzhi import settings as s; "
        "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'session': s.SESSION_ENGINE}))"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SESSION_STORE")}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**base, "DEBUG": "1", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.fixture
def redis_prefix(settings):
    redis = pytest.importorskip("redis")
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"gztest-{uuid.uuid4().hex[:10]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield server, prefix
    keys = list(server.scan_iter(f"{prefix}:*"))
    if keys:
        server.delete(*keys)


def _keys(server, prefix: str) -> list[bytes]:
    return list(server.scan_iter(f"{prefix}:*"))


def test_redis_url_selects_the_shared_cache_and_sessions_kept_in_it():
    assert _settings_from_env() == {
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "session": "django.contrib.sessions.backends.db",
    }
    assert _settings_from_env(REDIS_URL=REDIS_URL) == {
        "cache": "django.core.cache.backends.redis.RedisCache",
        "session": "django.contrib.sessions.backends.cached_db",
    }
    only_redis = _settings_from_env(REDIS_URL=REDIS_URL, SESSION_STORE="cache")
    assert only_redis["session"] == "django.contrib.sessions.backends.cache"
    with pytest.raises(subprocess.CalledProcessError) as failed:
        _settings_from_env(SESSION_STORE="memcached")
    assert "SESSION_STORE" in failed.value.stderr


def test_a_login_is_kept_in_redis_and_survives_redis_being_emptied(world, settings, redis_prefix):
    server, prefix = redis_prefix
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    browser = Client()
    login = browser.post(reverse("accounts:login"), {"username": "operator", "password": PASSWORD})
    assert login.status_code == 302
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert any(key.encode() in k for k in _keys(server, prefix))  # in Redis
    assert Session.objects.filter(session_key=key).exists()  # and written through
    # Another app process (a client with the same cookie) finds the login.
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = key
    assert other.get(reverse("core:home")).status_code == 200
    # Redis restarted empty: still logged in, read back from the database.
    server.delete(*_keys(server, prefix))
    assert other.get(reverse("core:home")).status_code == 200


def test_the_cache_is_shared_through_redis(redis_prefix):
    server, prefix = redis_prefix
    cache.set("queue-finished-counts", {"closed": 7}, 60)
    assert any(b"queue-finished-counts" in k for k in _keys(server, prefix))
    assert cache.get("queue-finished-counts") == {"closed": 7}
