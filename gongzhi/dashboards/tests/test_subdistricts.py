"""An installation serving two subdistricts: the cockpit, its case lists, the reports and the
accountability warnings of subdistrict A show A's only; B's people see B's; the district
office's leader sees both (and may choose one); the pre-aggregates stay equal to the cases."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.dashboards import (
    accountability,
    accountability_services,
    aggregates,
    periods,
    report,
    report_services,
    report_views,
    selectors,
)
from gongzhi.dashboards.accountability_models import AccountabilityRule
from gongzhi.dashboards.models import Report
from gongzhi.testing.second_subdistrict import build_second_subdistrict

SH = dt.timezone(dt.timedelta(hours=8))
MARCH = periods.month(dt.date(2026, 3, 1))
AS_OF = dt.datetime(2026, 4, 10, 10, tzinfo=SH)
_seq = itertools.count(1)


def _case(grid: Any, subdistrict: Any, department: Any, category: Any) -> Case:
    """A case received and filed in March, dispatched, overdue by the end of March."""
    n = next(_seq)
    t = dt.datetime(2026, 3, 3, 9, tzinfo=SH)
    return Case.objects.create(
        number=f"CY2026-5{n:05d}",
        tracking_code=f"TWOSD{n:05d}",
        channel=Case.Channel.INSPECTOR,
        type=Case.Type.EVENT,
        category=category,
        description="测试案件",
        received_at=t,
        filed_at=t + dt.timedelta(hours=1),
        dispatched_at=t + dt.timedelta(hours=2),
        handle_due_at=t + dt.timedelta(days=3),
        close_due_at=t + dt.timedelta(days=4),
        due_at=t + dt.timedelta(days=3),
        state=Case.State.DISPATCHED,
        grid=grid,
        residential_area=grid.residential_area,
        station=grid.station,
        department=department,
        subdistrict=subdistrict,
    )


@pytest.fixture
def two(world):
    b = build_second_subdistrict()
    centre = make_centre(world)
    a_cases = [
        _case(world.grids["a1"], world.subdistrict, world.orgs["chengguan"], centre.garbage)
        for _ in range(3)
    ]
    b_cases = [_case(b.grid, b.subdistrict, b.orgs["department"], centre.garbage) for _ in range(2)]
    aggregates.refresh_all()
    return world, b, a_cases, b_cases


def _filed(user: Any, **filters: Any) -> int:
    table = aggregates.table(
        user=user,
        group_by="total",
        date_from=MARCH.date_from,
        date_to=MARCH.date_to,
        filters=filters,
        as_of=AS_OF,
    )
    return int(table.total.figures["filed"])


def test_each_subdistrict_sees_its_own_figures_and_the_district_sees_both(two):
    world, b, a_cases, b_cases = two
    district = b.users["district_leader"]
    assert _filed(world.leader) == 3
    assert _filed(world.operator) == 3
    assert _filed(b.users["leader"]) == 2
    assert _filed(district) == 5
    assert _filed(district, subdistrict=b.subdistrict.pk) == 2
    # The same numbers straight from the cases.
    for user, n in ((world.leader, 3), (b.users["leader"], 2), (district, 5)):
        direct = selectors.cm.measure_table(
            user=user,
            group_by="total",
            date_from=MARCH.date_from,
            date_to=MARCH.date_to,
            as_of=AS_OF,
        )
        assert direct.total.figures["filed"] == n
    by_sd = aggregates.table(
        user=district,
        group_by="subdistrict",
        date_from=MARCH.date_from,
        date_to=MARCH.date_to,
        as_of=AS_OF,
    )
    assert {r.key: r.figures["filed"] for r in by_sd.rows} == {
        world.subdistrict.pk: 3,
        b.subdistrict.pk: 2,
    }
    assert aggregates.open_now(user=world.leader, as_of=AS_OF)[None]["open"] == 3
    # A's leader may not choose B.
    with pytest.raises(ServiceError):
        selectors.clean_filters(
            selectors.access_for(world.leader), {"subdistrict": b.subdistrict.pk}
        )
    # A case changed later is kept in its subdistrict's rows: verify finds no difference.
    late = _case(b.grid, b.subdistrict, b.orgs["department"], a_cases[0].category)
    aggregates.apply_case(late.pk)
    assert aggregates.verify().differ == 0
    assert _filed(b.users["leader"]) == 3 and _filed(world.leader) == 3


def test_the_cockpit_pages_show_only_the_viewers_subdistrict(client, two):
    world, b, a_cases, b_cases = two
    client.force_login(world.leader)
    page = client.get(reverse("dashboards:index"), {"period": "2026-03"}).content.decode()
    assert "长风一村一" not in page and "长风城管中队" not in page
    listed = client.get(
        reverse("dashboards:cases"), {"figure": "filed", "period": "2026-03"}
    ).content.decode()
    assert all(c.number in listed for c in a_cases)
    assert not any(c.number in listed for c in b_cases)
    refused = client.get(reverse("dashboards:index"), {"subdistrict": b.subdistrict.pk})
    assert refused.status_code == 400
    client.force_login(b.users["district_leader"])
    page = client.get(
        reverse("dashboards:cases"),
        {"figure": "filed", "period": "2026-03", "subdistrict": b.subdistrict.pk},
    ).content.decode()
    assert all(c.number in page for c in b_cases)
    assert not any(c.number in page for c in a_cases)
    # The area cockpit: B's area is not A's leader's to open.
    client.force_login(world.leader)
    assert client.get(reverse("dashboards:area", args=[b.area.pk])).status_code == 404


def test_reports_are_of_one_subdistrict_or_the_whole_district(client, two, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    world, b, _a, _b = two
    district = b.users["district_leader"]
    a_scope = report_services.scope_of("subdistrict", subdistrict_id=world.subdistrict.pk)
    b_scope = report_services.scope_of("subdistrict", subdistrict_id=b.subdistrict.pk)
    access_a = selectors.access_for(world.leader)
    choices = dict(report_views.scope_choices(access_a))
    assert f"subdistrict:{world.subdistrict.pk}" in choices
    assert f"subdistrict:{b.subdistrict.pk}" not in choices and "district" not in choices
    assert f"area:{b.area.pk}" not in choices
    assert "district" in dict(report_views.scope_choices(selectors.access_for(district)))
    with pytest.raises(NotAllowed):
        report_services.report_request(actor=world.leader, period=MARCH, scope=b_scope)
    with pytest.raises(NotAllowed):
        report_services.report_request(
            actor=world.leader, period=MARCH, scope=report_services.scope_of("district")
        )
    # A's report holds A's numbers only; the district's both.
    data = report.collect(MARCH, a_scope, AS_OF)
    assert data.cockpit.readings["cases.filed"].value == 3
    whole = report.collect(MARCH, report_services.scope_of("district"), AS_OF)
    assert whole.cockpit.readings["cases.filed"].value == 5
    mine = report_services.report_request(
        actor=world.leader, period=MARCH, scope=a_scope, queue=False
    )
    theirs = report_services.report_request(
        actor=b.users["leader"], period=MARCH, scope=b_scope, queue=False
    )
    everyone = report_services.report_request(
        actor=district, period=MARCH, scope=report_services.scope_of("district"), queue=False
    )
    assert set(report_services.visible(world.leader)) == {mine}
    assert set(report_services.visible(b.users["leader"])) == {theirs}
    assert set(report_services.visible(district)) == {mine, theirs, everyone}
    assert Report.objects.get(pk=theirs.pk).scope_label == "长风新村街道"
    generated = report_services.generate(report_id=theirs.pk, as_of=AS_OF)
    assert generated.status == Report.Status.DONE
    assert generated.pdf.name.startswith("reports/gongzhi-report-2026-03-subdistrict-310107006")
    client.force_login(world.leader)
    url = reverse("dashboards:report_download", args=[theirs.pk, "pdf"])
    assert client.get(url).status_code == 404


def test_accountability_is_judged_and_shown_per_subdistrict(two):
    world, b, _a, _b = two
    AccountabilityRule.objects.update(active=False)
    AccountabilityRule.objects.create(
        subject_kind="station", measure="overdue", threshold=2, period="month"
    )
    # A's leader evaluates A's cases only.
    result = accountability_services.evaluate(period=MARCH, actor=world.leader)
    assert [(w.subject_id, w.subdistrict_id) for w in result.created] == [
        (world.station_a.pk, world.subdistrict.pk)
    ]
    # The schedule judges every subdistrict.
    rest = accountability_services.evaluate(period=MARCH)
    assert [(w.subject_id, w.subdistrict_id) for w in rest.created] == [
        (b.station.pk, b.subdistrict.pk)
    ]
    access_a = selectors.access_for(world.leader)
    access_b = selectors.access_for(b.users["leader"])
    access_d = selectors.access_for(b.users["district_leader"])
    assert {w.subdistrict_id for w in accountability.visible_warnings(access_a)} == {
        world.subdistrict.pk
    }
    assert {w.subdistrict_id for w in accountability.visible_warnings(access_b)} == {
        b.subdistrict.pk
    }
    assert accountability.visible_warnings(access_d).count() == 2
    table = accountability.accountability_table(world.leader, MARCH)
    assert [r.key for r in table.stations] == [world.station_a.pk]
    assert all(r.warned for r in table.stations)
