"""The operator console in a real browser: the queue refreshes itself (but not while cases are
ticked), bulk dispatch, and the public form's hotline-only field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance
from gongzhi.cases.tests.test_pages_support import case_pages  # noqa: F401  (autouse fixture)
from gongzhi.testing.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def rows(page):
    return page.locator("[data-testid=queue-row]")


def test_the_queue_refreshes_itself_but_not_while_cases_are_ticked(
    transactional_db, page, live_server, centre, world, settings
):
    settings.GONGZHI = {**settings.GONGZHI, "QUEUE_REFRESH_SECONDS": 1}
    first = advance(centre.intake(description="第一件"), "filed", centre)
    login(page, "operator", PASSWORD)
    page.goto(live_server.url + reverse("cases:queue"))
    assert rows(page).count() == 1
    # A report comes in: it shows up without reloading the page.
    second = centre.intake(description="第二件")
    page.locator(f"[data-testid=queue-row][data-case='{second.number}']").wait_for()
    # While a case is ticked for a bulk dispatch, the list stays as it is.
    page.locator(f"[data-case='{first.number}'] [data-testid=tick]").check()
    third = centre.intake(description="第三件")
    page.wait_for_timeout(2500)
    assert page.locator(f"[data-case='{third.number}']").count() == 0
    assert page.locator(f"[data-case='{first.number}'] [data-testid=tick]").is_checked()
    # Dispatch the ticked case to its suggested department; the list comes back refreshed.
    with page.expect_navigation():
        page.get_by_test_id("bulk-dispatch").click()
    first.refresh_from_db()
    assert first.state == Case.State.DISPATCHED
    assert first.department == world.orgs["chengguan"]
    page.locator(f"[data-testid=queue-row][data-case='{third.number}']").wait_for()


def test_tick_all_and_dispatch(transactional_db, page, live_server, centre, world):
    cases = [advance(centre.intake(description=f"第{i}件"), "filed", centre) for i in range(3)]
    received = centre.intake(description="未立案")
    login(page, "operator", PASSWORD)
    page.goto(live_server.url + reverse("cases:queue"))
    page.locator("[data-gz-select-all]").check()
    assert page.locator("[data-testid=tick]:checked").count() == 3
    with page.expect_navigation():
        page.get_by_test_id("bulk-dispatch").click()
    for c in cases:
        c.refresh_from_db()
        assert c.state == Case.State.DISPATCHED
    received.refresh_from_db()
    assert received.state == Case.State.RECEIVED
    # The counts show it: three dispatched now.
    assert "3" in page.get_by_test_id("count-dispatched").inner_text()


def test_the_kind_of_request_is_asked_for_hotline_matters_only(
    transactional_db, page, live_server, centre
):
    page.goto(live_server.url + reverse("cases:report"))
    kind = page.locator("#id_type")
    assert not kind.is_visible()
    page.select_option("#id_category", str(centre.consult.pk))
    assert kind.is_visible()
    page.select_option("#id_category", str(centre.garbage.pk))
    assert not kind.is_visible()
