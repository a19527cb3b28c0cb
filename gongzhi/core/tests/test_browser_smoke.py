from __future__ import annotations

import pytest

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.testing.browser import login

pytestmark = pytest.mark.browser


def test_login_shows_the_home_page_with_static_assets_served_locally(page, world):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, "operator", PASSWORD)
    assert page.url.rstrip("/") == page.base_url
    assert page.locator("[data-testid=primary-role]").inner_text().strip()
    # Bootstrap and htmx come from our own static files, never from another host.
    assert any("/static/vendor/htmx/" in u for u in requests)
    assert all(u.startswith(page.base_url) or u.startswith("data:") for u in requests)
    assert page.evaluate("typeof htmx") == "object"
