"""The category picker: grouped under their parents in code order, residents without codes and
without a bare 其他, searchable by pinyin initials; the queue's filter takes a whole group."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gongzhi.cases import sla
from gongzhi.cases.models import Category
from gongzhi.cases.picker import search_text
from gongzhi.cases.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def _groups(html: str, name: str = "category") -> list[tuple[str, list[str]]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select
    return [
        (label, re.findall(r"<option[^>]*>([^<]*)</option>", body))
        for label, body in re.findall(
            r'<optgroup label="([^"]*)">(.*?)</optgroup>', select.group(1), re.S
        )
    ]


@pytest.fixture
def more(centre):
    events = centre.garbage.parent
    for code, name in (("E0103", "道路不洁"), ("E0101", "乱堆物堆料"), ("E0199", "其他")):
        CategoryFactory(
            code=code, name=name, kind=Category.Kind.EVENT, parent=events, group=events, level=2
        )
    sla.invalidate()
    return centre


def test_pinyin_and_initials_find_a_name():
    text = search_text("暴露垃圾")
    assert "bllj" in text and "baolulaji" in text and "暴露垃圾" in text


def test_residents_see_plain_names_in_code_order_under_their_groups(client, more):
    page = client.get(reverse("cases:report")).content.decode()
    assert '<html lang="zh-hans">' in page
    groups = dict(_groups(page))
    events = groups["市容环境（事件）"]
    assert events == ["乱堆物堆料", "暴露垃圾", "道路不洁", "其他（市容环境（事件））"]
    assert not any(re.match(r"[A-Z]\d", o) for options in groups.values() for o in options)
    assert 'data-search="' in page and "bllj" in page


def test_staff_see_codes_and_the_queue_filter_takes_a_whole_group(client, more, world):
    client.force_login(world.operator)
    page = client.get(reverse("cases:intake")).content.decode()
    groups = dict(_groups(page))
    assert groups["E01 市容环境（事件）"][:2] == ["E0101 乱堆物堆料", "E0102 暴露垃圾"]
    queue = client.get(reverse("cases:queue")).content.decode()
    filter_groups = dict(_groups(queue))
    assert filter_groups["E01 市容环境（事件）"][0].startswith("全部") or filter_groups[
        "E01 市容环境（事件）"
    ][0].startswith("all of")
    garbage = more.intake(grid="a1")
    manhole = more.intake(grid="a1", category=more.manhole)
    listed = client.get(
        reverse("cases:queue"), {"category": more.garbage.parent_id}
    ).content.decode()
    assert garbage.number in listed and manhole.number not in listed


@pytest.mark.browser
def test_typing_initials_narrows_the_list_in_the_browser(transactional_db, page, live_server, more):
    page.goto(live_server.url + reverse("cases:report"))
    page.wait_for_selector("[data-gz-picker][data-ready=true]")
    page.fill("[data-gz-picker-search]", "bllj")
    options = page.locator("select[name=category] option").all_inner_texts()
    assert [o for o in options if o.strip() and not o.startswith("请") and "Choose" not in o] == [
        "暴露垃圾"
    ]
    assert page.input_value("select[name=category]") == str(more.garbage.pk)  # the one match
    page.fill("[data-gz-picker-search]", "")
    assert len(page.locator("select[name=category] option").all_inner_texts()) > 3
