"""Accountability (责任追究): rules as data trigger a warning exactly at their threshold, once per
rule × subject × period however often they are evaluated; the person who answers is told and
alone acknowledges it, with a note, audited; leaders see every subject and warning, anyone else
their own; the counts drill down to their cases."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import access_for
from gongzhi.dashboards import accountability as acc
from gongzhi.dashboards import accountability_services as services
from gongzhi.dashboards import periods
from gongzhi.dashboards.accountability_models import AccountabilityRule, AccountabilityWarning
from gongzhi.notifications.models import Notification
from gongzhi.org.models import Position
from gongzhi.org.tests.factories import PersonFactory, PositionFactory
from gongzhi.places.selectors import default_subdistrict_id

SH = dt.timezone(dt.timedelta(hours=8))
MARCH = periods.month(dt.date(2026, 3, 1))
R = Position.Role
_seq = itertools.count(1)


def T(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=SH)


def make(centre: Any, grid: Any, how: str = "overdue", **extra: Any) -> Case:
    """A case received in March 2026 in `grid`, at 城管中队: overdue at the end of March,
    closed late, reworked, unsatisfied, or closed on time and satisfied ("fine")."""
    n = next(_seq)
    f: dict[str, Any] = {
        "number": f"CY2026-6{n:05d}",
        "tracking_code": f"ACCOUNT{n:05d}",
        "channel": Case.Channel.INSPECTOR,
        "type": Case.Type.EVENT,
        "category": centre.garbage,
        "description": "测试案件",
        "received_at": T(3),
        "filed_at": T(3, 10),
        "grid": grid,
        "residential_area": grid.residential_area,
        "station": grid.station,
        "department": centre.world.orgs["chengguan"],
        "dispatched_at": T(3, 11),
        "handle_due_at": T(6),
        "close_due_at": T(7),
        "due_at": T(6),
        "state": Case.State.DISPATCHED,
    }
    if how != "overdue":
        f.update(
            state=Case.State.EVALUATED,
            handled_at=T(5),
            handled_on_time=True,
            closed_at=T(6),
            closed_on_time=True,
            satisfaction=Case.Satisfaction.SATISFIED,
        )
    if how == "late":
        f.update(closed_at=T(9), closed_on_time=False)
    if how == "reworked":
        f.update(rework_count=1)
    if how == "unsatisfied":
        f.update(satisfaction=Case.Satisfaction.DISSATISFIED)
    f.update(extra)
    f.setdefault("subdistrict_id", default_subdistrict_id())
    return Case.objects.create(**f)


@dataclass
class Acc:
    world: Any
    centre: Any
    rule: AccountabilityRule
    station_leader: Any  # user of station A's responsible leader
    director: Any  # user of 城管中队's director


def _user_at(username: str, org: Any, role: str, name: str) -> Any:
    person = PersonFactory(name=name)
    PositionFactory(person=person, organisation=org, role=role)
    return UserFactory(username=username, person=person)


def build(world: Any) -> Acc:
    centre = make_centre(world)
    # The defaults the migration seeds are set aside: each test states its rules.
    AccountabilityRule.objects.update(active=False)
    rule = AccountabilityRule.objects.create(
        subject_kind="station", measure="overdue", threshold=3, period="month"
    )
    leader = _user_at("station_leader", world.orgs["station_a"], R.RESPONSIBLE_LEADER, "高责任")
    director = _user_at("cg_director", world.orgs["chengguan"], R.DIRECTOR, "马中队长")
    return Acc(world, centre, rule, leader, director)


@pytest.fixture
def setup(world) -> Acc:
    return build(world)


def test_the_migration_seeds_default_rules(db):
    defaults = set(
        AccountabilityRule.objects.filter(active=True).values_list(
            "subject_kind", "measure", "threshold", "period"
        )
    )
    assert ("station", "overdue", 3, "month") in defaults
    assert ("department", "overdue", 3, "month") in defaults
    assert ("person", "overdue", 3, "month") in defaults


def test_a_rule_triggers_exactly_at_its_threshold(setup):
    w = setup.world
    for _ in range(3):
        make(setup.centre, w.grids["a1"])
    for _ in range(2):
        make(setup.centre, w.grids["b1"])
    make(setup.centre, w.grids["b1"], "fine")
    result = services.evaluate(period=MARCH)
    assert [(x.subject_id, x.count) for x in result.created] == [(w.station_a.pk, 3)]
    # The third overdue case of station B brings it to the threshold.
    make(setup.centre, w.grids["b2"])
    again = services.evaluate(period=MARCH)
    assert [x.subject_id for x in again.created] == [w.station_b.pk]
    assert again.existing == 1


def test_re_running_the_evaluation_records_no_second_warning(setup):
    for _ in range(4):
        make(setup.centre, setup.world.grids["a1"])
    services.evaluate(period=MARCH)
    services.evaluate(period=MARCH)
    assert AccountabilityWarning.objects.count() == 1
    assert AccountabilityWarning.objects.get().count == 4
    # The periodic task is registered to run every day.
    from gongzhi.core.tasks import REGISTRY

    assert REGISTRY["dashboards.evaluate_accountability"].periodic_seconds == 24 * 3600
    # The periodic run of April judges March (and the first quarter): nothing new.
    runs = services.evaluate_finished(today=dt.date(2026, 4, 2))
    assert [r.period.key for r in runs] == ["2026-03", "2026-Q1"]
    assert AccountabilityWarning.objects.count() == 1


def test_the_database_refuses_a_second_warning_for_the_same_period(setup):
    from django.db import IntegrityError, transaction

    for _ in range(3):
        make(setup.centre, setup.world.grids["a1"])
    first = services.evaluate(period=MARCH).created[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountabilityWarning.objects.create(
            rule=first.rule,
            subject_kind=first.subject_kind,
            subject_id=first.subject_id,
            subject_label="x",
            period_start=first.period_start,
            period_end=first.period_end,
            count=9,
            threshold=3,
        )


@pytest.mark.parametrize("how", ["late", "reworked", "unsatisfied"])
def test_each_measure_counts_its_own_cases(setup, how):
    AccountabilityRule.objects.create(
        subject_kind="department", measure=how, threshold=2, period="month"
    )
    make(setup.centre, setup.world.grids["a1"], how)
    make(setup.centre, setup.world.grids["a2"], how)
    make(setup.centre, setup.world.grids["a2"], "fine")
    created = services.evaluate(period=MARCH).created
    assert [(x.subject_kind, x.rule.measure, x.count) for x in created] == [("department", how, 2)]
    # …and it answers to the department's director, who is told.
    assert created[0].person_id == setup.director.person_id


def test_the_person_who_answers_is_named_and_told(setup):
    for _ in range(3):
        make(setup.centre, setup.world.grids["a1"])
    AccountabilityRule.objects.create(
        subject_kind="person", measure="overdue", threshold=3, period="month"
    )
    Case.objects.update(assignee=setup.world.handler.person)
    created = {x.subject_kind: x for x in services.evaluate(period=MARCH).created}
    station, person = created["station"], created["person"]
    assert station.person_id == setup.station_leader.person_id
    assert person.person_id == setup.world.handler.person_id
    told = Notification.objects.for_object(station).filter(channel="in_app")
    assert list(told.values_list("recipient_id", flat=True)) == [setup.station_leader.pk]
    assert AuditEvent.objects.for_object(station).filter(action="create").exists()


def test_only_the_warnings_person_acknowledges_it_with_a_note(setup):
    for _ in range(3):
        make(setup.centre, setup.world.grids["a1"])
    warning = services.evaluate(period=MARCH).created[0]
    for other in (setup.world.leader, setup.world.inspector, setup.director):
        with pytest.raises(NotAllowed):
            services.acknowledge(actor=other, warning_id=warning.pk, note="已整改")
    with pytest.raises(ServiceError):
        services.acknowledge(actor=setup.station_leader, warning_id=warning.pk, note="  ")
    warning.refresh_from_db()
    assert warning.acknowledged_at is None
    services.acknowledge(actor=setup.station_leader, warning_id=warning.pk, note="已督促整改")
    warning.refresh_from_db()
    assert warning.acknowledged_by == setup.station_leader
    assert warning.acknowledgement == "已督促整改"
    row = AuditEvent.objects.for_object(warning).get(action="update")
    assert "acknowledgement" in row.changes
    with pytest.raises(ServiceError):
        services.acknowledge(actor=setup.station_leader, warning_id=warning.pk, note="再次")


def test_warnings_for_gives_leaders_all_and_a_person_their_own(setup):
    for _ in range(3):
        make(setup.centre, setup.world.grids["a1"])
    AccountabilityRule.objects.create(
        subject_kind="department", measure="overdue", threshold=3, period="month"
    )
    services.evaluate(period=MARCH)
    start, end = MARCH.date_from, MARCH.date_to
    assert acc.warnings_for(start, end, setup.world.leader).count() == 2
    own = acc.warnings_for(start, end, access_for(setup.station_leader))
    assert [x.subject_kind for x in own] == ["station"]
    assert acc.warnings_for(start, end, setup.world.handler).count() == 0
    april = periods.month(dt.date(2026, 4, 1))
    assert acc.warnings_for(april.date_from, april.date_to, setup.world.leader).count() == 0


# --- the pages ------------------------------------------------------------------------------


def test_a_leader_sees_the_table_and_drills_down_to_the_cases(client, setup):
    w = setup.world
    cases = [make(setup.centre, w.grids["a1"]) for _ in range(2)]
    make(setup.centre, w.grids["b1"], "fine")
    client.force_login(w.leader)
    body = client.get(reverse("dashboards:accountability"), {"period": "2026-03"}).content
    page = body.decode()
    link = f'data-testid="count-station-{w.station_a.pk}-overdue"'
    assert link in page
    response = client.get(
        reverse("dashboards:accountability_cases"),
        {"period": "2026-03", "kind": "station", "id": w.station_a.pk, "measure": "overdue"},
    )
    listed = response.content.decode()
    assert all(c.number in listed for c in cases)
    assert listed.count('data-testid="acc-case"') == 2


def test_a_leader_evaluates_on_demand(client, setup):
    for _ in range(3):
        make(setup.centre, setup.world.grids["a1"])
    client.force_login(setup.world.leader)
    response = client.post(reverse("dashboards:accountability_evaluate"), {"period": "2026-03"})
    assert response.status_code == 302
    assert AccountabilityWarning.objects.count() == 1
    client.post(reverse("dashboards:accountability_evaluate"), {"period": "2026-03"})
    assert AccountabilityWarning.objects.count() == 1


def test_others_may_not_evaluate_and_bad_periods_are_a_message(client, setup):
    for _ in range(3):
        make(setup.centre, setup.world.grids["a1"])
    client.force_login(setup.station_leader)
    url = reverse("dashboards:accountability_evaluate")
    assert client.post(url, {"period": "2026-03"}).status_code == 403
    client.force_login(setup.world.leader)
    response = client.post(url, {"period": "2026"}, follow=True)
    assert "by month or by quarter" in response.content.decode() or "按月" in (
        response.content.decode()
    )
    bad = client.get(reverse("dashboards:accountability"), {"period": "2026-99"})
    assert bad.status_code == 400
    assert AccountabilityWarning.objects.count() == 0


def test_a_person_sees_only_their_own_warnings(client, setup):
    w = setup.world
    for _ in range(3):
        make(setup.centre, w.grids["a1"])
        make(setup.centre, w.grids["b1"])
    leader_b = _user_at("station_leader_b", w.orgs["station_b"], R.RESPONSIBLE_LEADER, "丁责任")
    services.evaluate(period=MARCH)
    client.force_login(setup.station_leader)
    # The table is the leaders': a person lands on their own warnings.
    assert client.get(reverse("dashboards:accountability")).url == reverse("dashboards:warnings")
    page = client.get(reverse("dashboards:warnings")).content.decode()
    assert page.count('data-testid="warning"') == 1
    assert "第一网格工作站" in page and "第二网格工作站" not in page
    assert 'data-testid="acknowledge-form"' in page
    # Station B's counts are not theirs to open.
    response = client.get(
        reverse("dashboards:accountability_cases"),
        {"period": "2026-03", "kind": "station", "id": w.station_b.pk, "measure": "overdue"},
    )
    assert response.status_code == 403
    client.force_login(leader_b)
    page = client.get(reverse("dashboards:warnings")).content.decode()
    assert "第二网格工作站" in page and "第一网格工作站" not in page


def test_a_resident_is_refused(client, setup):
    client.force_login(setup.world.resident)
    assert client.get(reverse("dashboards:warnings")).status_code == 403
    assert client.get(reverse("dashboards:accountability")).status_code == 403


def test_acknowledging_through_the_page(client, setup):
    for _ in range(3):
        make(setup.centre, setup.world.grids["a1"])
    warning = services.evaluate(period=MARCH).created[0]
    url = reverse("dashboards:warning_acknowledge", args=[warning.pk])
    client.force_login(setup.world.leader)
    assert client.post(url, {"note": "代签"}).status_code == 403
    client.force_login(setup.station_leader)
    client.post(url, {"note": ""})
    warning.refresh_from_db()
    assert warning.acknowledged_at is None
    client.post(url, {"note": "已约谈处置部门"})
    warning.refresh_from_db()
    assert warning.acknowledgement == "已约谈处置部门"


def test_the_home_page_reminds_the_person_of_their_open_warnings(client, setup):
    for _ in range(3):
        make(setup.centre, setup.world.grids["a1"])
    warning = services.evaluate(period=MARCH).created[0]
    client.force_login(setup.station_leader)
    body = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="home-warnings"' in body
    client.force_login(setup.world.leader)  # sees every warning, answers for none
    assert 'data-testid="home-warnings"' not in client.get(reverse("core:home")).content.decode()
    services.acknowledge(actor=setup.station_leader, warning_id=warning.pk, note="已整改")
    client.force_login(setup.station_leader)
    assert 'data-testid="home-warnings"' not in client.get(reverse("core:home")).content.decode()


def test_an_administrator_changes_the_rules_in_the_back_office_audited(client, setup):
    client.force_login(setup.world.admin)
    listing = client.get(reverse("admin:dashboards_accountabilityrule_changelist"))
    assert listing.status_code == 200
    response = client.post(
        reverse("admin:dashboards_accountabilityrule_add"),
        {
            "subject_kind": "department",
            "measure": "late",
            "threshold": "2",
            "period": "quarter",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule = AccountabilityRule.objects.get(subject_kind="department", measure="late", threshold=2)
    assert AuditEvent.objects.for_object(rule).filter(action="create").exists()
    # A threshold of 0 would warn everyone: refused.
    bad = client.post(
        reverse("admin:dashboards_accountabilityrule_add"),
        {"subject_kind": "station", "measure": "late", "threshold": "0", "period": "month"},
    )
    assert bad.status_code == 200
    assert not AccountabilityRule.objects.filter(threshold=0).exists()
    # Leaders read the rules on the table's page, not in the back office.
    client.force_login(setup.world.leader)
    assert client.get(reverse("admin:dashboards_accountabilityrule_changelist")).status_code in (
        302,
        403,
    )


def test_the_monthly_report_shows_the_periods_warnings_and_their_acknowledgement(setup):
    from gongzhi.dashboards import report, report_services

    w = setup.world
    for _ in range(3):
        make(setup.centre, w.grids["a1"])
    as_of = dt.datetime(2026, 4, 2, 9, tzinfo=SH)
    scope = report_services.scope_of("subdistrict")

    def section() -> Any:
        data = report.collect(MARCH, scope, as_of)
        return dict((s.key, c) for s, c in report.build(data)).get("accountability")

    assert section() is None  # no warning yet: no section
    warning = services.evaluate(period=MARCH).created[0]
    rows = section().tables[0].rows
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [
        (warning.subject_label, 3, 3, gettext("not yet"))
    ]
    services.acknowledge(actor=setup.station_leader, warning_id=warning.pk, note="已督促整改")
    acknowledged = section().tables[0].rows[0][5]
    assert acknowledged == f"{timezone.localdate():%Y-%m-%d}"
    # April's report has none of March's warnings.
    data = report.collect(periods.month(dt.date(2026, 4, 1)), scope, as_of)
    assert "accountability" not in dict((s.key, c) for s, c in report.build(data))
