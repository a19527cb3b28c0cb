"""The pin map on a report form sent back with coordinates that are not a point ("NaN", typed
or tampered with): the page has no script error, the map works and asks for a pin again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.cases.tests.test_pages_support import case_pages  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("bad", ["NaN", "1e999", "abc"])
def test_a_form_sent_back_with_no_real_point_leaves_the_map_working(
    transactional_db, page, live_server, centre, bad
):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + reverse("cases:report"))
    page.wait_for_selector("[data-gz-map=pin][data-ready=true]")
    page.select_option("#id_category", str(centre.garbage.pk))
    page.fill("#id_description", "路灯不亮")
    page.evaluate(
        "bad => { for (const n of ['lat', 'lng']) document.querySelector(`[name=${n}]`).value = bad; }",
        bad,
    )
    with page.expect_navigation():
        page.get_by_test_id("submit-report").click()
    page.wait_for_selector("[data-gz-map=pin][data-ready=true]")
    assert errors == []
    assert not Case.objects.exists()
    assert page.input_value("[name=lat]") == "" and page.input_value("[name=lng]") == ""
    # The map still takes a pin.
    box = page.locator("[data-gz-map] path.gz-outline").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    page.wait_for_selector("[data-gz-map][data-pinned=true]")
    assert errors == []
