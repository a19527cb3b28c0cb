"""The report map people can read: areas drawn with their names, and the pin said in words
(area · grid) before the report is sent; a pin placed in a named area files the case there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.cases.tests.test_pages_support import case_pages  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.browser]


def test_a_pin_in_a_named_area_is_said_in_words_and_files_the_case_there(
    transactional_db, page, live_server, centre, world
):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + reverse("cases:report"))
    page.wait_for_selector("[data-gz-map=pin][data-ready=true]")
    labels = page.locator(".gz-area-label").all_inner_texts()
    assert world.area_a.name in labels and world.area_b.name in labels
    box = page.locator("[data-gz-map] path.gz-outline").bounding_box()
    # The south-west quarter of the subdistrict: area A's grid a1.
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    page.wait_for_selector("[data-gz-map][data-pinned=true]")
    said = page.get_by_test_id("map-status").inner_text()
    grid = world.grids["a1"]
    assert world.area_a.name in said and grid.name in said, said
    page.select_option("#id_category", str(centre.garbage.pk))
    page.fill("#id_description", "杏梅园门口垃圾堆积")
    with page.expect_navigation():
        page.get_by_test_id("submit-report").click()
    case = Case.objects.get()
    assert case.grid == grid and case.residential_area == world.area_a
    assert errors == []
