from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.meetings import services
from gongzhi.meetings.models import Body, BodyMember, Invitation, Meeting
from gongzhi.org.models import Organisation, OrgRelation
from gongzhi.org.tests.factories import OrganisationFactory


@dataclass
class Council:
    world: Any
    body: Body
    apg: Organisation

    @property
    def secretary(self) -> Any:  # the council's secretary (not a leader: an officer by seat)
        return self.world.service_staff

    def meeting(self, *, days: int = 7, title: str = "季度联席会议") -> Meeting:
        start = timezone.now() + dt.timedelta(days=days)
        return services.meeting_create(
            actor=self.secretary,
            body=self.body,
            title=title,
            starts_at=start,
            place="党建服务中心",
            agenda=["通报上季度工作"],
        )

    def held(
        self,
        *,
        present: tuple[str, ...] = ("leader", "service_staff", "secretary", "liaison"),
        days: int = 0,
        **kw: Any,
    ) -> Meeting:
        m = self.meeting(days=days, **kw)
        services.meeting_call(actor=self.secretary, meeting=m)
        marks = {}
        for inv in m.invitations.filter(kind=Invitation.Kind.MEMBER):
            user = next(u for u in self.world.users.values() if u.person_id == inv.person_id)
            mark = "present" if user.username in present else "excused"
            marks[inv.pk] = (mark, None)
        services.attendance_record(actor=self.secretary, meeting=m, marks=marks)
        m.refresh_from_db()
        return m


def make_council(world: Any, **body: Any) -> Council:
    apg = OrganisationFactory(name="行政组织党组", kind=Organisation.Kind.ADMIN_PARTY_GROUP)
    OrgRelation.objects.create(
        source=world.orgs["chengguan"], kind=OrgRelation.Kind.ATTENDS, target=apg
    )
    b = Body.objects.create(
        name="筑梦曹杨联席会议",
        kind=Body.Kind.ALLIANCE_COUNCIL,
        organisation=apg,
        quorum_percent=50,
        **body,
    )
    R = BodyMember.Role
    BodyMember.objects.create(body=b, person=world.leader.person, role=R.CHAIR)
    BodyMember.objects.create(body=b, person=world.service_staff.person, role=R.SECRETARY)
    BodyMember.objects.create(body=b, person=world.secretary.person)
    BodyMember.objects.create(body=b, person=world.other_secretary.person)
    BodyMember.objects.create(
        body=b, person=world.liaison.person, organisation=world.orgs["school"]
    )
    return Council(world, b, apg)


@pytest.fixture
def council(world) -> Council:
    return make_council(world)
