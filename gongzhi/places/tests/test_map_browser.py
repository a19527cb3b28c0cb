"""The map in a real browser: drawn without tiles, grids clickable, usable on a phone."""

from __future__ import annotations

import pytest

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.testing.browser import login

pytestmark = pytest.mark.browser


def open_map(page):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, "inspector", PASSWORD)
    page.goto(f"{page.base_url}/places/map/")
    page.wait_for_selector("#gz-map[data-ready=true]")
    return requests


def test_the_map_draws_the_grids_without_tiles_and_shows_a_grid_on_click(page, world):
    requests = open_map(page)
    # Outline, 2 area boundaries, 4 grids; no tile images and nothing from another host.
    assert page.locator("#gz-map .leaflet-overlay-pane path").count() == 7
    assert page.locator("#gz-map img.leaflet-tile").count() == 0
    assert all(u.startswith(page.base_url) or u.startswith("data:") for u in requests)
    legend = page.locator("[data-testid=map-legend]").inner_text()
    assert "第一网格工作站" in legend and "第二网格工作站" in legend
    # The map is fitted to the outline: the 1 km square fills the map's height.
    assert page.locator("#gz-map path.gz-grid").count() == 4
    outline = page.locator("#gz-map path.gz-outline").bounding_box()
    box = page.locator("#gz-map").bounding_box()
    assert outline["height"] >= box["height"] * 0.5
    # Tapping inside the north-west quarter shows that grid (a2).
    page.mouse.click(
        outline["x"] + outline["width"] * 0.25, outline["y"] + outline["height"] * 0.25
    )
    page.wait_for_selector("[data-testid=map-info] dl")
    info = page.locator("[data-testid=map-info]").inner_text()
    assert "310107005001002" in info  # the north-west grid (a2)
    assert "杏梅园居民区" in info


def test_clicking_outside_the_grids_asks_the_server(page, world):
    open_map(page)
    box = page.locator("#gz-map").bounding_box()
    with page.expect_response(lambda r: "/places/locate?" in r.url) as response:
        page.locator("#gz-map").click(position={"x": 3, "y": box["height"] / 2})
    assert response.value.json()["found"] is False
    page.wait_for_selector("[data-testid=map-info] p")
    assert page.locator(".leaflet-popup-content").count() == 1


def test_the_map_is_usable_on_a_phone(phone_page, world):
    page = phone_page
    open_map(page)
    box = page.locator("#gz-map").bounding_box()
    assert box["width"] >= 350  # the whole width of a 390 px screen, less the margins
    assert box["height"] >= 320
    with page.expect_response(lambda r: "/places/locate?" in r.url) as response:
        page.locator("[data-testid=map-locate-me]").tap()
    # The phone's position (31.245 N 121.405 E) is the south-west corner: grid a1.
    body = response.value.json()
    assert body["found"] is True
    assert body["grid"]["code"] == "310107005001001"
    page.wait_for_selector("[data-testid=map-info] dl")
