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


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_a_place_found_by_name_puts_the_pin_on_that_estate_and_files_the_case_in_its_grid(
    transactional_db, request, screen, live_server, centre, world
):
    """A resident aiming at 杏梅园小区's gate finds the estate by name: the pin goes there, is
    said in words with the road and the school beside it, and the case is filed in the estate's
    grid (not in the neighbouring one). On a laptop and on a phone."""
    page = request.getfixturevalue(screen)
    from gongzhi.places.models import Grid, GridStation
    from gongzhi.places.tests.factories import EstateFactory, LandmarkFactory, RoadFactory
    from gongzhi.testing.geometry import line, lnglat, rect

    estate = EstateFactory(
        residential_area=world.area_a, name="杏梅园小区", geometry=rect(0, 500, 500, 1000)
    )
    Grid.objects.filter(pk=world.grids["a2"].pk).update(estate=estate)
    RoadFactory(subdistrict=world.subdistrict, name="枣阳路", geometry=line((250, 0), (250, 1000)))
    lng, lat = lnglat(300, 700)
    LandmarkFactory(subdistrict=world.subdistrict, name="曹杨二中", lng=lng, lat=lat)
    x, y = lnglat(100, 100)
    GridStation.objects.filter(pk=world.station_a.pk).update(lng=x, lat=y)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + reverse("cases:report"))
    page.wait_for_selector("[data-gz-map=pin][data-ready=true]")
    search = page.get_by_test_id("place-search")
    # A name that is nowhere on the map says so and places no pin.
    search.fill("不存在的地方")
    search.press("Enter")
    assert "不存在的地方" in page.get_by_test_id("map-status").inner_text()
    assert page.locator("[data-gz-map][data-pinned=true]").count() == 0
    search.fill("杏梅园小区")
    search.press("Enter")
    page.wait_for_selector("[data-gz-map][data-pinned=true]")
    said = page.get_by_test_id("map-status").inner_text()
    for words in ("杏梅园居民区", "杏梅园小区", world.grids["a2"].name, "近枣阳路", "近曹杨二中"):
        assert words in said, said
    # Close up (once the zoom has run), the road and the landmark are drawn with their names.
    page.wait_for_selector(".gz-road-label")
    assert "枣阳路" in page.locator(".gz-road-label").all_inner_texts()
    assert page.locator(".gz-landmark-school").count() == 1
    assert page.locator("path.gz-station").count() == 1  # the one station with a position
    page.select_option("#id_category", str(centre.garbage.pk))
    page.fill("#id_description", "杏梅园小区门口垃圾堆积")
    with page.expect_navigation():
        page.get_by_test_id("submit-report").click()
    case = Case.objects.get()
    assert case.grid == world.grids["a2"] and case.residential_area == world.area_a
    assert errors == []
