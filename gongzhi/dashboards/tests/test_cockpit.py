"""The cockpit's figures against the measures' definitions computed in Python over the rows
(conftest.direct), for several scopes and periods; every figure's link lists exactly the cases
it counts; scope is kept on the server; bad input is a message."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.core.errors import ServiceError
from gongzhi.dashboards import periods, selectors

from .conftest import AS_OF, direct

STANDARD = [
    "on_time_closure_rate",
    "closure_rate",
    "rework_rate",
    "satisfaction_rate",
    "average_handling_time",
]
PERIODS = ["2026-03", "2026-Q1", "2026", "2026-02"]


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-9


def _check(c: selectors.Cockpit, expected: dict[str, Any]) -> None:
    r = c.readings
    assert r["cases.received"].value == expected["received"]
    assert r["cases.filed"].value == expected["filed"]
    assert r["cases.overdue"].value == expected["overdue"]
    assert r["cases.open"].value == expected["open"]
    for key in STANDARD:
        assert _close(r[f"cases.{key}"].value, expected[key]), key
    for i in c.indicators:
        assert _close(i.now.value, expected[i.measure.key]), i.measure.key


@pytest.mark.parametrize("period_key", PERIODS)
def test_a_leader_sees_the_subdistricts_indicators_as_defined(town, period_key):
    p = periods.parse(period_key)
    c = selectors.cockpit(town.world.leader, p, {}, as_of=AS_OF)
    assert c.kind == "subdistrict"
    _check(c, direct(town.cases, p.date_from, p.date_to, AS_OF))


@pytest.mark.parametrize("period_key", PERIODS)
def test_a_secretary_sees_their_areas_indicators_only(town, period_key):
    p = periods.parse(period_key)
    area = town.world.area_a
    c = selectors.cockpit(town.world.secretary, p, {}, as_of=AS_OF)
    assert c.kind == "area"
    mine = [x for x in town.cases if x.residential_area_id == area.pk]
    _check(c, direct(mine, p.date_from, p.date_to, AS_OF))
    assert {g.label for g in c.grids} <= {"杏梅园一", "杏梅园二"}


@pytest.mark.parametrize("period_key", ["2026-03", "2026-Q1"])
def test_a_department_sees_its_own_work(town, period_key):
    p = periods.parse(period_key)
    dept = town.world.orgs["chengguan"]
    c = selectors.cockpit(town.world.handler, p, {}, as_of=AS_OF)
    assert c.kind == "department"
    ours = [x for x in town.cases if x.department_id == dept.pk]
    _check(c, direct(ours, p.date_from, p.date_to, AS_OF))
    assert [d.label for d in c.departments] == ["城管中队"]


def test_filters_narrow_every_figure(town):
    p = periods.parse("2026-Q1")
    w = town.world
    station = w.station_b
    c = selectors.cockpit(w.leader, p, {"station": station.pk}, as_of=AS_OF)
    _check(
        c,
        direct(
            [x for x in town.cases if x.station_id == station.pk], p.date_from, p.date_to, AS_OF
        ),
    )
    c = selectors.cockpit(
        w.leader, p, {"channel": "hotline", "grid": w.grids["a2"].pk}, as_of=AS_OF
    )
    subset = [x for x in town.cases if x.channel == "hotline" and x.grid_id == w.grids["a2"].pk]
    _check(c, direct(subset, p.date_from, p.date_to, AS_OF))
    span = periods.parse(None, "2026-02-10", "2026-03-20")
    c = selectors.cockpit(w.leader, span, {"category": town.centre.manhole.pk}, as_of=AS_OF)
    subset = [x for x in town.cases if x.category_id == town.centre.manhole.pk]
    _check(c, direct(subset, span.date_from, span.date_to, AS_OF))


def test_comparisons_are_the_previous_period_and_the_same_period_a_year_before(town):
    p = periods.parse("2026-03")
    c = selectors.cockpit(town.world.leader, p, {}, as_of=AS_OF)
    feb = direct(town.cases, dt.date(2026, 2, 1), dt.date(2026, 2, 28), AS_OF)
    for i in c.indicators:
        assert _close(i.previous.value, feb[i.measure.key])
        assert i.year_before.value is None  # no cases in March 2025
        assert i.vs_year_before is None
    assert periods.parse("2026-Q1").previous().key == "2025-Q4"
    assert periods.parse("2026-01").previous().key == "2025-12"
    assert periods.parse("2026-03").year_before().key == "2025-03"


def test_the_trend_is_twelve_months_ending_with_the_period(town):
    p = periods.parse("2026-04")
    c = selectors.cockpit(town.world.leader, p, {}, as_of=AS_OF)
    labels = c.trend["labels"]
    assert labels == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
    ]  # months without cases are left out
    march = direct(town.cases, dt.date(2026, 3, 1), dt.date(2026, 3, 31), AS_OF)
    series = {s["key"]: s["data"] for s in c.trend["series"]}
    expected = march["on_time_closure_rate"]
    assert series["on_time_closure_rate"][2] == (round(expected * 100, 2) if expected else None)
    assert c.trend["filed"][2] == march["filed"]


def test_departments_and_grids_are_ranked_best_first(town):
    c = selectors.cockpit(town.world.leader, periods.parse("2026-Q1"), {}, as_of=AS_OF)
    for rows in (c.departments, c.grids):
        rates = [r.value.value for r in rows if r.value.value is not None]
        assert rates == sorted(rates, reverse=True)
    assert {g.label for g in c.grids} == {"杏梅园一", "杏梅园二", "杏杨一", "杏杨二"}
    assert sum(h.filed for h in c.hot_spots) == c.readings["cases.filed"].value


# --- Pages ------------------------------------------------------------------------------------


def _count(client: Any, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    m = re.search(r'data-testid="case-count">(\d+)', page.content.decode())
    return int(m[1]) if m else 0


@pytest.fixture
def at_as_of():
    with time_machine.travel(AS_OF, tick=False):
        yield


@pytest.mark.parametrize("persona", ["leader", "secretary", "handler"])
def test_every_figure_links_to_exactly_the_cases_it_counts(client, town, at_as_of, persona):
    user = getattr(town.world, persona)
    client.force_login(user)
    p = periods.parse("2026-Q1")
    c = selectors.cockpit(user, p, {}, as_of=AS_OF)
    checked = 0
    for key, r in c.readings.items():
        if not key.startswith("cases.") or r.url is None:
            continue
        expected = r.denominator if r.unit in ("rate", "hours") else r.value
        assert _count(client, r.url) == expected, key
        checked += 1
    assert checked >= 10
    for row in c.grids + c.departments:
        if row.key is not None:  # "(not set)" has no list of its own
            assert _count(client, row.url) == row.filed


def test_the_page_shows_the_figures_and_links(client, town, at_as_of):
    client.force_login(town.world.leader)
    page = client.get(reverse("dashboards:index"), {"period": "2026-03"})
    assert page.status_code == 200
    html = page.content.decode()
    for testid in (
        "cockpit-now",
        "cockpit-indicators",
        "cockpit-map",
        "rank-departments",
        "rank-grids",
        "hot-spots",
        "cockpit-chart-data",
    ):
        assert testid in html
    assert "vendor/echarts/echarts.min.js" in html
    march = direct(town.cases, dt.date(2026, 3, 1), dt.date(2026, 3, 31), AS_OF)
    value = re.search(
        r'data-key="on_time_closure_rate".*?data-testid="indicator-value">([^<]+)<', html, re.S
    )[1]
    expected = march["on_time_closure_rate"]
    assert value == (f"{expected * 100:.1f}%" if expected is not None else "—")
    assert 'data-key="cases.overdue"' in html
    # htmx gets the results only
    part = client.get(reverse("dashboards:index"), {"period": "2026-02"}, HTTP_HX_REQUEST="true")
    assert "<html" not in part.content.decode()
    assert "cockpit-indicators" in part.content.decode()


def test_a_secretary_never_sees_another_areas_figures(client, town, at_as_of):
    w = town.world
    client.force_login(w.secretary)
    page = client.get(reverse("dashboards:index"), {"period": "2026-Q1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "杏杨一" not in html and "杏杨二" not in html
    refused = client.get(reverse("dashboards:index"), {"residential_area": w.area_b.pk})
    assert refused.status_code == 400
    assert 'data-testid="cockpit-error"' in refused.content.decode()
    listed = client.get(
        reverse("dashboards:cases"), {"figure": "filed", "period": "2026", "grid": w.grids["b1"].pk}
    )
    assert _count(client, listed.request["PATH_INFO"] + "?" + listed.request["QUERY_STRING"]) == 0
    data = client.get(reverse("dashboards:map_figures"), {"period": "2026-Q1"}).json()
    assert set(data["grids"]) <= {str(w.grids["a1"].pk), str(w.grids["a2"].pk)}
    area_b_points = Case.objects.filter(residential_area=w.area_b).values_list("pk", flat=True)
    assert not {p["id"] for p in data["points"]} & set(area_b_points)


@pytest.mark.parametrize("persona", ["resident", "liaison", "inspector", "service_staff"])
def test_others_are_refused(client, town, persona):
    client.force_login(getattr(town.world, persona))
    assert client.get(reverse("dashboards:index")).status_code == 403
    assert client.get(reverse("dashboards:cases")).status_code == 403
    assert client.get(reverse("dashboards:map_figures")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, town):
    response = client.get(reverse("dashboards:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    "params",
    [
        {"period": "2026-13"},
        {"period": "last year"},
        {"from": "2026-05-01", "to": "2026-04-01"},
        {"from": "2020-01-01", "to": "2026-04-01"},
        {"from": "yesterday"},
        {"station": "abc"},
        {"channel": "pigeon"},
    ],
)
def test_bad_input_gets_a_message_not_an_error(client, town, params):
    client.force_login(town.world.leader)
    for name in ("dashboards:index", "dashboards:cases"):
        page = client.get(reverse(name), params)
        assert page.status_code == 400
        assert 'data-testid="cockpit-error"' in page.content.decode()
    assert client.get(reverse("dashboards:map_figures"), params).status_code == 400
    bad = client.get(reverse("dashboards:cases"), {"figure": "nonsense"})
    assert bad.status_code == 400


def test_the_map_gives_each_grids_figures(client, town, at_as_of):
    w = town.world
    client.force_login(w.leader)
    data = client.get(reverse("dashboards:map_figures"), {"period": "2026-03"}).json()
    march = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    for name, grid in w.grids.items():
        mine = [x for x in town.cases if x.grid_id == grid.pk]
        expected = direct(mine, *march, AS_OF)
        g = data["grids"][str(grid.pk)]
        assert g["filed"] == expected["filed"], name
        assert g["overdue"] == expected["overdue"], name
        assert g["open"] == expected["open"], name
    open_located = Case.objects.filter(
        state__in=[
            s
            for s in Case.State.values
            if s not in ("closed", "evaluated", "merged", "not_accepted")
        ],
        lat__isnull=False,
    ).count()
    assert len(data["points"]) == open_located


def test_the_summary_counts_overdue_as_the_measures_do(town, at_as_of):
    out = StringIO()
    call_command("summary", "--json", stdout=out)
    cases = json.loads(out.getvalue())["cases"]
    assert (
        cases["overdue"]
        == direct(town.cases, dt.date(2026, 1, 1), dt.date(2026, 12, 31), AS_OF)["overdue"]
    )
    c = selectors.cockpit(town.world.leader, periods.parse("2026"), {}, as_of=AS_OF)
    assert c.readings["cases.overdue"].value == cases["overdue"]


def test_the_leaders_home_page_leads_to_the_cockpit(client, town, at_as_of):
    client.force_login(town.world.leader)
    html = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="panel-cockpit"' in html
    assert reverse("dashboards:index") in html


def test_the_other_domains_register_their_figures(client, town, at_as_of):
    c = selectors.cockpit(town.world.leader, periods.parse("2026-Q1"), {}, as_of=AS_OF)
    keys = set(c.readings)
    assert {
        "alliance.under_way",
        "alliance.resources_used",
        "alliance.projects.in_progress",
    } <= keys
    assert {"service.deliveries", "service.attendance", "service.volunteer_hours"} <= keys
    assert all(r.url for r in c.readings.values())


def test_periods_parse_and_refuse():
    assert periods.parse("2026-02").date_to == dt.date(2026, 2, 28)
    assert periods.parse("2026-q4").date_from == dt.date(2026, 10, 1)
    assert periods.parse("2024").date_to == dt.date(2024, 12, 31)
    for bad in ("2026-00", "1999", "2026-Q5", "abc"):
        with pytest.raises(ServiceError):
            periods.parse(bad)
