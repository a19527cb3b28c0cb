"""A project's life cycle through the action table: who may take which action, refusals that
leave nothing behind, lost races, events and the audit trail."""

from __future__ import annotations

import pytest

from gongzhi.alliance import services
from gongzhi.alliance.models import Need, Project, ProjectEvent
from gongzhi.alliance.tests.factories import NeedFactory, ResourceFactory
from gongzhi.audit.models import AuditEvent
from gongzhi.core import events
from gongzhi.core.errors import ConflictError, NotAllowed, ServiceError

S = Project.State
pytestmark = pytest.mark.django_db


def _propose(world, **kw):
    defaults = dict(
        actor=world.liaison,
        title="错时停车",
        parties=[(world.orgs["school"], "provider"), (world.orgs["branch_a"], "beneficiary")],
        residential_area=world.area_a,
        milestones=[("签协议", None), ("开放停车", None)],
    )
    defaults.update(kw)
    return services.project_propose(**defaults)


def test_full_life_cycle_publishes_events_and_audits(world):
    heard = []

    def listen(e):
        heard.append(e.name)

    events.subscribe("project.*")(listen)
    try:
        _life_cycle(world)
    finally:
        events.unsubscribe(listen)
    for name in (
        "project.proposed",
        "project.agreed",
        "project.started",
        "project.completed",
        "project.evaluated",
    ):
        assert name in heard


def _life_cycle(world):
    p = _propose(world)
    assert p.state == S.PROPOSED and p.parties.count() == 2 and p.milestones.count() == 2
    services.project_act(actor=world.secretary, project=p, action="agree")
    services.project_act(actor=world.liaison, project=p, action="start")
    m = p.milestones.first()
    services.project_act(
        actor=world.liaison,
        project=p,
        action="progress",
        params={"milestone": m.pk, "progress": 60},
    )
    m.refresh_from_db()
    assert m.progress == 60
    services.project_act(
        actor=world.liaison,
        project=p,
        action="complete",
        params={"outcome": "每晚开放40个车位", "beneficiary_count": 120},
    )
    services.project_act(actor=world.secretary, project=p, action="evaluate", note="居民满意")
    p.refresh_from_db()
    assert p.state == S.EVALUATED
    assert p.outcome == "每晚开放40个车位" and p.beneficiary_count == 120
    assert p.agreed_at and p.started_at and p.completed_at and p.evaluated_at
    assert list(ProjectEvent.objects.filter(project=p).values_list("action", flat=True)) == [
        "propose",
        "agree",
        "start",
        "progress",
        "complete",
        "evaluate",
    ]
    assert AuditEvent.objects.filter(object_id=str(p.pk)).count() >= 6


def test_liaison_of_another_unit_may_not_act(world):
    p = _propose(world, actor=world.leader, parties=[(world.orgs["chengguan"], "provider")])
    with pytest.raises(NotAllowed):
        services.project_act(actor=world.liaison, project=p, action="agree")
    p.refresh_from_db()
    assert p.state == S.PROPOSED and p.events.count() == 1


def test_other_area_secretary_and_resident_are_refused(world):
    p = _propose(world)
    for user in (world.other_secretary, world.resident_a, world.handler):
        with pytest.raises(NotAllowed):
            services.project_act(actor=user, project=p, action="agree")


def test_liaison_may_not_propose_for_other_units(world):
    with pytest.raises(NotAllowed):
        _propose(world, parties=[(world.orgs["chengguan"], "provider")], residential_area=None)
    assert not Project.objects.exists()


def test_cancel_needs_a_reason_and_nothing_changes_without(world):
    p = _propose(world)
    with pytest.raises(ServiceError):
        services.project_act(actor=world.liaison, project=p, action="cancel")
    p.refresh_from_db()
    assert p.state == S.PROPOSED
    services.project_act(actor=world.liaison, project=p, action="cancel", note="场地改建")
    p.refresh_from_db()
    assert p.state == S.CANCELLED and p.cancel_reason == "场地改建"
    with pytest.raises(ServiceError):
        services.project_act(actor=world.liaison, project=p, action="start")


def test_complete_needs_an_outcome(world):
    p = _propose(world)
    services.project_act(actor=world.leader, project=p, action="agree")
    services.project_act(actor=world.leader, project=p, action="start")
    with pytest.raises(ServiceError):
        services.project_act(
            actor=world.leader, project=p, action="complete", params={"outcome": " "}
        )
    p.refresh_from_db()
    assert p.state == S.IN_PROGRESS


def test_progress_refuses_a_milestone_of_another_project(world):
    p = _propose(world)
    other = _propose(world, title="另一个")
    services.project_act(actor=world.leader, project=p, action="agree")
    services.project_act(actor=world.leader, project=p, action="start")
    foreign = other.milestones.first()
    with pytest.raises(ServiceError):
        services.project_act(
            actor=world.leader,
            project=p,
            action="progress",
            params={"milestone": foreign.pk, "progress": 50},
        )
    with pytest.raises(ServiceError):
        services.project_act(
            actor=world.leader,
            project=p,
            action="progress",
            params={"milestone": p.milestones.first().pk, "progress": 150},
        )
    foreign.refresh_from_db()
    assert foreign.progress == 0


def test_lost_race_names_who_got_there_first(world):
    p = _propose(world)
    stale = Project.objects.get(pk=p.pk)
    services.project_act(actor=world.secretary, project=p, action="agree")
    with pytest.raises(ConflictError) as exc:
        services.project_act(
            actor=world.liaison, project=stale, action="agree", expected_state=S.PROPOSED
        )
    assert "刘书记" in str(exc.value.message) or "secretary" in str(exc.value.message)
    assert p.events.filter(action="agree").count() == 1


def test_self_governance_project_belongs_to_its_area(world):
    with pytest.raises(ServiceError):
        services.project_propose(
            actor=world.other_secretary, title="杏杨绿益", kind="self_governance"
        )
    p = services.project_propose(
        actor=world.other_secretary,
        title="杏杨绿益",
        kind="self_governance",
        owner_area=world.area_b,
    )
    assert p.residential_area == world.area_b
    services.project_act(actor=world.other_secretary, project=p, action="agree")
    with pytest.raises(NotAllowed):
        services.project_act(actor=world.secretary, project=p, action="start")


def test_match_confirm_proposes_a_project_and_marks_the_need(world):
    r = ResourceFactory(owner=world.orgs["school"], kind="parking", title="学校停车场")
    n = NeedFactory(category="parking", residential_area=world.area_a, title="夜间停车难")
    p = services.match_confirm(actor=world.secretary, need=n, resource=r)
    assert p.state == S.PROPOSED and p.need == n and p.resource == r
    assert {x.organisation for x in p.parties.all()} == {
        world.orgs["school"],
        world.orgs["branch_a"],
    }
    n.refresh_from_db()
    assert n.state == Need.State.MATCHED
    with pytest.raises(ServiceError):
        services.match_confirm(actor=world.secretary, need=n, resource=r)
    # Cancelled, the need is open again for another match.
    services.project_act(actor=world.secretary, project=p, action="cancel", note="学校改建")
    n.refresh_from_db()
    assert n.state == Need.State.OPEN
    with pytest.raises(NotAllowed):
        services.match_confirm(
            actor=world.other_secretary, need=n, resource=ResourceFactory(kind="parking")
        )


def test_resident_rates_a_completed_project_of_their_area_once(world):
    p = _propose(world)
    with pytest.raises(NotAllowed):
        services.project_rate(actor=world.resident_a, project=p, score=5)
    for a in ("agree", "start"):
        services.project_act(actor=world.leader, project=p, action=a)
    services.project_act(actor=world.leader, project=p, action="complete", params={"outcome": "好"})
    services.project_rate(actor=world.resident_a, project=p, score=5, comment="方便")
    with pytest.raises(ServiceError):
        services.project_rate(actor=world.resident_a, project=p, score=4)
    with pytest.raises(NotAllowed):
        services.project_rate(actor=world.resident, project=p, score=1)
    assert p.evaluations.count() == 1


def test_two_people_acting_on_the_same_page_one_wins(world):
    """Both opened the proposed project; one agrees, the other cancels from the stale page:
    the second is refused with who got there first, and nothing of theirs is written."""
    p = _propose(world)
    seen_by_liaison = Project.objects.get(pk=p.pk)
    seen_by_secretary = Project.objects.get(pk=p.pk)
    services.project_act(actor=world.secretary, project=seen_by_secretary, action="agree")
    with pytest.raises(ConflictError):
        services.project_act(
            actor=world.liaison,
            project=seen_by_liaison,
            action="cancel",
            note="不需要了",
            expected_state=seen_by_liaison.state,  # what the page showed (its hidden field)
        )
    p.refresh_from_db()
    assert p.state == S.AGREED and p.cancel_reason == "" and p.version == 1
    assert list(p.events.values_list("action", flat=True)) == ["propose", "agree"]


def test_concurrent_updates_lose_on_the_version(world):
    """The conditional UPDATE: a row changed behind the service's back (same state, new
    version) makes the action a lost race, not a silent overwrite."""
    from gongzhi.alliance.workflow import PROJECTS

    p = _propose(world)
    Project.objects.filter(pk=p.pk).update(version=5)
    stale = Project.objects.get(pk=p.pk)
    stale.version = 4
    with pytest.raises(ConflictError):
        PROJECTS._save(stale, {"state": None}, S.PROPOSED)
    p.refresh_from_db()
    assert p.version == 5
