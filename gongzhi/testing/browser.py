"""Headless Chromium through Playwright, for the main user journeys.

Debian's chromium (/usr/bin/chromium, installed by `./run test`) is driven directly:
`playwright install` cannot download browsers on an offline machine.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `./run test` installs Debian's chromium")
    # The sync Playwright API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so tell Django not to refuse them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _page(browser: Any, live_server: Any, **context_options: Any) -> Iterator[Any]:
    """A page of a new browser context (Chinese locale) on the live server, closed after."""
    context = browser.new_context(locale="zh-CN", **context_options)
    context.set_default_timeout(15_000)
    p = context.new_page()
    p.base_url = live_server.url  # type: ignore[attr-defined]
    try:
        yield p
    finally:
        context.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    yield from _page(browser, live_server, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser: Any, live_server: Any) -> Iterator[Any]:
    yield from _page(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 31.245, "longitude": 121.405},
        permissions=["geolocation"],
    )


def login(page: Any, username: str, password: str) -> None:
    """Log in through the real login form."""
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
