"""In a real browser: the interactive API docs work with nothing but this server (every other
host is blocked), and "Try it out" calls the API with the page's session."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_docs_run_offline_and_try_the_api_with_the_session(
    transactional_db, live_server, client, page, world
):
    outside: list[str] = []

    def only_this_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route(re.compile(".*"), only_this_server)
    client.force_login(world.operator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    me = page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/me$"))
    me.first.click()
    page.locator(".try-out__btn").first.click()
    page.locator(".execute").first.click()
    body = page.locator(".live-responses-table .response-col_description pre").first
    body.wait_for()
    assert '"username": "operator"' in body.inner_text()
    assert page.locator(".opblock-summary-path").count() > 30
    assert outside == []
