"""Meetings: the call and its invitations, replies, attendance, the quorum before a vote, one
vote per voter, delegates, secret ballots, results."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.meetings import services
from gongzhi.meetings.models import Invitation, Meeting, Vote, VoteParticipation, VoteTally

pytestmark = pytest.mark.django_db


def test_calling_invites_the_members_and_the_attending_units(council):
    m = council.meeting()
    services.meeting_call(actor=council.secretary, meeting=m)
    m.refresh_from_db()
    assert m.state == Meeting.State.CALLED
    members = m.invitations.filter(kind="member")
    assert members.count() == 5 and all(i.voting for i in members)
    attending = m.invitations.get(kind="attending")
    assert attending.organisation == council.world.orgs["chengguan"] and not attending.voting
    assert AuditEvent.objects.filter(content_type__model="invitation").count() == 6


def test_only_the_councils_officers_call_a_meeting(council):
    m = council.meeting()
    with pytest.raises(NotAllowed):
        services.meeting_call(actor=council.world.secretary, meeting=m)
    assert m.invitations.count() == 0


def test_members_reply_to_their_own_invitation_only(council):
    w = council.world
    m = council.meeting()
    services.meeting_call(actor=council.secretary, meeting=m)
    mine = m.invitations.get(person=w.secretary.person)
    services.invitation_reply(actor=w.secretary, invitation=mine, reply="accepted")
    mine.refresh_from_db()
    assert mine.reply == "accepted" and mine.replied_at
    other = m.invitations.get(person=w.other_secretary.person)
    with pytest.raises(NotAllowed):
        services.invitation_reply(actor=w.secretary, invitation=other, reply="declined")
    with pytest.raises(ServiceError):
        services.invitation_reply(actor=w.secretary, invitation=mine, reply="maybe")
    # The attending unit's handler replies for the unit.
    unit = m.invitations.get(kind="attending")
    services.invitation_reply(actor=w.handler, invitation=unit, reply="accepted")


def test_the_quorum_is_checked_before_a_vote(council):
    m = council.held(present=("leader", "service_staff"))  # 2 of 5: no quorum
    with pytest.raises(ServiceError) as exc:
        services.vote_open(actor=council.secretary, meeting=m, question="通过议题")
    assert exc.value.code == "no_quorum"
    assert Vote.objects.count() == 0
    # A delegate counts: 3 of 5 is more than half.
    inv = m.invitations.get(person=council.world.secretary.person)
    services.attendance_record(
        actor=council.secretary,
        meeting=m,
        marks={inv.pk: ("delegated", council.world.other_secretary.person)},
    )
    assert services.quorum(m) == (3, 5, True)
    vote = services.vote_open(actor=council.secretary, meeting=m, question="通过议题")
    assert vote.eligible == 3


def test_exactly_half_is_not_a_quorum(council):
    council.body.quorum_percent = 60
    council.body.save()
    m = council.held(present=("leader", "service_staff", "secretary"))  # 3 of 5 = 60 %
    assert services.quorum(m) == (3, 5, False)


def test_a_delegation_needs_a_delegate(council):
    m = council.held()
    inv = m.invitations.get(person=council.world.other_secretary.person)
    with pytest.raises(ServiceError):
        services.attendance_record(
            actor=council.secretary, meeting=m, marks={inv.pk: ("delegated", None)}
        )
    with pytest.raises(ServiceError):
        services.attendance_record(
            actor=council.secretary, meeting=m, marks={inv.pk: ("late", None)}
        )
    inv.refresh_from_db()
    assert inv.attendance == "excused"


def test_one_vote_per_voter(council):
    w = council.world
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="同意开放学校停车场")
    services.vote_cast(actor=w.secretary, vote=vote, choice="yes")
    with pytest.raises(ServiceError) as exc:
        services.vote_cast(actor=w.secretary, vote=vote, choice="no")
    assert exc.value.code == "already_voted"
    assert services.results(vote)["counts"] == {"yes": 1, "no": 0, "abstain": 0}
    # The database itself refuses a second row for the same voter.
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteParticipation.objects.create(vote=vote, person=w.secretary.person)


def test_who_may_vote(council):
    w = council.world
    m = council.held()  # other_secretary excused
    vote = services.vote_open(actor=council.secretary, meeting=m, question="议题")
    with pytest.raises(NotAllowed):
        services.vote_cast(actor=w.other_secretary, vote=vote, choice="yes")  # excused
    with pytest.raises(NotAllowed):
        services.vote_cast(actor=w.handler, vote=vote, choice="yes")  # attending unit: no vote
    with pytest.raises(ServiceError):
        services.vote_cast(actor=w.leader, vote=vote, choice="maybe")
    assert services.results(vote)["cast"] == 0


def test_a_delegate_casts_the_members_vote_once(council):
    w = council.world
    m = council.held()
    inv = m.invitations.get(person=w.other_secretary.person)
    services.attendance_record(
        actor=council.secretary, meeting=m, marks={inv.pk: ("delegated", w.inspector.person)}
    )
    vote = services.vote_open(actor=council.secretary, meeting=m, question="议题")
    services.vote_cast(actor=w.inspector, vote=vote, choice="no")
    assert VoteParticipation.objects.get(vote=vote).person == w.other_secretary.person
    with pytest.raises(ServiceError):
        services.vote_cast(actor=w.inspector, vote=vote, choice="yes")


def test_results_with_turnout_and_the_majority(council):
    w = council.world
    m = council.held()  # 4 present
    vote = services.vote_open(actor=council.secretary, meeting=m, question="议题")
    for user, choice in ((w.leader, "yes"), (w.secretary, "yes"), (w.liaison, "no")):
        services.vote_cast(actor=user, vote=vote, choice=choice)
    vote = services.vote_close(actor=council.secretary, vote=vote)
    r = services.results(vote)
    assert r["cast"] == 3 and r["eligible"] == 4 and r["turnout"] == 75
    assert vote.passed is False  # 2 in favour of 4 present is not more than half
    with pytest.raises(ServiceError):
        services.vote_cast(actor=council.secretary, vote=vote, choice="yes")


def test_a_secret_ballot_cannot_be_traced_back_to_the_voter(world):
    from .conftest import make_council

    council = make_council(world, secret_ballot=True)
    w = council.world
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="评议")
    assert vote.secret
    services.vote_cast(actor=w.leader, vote=vote, choice="no")
    services.vote_cast(actor=w.secretary, vote=vote, choice="yes")
    services.vote_cast(actor=w.liaison, vote=vote, choice="yes")
    # Who voted is known (one vote each) …
    rows = VoteParticipation.objects.filter(vote=vote)
    assert {r.person_id for r in rows} == {
        w.leader.person_id,
        w.secretary.person_id,
        w.liaison.person_id,
    }
    # … but no row holds a voter's choice: the choices are only counts.
    assert set(rows.values_list("choice", flat=True)) == {""}
    assert dict(VoteTally.objects.filter(vote=vote).values_list("choice", "count")) == {
        "yes": 2,
        "no": 1,
        "abstain": 0,
    }
    # The tables themselves have nothing to line the two up with: no time stamps, and the
    # counts are not rows per ballot.
    for model in (VoteParticipation, VoteTally):
        names = {f.name for f in model._meta.fields}
        assert not names & {"created_at", "updated_at", "at", "cast_at"}, model
    assert not {f.name for f in VoteTally._meta.fields} & {"person", "voter"}
    # Nor has the audit trail: it records that they voted, never how.
    for event in AuditEvent.objects.filter(content_type__model="voteparticipation"):
        assert "choice" not in event.changes
        assert "yes" not in str(event.changes) and "no" not in str(event.changes).replace(
            "note", ""
        )


def test_an_open_vote_shows_each_choice(council):
    w = council.world
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="议题")
    services.vote_cast(actor=w.leader, vote=vote, choice="abstain")
    assert VoteParticipation.objects.get(vote=vote).choice == "abstain"


def test_minutes_close_the_meeting(council):
    m = council.held()
    with pytest.raises(ServiceError):
        services.minutes_save(actor=council.secretary, meeting=m, minutes="", close=True)
    vote = services.vote_open(actor=council.secretary, meeting=m, question="议题")
    with pytest.raises(ServiceError):
        services.minutes_save(actor=council.secretary, meeting=m, minutes="纪要", close=True)
    services.vote_close(actor=council.secretary, vote=vote)
    m = services.minutes_save(actor=council.secretary, meeting=m, minutes="会议纪要", close=True)
    assert m.state == Meeting.State.CLOSED and m.closed_at


def test_a_schedule_plans_the_years_meetings_on_working_days(council):
    import datetime as dt

    from gongzhi.meetings.models import Schedule

    s = Schedule.objects.create(body=council.body, frequency="quarterly", day=15, time=dt.time(14))
    made = services.schedule_plan(actor=council.secretary, schedule=s, year=2026)
    assert len(made) == 4
    for m in made:
        assert m.starts_at.date().weekday() < 5
    assert services.schedule_plan(actor=council.secretary, schedule=s, year=2026) == []


def test_papers_are_checked_by_their_content(council):
    from django.core.files.uploadedfile import SimpleUploadedFile

    m = council.meeting()
    pdf = SimpleUploadedFile("议程.pdf", b"%PDF-1.4\n...")
    a = services.attachment_add(actor=council.secretary, meeting=m, upload=pdf)
    assert a.content_type == "application/pdf" and a.name == "议程.pdf"
    assert not a.file.name.endswith("议程.pdf")  # stored under a random name
    for bad in (
        SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>"),
        SimpleUploadedFile("x.exe", b"%PDF-1.4"),
        SimpleUploadedFile("x.pdf", b""),
    ):
        with pytest.raises(ServiceError):
            services.attachment_add(actor=council.secretary, meeting=m, upload=bad)
    assert m.attachments.count() == 1


def test_the_invitation_constraints(council):
    m = council.meeting()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            meeting=m, kind="attending", organisation=council.apg, voting=True
        )
