"""Who sees and changes what in the councils' work.

A council's papers (its meetings, their agenda, invitations, attendance, votes, minutes and
attachments, and the action items decided) are seen by its members, by the people and units
invited to a meeting (an attending unit's staff see that meeting), by the owners of its action
items, and by leaders, auditors and administrators — and by every staff member where the
council's rules say so (`Body.papers`). The council's chair and secretary manage its meetings;
leaders and administrators manage every council. Consultation topics are seen by every signed-in
person once open; residents see their own proposals and opinions. Reception days are seen by
staff and by the deputy who held them; training records by the training's staff and leaders,
and by each worker for themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core.permissions import SHARED, Policy, register
from gongzhi.core.roles import Access, Role
from gongzhi.workflow import TablePolicy

from .models import (
    ActionItem,
    ActionItemEvent,
    AgendaItem,
    Attachment,
    Body,
    BodyMember,
    Course,
    Invitation,
    Meeting,
    Opinion,
    ReceptionDay,
    ReceptionOpinion,
    Schedule,
    Topic,
    TrainingAttendance,
    TrainingSession,
    Vote,
    VoteParticipation,
    VoteTally,
)
from .workflow import ACTION_ITEMS, body_ids, officer_body_ids

BOARD = (Role.LEADER, Role.ADMIN)
READERS = (Role.LEADER, Role.ADMIN, Role.AUDITOR)
TRAINING_STAFF = (Role.SERVICE_STAFF, Role.LEADER, Role.ADMIN)
RECEPTION_STAFF = (Role.AREA, Role.SERVICE_STAFF, Role.LEADER, Role.ADMIN)
TAKE_UP = (Role.OPERATOR, Role.DUTY_CHIEF, Role.SERVICE_STAFF, Role.LEADER, Role.ADMIN)


def member_body_ids(access: Access) -> set[int]:
    return body_ids(access, "meetings_member_of")


def meetings_q(access: Access, prefix: str = "") -> Q:
    """The meetings whose papers this user may see (as a filter on `prefix` + meeting fields)."""
    q = Q(**{f"{prefix}body_id__in": member_body_ids(access) | officer_body_ids(access)})
    if access.is_staff_member:
        q |= Q(**{f"{prefix}body__papers": Body.Papers.STAFF})
    if access.person_id:
        q |= Q(**{f"{prefix}invitations__person_id": access.person_id})
        q |= Q(**{f"{prefix}invitations__delegate_id": access.person_id})
        q |= Q(**{f"{prefix}action_items__owner_id": access.person_id})
    if access.org_ids:
        q |= Q(
            **{
                f"{prefix}invitations__organisation_id__in": access.org_ids,
                f"{prefix}invitations__kind": Invitation.Kind.ATTENDING,
            }
        )
    return q


class _BySubdistrict(Policy):
    """Rows of a subdistrict's council (`subdistrict_path`; a council of no subdistrict is the
    district's, seen by all); a person's own rows (`own_user` or `own_person` is them) wherever
    they are (Policy.subdistrict_q)."""


class _StaffOrOwn(_BySubdistrict):
    """Staff see every row; anyone else their own (`own_user` or `own_person`)."""

    def sees_every_row(self, access: Access) -> bool:
        return access.is_staff_member

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if self.sees_every_row(access):
            return qs
        if self.own_user and access.user_id is not None:
            return qs.filter(**{self.own_user: access.user_id})
        if self.own_person and access.person_id:
            return qs.filter(**{self.own_person: access.person_id})
        return qs.none()


def sees_all(access: Access) -> bool:
    return access.has(*READERS)


def manages(access: Access, body_id: int | None, subdistrict_id: int | None = None) -> bool:
    """The council's officers; leaders and administrators of its subdistrict (`subdistrict_id`;
    a council of none is the district's)."""
    if body_id in officer_body_ids(access):
        return True
    return access.has(*BOARD) and access.in_subdistrict(subdistrict_id)


@register(Body)
class BodyPolicy(_BySubdistrict):
    subdistrict_path = "subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.is_staff_member:
            return qs
        return qs.filter(pk__in=member_body_ids(access))

    def can_create(self, access: Access, obj: Any) -> bool:
        return access.has(*BOARD)

    def can_manage(self, access: Access, obj: Any) -> bool:
        return manages(access, obj.pk, obj.subdistrict_id)

    can_change = can_manage


@register(BodyMember)
class BodyMemberPolicy(_BySubdistrict):
    subdistrict_path = "body__subdistrict"
    own_person = "person_id"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.is_staff_member:
            return qs
        return qs.filter(body_id__in=member_body_ids(access))


@register(Schedule)
class SchedulePolicy(BodyMemberPolicy):
    own_person = ""


@register(Meeting)
class MeetingPolicy(_BySubdistrict):
    subdistrict_path = "body__subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if sees_all(access):
            return qs
        if access.user_id is None:
            return qs.none()
        ids = qs.filter(meetings_q(access)).values("pk")
        return qs.filter(pk__in=ids)

    def can_manage(self, access: Access, obj: Any) -> bool:
        return manages(access, obj.body_id, obj.body.subdistrict_id)


class _MeetingRowPolicy(_BySubdistrict):
    prefix = "meeting__"
    subdistrict_path = "meeting__body__subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if sees_all(access):
            return qs
        if access.user_id is None:
            return qs.none()
        visible = Meeting.objects.filter(meetings_q(access)).values("pk")
        return qs.filter(**{f"{self.prefix}in": visible})


@register(Invitation)
class InvitationPolicy(_MeetingRowPolicy):
    def can_reply(self, access: Access, obj: Invitation) -> bool:
        if access.person_id is not None and obj.person_id == access.person_id:
            return True
        if obj.kind == Invitation.Kind.ATTENDING and obj.organisation_id in access.org_ids:
            return True
        return manages(access, obj.meeting.body_id, obj.meeting.body.subdistrict_id)


@register(AgendaItem)
class AgendaPolicy(_MeetingRowPolicy):
    pass


@register(Attachment)
class AttachmentPolicy(_MeetingRowPolicy):
    pass


@register(Vote)
class VotePolicy(_MeetingRowPolicy):
    pass


@register(VoteParticipation)
class VoteParticipationPolicy(_MeetingRowPolicy):
    prefix = "vote__meeting__"
    subdistrict_path = "vote__meeting__body__subdistrict"


@register(VoteTally)
class VoteTallyPolicy(VoteParticipationPolicy):
    pass


@register(ActionItem)
class ActionItemPolicy(TablePolicy, _MeetingRowPolicy):
    table = ACTION_ITEMS
    own_person = "owner_id"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if sees_all(access):
            return qs
        visible = super().scope(access, qs)
        if access.person_id:
            return qs.filter(Q(pk__in=visible.values("pk")) | Q(owner_id=access.person_id))
        return visible


@register(ActionItemEvent)
class ActionItemEventPolicy(_BySubdistrict):
    subdistrict_path = "item__meeting__body__subdistrict"
    own_person = "item__owner_id"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        items = ActionItemPolicy().scope(access, ActionItem.objects.all())
        return qs.filter(item_id__in=items.values("pk"))


@register(Topic)
class TopicPolicy(_BySubdistrict):
    subdistrict_path = "body__subdistrict"
    own_user = "proposed_by_id"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.is_staff_member:
            return qs
        if access.user_id is None:
            return qs.filter(state=Topic.State.PUBLISHED)
        return qs.filter(
            Q(state__in=(Topic.State.CONSULTING, Topic.State.DECIDED, Topic.State.PUBLISHED))
            | Q(proposed_by_id=access.user_id)
        )

    def can_manage(self, access: Access, obj: Any) -> bool:
        return manages(access, obj.body_id, obj.body.subdistrict_id)


@register(Opinion)
class OpinionPolicy(_StaffOrOwn):
    subdistrict_path = "topic__body__subdistrict"
    own_user = "author_id"


@register(ReceptionDay)
class ReceptionDayPolicy(_StaffOrOwn):
    """A reception day is held in a residential area's subdistrict (without an area: the
    district's, seen by all)."""

    subdistrict_path = "residential_area__subdistrict"
    own_person = "deputy_id"

    def can_create(self, access: Access, obj: Any) -> bool:
        return access.has(*RECEPTION_STAFF)

    def can_record(self, access: Access, obj: ReceptionDay) -> bool:
        return access.has(*RECEPTION_STAFF) or (
            access.person_id is not None and obj.deputy_id == access.person_id
        )


@register(ReceptionOpinion)
class ReceptionOpinionPolicy(_StaffOrOwn):
    subdistrict_path = "day__residential_area__subdistrict"
    own_person = "day__deputy_id"

    def can_take_up(self, access: Access, obj: Any) -> bool:
        return access.has(*TAKE_UP)

    can_reveal = can_take_up


@register(Course)
class CoursePolicy(_BySubdistrict):
    subdistrict_path = SHARED  # training courses and sessions are the district's

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if access.is_staff_member else qs.none()

    def can_create(self, access: Access, obj: Any) -> bool:
        return access.has(*TRAINING_STAFF)


@register(TrainingSession)
class TrainingSessionPolicy(CoursePolicy):
    pass


@register(TrainingAttendance)
class TrainingAttendancePolicy(_StaffOrOwn):
    subdistrict_path = "residential_area__subdistrict"
    own_person = "person_id"

    def sees_every_row(self, access: Access) -> bool:
        return access.has(*TRAINING_STAFF, Role.AUDITOR)
