"""The grid centre's closed loop in headless Chromium, as the people who use it would go
through it: a resident without an account, the operator at the console, the department's
handler, the inspector on a phone, and the resident again on the tracking page.

The pages are in Chinese (the default language); the tests find things by data-testid and
check states by their codes (data-state), never by translated words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance
from gongzhi.cases.tests.test_pages_support import (
    case_pages,  # noqa: F401  (autouse fixture)
    jpeg_bytes,
)
from gongzhi.testing.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def actors(browser, live_server) -> Iterator[Any]:
    """A fresh browser context (its own cookies) per person; phones get a phone's screen."""
    contexts: list[Any] = []

    def open_page(*, phone: bool = False) -> Any:
        options: dict[str, Any] = {"locale": "zh-CN"}
        if phone:
            options.update(
                viewport={"width": 390, "height": 844},
                is_mobile=True,
                has_touch=True,
                geolocation={"latitude": 31.2472, "longitude": 121.4075},
                permissions=["geolocation"],
            )
        else:
            options["viewport"] = {"width": 1280, "height": 900}
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        p = context.new_page()
        p.base_url = live_server.url
        return p

    yield open_page
    for c in contexts:
        c.close()


def photo(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes(gps=True)}


def state_of(page: Any) -> str:
    return page.locator("h1 ~ [data-testid=state]").first.get_attribute("data-state")


def open_action(page: Any, action: str) -> Any:
    """Open an action's panel on the case page; returns its form."""
    page.get_by_test_id(f"open-{action}").click()
    # Wait for the panel to finish opening: a click during the animation can miss.
    page.locator(f"#act-{action}.collapse.show").wait_for()
    form = page.get_by_test_id(f"form-{action}")
    form.wait_for(state="visible")
    return form


def submit(page: Any, action: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(f"submit-{action}").click()


def test_a_residents_report_goes_round_the_whole_loop(
    transactional_db, actors, live_server, centre, world
):
    # 1. A resident, without an account, reports garbage with a photo and a pin on the map.
    resident = actors()
    problems: list[str] = []
    resident.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    resident.on("pageerror", lambda e: problems.append(str(e)))
    resident.on(
        "request",
        lambda r: None if r.url.startswith((live_server.url, "data:")) else problems.append(r.url),
    )
    resident.goto(live_server.url + reverse("cases:report"))
    resident.wait_for_selector("[data-gz-map=pin][data-ready=true]")
    resident.locator("[data-gz-map]").scroll_into_view_if_needed()
    outline = resident.locator("[data-gz-map] path.gz-outline").bounding_box()
    # The south-west quarter of the subdistrict is grid a1.
    resident.mouse.click(
        outline["x"] + outline["width"] * 0.25, outline["y"] + outline["height"] * 0.75
    )
    resident.wait_for_selector("[data-gz-map][data-pinned=true]")
    resident.select_option("#id_category", str(centre.garbage.pk))
    resident.fill("#id_description", "杏梅园一村门口暴露垃圾，三天没人收")
    resident.fill("#id_reporter_name", "王小明")
    resident.fill("#id_reporter_phone", "13612345678")
    resident.set_input_files("#id_photos", [photo("garbage.jpg")])
    with resident.expect_navigation():
        resident.get_by_test_id("submit-report").click()
    code = resident.get_by_test_id("tracking-code").inner_text().strip()
    # Nothing failed and nothing came from another host (no CDN, no tiles).
    assert problems == []
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    case = Case.objects.get(tracking_code=code)
    assert case.grid == world.grids["a1"]
    assert case.photos.count() == 1
    tracking_url = resident.url.split("?")[0]

    # 2. The operator finds it in the queue, files and dispatches it on the one form.
    operator = actors()
    login(operator, "operator", PASSWORD)
    operator.goto(live_server.url + reverse("cases:queue"))
    row = operator.locator(f"[data-testid=queue-row][data-case='{case.number}']")
    row.get_by_test_id("case-link").click()
    operator.get_by_test_id("case-number").wait_for()
    assert state_of(operator) == "received"
    open_action(operator, "file")
    submit(operator, "file")
    assert state_of(operator) == "filed"
    form = open_action(operator, "dispatch")
    # The suggestion (from the category) is beside the form and already chosen in it.
    assert "城管中队" in operator.get_by_test_id("suggested-department").inner_text()
    assert form.locator("select[name=dispatch-department]").input_value() == str(
        world.orgs["chengguan"].pk
    )
    submit(operator, "dispatch")
    assert state_of(operator) == "dispatched"

    # 3. The department's handler accepts it and reports the result with a photo.
    handler = actors()
    login(handler, "handler", PASSWORD)
    handler.goto(live_server.url + reverse("cases:inbox"))
    handler.locator(f"[data-testid=inbox-row][data-case='{case.number}']").click()
    handler.get_by_test_id("case-number").wait_for()
    open_action(handler, "accept")
    submit(handler, "accept")
    assert state_of(handler) == "accepted"
    form = open_action(handler, "handle")
    form.locator("textarea").fill("已清运，周边已冲洗")
    form.locator("input[type=file]").set_input_files([photo("after.jpg")])
    submit(handler, "handle")
    assert state_of(handler) == "handled"

    # 4. The inspector, on a phone, finds it among the verification tasks and closes it.
    inspector = actors(phone=True)
    login(inspector, "inspector", PASSWORD)
    inspector.goto(live_server.url + reverse("cases:tasks"))
    inspector.get_by_test_id("tab-map").tap()
    inspector.wait_for_selector("[data-gz-map=tasks][data-ready=true]")
    assert inspector.locator("path.gz-task-marker").count() == 1
    inspector.get_by_test_id("tab-list").tap()
    inspector.locator(f"[data-testid=task][data-case='{case.number}']").tap()
    inspector.get_by_test_id("case-number").wait_for()
    # The actions come first on a phone, above the details.
    actions_box = inspector.get_by_test_id("actions").bounding_box()
    assert actions_box["y"] < inspector.get_by_test_id("timeline").bounding_box()["y"]
    assert actions_box["width"] <= 390
    form = open_action(inspector, "verify_pass")
    form.locator("textarea").fill("现场已清理干净")
    form.locator("input[type=file]").set_input_files([photo("check.jpg")])
    submit(inspector, "verify_pass")
    assert state_of(inspector) == "closed"

    # 5. The resident follows the tracking page and rates the outcome.
    resident.goto(tracking_url)
    entries = resident.get_by_test_id("public-entry")
    assert entries.count() == 5  # received, filed, dispatched, handled, verified
    assert resident.get_by_test_id("photo-thumb").count() == 3
    resident.locator("input[name=satisfaction][value=satisfied]").check()
    with resident.expect_navigation():
        resident.get_by_test_id("submit-rating").click()
    assert resident.get_by_test_id("rating").is_visible()
    case.refresh_from_db()
    assert case.state == Case.State.EVALUATED
    assert case.satisfaction == "satisfied"
    steps = [
        a
        for a in case.events.order_by("at", "id").values_list("action", flat=True)
        if a in ("receive", "file", "dispatch", "accept", "handle", "verify_pass", "evaluate")
    ]
    assert steps == ["receive", "file", "dispatch", "accept", "handle", "verify_pass", "evaluate"]


def test_a_returned_case_is_dispatched_again_to_another_department(
    transactional_db, actors, live_server, centre, world
):
    case = advance(centre.intake(description="井盖松动，行人易绊倒"), "dispatched", centre)
    assert case.department == world.orgs["chengguan"]

    # The handler returns it: not theirs.
    handler = actors()
    login(handler, "handler", PASSWORD)
    handler.goto(live_server.url + reverse("cases:detail", args=[case.pk]))
    form = open_action(handler, "return")
    form.locator("textarea").fill("井盖属房管办管辖")
    submit(handler, "return")
    assert state_of(handler) == "returned"
    # It has left the department's inbox.
    handler.goto(live_server.url + reverse("cases:inbox"))
    assert handler.locator(f"[data-case='{case.number}']").count() == 0

    # The operator filters the queue on returned cases and dispatches it to 房管办.
    operator = actors()
    login(operator, "operator", PASSWORD)
    operator.goto(live_server.url + reverse("cases:queue"))
    with operator.expect_response(lambda r: "state=returned" in r.url):
        operator.select_option("#id_state", "returned")
    rows = operator.get_by_test_id("queue-row")
    rows.first.wait_for()
    assert rows.count() == 1
    rows.first.get_by_test_id("case-link").click()
    operator.get_by_test_id("case-number").wait_for()
    assert state_of(operator) == "returned"
    form = open_action(operator, "dispatch")
    form.locator("select[name=dispatch-department]").select_option(str(world.orgs["fangguan"].pk))
    # Without a reason for overriding the category's department, the form says so.
    submit(operator, "dispatch")
    assert operator.get_by_test_id("error-override_reason").is_visible()
    assert state_of(operator) == "returned"
    form = operator.get_by_test_id("form-dispatch")
    form.locator("input[name=dispatch-override_reason]").fill("井盖归房管办")
    submit(operator, "dispatch")
    assert state_of(operator) == "dispatched"
    assert "房管办" in operator.get_by_test_id("department").inner_text()

    # The other department now has it.
    other = actors()
    login(other, "other_handler", PASSWORD)
    other.goto(live_server.url + reverse("cases:inbox"))
    assert other.locator(f"[data-testid=inbox-row][data-case='{case.number}']").count() == 1
    # … and the first department no longer sees it at all.
    response = handler.goto(live_server.url + reverse("cases:detail", args=[case.pk]))
    assert response.status == 404
    case.refresh_from_db()
    assert case.return_count == 1
    assert case.department == world.orgs["fangguan"]
