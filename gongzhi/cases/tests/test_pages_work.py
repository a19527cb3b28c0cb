"""A department's inbox, an inspector's verification tasks and patrol report, and the menu
entries that lead to them."""

from __future__ import annotations

import json
import re
from html import escape

import pytest
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance
from gongzhi.cases.tests.test_pages_support import (
    case_pages,  # noqa: F401  (autouse fixture)
    photo_upload,
    text_as_jpg,
)

pytestmark = pytest.mark.django_db
INBOX = reverse("cases:inbox")
TASKS = reverse("cases:tasks")
PATROL = reverse("cases:inspector_report")


def rows(response, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}" data-case="([^"]+)"', response.content.decode())


@pytest.mark.parametrize(
    "persona, entries",
    [
        ("operator", {"Case queue"}),
        ("duty_chief", {"Case queue"}),
        ("leader", {"Case queue"}),
        ("handler", {"My department's cases"}),
        ("inspector", {"Verification tasks"}),
        ("secretary", set()),
        ("resident", {"Report a problem"}),
    ],
)
def test_the_menu_leads_each_role_to_its_page(client, world, persona, entries):
    client.force_login(getattr(world, persona))
    page = client.get(reverse("core:home")).content.decode()
    for label in ("Case queue", "My department's cases", "Verification tasks", "Report a problem"):
        assert (f"</i> {escape(label)}" in page) == (label in entries), label


def test_the_inbox_shows_the_departments_own_cases_by_tab(client, centre, world):
    new = advance(centre.intake(), "dispatched", centre)
    in_hand = advance(centre.intake(), "accepted", centre)
    verifying = advance(centre.intake(), "handled", centre)
    other = advance(centre.intake(category=centre.manhole), "dispatched", centre)  # 房管办
    client.force_login(world.handler)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert rows(response, "inbox-row") == [new.number]
    assert rows(client.get(INBOX, {"tab": "in_hand"}), "inbox-row") == [in_hand.number]
    assert rows(client.get(INBOX, {"tab": "verifying"}), "inbox-row") == [verifying.number]
    assert rows(client.get(INBOX, {"tab": "done"}), "inbox-row") == []
    assert other.number not in response.content.decode()
    client.force_login(world.other_handler)
    assert rows(client.get(INBOX), "inbox-row") == [other.number]


def test_the_inbox_is_for_departments(client, world):
    client.force_login(world.operator)
    assert client.get(INBOX).status_code == 403


def test_the_inspector_sees_handled_cases_of_its_station_on_a_list_and_a_map(client, centre, world):
    mine = advance(centre.intake(grid="a2"), "handled", centre)
    centre.intake(grid="a1")  # not handled yet
    client.force_login(world.inspector)
    response = client.get(TASKS)
    assert response.status_code == 200
    assert rows(response, "task") == [mine.number]
    page = response.content.decode()
    config = json.loads(
        re.search(r'id="gz-case-map-config" type="application/json">(.*?)</script>', page).group(1)
    )
    assert [p["number"] for p in config["points"]] == [mine.number]
    assert config["points"][0]["url"] == reverse("cases:detail", args=[mine.pk])
    assert config["layers"]["outline"]["features"]  # the subdistrict outline
    assert len(config["layers"]["grids"]["features"]) == 4


def test_the_task_list_is_for_inspectors(client, world):
    client.force_login(world.handler)
    assert client.get(TASKS).status_code == 403
    assert client.get(PATROL).status_code == 403


def test_the_inspector_reports_with_photo_and_position(client, centre, world):
    lat, lng = centre.point_in("a1")
    client.force_login(world.inspector)
    page = client.get(PATROL).content.decode()
    assert 'capture="environment"' in page
    assert '"locate_on_load": true' in page
    response = client.post(
        PATROL,
        {
            "category": centre.garbage.pk,
            "urgency": "normal",
            "description": "枫桥路人行道暴露垃圾",
            "lat": f"{lat:.7f}",
            "lng": f"{lng:.7f}",
            "photos": photo_upload(gps=True),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Case.Channel.INSPECTOR
    assert case.created_by == world.inspector
    assert case.grid == world.grids["a1"]
    assert case.photos.count() == 1
    assert rows(client.get(TASKS), "task") == []
    assert case.number in client.get(TASKS).content.decode()  # under "my recent reports"


def test_the_inspectors_report_without_a_position_or_with_a_bad_photo_is_refused(
    client, centre, world
):
    client.force_login(world.inspector)
    response = client.post(
        PATROL, {"category": centre.garbage.pk, "urgency": "normal", "description": "垃圾"}
    )
    assert response.status_code == 400
    assert 'data-testid="error-location"' in response.content.decode()
    lat, lng = centre.point_in("a1")
    response = client.post(
        PATROL,
        {
            "category": centre.garbage.pk,
            "urgency": "normal",
            "description": "垃圾",
            "lat": lat,
            "lng": lng,
            "photos": text_as_jpg(),
        },
    )
    assert response.status_code == 400
    assert 'data-testid="error-photos"' in response.content.decode()
    assert not Case.objects.exists()
