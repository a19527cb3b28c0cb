"""The councils where the community decides (议事机构) and what follows from their decisions.

- `Body`: a council with its rules — members (`BodyMember`, who may vote), the quorum, secret
  or open votes, who may see its papers; attending units (列席) are `org.OrgRelation`s of kind
  "attends" to the body's organisation.
- `Schedule` (quarterly, monthly) → `Meeting`s with `Invitation`s (members and attending
  units), RSVP, attendance, `AgendaItem`s, minutes and `Attachment`s.
- `Vote`: one question put to the voters present; `VoteParticipation` says who has voted (one
  row per voter, unique: one vote each), `VoteTally` counts the choices. A secret vote keeps no
  link between the two (see `VoteTally`).
- `ActionItem`: what a resolution asks someone to do, by a deadline in working days, followed
  on every later meeting's agenda until done; it may file a case or propose an alliance project.
- `Topic` (议题) and `Opinion`: consultation (民主协商); `ReceptionDay` and `ReceptionOpinion`:
  the deputies' reception days; `Course`, `TrainingSession`, `TrainingAttendance`: community
  workers' training.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.fields import ProtectedForeignKey
from gongzhi.core.models import (
    ArchivableModel,
    TimelineEvent,
    TimeStampedModel,
    unique_among_active,
)
from gongzhi.core.pii import Masked, mask_phone


class Body(ArchivableModel):
    class Kind(models.TextChoices):
        ALLIANCE_COUNCIL = "alliance_council", _("alliance council (联席会议)")
        EXTENDED_PARTY_GROUP = (
            "extended_party_group",
            _("Administrative Party Group extended meeting (行政党组扩大会议)"),
        )
        PARTY_COMMITTEE = "party_committee", _("Community Party Committee (社区党委)")
        REPRESENTATIVE_COUNCIL = (
            "representative_council",
            _("community representative council (社区代表会议)"),
        )
        CONSULTATION = "consultation", _("consultation meeting (协商议事)")

    class Papers(models.TextChoices):
        MEMBERS = "members", _("members and invited attending units")
        STAFF = "staff", _("all of the subdistrict's staff")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, db_index=True)
    organisation = ProtectedForeignKey(
        "org.Organisation", _("organisation"), null=True, related_name="+"
    )
    subdistrict = ProtectedForeignKey(
        "places.Subdistrict",
        _("subdistrict"),
        null=True,
        related_name="+",
        help_text=_("The subdistrict whose council this is; empty for a district-level council."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (percent of voting members)"),
        default=50,
        help_text=_("More than this share of the voting members must be present to vote."),
    )
    secret_ballot = models.BooleanField(_("secret ballot"), default=False)
    papers = models.CharField(
        _("papers seen by"), max_length=20, choices=Papers.choices, default=Papers.MEMBERS
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_percent__lte=100), name="meetings_body_quorum_max"
            )
        ]

    def __str__(self) -> str:
        return self.name


class BodyMember(ArchivableModel):
    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        SECRETARY = "secretary", _("secretary")
        MEMBER = "member", _("member")

    body = ProtectedForeignKey(Body, _("council"), related_name="members")
    person = ProtectedForeignKey("org.Person", _("person"), related_name="council_seats")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    voting = models.BooleanField(_("may vote"), default=True)
    organisation = ProtectedForeignKey(
        "org.Organisation", _("on behalf of"), null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["body", "role", "id"]
        constraints = [unique_among_active("body", "person", name="meetings_member_unique")]

    def __str__(self) -> str:
        return f"{self.body} · {self.person}"


class Schedule(ArchivableModel):
    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")

    body = ProtectedForeignKey(Body, _("council"), related_name="schedules")
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    day = models.PositiveSmallIntegerField(
        _("day of the month"), default=15, help_text=_("Moved to the next working day.")
    )
    time = models.TimeField(_("time"))
    place = models.CharField(_("place"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(day__gte=1, day__lte=28), name="meetings_schedule_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.body} · {self.get_frequency_display()}"


class Meeting(ArchivableModel):
    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        CALLED = "called", _("called")
        HELD = "held", _("held")
        CLOSED = "closed", pgettext_lazy("meeting", "closed")
        CANCELLED = "cancelled", _("cancelled")

    body = ProtectedForeignKey(Body, _("council"), related_name="meetings")
    schedule = ProtectedForeignKey(Schedule, _("schedule"), null=True, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PLANNED, db_index=True
    )
    minutes = models.TextField(_("minutes"), blank=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Invitation(TimeStampedModel):
    """One seat at a meeting: a member (who may vote if their seat does) or an attending unit's
    representative (列席, never votes)."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("member")
        ATTENDING = "attending", _("attending unit (non-voting)")

    class Reply(models.TextChoices):
        PENDING = "pending", _("not yet replied")
        ACCEPTED = "accepted", _("will attend")
        DECLINED = "declined", _("cannot attend")

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("not recorded")
        PRESENT = "present", _("present")
        EXCUSED = "excused", _("excused")
        ABSENT = "absent", _("absent")
        DELEGATED = "delegated", _("delegated")

    meeting = ProtectedForeignKey(Meeting, _("meeting"), related_name="invitations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    person = ProtectedForeignKey("org.Person", _("person"), null=True, related_name="+")
    organisation = ProtectedForeignKey("org.Organisation", _("unit"), null=True, related_name="+")
    voting = models.BooleanField(_("may vote"), default=False)
    reply = models.CharField(
        _("reply"), max_length=20, choices=Reply.choices, default=Reply.PENDING
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, blank=True, default=""
    )
    delegate = ProtectedForeignKey("org.Person", _("delegate"), null=True, related_name="+")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="meetings_invitation_person_once",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(organisation__isnull=False),
                name="meetings_invitation_someone",
            ),
            models.CheckConstraint(
                condition=~Q(attendance="delegated") | Q(delegate__isnull=False),
                name="meetings_invitation_delegate",
            ),
            models.CheckConstraint(
                condition=~Q(kind="attending") | Q(voting=False),
                name="meetings_attending_never_votes",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.organisation)

    @property
    def counts_present(self) -> bool:
        return self.attendance in (self.Attendance.PRESENT, self.Attendance.DELEGATED)


class AgendaItem(ArchivableModel):
    meeting = ProtectedForeignKey(Meeting, _("meeting"), related_name="agenda")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    topic = ProtectedForeignKey("Topic", _("topic"), null=True, related_name="agenda_items")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "sort_order", "id"]

    def __str__(self) -> str:
        return self.title


class Attachment(ArchivableModel):
    """A paper of a meeting (PDF, office document, image), checked by its content on upload and
    stored under a random name; seen by whoever may see the council's papers."""

    meeting = ProtectedForeignKey(Meeting, _("meeting"), related_name="attachments")
    file = models.FileField(_("file"), upload_to="meetings/papers/", max_length=200)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("checksum"), max_length=64)
    uploaded_by = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("uploaded by"), null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Vote(ArchivableModel):
    """One question put to the voters of a meeting (a resolution, or a topic's decision)."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("vote", "open")
        CLOSED = "closed", pgettext_lazy("vote", "closed")

    class Choice(models.TextChoices):
        YES = "yes", _("in favour")
        NO = "no", _("against")
        ABSTAIN = "abstain", _("abstain")

    meeting = ProtectedForeignKey(Meeting, _("meeting"), related_name="votes")
    topic = ProtectedForeignKey("Topic", _("topic"), null=True, related_name="votes")
    question = models.CharField(_("question"), max_length=300)
    secret = models.BooleanField(_("secret ballot"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    eligible = models.PositiveIntegerField(_("voters present"), default=0)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.question


class VoteParticipation(models.Model):
    """Who has voted: one row per voter and vote — the database refuses a second (one vote
    each, also when two arrive at once). For an open vote `choice` is the voter's choice; for a
    secret vote it stays empty, and the choice is only counted in `VoteTally`."""

    vote = ProtectedForeignKey(Vote, _("vote"), related_name="participations")
    person = ProtectedForeignKey("org.Person", _("voter"), related_name="+")
    choice = models.CharField(_("choice"), max_length=10, choices=Vote.Choice.choices, blank=True)

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        constraints = [
            models.UniqueConstraint(fields=["vote", "person"], name="meetings_one_vote_each"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.person_id}"


class VoteTally(models.Model):
    """The count of one choice of one vote, created (at zero, for every choice) when the vote
    opens and raised by one UPDATE per ballot.

    Why a secret ballot cannot be traced back to its voter: no row holds a voter and a choice
    together. A ballot is not a row at all — it raises a counter — so there is no ballot id,
    no time stamp and no insertion order to line up with the `VoteParticipation` rows (which
    say who voted and nothing else), and the audit trail records the participation only, never
    the choice of a secret vote. Each ballot's UPDATE writes all the vote's counters (adding 0
    to the others), so not even the rows' versions tell which one it raised. (Left: someone
    with the database server's own tools, reading the dead row versions PostgreSQL keeps until
    it vacuums them, could compare counts between versions; the application gives nobody
    that.)"""

    vote = ProtectedForeignKey(Vote, _("vote"), related_name="tallies")
    choice = models.CharField(_("choice"), max_length=10, choices=Vote.Choice.choices)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.UniqueConstraint(fields=["vote", "choice"], name="meetings_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id} {self.choice}: {self.count}"


class ActionItem(ArchivableModel):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("action item", "open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", pgettext_lazy("action item", "done")
        CANCELLED = "cancelled", _("cancelled")

    meeting = ProtectedForeignKey(Meeting, _("decided at"), related_name="action_items")
    vote = ProtectedForeignKey(Vote, _("resolution"), null=True, related_name="action_items")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = ProtectedForeignKey("org.Person", _("owner"), related_name="+")
    owner_organisation = ProtectedForeignKey(
        "org.Organisation", _("owner unit"), null=True, related_name="+"
    )
    working_days = models.PositiveSmallIntegerField(_("working days"), default=10)
    due_on = models.DateField(_("due on"), db_index=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.OPEN, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    case = ProtectedForeignKey("cases.Case", _("case"), null=True, related_name="+")
    project = ProtectedForeignKey("alliance.Project", _("project"), null=True, related_name="+")

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ActionItemEvent(TimelineEvent):
    """The action item's timeline."""

    item = ProtectedForeignKey(ActionItem, _("action item"), related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("action item event")
        verbose_name_plural = _("action item events")

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"


class Topic(ArchivableModel):
    """议题: a question put to consultation (民主协商)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        CONSULTING = "consulting", _("collecting opinions")
        DECIDED = "decided", _("decided")
        PUBLISHED = "published", _("outcome published")
        DECLINED = "declined", _("not taken up")

    class Proposer(models.TextChoices):
        RESIDENT = "resident", _("resident")
        UNIT = "unit", _("unit")
        DEPUTY = "deputy", _("deputy")
        STAFF = "staff", _("staff")

    body = ProtectedForeignKey(Body, _("council"), related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    proposer_kind = models.CharField(_("proposed by"), max_length=20, choices=Proposer.choices)
    proposer_name = models.CharField(_("proposer"), max_length=120, blank=True)
    proposed_by = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("proposed by (user)"), null=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Opinion(ArchivableModel):
    class Source(models.TextChoices):
        ONLINE = "online", _("online")
        PAPER = "paper", _("paper form")

    topic = ProtectedForeignKey(Topic, _("topic"), related_name="opinions")
    text = models.TextField(_("opinion"))
    author_name = models.CharField(_("name"), max_length=60, blank=True)
    author = ProtectedForeignKey(settings.AUTH_USER_MODEL, _("author"), null=True, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    entered_by = ProtectedForeignKey(
        settings.AUTH_USER_MODEL, _("entered by"), null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class ReceptionDay(ArchivableModel):
    """A deputy's reception day (两代表一委员, 社代会代表 接待日)."""

    class DeputyKind(models.TextChoices):
        PEOPLES_CONGRESS = "peoples_congress", _("people's congress deputy")
        PARTY_CONGRESS = "party_congress", _("Party congress deputy")
        CPPCC = "cppcc", _("CPPCC member")
        COUNCIL = "council", _("community representative council delegate")

    deputy = ProtectedForeignKey("org.Person", _("deputy"), related_name="reception_days")
    deputy_kind = models.CharField(_("deputy of"), max_length=20, choices=DeputyKind.choices)
    held_on = models.DateField(_("held on"), db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reception day")
        verbose_name_plural = _("reception days")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.deputy} {self.held_on}"


class ReceptionOpinion(ArchivableModel):
    day = ProtectedForeignKey(ReceptionDay, _("reception day"), related_name="opinions")
    text = models.TextField(_("opinion"))
    resident_name = models.CharField(_("resident"), max_length=60, blank=True)
    resident_phone = models.CharField(_("phone"), max_length=20, blank=True)
    case = ProtectedForeignKey("cases.Case", _("case"), null=True, related_name="+")
    topic = ProtectedForeignKey(Topic, _("topic"), null=True, related_name="+")

    resident_phone_masked = Masked("resident_phone", mask_phone)

    class Meta:
        verbose_name = _("reception opinion")
        verbose_name_plural = _("reception opinions")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(topic__isnull=True),
                name="meetings_opinion_one_outcome",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


class Course(ArchivableModel):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class TrainingSession(ArchivableModel):
    course = ProtectedForeignKey(Course, _("course"), related_name="sessions")
    held_on = models.DateField(_("held on"), db_index=True)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    place = models.CharField(_("place"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24), name="meetings_session_hours"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.held_on}"


class TrainingAttendance(ArchivableModel):
    """A community worker attended a session; `residential_area` is where they worked then."""

    session = ProtectedForeignKey(TrainingSession, _("session"), related_name="attendances")
    person = ProtectedForeignKey("org.Person", _("worker"), related_name="training")
    residential_area = ProtectedForeignKey(
        "places.ResidentialArea", _("residential area"), null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendances")
        constraints = [
            unique_among_active("session", "person", name="meetings_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.person}"
