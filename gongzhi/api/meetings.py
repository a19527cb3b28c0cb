"""Meetings, action items, consultation topics and votes (gongzhi.meetings): the meetings a user
may see (with invitations, the quorum, votes and the action items followed), the reply to an
invitation, a ballot, action items with one endpoint per action of their table, topics and
opinions. Thin: permissions through gongzhi.core.permissions, reads through
gongzhi.meetings.selectors, writes through gongzhi.meetings.services (as the pages do)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.meetings import selectors, services
from gongzhi.meetings.models import ActionItem, Body, Meeting, Topic, Vote
from gongzhi.meetings.workflow import ACTION_ITEMS
from gongzhi.workflow import Action

from . import schemas as s
from .actions import action_routes, payload_params, state_conflicts
from .errors import ApiError, ErrorOut
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, page

router = Router(tags=["meetings"])

READ_ERRORS: dict[Any, Any] = {frozenset({401, 403, 404, 422, 429}): ErrorOut}
WRITE_ERRORS: dict[Any, Any] = {frozenset({400, 401, 403, 404, 409, 422, 429}): ErrorOut}

if TYPE_CHECKING:
    ItemStateT = str
    TopicStateT = str
else:
    ItemStateT = Literal[tuple(ActionItem.State.values)]
    TopicStateT = Literal[tuple(Topic.State.values)]


# --- outputs ----------------------------------------------------------------------------------------


class ProgressOut(Schema):
    kind: str = Field(..., description="`case`, `project` or empty: what carries the item out.")
    label: str
    state: str
    state_label: str
    percent: int | None
    done: bool


class ItemOut(Schema):
    id: int
    title: str
    description: str
    meeting_id: int
    body: s.Ref
    owner: s.Ref
    due_on: dt.date
    working_days: int
    state: str
    state_label: str
    outcome: str
    overdue: bool
    case_id: int | None
    project_id: int | None
    progress: ProgressOut


class ItemPage(s.PageMeta):
    items: list[ItemOut]


class InvitationOut(Schema):
    id: int
    kind: str
    person: s.Ref | None
    organisation: s.Ref | None
    voting: bool
    reply: str
    attendance: str


class VoteOut(Schema):
    id: int
    question: str
    secret: bool
    state: str
    topic_id: int | None
    counts: dict[str, int]
    cast: int
    eligible: int
    turnout: int
    passed: bool | None


class MeetingOut(Schema):
    id: int
    title: str
    body: s.Ref
    starts_at: dt.datetime
    place: str
    state: str
    state_label: str


class MeetingDetailOut(MeetingOut):
    minutes: str
    quorum_present: int
    quorum_seats: int
    quorum_met: bool
    agenda: list[str]
    invitations: list[InvitationOut]
    votes: list[VoteOut]
    action_items: list[ItemOut]
    follow_ups: list[ItemOut]


class MeetingPage(s.PageMeta):
    items: list[MeetingOut]


class TopicOut(Schema):
    id: int
    body: s.Ref
    title: str
    description: str
    proposer_kind: str
    proposer_name: str
    state: str
    state_label: str
    outcome: str
    opinions: int


class TopicPage(s.PageMeta):
    items: list[TopicOut]


class OpinionOut(Schema):
    id: int
    topic_id: int
    text: str
    source: str


def _item(item: ActionItem) -> dict[str, Any]:
    from django.utils import timezone

    p = selectors.item_progress(item)
    return {
        "id": item.pk,
        "title": item.title,
        "description": item.description,
        "meeting_id": item.meeting_id,
        "body": s.ref(item.meeting.body),
        "owner": s.ref(item.owner),
        "due_on": item.due_on,
        "working_days": item.working_days,
        "state": item.state,
        "state_label": item.get_state_display(),
        "outcome": item.outcome,
        "overdue": item.state in ("open", "in_progress") and item.due_on < timezone.localdate(),
        "case_id": item.case_id,
        "project_id": item.project_id,
        "progress": {
            "kind": p.kind,
            "label": p.label,
            "state": p.state,
            "state_label": p.state_label,
            "percent": p.percent,
            "done": p.done,
        },
    }


def _vote(v: Vote) -> dict[str, Any]:
    r = services.results(v)
    return {
        "id": v.pk,
        "question": v.question,
        "secret": v.secret,
        "state": v.state,
        "topic_id": v.topic_id,
        **{k: r[k] for k in ("counts", "cast", "eligible", "turnout", "passed")},
    }


def _meeting(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "title": m.title,
        "body": s.ref(m.body),
        "starts_at": s.local(m.starts_at),
        "place": m.place,
        "state": m.state,
        "state_label": m.get_state_display(),
    }


def _meeting_detail(user: Any, m: Meeting) -> dict[str, Any]:
    v = selectors.meeting_view(user, m)
    present, seats, met = v.quorum
    return {
        **_meeting(m),
        "minutes": m.minutes,
        "quorum_present": present,
        "quorum_seats": seats,
        "quorum_met": met,
        "agenda": [a.title for a in v.agenda],
        "invitations": [
            {
                "id": i.pk,
                "kind": i.kind,
                "person": s.ref(i.person),
                "organisation": s.ref(i.organisation),
                "voting": i.voting,
                "reply": i.reply,
                "attendance": i.attendance,
            }
            for i in v.invitations
        ],
        "votes": [_vote(vote) for vote, _r, _voted in v.votes],
        "action_items": [_item(i) for i in v.items],
        "follow_ups": [_item(i) for i in v.follow_ups],
    }


def _topic(t: Topic) -> dict[str, Any]:
    return {
        "id": t.pk,
        "body": s.ref(t.body),
        "title": t.title,
        "description": t.description,
        "proposer_kind": t.proposer_kind,
        "proposer_name": t.proposer_name,
        "state": t.state,
        "state_label": t.get_state_display(),
        "outcome": t.outcome,
        "opinions": t.opinions.active().count(),
    }


# --- reads ------------------------------------------------------------------------------------------


class Paging(s.InputSchema):
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class MeetingFilters(Paging):
    body: int | None = Field(None, ge=1, le=s.MAX_ID)


class ItemFilters(Paging):
    state: ItemStateT | None = None
    mine: bool = False
    overdue: bool = False


class TopicFilters(Paging):
    state: TopicStateT | None = None


MeetingId = Path(..., ge=1, le=s.MAX_ID, description="The meeting's id.")
ItemId = Path(..., ge=1, le=s.MAX_ID, description="The action item's id.")
VoteId = Path(..., ge=1, le=s.MAX_ID, description="The vote's id.")
TopicId = Path(..., ge=1, le=s.MAX_ID, description="The topic's id.")


@router.get("/meetings", response={200: MeetingPage, **READ_ERRORS}, url_name="meeting_list")
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]) -> Any:
    """The meetings whose papers you may see (members, invitees, the council's rules), latest
    first."""
    user = request.auth  # type: ignore[attr-defined]
    qs = selectors.meetings(user)
    if filters.body is not None:
        qs = qs.filter(body_id=filters.body)
    return page(qs, ("-starts_at", "-id"), filters, _meeting)


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingDetailOut, **READ_ERRORS},
    url_name="meeting_detail",
)
def meeting_detail(request: HttpRequest, meeting_id: int = MeetingId) -> Any:
    """One meeting: agenda, invitations and attendance, the quorum, votes with results, the
    action items decided and those followed from earlier meetings with their progress."""
    user = request.auth  # type: ignore[attr-defined]
    return _meeting_detail(user, selectors.meeting_for_page(user, meeting_id))


class RsvpIn(s.InputSchema):
    reply: Literal["accepted", "declined"]


@router.post(
    "/meetings/{meeting_id}/rsvp",
    response={200: InvitationOut, **WRITE_ERRORS},
    url_name="meeting_rsvp",
)
def meeting_rsvp(request: HttpRequest, payload: RsvpIn, meeting_id: int = MeetingId) -> Any:
    """Confirm or decline your invitation (or your unit's, as an attending unit's staff)."""
    from gongzhi.core.roles import access_for

    user = request.auth  # type: ignore[attr-defined]
    m = selectors.meeting_for_page(user, meeting_id)
    access = access_for(user)
    inv = (
        m.invitations.filter(person_id=access.person_id).first() if access.person_id else None
    ) or m.invitations.filter(kind="attending", organisation_id__in=access.org_ids).first()
    if inv is None:
        raise NotAllowed(_("You are not invited to this meeting."))
    inv = services.invitation_reply(actor=user, invitation=inv, reply=payload.reply)
    return {
        "id": inv.pk,
        "kind": inv.kind,
        "person": s.ref(inv.person),
        "organisation": s.ref(inv.organisation),
        "voting": inv.voting,
        "reply": inv.reply,
        "attendance": inv.attendance,
    }


class BallotIn(s.InputSchema):
    choice: Literal["yes", "no", "abstain"]


@router.post(
    "/votes/{vote_id}/ballot", response={200: VoteOut, **WRITE_ERRORS}, url_name="vote_ballot"
)
def vote_ballot(request: HttpRequest, payload: BallotIn, vote_id: int = VoteId) -> Any:
    """Cast your ballot (or the one of the member whose delegate you are): once; 409 if your
    seat has voted already."""
    user = request.auth  # type: ignore[attr-defined]
    v = perms.get_visible_or_404(user, Vote.objects.active(), pk=vote_id)
    try:
        services.vote_cast(actor=user, vote=v, choice=payload.choice)
    except ServiceError as exc:
        if exc.code == "already_voted":
            raise ApiError(409, "already_voted", exc.message) from exc
        raise
    return _vote(Vote.objects.get(pk=v.pk))


@router.get("/action-items", response={200: ItemPage, **READ_ERRORS}, url_name="action_item_list")
def action_item_list(request: HttpRequest, filters: Query[ItemFilters]) -> Any:
    """The action items you may see, by deadline, each with the live progress of its case or
    project."""
    from gongzhi.core.roles import access_for

    user = request.auth  # type: ignore[attr-defined]
    qs = selectors.action_items(user, state=filters.state or "", overdue=filters.overdue)
    if filters.mine:
        qs = qs.filter(owner_id=access_for(user).person_id)
    return page(qs, ("due_on", "id"), filters, _item)


@router.get(
    "/action-items/{item_id}", response={200: ItemOut, **READ_ERRORS}, url_name="action_item_detail"
)
def action_item_detail(request: HttpRequest, item_id: int = ItemId) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return _item(selectors.item_for_page(user, item_id))


class ItemSeen(s.InputSchema):
    expected_state: ItemStateT | None = Field(
        None, description="The state you saw: if someone changed the item since, 409 names it."
    )


def _take_action(request: HttpRequest, a: Action, payload: Any, item_id: int) -> Any:
    """As the page does: 404 out of scope, 403 not allowed, 409 a lost race or a state the
    action does not start from, 422 bad input."""
    user = request.auth  # type: ignore[attr-defined]
    item = selectors.item_for_page(user, item_id)
    if not perms.can(user, a.name, item):
        raise NotAllowed(
            _("You are not allowed to “%(action)s” on this action item.") % {"action": a.label}
        )
    note, params = payload_params(a, payload)
    with state_conflicts(a, ActionItem, item.pk):
        services.action_item_act(
            actor=user,
            item=item,
            action=a.name,
            note=note,
            params=params,
            expected_state=payload.expected_state,
        )
    return _item(selectors.item_for_page(user, item_id))


action_routes(
    router,
    ACTION_ITEMS,
    path="/action-items/{item_id}",
    path_param=("item_id", ItemId),
    handle=_take_action,
    response={200: ItemOut, **WRITE_ERRORS},
    module=__name__,
    base=ItemSeen,
)


@router.get("/topics", response={200: TopicPage, **READ_ERRORS}, url_name="topic_list")
def topic_list(request: HttpRequest, filters: Query[TopicFilters]) -> Any:
    """Consultation topics (议题): residents see those open or decided and their own."""
    user = request.auth  # type: ignore[attr-defined]
    qs = selectors.topics(user, state=filters.state or "")
    return page(qs, ("-created_at", "-id"), filters, _topic)


class TopicIn(s.InputSchema):
    body: int = Field(..., ge=1, le=s.MAX_ID, description="The council the topic is put to.")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    proposer_kind: Literal["resident", "unit", "deputy", "staff", ""] = ""
    proposer_name: str = Field("", max_length=120)


@router.post("/topics", response={201: TopicOut, **WRITE_ERRORS}, url_name="topic_create")
def topic_create(request: HttpRequest, payload: TopicIn) -> Any:
    """Propose a topic (residents and units for themselves; the council's officers for anyone)."""
    user = request.auth  # type: ignore[attr-defined]
    body = Body.objects.active().filter(pk=payload.body).first()
    if body is None:
        raise ApiError(422, "invalid", _("Unknown council."), [("body", _("Unknown council."))])
    t = services.topic_propose(actor=user, **{**payload.model_dump(), "body": body})
    return 201, _topic(t)


class OpinionIn(s.InputSchema):
    text: str = Field(..., min_length=1, max_length=4000)
    source: Literal["online", "paper"] = "online"
    author_name: str = Field("", max_length=60, description="The name on a paper form.")


@router.post(
    "/topics/{topic_id}/opinions",
    response={201: OpinionOut, **WRITE_ERRORS},
    url_name="topic_opinion",
)
def topic_opinion(request: HttpRequest, payload: OpinionIn, topic_id: int = TopicId) -> Any:
    """Give your opinion on a topic open for opinions (the council's officers: enter one from a
    paper form)."""
    user = request.auth  # type: ignore[attr-defined]
    t = perms.get_visible_or_404(user, Topic.objects.active(), pk=topic_id)
    o = services.opinion_add(actor=user, topic=t, **payload.model_dump())
    return 201, {"id": o.pk, "topic_id": t.pk, "text": o.text, "source": o.source}
