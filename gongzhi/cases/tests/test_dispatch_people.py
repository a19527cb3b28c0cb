"""Dispatch's responsible person: the chosen department's people only, with their posts, those
who look after the case's grid first, namesakes told apart; the list follows the department."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance
from gongzhi.cases.tests.test_pages_support import (  # noqa: F401  (autouse fixture)
    act_data,
    act_url,
    case_pages,
)
from gongzhi.org.tests.factories import PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db


def _options(html: str, name: str = "dispatch-assignee") -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, html[:500]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_the_list_holds_the_departments_people_with_their_posts(client, centre, world):
    chengguan = world.orgs["chengguan"]
    grid = world.grids["a1"]
    PositionFactory(person=PersonFactory(name="安队员"), organisation=chengguan, title="队员")
    on_grid = PositionFactory(
        person=PersonFactory(name="陆宏伟"), organisation=chengguan, title="片长"
    )
    on_grid.grids.add(grid)
    PositionFactory(person=PersonFactory(name="陆宏伟"), organisation=chengguan, title="片长")
    case = advance(centre.intake(grid="a1"), "filed", centre)
    client.force_login(world.operator)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    options = _options(page)
    # The category's department (城管中队): its people only, the grid's first; 房管办's
    # handler is not there.
    assert options[1].startswith("陆宏伟 · 片长")
    assert "赵房管" not in " ".join(options)
    assert any(o.startswith("张城管") for o in options)
    namesakes = [o for o in options if o.startswith("陆宏伟")]
    assert len(namesakes) == 2 and len(set(namesakes)) == 2  # told apart

    # Another department chosen: its people.
    r = client.get(
        reverse("cases:dispatch_people", args=[case.pk]),
        {"dispatch-department": world.orgs["fangguan"].pk},
    )
    assert r.status_code == 200
    fragment = r.content.decode()
    assert "赵房管" in fragment and "张城管" not in fragment


def test_a_person_of_another_department_is_refused(client, centre, world):
    case = advance(centre.intake(grid="a1"), "filed", centre)
    client.force_login(world.operator)
    other = world.other_handler.person
    response = client.post(
        act_url(case, "dispatch"),
        act_data(case, "dispatch", department=world.orgs["chengguan"].pk, assignee=other.pk),
    )
    assert response.status_code == 400
    assert 'data-testid="error-assignee"' in response.content.decode()
    case.refresh_from_db()
    assert case.state == Case.State.FILED


def test_only_the_centre_asks_for_the_list(client, centre, world):
    case = advance(centre.intake(grid="a1"), "filed", centre)
    client.force_login(world.handler)
    url = reverse("cases:dispatch_people", args=[case.pk])
    assert client.get(url, {"dispatch-department": world.orgs["chengguan"].pk}).status_code == 403


@pytest.mark.browser
def test_the_list_follows_the_department_in_the_browser(
    transactional_db, page, live_server, centre, world
):
    from gongzhi.accounts.tests.factories import PASSWORD
    from gongzhi.testing.browser import login

    case = advance(centre.intake(grid="a1"), "filed", centre)
    login(page, "operator", PASSWORD)
    page.goto(live_server.url + reverse("cases:detail", args=[case.pk]))
    page.get_by_test_id("open-dispatch").click()
    page.locator("#act-dispatch.collapse.show").wait_for()
    assignee = page.get_by_test_id("dispatch-assignee")
    assert "张城管" in assignee.inner_text() and "赵房管" not in assignee.inner_text()
    page.get_by_test_id("dispatch-department").select_option(str(world.orgs["fangguan"].pk))
    expect(assignee).to_contain_text("赵房管")
    assert "张城管" not in assignee.inner_text()
