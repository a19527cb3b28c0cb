"""Reads of the councils' work for pages and the API, narrowed by the permission module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import permissions as perms
from gongzhi.core.roles import access_for

from . import services
from .models import (
    ActionItem,
    Body,
    Invitation,
    Meeting,
    ReceptionDay,
    ReceptionOpinion,
    Topic,
    TrainingAttendance,
    Vote,
)
from .workflow import ACTION_ITEMS, OPEN_STATES


def bodies(user: Any) -> QuerySet[Body]:
    return perms.visible(user, Body.objects.active())


def meetings(user: Any, *, body: Body | None = None) -> QuerySet[Meeting]:
    qs = perms.visible(user, Meeting.objects.active().select_related("body"))
    return qs.filter(body=body) if body is not None else qs


def my_invitations(user: Any, *, upcoming: bool = True) -> QuerySet[Invitation]:
    """The user's own seats (and the seats of the units they hold a position in)."""
    access = access_for(user)
    q = Q(person_id=access.person_id) if access.person_id else Q(pk__in=[])
    if access.org_ids:
        q |= Q(kind=Invitation.Kind.ATTENDING, organisation_id__in=access.org_ids)
    qs = Invitation.objects.filter(q, meeting__archived_at=None).select_related("meeting__body")
    if upcoming:
        qs = qs.filter(
            meeting__state__in=(Meeting.State.PLANNED, Meeting.State.CALLED, Meeting.State.HELD),
            meeting__starts_at__gte=timezone.now() - dt.timedelta(days=1),
        )
    return qs.order_by("meeting__starts_at", "id")


def meeting_for_page(user: Any, pk: int) -> Meeting:
    return perms.get_visible_or_404(user, Meeting.objects.active().select_related("body"), pk=pk)


@dataclass
class Progress:
    """What became of an action item's case or project, read live from their tables."""

    kind: str  # "case" | "project" | ""
    label: str = ""
    state: str = ""
    state_label: str = ""
    percent: int | None = None
    url: str = ""
    done: bool = False


def item_progress(item: ActionItem) -> Progress:
    if item.case_id is not None:
        from gongzhi.cases.models import Case

        case = Case.objects.filter(pk=item.case_id).first()
        if case is not None:
            return Progress(
                "case",
                case.number or str(case.pk),
                case.state,
                case.get_state_display(),
                url=reverse("cases:detail", args=[case.pk]),
                done=case.state in ("handled", "closed", "evaluated"),
            )
    if item.project_id is not None:
        from gongzhi.alliance import selectors as alliance
        from gongzhi.alliance.models import Project

        project = Project.objects.filter(pk=item.project_id).first()
        if project is not None:
            return Progress(
                "project",
                project.title,
                project.state,
                project.get_state_display(),
                percent=alliance.project_progress(project),
                url=reverse("alliance:project", args=[project.pk]),
                done=project.state in ("completed", "evaluated"),
            )
    return Progress("")


def follow_ups(meeting: Meeting) -> list[ActionItem]:
    """The action items of the council's earlier meetings followed at this one: every item not
    done yet, and those done or cancelled since the council's previous meeting began (reported
    once more, as done)."""
    previous = (
        Meeting.objects.active()
        .filter(body_id=meeting.body_id, starts_at__lt=meeting.starts_at)
        .exclude(state=Meeting.State.CANCELLED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    recent = Q(pk__in=[])
    if previous is not None:
        recent = Q(done_at__gte=previous) | Q(
            state=ActionItem.State.CANCELLED, updated_at__gte=previous
        )
    items = list(
        ActionItem.objects.active()
        .filter(meeting__body_id=meeting.body_id, meeting__starts_at__lt=meeting.starts_at)
        .filter(Q(state__in=OPEN_STATES) | recent)
        .select_related("owner", "meeting")
        .order_by("due_on", "id")
    )
    today = timezone.localdate()
    for item in items:
        item.progress = item_progress(item)  # type: ignore[attr-defined]
        item.overdue = item.state in OPEN_STATES and item.due_on < today  # type: ignore[attr-defined]
    return items


@dataclass
class MeetingView:
    meeting: Meeting
    may_manage: bool
    invitations: list[Invitation]
    mine: list[Invitation]
    quorum: tuple[int, int, bool]
    agenda: list[Any]
    follow_ups: list[ActionItem]
    votes: list[tuple[Vote, dict[str, Any], bool]]
    items: list[ActionItem]
    attachments: list[Any]
    seat: Invitation | None
    extra: dict[str, Any] = field(default_factory=dict)


def meeting_view(user: Any, meeting: Meeting) -> MeetingView:
    access = access_for(user)
    invitations = list(
        meeting.invitations.select_related("person", "organisation", "delegate").order_by(
            "kind", "id"
        )
    )
    mine = [
        i
        for i in invitations
        if perms.can(access, "reply", i)
        and (i.person_id == access.person_id or i.organisation_id in access.org_ids)
    ]
    seat = services.voter_seat(meeting, access.person_id)
    votes = []
    for v in meeting.votes.active().order_by("id"):
        voted = seat is not None and v.participations.filter(person_id=seat.person_id).exists()
        votes.append((v, services.results(v), voted))
    items = list(meeting.action_items.active().select_related("owner").order_by("id"))
    for item in items:
        item.progress = item_progress(item)  # type: ignore[attr-defined]
    return MeetingView(
        meeting=meeting,
        may_manage=perms.can(access, "manage", meeting),
        invitations=invitations,
        mine=mine,
        quorum=services.quorum(meeting),
        agenda=list(meeting.agenda.active().select_related("topic")),
        follow_ups=follow_ups(meeting),
        votes=votes,
        items=items,
        attachments=list(meeting.attachments.active()),
        seat=seat,
    )


def action_items(user: Any, *, state: str = "", overdue: bool = False) -> QuerySet[ActionItem]:
    qs = perms.visible(user, ActionItem.objects.active().select_related("meeting__body", "owner"))
    if state:
        qs = qs.filter(state=state)
    if overdue:
        qs = services.overdue_items(timezone.localdate()).filter(pk__in=qs.values("pk"))
    return qs


def item_for_page(user: Any, pk: int) -> ActionItem:
    return perms.get_visible_or_404(
        user, ActionItem.objects.active().select_related("meeting__body", "owner"), pk=pk
    )


def item_actions(user: Any, item: ActionItem) -> list[Any]:
    return ACTION_ITEMS.available(user, item)


def topics(user: Any, *, state: str = "") -> QuerySet[Topic]:
    qs = perms.visible(user, Topic.objects.active().select_related("body"))
    return qs.filter(state=state) if state else qs


def public_topics(subdistrict_id: int | None = None) -> QuerySet[Topic]:
    """Every subdistrict's published outcomes, or one's."""
    qs = Topic.objects.active()
    if subdistrict_id is not None:
        qs = qs.filter(body__subdistrict_id=subdistrict_id)
    return (
        qs.filter(state=Topic.State.PUBLISHED)
        .select_related("body")
        .order_by("-published_at", "-id")
    )


def topic_results(topic: Topic) -> list[dict[str, Any]]:
    return [
        {"vote": v, **services.results(v)}
        for v in topic.votes.active().filter(state=Vote.State.CLOSED).order_by("id")
    ]


def reception_days(user: Any) -> QuerySet[ReceptionDay]:
    return perms.visible(
        user,
        ReceptionDay.objects.active()
        .select_related("deputy", "residential_area")
        .annotate(n=Count("opinions")),
    )


def opinion_outcome(o: ReceptionOpinion) -> dict[str, Any]:
    """What became of a reception opinion: its case (live state) or its topic."""
    if o.case_id is not None:
        from gongzhi.cases.models import Case

        case = Case.objects.filter(pk=o.case_id).first()
        if case is not None:
            return {
                "kind": "case",
                "label": case.number,
                "state": case.get_state_display(),
                "tracking": case.tracking_code,
            }
    if o.topic_id is not None and o.topic is not None:
        return {"kind": "topic", "label": o.topic.title, "state": o.topic.get_state_display()}
    return {"kind": ""}


def worker_record(person_id: int) -> tuple[list[TrainingAttendance], Decimal]:
    rows = list(
        TrainingAttendance.objects.active()
        .filter(person_id=person_id)
        .select_related("session__course")
        .order_by("-session__held_on")
    )
    return rows, sum((r.session.hours for r in rows), Decimal(0))


def hours_by_area(user: Any, year: int) -> list[dict[str, Any]]:
    """Training hours by residential area (of the workers at the time) in a year."""
    qs = perms.visible(user, TrainingAttendance.objects.active()).filter(
        session__held_on__year=year
    )
    return list(
        qs.values("residential_area_id", "residential_area__name")
        .annotate(hours=Sum("session__hours"), people=Count("person", distinct=True))
        .order_by("residential_area__name")
    )
