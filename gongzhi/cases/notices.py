"""Who hears about what (the rules). A listener of the case events (gongzhi.core.events): the
worker runs it after the change commits, and tries again if it fails.

- Reporters hear back at filing, dispatch, closure and when asked to rate; reporters of cases
  merged into another follow the master case.
- An urgent case pages the duty chief at once.
- The department and the responsible person hear of dispatch, supervision and overdue cases;
  the duty chief of extension requests and dissatisfied ratings.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongzhi.accounts.models import User
from gongzhi.core import events
from gongzhi.notifications import audiences
from gongzhi.notifications import services as notifications
from gongzhi.org.access import active_positions_q
from gongzhi.org.models import Position

from .models import Case, CaseEvent
from .workflow import record_event

REPORTER_EVENTS = {
    "file": "case_filed",
    "dispatch": "case_dispatched",
    "verify_pass": "case_closed",
    "district_reply": "case_handled",
    "not_accept": "case_not_accepted",
    "reopen": "case_reopened",
}


def _context(case: Case, **extra: Any) -> dict[str, Any]:
    return {
        "number": case.number,
        "title": case.title,
        "state": case.get_state_display(),
        "tracking_code": case.tracking_code,
        **extra,
    }


def _public_link(case: Case) -> str:
    try:
        return reverse("cases:track", args=[case.tracking_code])
    except Exception:  # noqa: BLE001  (pages not installed yet)
        return ""


def _staff_link(case: Case) -> str:
    try:
        return reverse("cases:detail", args=[case.pk])
    except Exception:  # noqa: BLE001
        return ""


def tell_reporters(case: Case, template: str, *, children: bool = True, **extra: Any) -> None:
    """The case's reporter and the reporters of every case merged into it."""
    targets: list[Case] = [case]
    if children:  # the queryset is not even built otherwise: intake calls this for every case
        targets += Case.objects.filter(merged_into=case).only(
            "id",
            "number",
            "title",
            "state",
            "tracking_code",
            "reporter_user",
            "reporter_email",
            "reporter_phone",
            "anonymous",
        )
    for c in targets:
        if not c.reporter_user_id and not c.reporter_email and not c.reporter_phone:
            continue  # nobody to tell (an inspector's own find, an anonymous caller)
        notifications.notify(
            template=template,
            context={
                **_context(case, own_number=c.number, **extra),
                "tracking_code": c.tracking_code,
            },
            user=c.reporter_user,
            email=c.reporter_email,
            phone=c.reporter_phone,
            link=_public_link(c),
            target=c,
        )


def staff_users(
    *,
    department_id: int | None = None,
    person_ids: list[int] | None = None,
    roles: tuple[str, ...] = (),
) -> list[User]:
    qs = Position.objects.filter(active_positions_q())
    q = None
    if department_id:
        q = qs.filter(organisation_id=department_id)
    if person_ids:
        p = qs.filter(person_id__in=person_ids)
        q = p if q is None else (q | p)
    if roles:
        r = qs.filter(role__in=roles)
        q = r if q is None else (q | r)
    if q is None:
        return []
    return list(
        User.objects.filter(person_id__in=q.values("person_id"), is_active=True)
        .select_related("person")
        .distinct()
    )


def tell_staff(
    users: list[User], case: Case, template: str, *, sms: bool = False, **extra: Any
) -> None:
    """In the app; emergencies also by SMS to the person's mobile, so they reach a phone."""
    for u in users:
        phone = (u.phone or (u.person.mobile if u.person_id and u.person else "")) if sms else ""
        notifications.notify(
            template=template,
            context=_context(case, **extra),
            user=u,
            phone=phone,
            channels=("in_app", "sms") if sms else ("in_app",),
            link=_staff_link(case),
            target=case,
        )


def duty_chiefs() -> list[User]:
    """Whoever is the duty chief now: the app that keeps the duty roster says (the audience
    "duty_chiefs"); without a chief on the roster, every holder of the duty chief's position."""
    return audiences.resolve("duty_chiefs", default=lambda: staff_users(roles=("duty_chief",)))


def after_intake(*, case: Case) -> None:
    tell_reporters(case, "case_received", children=False)  # a new case has none merged into it


def page_duty_chiefs(*, case: Case) -> None:
    """An urgent case pages the duty chief(s) on duty now, by SMS too; the page is on the case's
    timeline with whom it reached."""
    chiefs = duty_chiefs()
    record_event(
        case=case, actor=None, action="emergency_page", data={"paged": [u.pk for u in chiefs]}
    )
    tell_staff(chiefs, case, "emergency_paged", sms=True)


def after_transition(*, case: Case, event: CaseEvent) -> None:
    template = REPORTER_EVENTS.get(event.action)
    if template:
        tell_reporters(case, template, note=event.note)
    if event.action == "verify_pass":
        tell_reporters(case, "case_rate_request")
    if event.action == "dispatch" and case.department_id:
        tell_staff(staff_users(department_id=case.department_id), case, "case_dispatched_staff")
    if event.action == "request_extension":
        tell_staff(duty_chiefs(), case, "extension_requested", note=event.note)
    if event.action in ("approve_extension", "refuse_extension") and case.department_id:
        tell_staff(
            staff_users(department_id=case.department_id),
            case,
            "extension_decided",
            note=event.note,
            approved=event.action == "approve_extension",
        )
    if event.action == "return":
        tell_staff(
            staff_users(roles=("operator", "duty_chief")), case, "case_returned", note=event.note
        )
    if event.action == "handle" and case.inspector_id:
        tell_staff(staff_users(person_ids=[case.inspector_id]), case, "verification_needed")
    if event.action == "evaluate" and case.satisfaction == Case.Satisfaction.DISSATISFIED:
        dissatisfied(case=case)
    if event.action == "supervise":
        supervised(case=case, by=event.actor, note=event.note)


def dissatisfied(*, case: Case) -> None:
    tell_staff(duty_chiefs(), case, "case_dissatisfied")


def supervised(*, case: Case, by: Any, note: str) -> None:
    person_ids = [case.assignee_id] if case.assignee_id else []
    tell_staff(
        staff_users(department_id=case.department_id, person_ids=person_ids),
        case,
        "case_supervised",
        note=note,
    )


def overdue(*, case: Case) -> None:
    person_ids = [case.assignee_id] if case.assignee_id else []
    users = (
        staff_users(department_id=case.department_id, person_ids=person_ids)
        if case.department_id
        else duty_chiefs()
    )
    tell_staff(users + staff_users(roles=("leader",)), case, "case_overdue")


# --- The listeners --------------------------------------------------------------------------------

# The actions after which somebody hears something (see after_transition).
NOTIFIED_ACTIONS = frozenset(
    {
        *REPORTER_EVENTS,
        "verify_pass",
        "dispatch",
        "request_extension",
        "approve_extension",
        "refuse_extension",
        "return",
        "handle",
        "evaluate",
        "supervise",
    }
)


def _wants(event: events.Event) -> bool:
    if event.name == "case.received":
        return bool(event.get("reporter_contact"))
    return event.get("action") in NOTIFIED_ACTIONS


@events.subscribe("case.received", when=lambda e: bool(e.get("urgent")))
def on_urgent_case(event: events.Event) -> None:
    """In the intake's own transaction: the page is queued (and on the timeline) the moment the
    case exists; the worker sends the SMS right after the commit."""
    page_duty_chiefs(case=Case.objects.get(pk=event["case_id"]))


@events.subscribe("case.*", after_commit=True, when=_wants)
def on_case_event(event: events.Event) -> None:
    case = Case.objects.select_related("category").get(pk=event["case_id"])
    if event.name == "case.received":
        after_intake(case=case)
        return
    row = CaseEvent.objects.select_related("actor").get(pk=event["event_id"])
    after_transition(case=case, event=row)


@events.subscribe("case.overdue", after_commit=True, key="cases.notices.overdue")
def on_overdue(event: events.Event) -> None:
    from gongzhi.core.tasks import progress

    ids = list(event["case_ids"])[:2000]
    for i, case in enumerate(Case.objects.filter(pk__in=ids).iterator(), 1):
        overdue(case=case)
        progress(i, len(ids))


@events.subscribe("case.emergency_escalated", after_commit=True)
def on_emergency_escalated(event: events.Event) -> None:
    for case in Case.objects.filter(pk__in=event["case_ids"]):
        tell_staff(
            staff_users(roles=("leader", "duty_chief", "operator")),
            case,
            "emergency_escalated",
            sms=True,
        )
