"""Pages carry a Content-Security-Policy that allows scripts from this site's files only — and
no template has an inline script or event handler that it would block; a browser opening the
main pages reports no violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings

import gongzhi
from gongzhi.core.middleware import default_policy

ROOT = Path(gongzhi.__file__).parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)
# htmx features that evaluate JavaScript from attributes (refused: allowEval is off)
HTMX_EVAL = re.compile(r"hx-on[:-]|hx-(vals|headers)\s*=\s*[\"']\s*js:|hx-trigger=\"[^\"]*\[", re.I)


def _templates() -> list[Path]:
    return [p for p in ROOT.rglob("*.html") if "node_modules" not in p.parts]


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL, HTMX_EVAL):
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {m.group(0)[:60]}")
    assert not found, "blocked by the Content-Security-Policy:\n" + "\n".join(found)


def test_the_check_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js"></script>')
    assert HANDLER.search('<button onclick="x()">')
    assert not HANDLER.search('<button data-confirm="x">')
    assert HTMX_EVAL.search("hx-trigger=\"every 5s [!document.querySelector('.x')]\"")
    assert not HTMX_EVAL.search('hx-trigger="every 5s"')


@pytest.mark.django_db
def test_pages_carry_the_policy(client, world):
    client.force_login(world.operator)
    response = client.get("/cases/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    assert "camera=(self)" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_an_intranet_tile_server_is_allowed_for_images(settings):
    settings.GONGZHI = {
        **settings.GONGZHI,
        "MAP_TILE_URL": "https://{s}.tiles.gov.local/{z}/{x}/{y}.png",
    }
    assert "img-src 'self' data: blob: https://*.tiles.gov.local" in default_policy()


@override_settings()
def test_production_cookies_and_transport(settings):
    """What production (DEBUG off) sets: secure cookies, HSTS from the environment."""
    import importlib
    import os

    import gongzhi.settings as conf

    env = {
        "DEBUG": "0",
        "GONGZHI_TESTING": "",
        "SECRET_KEY": "x" * 50,
        "SECURE_HSTS_SECONDS": "31536000",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        import sys

        pytest_mod = sys.modules.pop("pytest")
        try:
            prod = importlib.reload(conf)
        finally:
            sys.modules["pytest"] = pytest_mod
        assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
        assert prod.SECURE_HSTS_SECONDS == 31536000
        assert prod.SESSION_COOKIE_HTTPONLY and prod.X_FRAME_OPTIONS == "DENY"
        assert prod.TWO_FACTOR_REQUIRED_ROLES == ["admin", "leader"]
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        importlib.reload(conf)
