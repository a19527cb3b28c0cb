"""Each role's home page leads to its work: the figures that matter to it, each a link to the
cases it counts (and the link shows exactly those), short lists of what waits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases import services
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    c = Client()
    c.force_login(user)
    return c.get(reverse("core:home")).content.decode()


def _figure(page: str, key: str) -> tuple[int, str]:
    m = re.search(rf'href="([^"]+)" data-testid="figure-{key}" data-count="(\d+)"', page)
    assert m, f"no figure {key}"
    return int(m.group(2)), m.group(1).replace("&amp;", "&")


def _queue_numbers(user, url: str) -> set[str]:
    c = Client()
    c.force_login(user)
    page = c.get(url).content.decode()
    return set(re.findall(r'data-testid="queue-row" data-case="([^"]+)"', page))


def test_the_operator_sees_new_reports_first_and_each_figure_opens_its_cases(centre, world):
    new = centre.intake(grid="a1")
    filed = advance(centre.intake(grid="a1"), "filed", centre)
    late = advance(centre.intake(grid="a2"), "dispatched", centre)
    past = timezone.now() - dt.timedelta(days=3)
    Case.objects.filter(pk=late.pk).update(due_at=past, handle_due_at=past)
    page = _home(world.operator)
    assert 'data-testid="panel-centre"' in page
    assert 'data-testid="overview"' not in page  # no static structure counts for operators
    n, url = _figure(page, "new")
    assert n == 1 and _queue_numbers(world.operator, url) == {new.number}
    n, url = _figure(page, "to_dispatch")
    assert n == 1 and _queue_numbers(world.operator, url) == {filed.number}
    n, url = _figure(page, "overdue")
    assert n == 1 and _queue_numbers(world.operator, url) == {late.number}
    assert new.number in page  # listed among the newest reports


def test_due_today_counts_what_falls_due_before_midnight(centre, world):
    soon = advance(centre.intake(grid="a1"), "dispatched", centre)
    later = advance(centre.intake(grid="a1"), "dispatched", centre)
    now = timezone.localtime()
    end = now.replace(hour=23, minute=59, second=0, microsecond=0)
    if end <= now + dt.timedelta(minutes=1):
        pytest.skip("too close to midnight to place a deadline today")
    Case.objects.filter(pk=soon.pk).update(due_at=end)
    Case.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(days=2))
    n, url = _figure(_home(world.operator), "due_today")
    assert n == 1 and _queue_numbers(world.operator, url) == {soon.number}


def test_a_duty_chief_sees_the_extensions_waiting(centre, world):
    case = advance(centre.intake(grid="a1"), "accepted", centre)
    services.case_act(
        actor=world.handler,
        case=case,
        action="request_extension",
        note="需采购配件",
        params={"amount": 2},
    )
    page = _home(world.duty_chief)
    assert 'data-testid="pending-extensions"' in page and case.number in page
    assert 'data-testid="pending-extensions"' not in _home(world.operator)


def test_a_department_sees_its_inbox_and_an_inspector_its_checks(centre, world):
    advance(centre.intake(grid="a1"), "dispatched", centre)
    handled = advance(centre.intake(grid="a1"), "handled", centre)
    page = _home(world.handler)
    n, url = _figure(page, "new")
    assert n == 1 and url == reverse("cases:inbox") + "?tab=new"
    assert _figure(page, "verifying")[0] == 1
    n, url = _figure(_home(world.inspector), "tasks")
    assert n == 1 and url == reverse("cases:tasks")
    c = Client()
    c.force_login(world.inspector)
    assert handled.number in c.get(url).content.decode()


def test_an_area_secretary_sees_the_areas_cases_and_has_them_in_the_menu(centre, world):
    mine = centre.intake(grid="a1")  # area A
    theirs = centre.intake(grid="b1")  # area B
    page = _home(world.secretary)
    n, url = _figure(page, "open")
    assert n == 1
    assert _queue_numbers(world.secretary, url) == {mine.number}
    assert theirs.number not in page
    assert 'data-nav="area_cases"' in page


def test_a_resident_sees_their_own_reports(centre, world):
    mine = centre.intake(channel="resident", reporter_user=world.resident, actor=world.resident)
    someone_elses = centre.intake(grid="a1")
    page = _home(world.resident)
    assert 'data-testid="panel-my_reports"' in page
    assert mine.number in page and someone_elses.number not in page
    assert reverse("cases:track", args=[mine.tracking_code]) in page


def test_a_leader_sees_key_figures_and_an_admin_the_structure(centre, world):
    centre.intake(grid="a1")
    page = _home(world.leader)
    assert _figure(page, "open")[0] == 1 and _figure(page, "month")[0] == 1
    assert 'data-testid="overview"' in _home(world.admin)


@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 390])
def test_the_operator_goes_from_home_to_the_new_reports_in_the_browser(
    transactional_db, browser, live_server, centre, world, width
):
    from gongzhi.accounts.tests.factories import PASSWORD
    from gongzhi.testing.browser import login

    new = centre.intake(grid="a1")
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.base_url = live_server.url
        login(page, "operator", PASSWORD)
        page.goto(live_server.url + reverse("core:home"))
        figure = page.get_by_test_id("figure-new")
        assert figure.is_visible() and figure.get_attribute("data-count") == "1"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        with page.expect_navigation():
            figure.click()
        page.wait_for_selector("[data-testid=queue-row]")
        rows = page.locator("[data-testid=queue-row]")
        assert rows.count() == 1 and rows.first.get_attribute("data-case") == new.number
    finally:
        context.close()
