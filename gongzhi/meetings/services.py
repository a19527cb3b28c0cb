"""Writing the councils' work: schedules and meetings, invitations and replies, attendance, the
agenda, minutes and papers, votes, action items, consultation topics and opinions, reception
days and training. Each function is one transaction, checks permissions, writes the audit trail
and publishes the domain event; pages, the API and the demo call the same ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase
from django.db.models import F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.core import events
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import access_for
from gongzhi.org.models import OrgRelation, Person
from gongzhi.places.subdistricts import refuse_other_subdistrict, require_reach, subdistrict_for
from gongzhi.workflow import Step
from gongzhi.worktime.calendar import get_calendar

from .models import (
    ActionItem,
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
from .workflow import ACTION_ITEMS

MAX_TEXT = 4000
MAX_ATTACHMENT = 10 * 1024 * 1024
# What a paper may be, recognised by its first bytes (not by its name or the browser's word).
ATTACHMENT_KINDS: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (
        b"PK\x03\x04",
        "application/vnd.openxmlformats-officedocument",
        (".docx", ".xlsx", ".pptx"),
    ),
)


def _text(value: Any, field: str, *, required: bool = True, max_length: int = 200) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ServiceError(
            _("This field is required."), field_errors={field: [_("This field is required.")]}
        )
    if len(text) > max_length:
        msg = _("At most %(n)d characters.") % {"n": max_length}
        raise ServiceError(msg, field_errors={field: [msg]})
    return text


def _manage(actor: Any, body: Body) -> None:
    perms.check(
        actor,
        "manage",
        body,
        _("Only the council's chair and secretary (and leaders) may do this."),
    )


# --- Councils and schedules --------------------------------------------------------------------


@transaction.atomic
def body_create(*, actor: Any, name: str, kind: str, **fields: Any) -> Body:
    perms.check(actor, "create", Body)
    # The council of its organisation's subdistrict, else of the actor's.
    organisation = fields.get("organisation")
    if "subdistrict" not in fields and "subdistrict_id" not in fields:
        fields["subdistrict_id"] = subdistrict_for(actor, organisation)
    sd = fields.get("subdistrict_id", getattr(fields.get("subdistrict"), "pk", None))
    refuse_other_subdistrict(sd, [organisation], field="organisation")
    require_reach(actor, sd)
    body = audit.save_new(
        actor=actor, obj=Body(name=_text(name, "name", max_length=120), kind=kind, **fields)
    )
    events.publish("meetings.body_created", actor=actor, body_id=body.pk)
    return body


@transaction.atomic
def member_add(
    *,
    actor: Any,
    body: Body,
    person: Person,
    role: str = BodyMember.Role.MEMBER,
    voting: bool = True,
    organisation: Any = None,
) -> BodyMember:
    _manage(actor, body)
    refuse_other_subdistrict(body.subdistrict_id, [organisation], field="organisation")
    if BodyMember.objects.active().filter(body=body, person=person).exists():
        raise ServiceError(_("This person is already a member of the council."))
    return audit.save_new(
        actor=actor,
        obj=BodyMember(
            body=body, person=person, role=role, voting=voting, organisation=organisation
        ),
    )


def _period_months(frequency: str) -> list[int]:
    return [1, 4, 7, 10] if frequency == Schedule.Frequency.QUARTERLY else list(range(1, 13))


def next_working_day(day: dt.date) -> dt.date:
    cal = get_calendar()
    return dt.date.fromordinal(cal.nth(day.toordinal(), 0))


@transaction.atomic
def schedule_plan(*, actor: Any, schedule: Schedule, year: int) -> list[Meeting]:
    """The schedule's meetings of the year that are not planned yet (one per month or quarter,
    on the schedule's day moved to the next working day)."""
    _manage(actor, schedule.body)
    made = []
    for i, month in enumerate(_period_months(schedule.frequency), start=1):
        day = next_working_day(dt.date(year, month, schedule.day))
        start = timezone.make_aware(dt.datetime.combine(day, schedule.time))
        if schedule.meetings.filter(starts_at__year=year, starts_at__month=day.month).exists():
            continue
        label = (
            _("Q%(n)d") % {"n": i}
            if schedule.frequency == Schedule.Frequency.QUARTERLY
            else _("%(n)d月") % {"n": month}
        )
        made.append(
            meeting_create(
                actor=actor,
                body=schedule.body,
                title=f"{schedule.body.name} {year} {label}",
                starts_at=start,
                place=schedule.place,
                schedule=schedule,
            )
        )
    return made


# --- Meetings --------------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    body: Body,
    title: str,
    starts_at: dt.datetime,
    place: str = "",
    schedule: Schedule | None = None,
    agenda: Iterable[str] = (),
) -> Meeting:
    _manage(actor, body)
    if not isinstance(starts_at, dt.datetime):
        raise ServiceError(
            _("Give the date and time."),
            field_errors={"starts_at": [_("Enter a valid date/time.")]},
        )
    m = audit.save_new(
        actor=actor,
        obj=Meeting(
            body=body,
            title=_text(title, "title"),
            starts_at=starts_at,
            place=_text(place, "place", required=False),
            schedule=schedule,
        ),
    )
    for i, item in enumerate(a for a in agenda if str(a).strip()):
        audit.save_new(
            actor=actor, obj=AgendaItem(meeting=m, title=_text(item, "agenda"), sort_order=i)
        )
    events.publish("meetings.meeting_created", actor=actor, meeting_id=m.pk)
    return m


def attending_units(body: Body) -> list[Any]:
    """The units that attend the council's meetings without a vote (列席, from `org`)."""
    if body.organisation_id is None:
        return []
    today = timezone.localdate()
    rows = (
        OrgRelation.objects.active()
        .filter(kind=OrgRelation.Kind.ATTENDS, target_id=body.organisation_id)
        .exclude(until__lt=today)
        .select_related("source")
        .order_by("source__sort_order", "source__name")
    )
    return [r.source for r in rows]


def _state(meeting: Meeting, *allowed: str) -> None:
    if meeting.state not in allowed:
        raise ServiceError(
            _("A meeting that is “%(state)s” cannot be changed this way.")
            % {"state": meeting.get_state_display()}
        )


@transaction.atomic
def meeting_call(*, actor: Any, meeting: Meeting) -> Meeting:
    """Call the meeting: an invitation to each member (voting as their seat says) and to each
    attending unit (non-voting); the invitees are told."""
    _manage(actor, meeting.body)
    _state(Meeting.objects.select_for_update().get(pk=meeting.pk), Meeting.State.PLANNED)
    invited = set(meeting.invitations.exclude(person=None).values_list("person_id", flat=True))
    rows = []
    for m in BodyMember.objects.active().filter(body=meeting.body).order_by("role", "id"):
        if m.person_id not in invited:
            rows.append(
                Invitation(
                    meeting=meeting,
                    kind=Invitation.Kind.MEMBER,
                    person_id=m.person_id,
                    organisation_id=m.organisation_id,
                    voting=m.voting,
                )
            )
    units = {i.organisation_id for i in meeting.invitations.filter(kind="attending")}
    for unit in attending_units(meeting.body):
        if unit.pk not in units:
            rows.append(
                Invitation(meeting=meeting, kind=Invitation.Kind.ATTENDING, organisation=unit)
            )
    for row in rows:
        audit.save_new(actor=actor, obj=row)
    audit.update_checked(
        actor=actor, obj=meeting, state=Meeting.State.CALLED, called_at=timezone.now()
    )
    events.publish("meetings.meeting_called", actor=actor, meeting_id=meeting.pk)
    return meeting


@transaction.atomic
def invitation_reply(*, actor: Any, invitation: Invitation, reply: str) -> Invitation:
    """The invitee (or the council's officers for them) confirms or declines."""
    perms.check(actor, "reply", invitation, _("You may reply only to your own invitation."))
    if reply not in (Invitation.Reply.ACCEPTED, Invitation.Reply.DECLINED):
        raise ServiceError(
            _("Choose whether you will attend."), field_errors={"reply": [_("Choose a reply.")]}
        )
    meeting = invitation.meeting
    if meeting.state != Meeting.State.CALLED:
        raise ServiceError(_("Replies are taken only before the meeting is held."))
    inv = audit.update_checked(actor=actor, obj=invitation, reply=reply, replied_at=timezone.now())
    events.publish("meetings.invitation_replied", actor=actor, invitation_id=inv.pk, reply=reply)
    return inv


@transaction.atomic
def attendance_record(
    *, actor: Any, meeting: Meeting, marks: Mapping[int, tuple[str, Person | None]]
) -> Meeting:
    """Record who was present, excused, absent or delegated (with the delegate); the meeting is
    then held. `marks`: invitation id → (attendance, delegate)."""
    _manage(actor, meeting.body)
    _state(meeting, Meeting.State.CALLED, Meeting.State.HELD)
    invitations = {i.pk: i for i in meeting.invitations.all()}
    for pk, (mark, delegate) in marks.items():
        inv = invitations.get(pk)
        if inv is None:
            raise ServiceError(_("Unknown invitation."))
        if mark not in Invitation.Attendance.values or not mark:
            raise ServiceError(
                _("Choose present, excused, absent or delegated."),
                field_errors={f"att_{pk}": [_("Choose an attendance.")]},
            )
        if mark == Invitation.Attendance.DELEGATED and delegate is None:
            raise ServiceError(
                _("Name the delegate of %(name)s.") % {"name": inv},
                field_errors={f"delegate_{pk}": [_("Name the delegate.")]},
            )
        if (
            mark == Invitation.Attendance.DELEGATED
            and delegate is not None
            and delegate.pk == inv.person_id
        ):
            raise ServiceError(_("A member cannot be their own delegate."))
        audit.update_checked(
            actor=actor,
            obj=inv,
            attendance=mark,
            delegate=delegate if mark == Invitation.Attendance.DELEGATED else None,
        )
    if meeting.state == Meeting.State.CALLED:
        audit.update_checked(actor=actor, obj=meeting, state=Meeting.State.HELD)
    events.publish("meetings.attendance_recorded", actor=actor, meeting_id=meeting.pk)
    return meeting


@transaction.atomic
def agenda_add(
    *, actor: Any, meeting: Meeting, title: str, description: str = "", topic: Topic | None = None
) -> AgendaItem:
    _manage(actor, meeting.body)
    _state(meeting, Meeting.State.PLANNED, Meeting.State.CALLED, Meeting.State.HELD)
    if topic is not None and topic.body_id != meeting.body_id:
        raise ServiceError(_("This topic belongs to another council."))
    order = meeting.agenda.count()
    return audit.save_new(
        actor=actor,
        obj=AgendaItem(
            meeting=meeting,
            title=_text(title, "title"),
            description=_text(description, "description", required=False, max_length=MAX_TEXT),
            topic=topic,
            sort_order=order,
        ),
    )


@transaction.atomic
def minutes_save(*, actor: Any, meeting: Meeting, minutes: str, close: bool = False) -> Meeting:
    """Write the minutes; `close`: approve them (the meeting is then closed, the minutes fixed)."""
    _manage(actor, meeting.body)
    _state(meeting, Meeting.State.HELD)
    text = _text(minutes, "minutes", required=close, max_length=20000)
    if close and meeting.votes.filter(state=Vote.State.OPEN).exists():
        raise ServiceError(_("Close the open votes before approving the minutes."))
    fields: dict[str, Any] = {"minutes": text}
    if close:
        fields.update(state=Meeting.State.CLOSED, closed_at=timezone.now())
    audit.update_checked(actor=actor, obj=meeting, **fields)
    if close:
        events.publish("meetings.meeting_closed", actor=actor, meeting_id=meeting.pk)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    _manage(actor, meeting.body)
    _state(meeting, Meeting.State.PLANNED, Meeting.State.CALLED)
    reason = _text(reason, "reason", max_length=500)
    audit.update_checked(actor=actor, obj=meeting, state=Meeting.State.CANCELLED, note=reason)
    events.publish("meetings.meeting_cancelled", actor=actor, meeting_id=meeting.pk)
    return meeting


def check_upload(upload: Any) -> tuple[bytes, str, str]:
    """The upload's bytes, content type and clean name, or ServiceError: at most 10 MB, and its
    first bytes must be those of a PDF, an image or an office document with a matching name."""
    if upload is None:
        raise ServiceError(_("Choose a file."), field_errors={"file": [_("Choose a file.")]})
    size = getattr(upload, "size", 0) or 0
    if size > MAX_ATTACHMENT:
        msg = _("A paper may be at most 10 MB.")
        raise ServiceError(msg, field_errors={"file": [msg]})
    data = upload.read(MAX_ATTACHMENT + 1)
    if len(data) > MAX_ATTACHMENT or not data:
        msg = _("A paper may be at most 10 MB.") if data else _("The file is empty.")
        raise ServiceError(msg, field_errors={"file": [msg]})
    name = str(getattr(upload, "name", "") or "paper").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:200] or "paper"
    lower = name.lower()
    for magic, content_type, suffixes in ATTACHMENT_KINDS:
        if data.startswith(magic) and lower.endswith(suffixes):
            return data, content_type, name
    msg = _("Papers may be PDF, Word, Excel, PowerPoint, PNG or JPEG files.")
    raise ServiceError(msg, field_errors={"file": [msg]})


@transaction.atomic
def attachment_add(*, actor: Any, meeting: Meeting, upload: Any) -> Attachment:
    _manage(actor, meeting.body)
    data, content_type, name = check_upload(upload)
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    a = Attachment(
        meeting=meeting,
        name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    a.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(data), save=False)
    return audit.save_new(actor=actor, obj=a)


# --- Votes -----------------------------------------------------------------------------------------


def quorum(meeting: Meeting) -> tuple[int, int, bool]:
    """(voting seats present or delegated, voting seats, quorum met?) — more than the body's
    quorum share of the voting seats must be present."""
    seats = [i for i in meeting.invitations.all() if i.voting]
    present = sum(1 for i in seats if i.counts_present)
    met = bool(seats) and present * 100 > meeting.body.quorum_percent * len(seats)
    return present, len(seats), met


def voter_seat(meeting: Meeting, person_id: int | None) -> Invitation | None:
    """The voting seat this person holds at the meeting now: their own if present, or the one
    they hold as a delegate."""
    if person_id is None:
        return None
    for inv in meeting.invitations.filter(voting=True):
        if inv.attendance == Invitation.Attendance.PRESENT and inv.person_id == person_id:
            return inv
        if inv.attendance == Invitation.Attendance.DELEGATED and inv.delegate_id == person_id:
            return inv
    return None


@transaction.atomic
def vote_open(*, actor: Any, meeting: Meeting, question: str, topic: Topic | None = None) -> Vote:
    """Put a question to the vote. The quorum is checked first; the ballot is secret or open as
    the council's rules say."""
    _manage(actor, meeting.body)
    _state(meeting, Meeting.State.HELD)
    question = _text(question, "question", max_length=300)
    present, seats, met = quorum(meeting)
    if not met:
        raise ServiceError(
            _(
                "No quorum: %(present)d of %(seats)d voting members are present; more than "
                "%(percent)d%% must be."
            )
            % {"present": present, "seats": seats, "percent": meeting.body.quorum_percent},
            code="no_quorum",
        )
    if topic is not None and (topic.body_id != meeting.body_id or topic.state != "consulting"):
        raise ServiceError(_("Only a topic of this council that is open for opinions is voted on."))
    vote = audit.save_new(
        actor=actor,
        obj=Vote(
            meeting=meeting,
            topic=topic,
            question=question,
            secret=meeting.body.secret_ballot,
            eligible=present,
            opened_at=timezone.now(),
        ),
    )
    VoteTally.objects.bulk_create(VoteTally(vote=vote, choice=c) for c in Vote.Choice.values)
    events.publish("meetings.vote_opened", actor=actor, vote_id=vote.pk)
    return vote


def vote_cast(*, actor: Any, vote: Vote, choice: str) -> None:
    """One ballot. The voter's seat must be present (or delegated to them); the database's
    unique constraint on (vote, voter) refuses a second ballot, also one sent at the same time.
    A secret ballot writes who voted and raises a count; nothing links the two."""
    if choice not in Vote.Choice.values:
        raise ServiceError(
            _("Choose in favour, against or abstain."),
            field_errors={"choice": [_("Choose in favour, against or abstain.")]},
        )
    access = access_for(actor)
    try:
        with transaction.atomic():
            v = Vote.objects.select_related("meeting__body").get(pk=vote.pk)
            if v.state != Vote.State.OPEN:
                raise ServiceError(_("This vote is closed."))
            seat = voter_seat(v.meeting, access.person_id)
            if seat is None or seat.person_id is None:
                raise NotAllowed(
                    _("Only the voting members present (or their delegates) may vote.")
                )
            # The seat votes: a delegate's ballot is the member's.
            p = VoteParticipation(
                vote=v, person_id=seat.person_id, choice="" if v.secret else choice
            )
            p.save(force_insert=True)
            # Every counter of the vote is written by the one UPDATE (only the chosen one
            # changes): the rows' versions do not show which choice this ballot raised.
            VoteTally.objects.filter(vote=v).update(
                count=F("count") + SqlCase(When(choice=choice, then=Value(1)), default=Value(0))
            )
            audit.record_created(actor=actor, obj=p)
            events.publish("meetings.vote_cast", actor=actor, vote_id=v.pk)
    except IntegrityError as exc:
        raise ServiceError(_("This seat has already voted."), code="already_voted") from exc


def results(vote: Vote) -> dict[str, Any]:
    counts = dict(vote.tallies.values_list("choice", "count"))
    cast = sum(counts.values())
    return {
        "counts": {c: counts.get(c, 0) for c in Vote.Choice.values},
        "cast": cast,
        "eligible": vote.eligible,
        "turnout": round(100 * cast / vote.eligible) if vote.eligible else 0,
        "passed": vote.passed,
    }


@transaction.atomic
def vote_close(*, actor: Any, vote: Vote) -> Vote:
    """Close the vote: it passes with the votes in favour of more than half of the voters
    present. A topic's vote decides the topic."""
    _manage(actor, vote.meeting.body)
    if Vote.objects.select_for_update().get(pk=vote.pk).state != Vote.State.OPEN:
        raise ServiceError(_("This vote is closed."))
    yes = vote.tallies.get(choice=Vote.Choice.YES).count
    audit.update_checked(
        actor=actor,
        obj=vote,
        state=Vote.State.CLOSED,
        closed_at=timezone.now(),
        passed=yes * 2 > vote.eligible,
    )
    if vote.topic is not None:
        audit.update_checked(actor=actor, obj=vote.topic, state=Topic.State.DECIDED)
    events.publish("meetings.vote_closed", actor=actor, vote_id=vote.pk, passed=vote.passed)
    return vote


# --- Action items -----------------------------------------------------------------------------------


def deadline(start: dt.date, working_days: int) -> dt.date:
    """The working day `working_days` working days after `start` (gongzhi.worktime)."""
    cal = get_calendar()
    return dt.date.fromordinal(cal.nth(start.toordinal() + 1, working_days - 1))


@transaction.atomic
def action_item_create(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    owner: Person | None,
    working_days: Any,
    description: str = "",
    owner_organisation: Any = None,
    vote: Vote | None = None,
) -> ActionItem:
    """A resolution becomes an action item: an owner, a deadline in working days from the
    meeting. Taken at a meeting that was held; a vote named must have passed."""
    _manage(actor, meeting.body)
    _state(meeting, Meeting.State.HELD, Meeting.State.CLOSED)
    title = _text(title, "title")
    if owner is None:
        raise ServiceError(_("Name the owner."), field_errors={"owner": [_("Name the owner.")]})
    try:
        days = int(working_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 250:
        msg = _("The deadline is 1 to 250 working days.")
        raise ServiceError(msg, field_errors={"working_days": [msg]})
    refuse_other_subdistrict(
        meeting.body.subdistrict_id, [owner_organisation], field="owner_organisation"
    )
    if vote is not None and (vote.meeting_id != meeting.pk or vote.passed is not True):
        raise ServiceError(_("Only a resolution this meeting passed becomes an action item."))
    item = audit.save_new(
        actor=actor,
        obj=ActionItem(
            meeting=meeting,
            vote=vote,
            title=title,
            description=_text(description, "description", required=False, max_length=MAX_TEXT),
            owner=owner,
            owner_organisation=owner_organisation,
            working_days=days,
            due_on=deadline(timezone.localtime(meeting.starts_at).date(), days),
        ),
    )
    ACTION_ITEMS.record(obj=item, actor=actor, action="create", to_state=item.state)
    events.publish("action_item.created", actor=actor, action_item_id=item.pk)
    return item


def action_item_act(*, item: ActionItem | int, **kw: Any) -> Step:
    """Take one action of the action item's table (workflow.py): `ACTION_ITEMS.run` with the action item as its
    object (keywords: actor, action, note, params, expected_state)."""
    return ACTION_ITEMS.run(obj=item, **kw)


def overdue_items(today: dt.date) -> Any:
    return ActionItem.objects.active().filter(
        state__in=(ActionItem.State.OPEN, ActionItem.State.IN_PROGRESS), due_on__lt=today
    )


@transaction.atomic
def remind_overdue(*, today: dt.date) -> list[int]:
    """Mark each overdue item not yet reminded today and publish `action_item.overdue` (the
    notices remind its owner and the council's chair). Run by the periodic task."""
    ids = list(
        overdue_items(today)
        .exclude(reminded_on=today)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    if ids:
        ActionItem.objects.filter(pk__in=ids).update(reminded_on=today)
        events.publish("action_item.overdue", action_item_ids=ids)
    return ids


# --- Consultation ---------------------------------------------------------------------------------


@transaction.atomic
def topic_propose(
    *,
    actor: Any,
    body: Body,
    title: str,
    description: str = "",
    proposer_kind: str = "",
    proposer_name: str = "",
) -> Topic:
    """A topic for consultation: any signed-in person proposes for themselves (a resident, a
    unit's liaison, a deputy); the council's officers enter one for someone else."""
    access = access_for(actor)
    if access.user_id is None:
        raise NotAllowed(_("Sign in to propose a topic."))
    require_reach(actor, body.subdistrict_id)
    officer = perms.can(access, "manage", body)
    if not officer:
        proposer_kind = Topic.Proposer.UNIT if access.unit_ids else Topic.Proposer.RESIDENT
        proposer_name = str(actor)
    if proposer_kind not in Topic.Proposer.values:
        raise ServiceError(
            _("Say who proposes the topic."),
            field_errors={"proposer_kind": [_("Choose who proposes it.")]},
        )
    t = audit.save_new(
        actor=actor,
        obj=Topic(
            body=body,
            title=_text(title, "title"),
            description=_text(description, "description", required=False, max_length=MAX_TEXT),
            proposer_kind=proposer_kind,
            proposer_name=_text(proposer_name, "proposer_name", required=False, max_length=120),
            proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
        ),
    )
    events.publish("topic.proposed", actor=actor, topic_id=t.pk)
    return t


@transaction.atomic
def topic_move(*, actor: Any, topic: Topic, to: str, outcome: str = "") -> Topic:
    """The council's officers open a topic for opinions, decline it, or publish its outcome
    (after the decision)."""
    _manage(actor, topic.body)
    moves: dict[str, set[str]] = {
        Topic.State.CONSULTING: {Topic.State.PROPOSED},
        Topic.State.DECLINED: {Topic.State.PROPOSED, Topic.State.CONSULTING},
        Topic.State.PUBLISHED: {Topic.State.DECIDED},
    }
    if to not in moves or topic.state not in moves[to]:
        raise ServiceError(
            _("A topic that is “%(state)s” cannot be changed this way.")
            % {"state": topic.get_state_display()}
        )
    fields: dict[str, Any] = {"state": to}
    if to in (Topic.State.PUBLISHED, Topic.State.DECLINED):
        fields["outcome"] = _text(outcome, "outcome", max_length=MAX_TEXT)
    if to == Topic.State.PUBLISHED:
        fields["published_at"] = timezone.now()
    topic = audit.update_checked(actor=actor, obj=topic, **fields)
    events.publish(f"topic.{to}", actor=actor, topic_id=topic.pk)
    return topic


@transaction.atomic
def opinion_add(
    *,
    actor: Any,
    topic: Topic,
    text: str,
    source: str = Opinion.Source.ONLINE,
    author_name: str = "",
) -> Opinion:
    """An opinion on a topic open for opinions: online by the signed-in author, or entered from
    a paper form by the council's officers (with the name on the form)."""
    access = access_for(actor)
    if access.user_id is None:
        raise NotAllowed(_("Sign in to give your opinion."))
    if topic.state != Topic.State.CONSULTING:
        raise ServiceError(_("This topic is not open for opinions."))
    if source == Opinion.Source.PAPER:
        _manage(actor, topic.body)
    elif source != Opinion.Source.ONLINE:
        raise ServiceError(_("Unknown source."), field_errors={"source": [_("Unknown source.")]})
    o = audit.save_new(
        actor=actor,
        obj=Opinion(
            topic=topic,
            text=_text(text, "text", max_length=MAX_TEXT),
            source=source,
            author=actor if source == Opinion.Source.ONLINE else None,
            author_name=_text(author_name, "author_name", required=False, max_length=60)
            if source == Opinion.Source.PAPER
            else str(actor)[:60],
            entered_by=actor,
        ),
    )
    events.publish("topic.opinion_added", actor=actor, topic_id=topic.pk, opinion_id=o.pk)
    return o


# --- Reception days ---------------------------------------------------------------------------------


@transaction.atomic
def reception_day_create(
    *,
    actor: Any,
    deputy: Person,
    deputy_kind: str,
    held_on: dt.date,
    place: str = "",
    residential_area: Any = None,
) -> ReceptionDay:
    perms.check(actor, "create", ReceptionDay)
    require_reach(actor, getattr(residential_area, "subdistrict_id", None))
    if deputy_kind not in ReceptionDay.DeputyKind.values:
        raise ServiceError(
            _("Choose what the deputy is a deputy of."),
            field_errors={"deputy_kind": [_("Choose one.")]},
        )
    return audit.save_new(
        actor=actor,
        obj=ReceptionDay(
            deputy=deputy,
            deputy_kind=deputy_kind,
            held_on=held_on,
            place=_text(place, "place", required=False),
            residential_area=residential_area,
        ),
    )


@transaction.atomic
def reception_opinion_add(
    *, actor: Any, day: ReceptionDay, text: str, resident_name: str = "", resident_phone: str = ""
) -> ReceptionOpinion:
    perms.check(actor, "record", day, _("Only the deputy and the reception's staff may record."))
    from gongzhi.cases.intake import PHONE_RE, normalise_phone

    phone = normalise_phone(resident_phone) if resident_phone else ""
    if phone and not PHONE_RE.match(phone):
        msg = _("The phone number is not valid.")
        raise ServiceError(msg, field_errors={"resident_phone": [msg]})
    o = audit.save_new(
        actor=actor,
        obj=ReceptionOpinion(
            day=day,
            text=_text(text, "text", max_length=MAX_TEXT),
            resident_name=_text(resident_name, "resident_name", required=False, max_length=60),
            resident_phone=phone,
        ),
    )
    events.publish("reception.opinion_recorded", actor=actor, opinion_id=o.pk)
    return o


def _undecided(opinion: ReceptionOpinion) -> None:
    if opinion.case_id is not None or opinion.topic_id is not None:
        raise ServiceError(_("This opinion has already been taken up."))


@transaction.atomic
def reception_opinion_to_case(
    *, actor: Any, opinion: ReceptionOpinion, category: Any, address: str = ""
) -> ReceptionOpinion:
    """The opinion becomes a case on the deputies' channel (the intake contract's rules), the
    deputy its reporter, so that they follow it."""
    from gongzhi.accounts.models import User
    from gongzhi.cases import intake
    from gongzhi.cases.models import Case
    from gongzhi.cases.services import case_intake

    perms.check(actor, "take_up", opinion, _("Only the reception's staff may take this up."))
    opinion = ReceptionOpinion.objects.select_for_update().get(pk=opinion.pk)
    _undecided(opinion)
    day = opinion.day
    checked = intake.check(
        actor=actor,
        channel=Case.Channel.DEPUTY,
        category=category,
        title=opinion.text[:60],
        description=opinion.text,
        address=address,
        reporter_name=str(day.deputy)[:50],
    )
    deputy_user = User.objects.filter(person_id=day.deputy_id, is_active=True).first()
    result = case_intake(actor=actor, reporter_user=deputy_user, checked=checked)
    opinion = audit.update_checked(actor=actor, obj=opinion, case=result.case)
    events.publish("reception.opinion_to_case", actor=actor, opinion_id=opinion.pk)
    return opinion


@transaction.atomic
def reception_opinion_to_topic(
    *, actor: Any, opinion: ReceptionOpinion, body: Body
) -> ReceptionOpinion:
    perms.check(actor, "take_up", opinion, _("Only the reception's staff may take this up."))
    opinion = ReceptionOpinion.objects.select_for_update().get(pk=opinion.pk)
    _undecided(opinion)
    require_reach(actor, body.subdistrict_id)
    refuse_other_subdistrict(body.subdistrict_id, [opinion.day.residential_area], field="body")
    topic = audit.save_new(
        actor=actor,
        obj=Topic(
            body=body,
            title=opinion.text[:200],
            description=opinion.text,
            proposer_kind=Topic.Proposer.DEPUTY,
            proposer_name=str(opinion.day.deputy),
            proposed_by=actor,
        ),
    )
    opinion = audit.update_checked(actor=actor, obj=opinion, topic=topic)
    events.publish("topic.proposed", actor=actor, topic_id=topic.pk)
    return opinion


# --- Training ---------------------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *, actor: Any, course: Course, held_on: dt.date, hours: Any, place: str = ""
) -> TrainingSession:
    perms.check(actor, "create", TrainingSession)
    try:
        h = Decimal(str(hours))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(_("Hours are a number from 0.5 to 24.")) from exc
    if not (Decimal("0.5") <= h <= 24):
        msg = _("Hours are a number from 0.5 to 24.")
        raise ServiceError(msg, field_errors={"hours": [msg]})
    return audit.save_new(
        actor=actor,
        obj=TrainingSession(
            course=course, held_on=held_on, hours=h, place=_text(place, "place", required=False)
        ),
    )


def worker_area_id(person: Person) -> int | None:
    """The residential area a community worker works in: their general branch's or residents'
    committee's area."""
    from gongzhi.org.access import active_positions_q
    from gongzhi.org.models import Position

    return (
        Position.objects.filter(active_positions_q(), person=person)
        .exclude(organisation__residential_area=None)
        .values_list("organisation__residential_area_id", flat=True)
        .first()
    )


@transaction.atomic
def training_attend(
    *, actor: Any, session: TrainingSession, people: Iterable[Person]
) -> list[TrainingAttendance]:
    perms.check(actor, "create", TrainingSession)
    done = set(session.attendances.active().values_list("person_id", flat=True))
    out = []
    for person in people:
        if person.pk in done:
            continue
        done.add(person.pk)
        out.append(
            audit.save_new(
                actor=actor,
                obj=TrainingAttendance(
                    session=session, person=person, residential_area_id=worker_area_id(person)
                ),
            )
        )
    return out
