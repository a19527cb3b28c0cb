"""The councils' pages: the member's meetings and the councils, a council with its schedules, the
meeting page (invitations and replies, attendance and quorum, agenda with the action items
followed, votes, action items, minutes, papers), action items with their actions and the
progress of their case or project, consultation topics with opinions, the public page of
outcomes, reception days and the training record. Thin: parse, call a service or selector,
render; a refusal is shown in the user's language and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import permissions as perms
from gongzhi.core.errors import ConflictError, NotAllowed, ServiceError
from gongzhi.core.roles import access_for
from gongzhi.org.models import Person
from gongzhi.places.subdistricts import narrow, public_subdistricts
from gongzhi.workflow.forms import all_errors, attempt

from . import forms as f
from . import selectors, services
from .models import (
    ActionItem,
    Attachment,
    Body,
    Invitation,
    Meeting,
    ReceptionDay,
    ReceptionOpinion,
    Topic,
    TrainingSession,
    Vote,
)
from .workflow import ACTION_ITEMS


def _attempt(
    request: HttpRequest,
    form: Any,
    write: Callable[[dict[str, Any]], Any],
    done: str,
    again: Callable[[], HttpResponse],
) -> HttpResponse | None:
    """Run the service with the form's data. On success: the message, and None (the caller
    redirects); on a refusal or bad input: the page again with the reason, status 400."""
    if form is not None and not form.is_valid():
        messages.error(request, all_errors(form))
    elif attempt(request, lambda: write(form.cleaned_data if form is not None else {}), done):
        return None
    response = again()
    response.status_code = 400
    return response


# --- Index and councils ---------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    visible = selectors.meetings(request.user)
    return render(
        request,
        "meetings/index.html",
        {
            "invitations": selectors.my_invitations(request.user),
            "bodies": selectors.bodies(request.user),
            "upcoming": visible.filter(starts_at__gte=now).order_by("starts_at")[:20],
            "recent": visible.filter(starts_at__lt=now).order_by("-starts_at")[:20],
            "tab": "meetings",
        },
    )


def _body(request: HttpRequest, pk: int) -> Body:
    return perms.get_visible_or_404(request.user, Body.objects.active(), pk=pk)


def render_body(request: HttpRequest, body: Body, **ctx: Any) -> HttpResponse:
    may_manage = perms.can(request.user, "manage", body)
    return render(
        request,
        "meetings/body.html",
        {
            "body": body,
            "members": body.members.active().select_related("person", "organisation"),
            "attending": services.attending_units(body),
            "schedules": body.schedules.active(),
            "meetings": selectors.meetings(request.user, body=body).order_by("-starts_at")[:40],
            "may_manage": may_manage,
            "meeting_form": ctx.get("meeting_form") or f.MeetingForm(),
            "plan_form": ctx.get("plan_form")
            or f.PlanForm(body=body, initial={"year": timezone.localdate().year}),
            "tab": "meetings",
        },
    )


@login_required
def body(request: HttpRequest, pk: int) -> HttpResponse:
    return render_body(request, _body(request, pk))


@require_POST
@login_required
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    b = _body(request, pk)
    form = f.MeetingForm(request.POST)
    made: list[Meeting] = []

    def write(d: dict[str, Any]) -> None:
        made.append(
            services.meeting_create(
                actor=request.user,
                body=b,
                title=d["title"],
                starts_at=d["starts_at"],
                place=d["place"],
                agenda=d["agenda"].splitlines(),
            )
        )

    bad = _attempt(
        request,
        form,
        write,
        _("Meeting scheduled."),
        lambda: render_body(request, b, meeting_form=form),
    )
    return bad or redirect("meetings:meeting", made[0].pk)


@require_POST
@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    b = _body(request, pk)
    form = f.PlanForm(request.POST, body=b)
    bad = _attempt(
        request,
        form,
        lambda d: services.schedule_plan(
            actor=request.user, schedule=d["schedule"], year=d["year"]
        ),
        _("The year's meetings are planned."),
        lambda: render_body(request, b, plan_form=form),
    )
    return bad or redirect("meetings:body", b.pk)


# --- The meeting page ----------------------------------------------------------------------------------


def render_meeting(request: HttpRequest, m: Meeting, **ctx: Any) -> HttpResponse:
    view = selectors.meeting_view(request.user, m)
    candidates: list[Any] = []
    if view.may_manage:
        ids = set(m.body.members.active().values_list("person_id", flat=True))
        candidates = list(Person.objects.active().filter(pk__in=ids).order_by("name"))
    return render(
        request,
        "meetings/meeting.html",
        {
            "m": m,
            "v": view,
            "attendance_choices": [c for c in Invitation.Attendance.choices if c[0]],
            "candidates": candidates,
            "reply_form": f.ReplyForm(),
            "agenda_form": ctx.get("agenda_form") or f.AgendaForm(),
            "minutes_form": ctx.get("minutes_form")
            or f.MinutesForm(initial={"minutes": m.minutes}),
            "vote_form": ctx.get("vote_form") or f.VoteOpenForm(body=m.body),
            "cast_form": f.CastForm(),
            "item_form": ctx.get("item_form")
            or f.ItemForm(meeting=m, initial={"working_days": 10}),
            "attachment_form": f.AttachmentForm(),
            "cancel_form": f.CancelForm(),
            "tab": "meetings",
        },
    )


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return render_meeting(request, selectors.meeting_for_page(request.user, pk))


def _person(value: Any) -> Person | None:
    try:
        return Person.objects.active().filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


@require_POST
@login_required
def meeting_post(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    """The meeting page's forms: call, reply, attendance, agenda, minutes, vote, action item,
    paper, cancel."""
    m = selectors.meeting_for_page(request.user, pk)
    user = request.user
    P = request.POST
    form: Any = None
    ctx: dict[str, Any] = {}
    write: Callable[[dict[str, Any]], Any]
    if op == "call":
        write, done = (
            (lambda d: services.meeting_call(actor=user, meeting=m)),
            _("Meeting called; the invitations are sent."),
        )
    elif op == "reply":
        form = f.ReplyForm(P)

        def write(d: dict[str, Any]) -> None:
            inv = perms.get_visible_or_404(user, m.invitations.all(), pk=d["invitation"])
            services.invitation_reply(actor=user, invitation=inv, reply=d["reply"])

        done = _("Thank you, your reply is recorded.")
    elif op == "attendance":

        def write(d: dict[str, Any]) -> None:
            marks = {}
            for inv in m.invitations.all():
                mark = P.get(f"att_{inv.pk}", "")
                if mark:
                    marks[inv.pk] = (mark, _person(P.get(f"delegate_{inv.pk}")))
            if not marks:
                raise ServiceError(_("Mark the attendance of at least one invitee."))
            services.attendance_record(actor=user, meeting=m, marks=marks)

        done = _("Attendance recorded.")
    elif op == "agenda":
        form = ctx["agenda_form"] = f.AgendaForm(P)
        write, done = (
            (lambda d: services.agenda_add(actor=user, meeting=m, **d)),
            _("Agenda item added."),
        )
    elif op == "minutes":
        form = ctx["minutes_form"] = f.MinutesForm(P)
        write, done = (
            (lambda d: services.minutes_save(actor=user, meeting=m, **d)),
            _("Minutes saved."),
        )
    elif op == "vote":
        form = ctx["vote_form"] = f.VoteOpenForm(P, body=m.body)
        write, done = (
            (lambda d: services.vote_open(actor=user, meeting=m, **d)),
            _("The vote is open."),
        )
    elif op == "item":
        form = ctx["item_form"] = f.ItemForm(P, meeting=m)

        def write(d: dict[str, Any]) -> None:
            owner = Person.objects.active().filter(pk=d["owner"]).first()
            seat = m.body.members.active().filter(person=owner).first()
            services.action_item_create(
                actor=user,
                meeting=m,
                title=d["title"],
                description=d["description"],
                owner=owner,
                owner_organisation=seat.organisation if seat else None,
                working_days=d["working_days"],
                vote=d["vote"],
            )

        done = _("Action item recorded.")
    elif op == "paper":
        form = f.AttachmentForm(P, request.FILES)
        write, done = (
            (lambda d: services.attachment_add(actor=user, meeting=m, upload=d["file"])),
            _("Paper added."),
        )
    elif op == "cancel":
        form = f.CancelForm(P)
        write, done = (
            (lambda d: services.meeting_cancel(actor=user, meeting=m, reason=d["reason"])),
            _("Meeting cancelled."),
        )
    else:
        raise Http404
    bad = _attempt(
        request,
        form,
        write,
        done,
        lambda: render_meeting(request, Meeting.objects.get(pk=m.pk), **ctx),
    )
    return bad or redirect("meetings:meeting", m.pk)


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A paper, for whoever may see the council's papers (never a public media URL)."""
    a = perms.get_visible_or_404(request.user, Attachment.objects.active(), pk=pk)
    return FileResponse(
        a.file.open("rb"), as_attachment=True, filename=a.name, content_type=a.content_type
    )


@require_POST
@login_required
def vote_post(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    write: Callable[[dict[str, Any]], Any]
    v = perms.get_visible_or_404(
        request.user, Vote.objects.active().select_related("meeting__body"), pk=pk
    )
    form: Any = None
    if op == "cast":
        form = f.CastForm(request.POST)
        write, done = (
            (lambda d: services.vote_cast(actor=request.user, vote=v, choice=d["choice"])),
            _("Your vote is counted."),
        )
    elif op == "close":
        write, done = (
            (lambda d: services.vote_close(actor=request.user, vote=v)),
            _("The vote is closed."),
        )
    else:
        raise Http404
    bad = _attempt(request, form, write, done, lambda: render_meeting(request, v.meeting))
    return bad or redirect("meetings:meeting", v.meeting_id)


# --- Action items -------------------------------------------------------------------------------


@login_required
def items(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in ActionItem.State.values:
        state = ""
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.action_items(request.user, state=state, overdue=overdue)
    access = access_for(request.user)
    if request.GET.get("mine") == "1":
        qs = qs.filter(owner_id=access.person_id)
    rows = list(qs.order_by("due_on", "id")[:200])
    today = timezone.localdate()
    for it in rows:
        it.progress = selectors.item_progress(it)  # type: ignore[attr-defined]
        it.overdue = it.state in ("open", "in_progress") and it.due_on < today  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/items.html",
        {
            "rows": rows,
            "states": ActionItem.State.choices,
            "state": state,
            "overdue": overdue,
            "tab": "items",
        },
    )


def _labelled(rows: Any) -> list[Any]:
    """The timeline's rows, each with its action's name in the reader's language."""
    out = list(rows)
    for e in out:
        a = ACTION_ITEMS.actions.get(e.action)
        e.label = a.label if a is not None else _("Decided at the meeting")
    return out


def render_item(
    request: HttpRequest,
    item: ActionItem,
    *,
    bound: dict[str, Any] | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    actions = [
        (a, bound.get(a.name) or f.ACTION_FORMS[a.name](obj=item))
        for a in selectors.item_actions(request.user, item)
    ]
    return render(
        request,
        "meetings/item.html",
        {
            "item": item,
            "progress": selectors.item_progress(item),
            "forms": actions,
            "open_action": next(iter(bound), ""),
            "timeline": _labelled(
                perms.visible(request.user, item.events.all()).order_by("at", "id")
            ),
            "conflict": conflict,
            "today": timezone.localdate(),
            "tab": "items",
        },
        status=status,
    )


@login_required
def item(request: HttpRequest, pk: int) -> HttpResponse:
    return render_item(request, selectors.item_for_page(request.user, pk))


@require_POST
@login_required
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in f.ACTION_FORMS:
        raise Http404
    it = selectors.item_for_page(request.user, pk)
    a = ACTION_ITEMS.actions[action]
    if not perms.can(request.user, action, it):
        raise NotAllowed(
            _("You are not allowed to “%(action)s” on this action item.") % {"action": a.label}
        )
    form = f.ACTION_FORMS[action](request.POST, obj=it)
    if not form.is_valid():
        return render_item(request, it, bound={action: form}, status=400)
    params = form.service_params()
    if "category" in params and params["category"] is not None:
        params["category"] = params["category"].pk
    try:
        services.action_item_act(
            actor=request.user,
            item=it,
            action=action,
            note=form.cleaned_data.get("note") or "",
            params=params,
            expected_state=form.cleaned_data["expected_state"],
        )
    except ConflictError as exc:
        return render_item(
            request,
            selectors.item_for_page(request.user, pk),
            conflict=str(exc.message),
            status=409,
        )
    except ServiceError as exc:
        for name, errs in exc.field_errors.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, str(e))
        if not exc.field_errors:
            form.add_error(None, str(exc.message))
        return render_item(
            request, selectors.item_for_page(request.user, pk), bound={action: form}, status=400
        )
    messages.success(request, _("Done: %(action)s.") % {"action": a.label})
    return redirect("meetings:item", pk)


# --- Consultation ------------------------------------------------------------------------------------


def render_topics(request: HttpRequest, form: Any = None) -> HttpResponse:
    bodies = narrow(Body.objects.active(), request.user)
    return render(
        request,
        "meetings/topics.html",
        {
            "topics": selectors.topics(request.user).order_by("-created_at")[:100],
            "form": form or f.TopicForm(bodies=bodies),
            "officer": any(perms.can(request.user, "manage", b) for b in bodies),
            "tab": "topics",
        },
    )


@login_required
def topics(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = f.TopicForm(request.POST, bodies=narrow(Body.objects.active(), request.user))
        made: list[Topic] = []
        bad = _attempt(
            request,
            form,
            lambda d: made.append(services.topic_propose(actor=request.user, **d)),
            _("Thank you, your topic is proposed."),
            lambda: render_topics(request, form),
        )
        return bad or redirect("meetings:topic", made[0].pk)
    return render_topics(request)


def render_topic(request: HttpRequest, t: Topic, **ctx: Any) -> HttpResponse:
    return render(
        request,
        "meetings/topic.html",
        {
            "t": t,
            "opinions": perms.visible(request.user, t.opinions.active()),
            "results": selectors.topic_results(t),
            "may_manage": perms.can(request.user, "manage", t),
            "opinion_form": ctx.get("opinion_form") or f.OpinionForm(),
            "paper_form": ctx.get("paper_form") or f.PaperOpinionForm(),
            "outcome_form": ctx.get("outcome_form") or f.OutcomeForm(),
            "tab": "topics",
        },
    )


@login_required
def topic(request: HttpRequest, pk: int) -> HttpResponse:
    return render_topic(
        request, perms.get_visible_or_404(request.user, Topic.objects.active(), pk=pk)
    )


@require_POST
@login_required
def topic_post(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    t = perms.get_visible_or_404(request.user, Topic.objects.active(), pk=pk)
    user = request.user
    ctx: dict[str, Any] = {}
    form: Any
    write: Callable[[dict[str, Any]], Any]
    if op == "opinion":
        form = ctx["opinion_form"] = f.OpinionForm(request.POST)
        write, done = (
            (lambda d: services.opinion_add(actor=user, topic=t, text=d["text"])),
            _("Thank you, your opinion is recorded."),
        )
    elif op == "paper":
        form = ctx["paper_form"] = f.PaperOpinionForm(request.POST)
        write, done = (
            (lambda d: services.opinion_add(actor=user, topic=t, source="paper", **d)),
            _("Opinion recorded."),
        )
    elif op in ("consulting", "declined", "published"):
        form = None if op == "consulting" else f.OutcomeForm(request.POST)
        if form is not None:
            ctx["outcome_form"] = form
        write, done = (
            (
                lambda d: services.topic_move(
                    actor=user, topic=t, to=op, outcome=d.get("outcome", "")
                )
            ),
            _("Topic updated."),
        )
    else:
        raise Http404
    bad = _attempt(
        request, form, write, done, lambda: render_topic(request, Topic.objects.get(pk=t.pk), **ctx)
    )
    return bad or redirect("meetings:topic", t.pk)


def public(request: HttpRequest) -> HttpResponse:
    """The outcomes of consultation, for everyone (no sign-in)."""
    subdistricts, chosen = public_subdistricts(request)
    rows = [(t, selectors.topic_results(t)) for t in selectors.public_topics(chosen)[:100]]
    return render(
        request,
        "meetings/public.html",
        {"rows": rows, "subdistricts": subdistricts, "chosen_subdistrict": chosen},
    )


# --- Reception days -------------------------------------------------------------------------------


def _deputies() -> list[tuple[int, str]]:
    return [
        (p.pk, p.name)
        for p in Person.objects.active()
        .filter(reception_days__isnull=False)
        .distinct()
        .order_by("name")
    ] or [
        (p.pk, p.name)
        for p in Person.objects.active()
        .filter(council_seats__isnull=False)
        .distinct()
        .order_by("name")
    ]


def render_receptions(request: HttpRequest, form: Any = None) -> HttpResponse:
    access = access_for(request.user)
    mine = (
        ReceptionOpinion.objects.active()
        .filter(day__deputy_id=access.person_id)
        .select_related("day", "topic")
        .order_by("-day__held_on")
        if access.person_id
        else ReceptionOpinion.objects.none()
    )
    rows = list(mine[:100])
    for o in rows:
        o.outcome = selectors.opinion_outcome(o)  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/receptions.html",
        {
            "days": selectors.reception_days(request.user)[:100],
            "mine": rows,
            "form": (form or f.ReceptionDayForm(deputies=_deputies()))
            if perms.can(request.user, "create", ReceptionDay)
            else None,
            "tab": "receptions",
        },
    )


@login_required
def receptions(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = f.ReceptionDayForm(request.POST, deputies=_deputies())
        made: list[ReceptionDay] = []

        def write(d: dict[str, Any]) -> None:
            deputy = Person.objects.active().filter(pk=d.pop("deputy")).first()
            if deputy is None:
                raise ServiceError(_("Choose the deputy."))
            made.append(services.reception_day_create(actor=request.user, deputy=deputy, **d))

        bad = _attempt(
            request,
            form,
            write,
            _("Reception day recorded."),
            lambda: render_receptions(request, form),
        )
        return bad or redirect("meetings:reception", made[0].pk)
    return render_receptions(request)


def render_reception(request: HttpRequest, day: ReceptionDay, form: Any = None) -> HttpResponse:
    rows = list(perms.visible(request.user, day.opinions.active()).select_related("topic"))
    for o in rows:
        o.outcome = selectors.opinion_outcome(o)  # type: ignore[attr-defined]
    from gongzhi.cases.selectors import leaf_categories

    return render(
        request,
        "meetings/reception.html",
        {
            "day": day,
            "rows": rows,
            "may_record": perms.can(request.user, "record", day),
            "may_take_up": perms.can(request.user, "take_up", ReceptionOpinion),
            "form": form or f.ReceptionOpinionForm(),
            "categories": leaf_categories()
            if perms.can(request.user, "take_up", ReceptionOpinion)
            else [],
            "bodies": narrow(Body.objects.active(), request.user),
            "tab": "receptions",
        },
    )


@login_required
def reception(request: HttpRequest, pk: int) -> HttpResponse:
    day = perms.get_visible_or_404(
        request.user, ReceptionDay.objects.active().select_related("deputy"), pk=pk
    )
    if request.method == "POST":
        form = f.ReceptionOpinionForm(request.POST)
        bad = _attempt(
            request,
            form,
            lambda d: services.reception_opinion_add(actor=request.user, day=day, **d),
            _("Opinion recorded."),
            lambda: render_reception(request, day, form),
        )
        return bad or redirect("meetings:reception", day.pk)
    return render_reception(request, day)


@require_POST
@login_required
def opinion_post(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    o = perms.get_visible_or_404(
        request.user, ReceptionOpinion.objects.active().select_related("day"), pk=pk
    )
    form: Any
    write: Callable[[dict[str, Any]], Any]
    if op == "case":
        form = f.OpinionCaseForm(request.POST)
        write = lambda d: services.reception_opinion_to_case(actor=request.user, opinion=o, **d)  # noqa: E731
    elif op == "topic":
        form = f.OpinionTopicForm(request.POST)
        write = lambda d: services.reception_opinion_to_topic(actor=request.user, opinion=o, **d)  # noqa: E731
    else:
        raise Http404
    bad = _attempt(
        request,
        form,
        write,
        _("The opinion is taken up."),
        lambda: render_reception(request, o.day),
    )
    return bad or redirect("meetings:reception", o.day_id)


# --- Training --------------------------------------------------------------------------------------


@login_required
def training(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    may_create = perms.can(request.user, "create", TrainingSession)
    form: Any = f.SessionForm() if may_create else None
    if request.method == "POST":
        form = f.SessionForm(request.POST)
        bad = _attempt(
            request,
            form,
            lambda d: services.session_create(actor=request.user, **d),
            _("Session recorded."),
            lambda: _training_page(request, access, year, form, may_create),
        )
        return bad or redirect("meetings:training")
    return _training_page(request, access, year, form, may_create)


@login_required
def training_session(request: HttpRequest, pk: int) -> HttpResponse:
    """One training session: who attended, and (for whoever may record sessions) the form that
    records more attendees."""
    session = (
        perms.visible(request.user, TrainingSession.objects.active().select_related("course"))
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    may_record = perms.can(request.user, "create", TrainingSession)
    form: Any = f.AttendanceForm() if may_record else None

    def page() -> HttpResponse:
        return render(
            request,
            "meetings/training_session.html",
            {
                "session": session,
                "attendances": session.attendances.active()
                .select_related("person", "residential_area")
                .order_by("person__name"),
                "form": form,
                "tab": "training",
            },
        )

    if request.method == "POST":
        if not may_record:
            raise NotAllowed(_("You may not record who attended."))
        form = f.AttendanceForm(request.POST)
        bad = _attempt(
            request,
            form,
            lambda d: services.training_attend(
                actor=request.user, session=session, people=d["people"]
            ),
            _("Attendance recorded."),
            page,
        )
        return bad or redirect("meetings:training_session", session.pk)
    return page()


def _training_page(
    request: HttpRequest, access: Any, year: int, form: Any, may_create: bool
) -> HttpResponse:
    record, total = selectors.worker_record(access.person_id) if access.person_id else ([], 0)
    return render(
        request,
        "meetings/training.html",
        {
            "year": year,
            "record": record,
            "total": total,
            "by_area": selectors.hours_by_area(request.user, year)
            if access.is_staff_member
            else [],
            "sessions": perms.visible(
                request.user, TrainingSession.objects.active().select_related("course")
            ).filter(held_on__year=year)[:100],
            "form": form,
            "tab": "training",
        },
    )
