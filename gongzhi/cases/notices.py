"""Who hears about what. A listener of the case events (gongzhi.core.events): the worker runs
it after the change commits, and tries again if it fails.

Who hears of each action is the `notices` of the action table (workflow.py); here is how each
audience is reached (reporters: the case's and those of the cases merged into it; the
department; the duty chief on duty now …) and the notices that are not actions:

- the reporter hears that the report was received;
- an urgent case pages the duty chief at once (in the intake's own transaction);
- the department and the responsible person (or the duty chief) and the leaders hear of
  overdue cases; the centre and the leaders of emergencies nobody acknowledged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from gongzhi.accounts.models import User
from gongzhi.core import events
from gongzhi.core.roles import access_for
from gongzhi.core.text import as_clause
from gongzhi.notifications import audiences
from gongzhi.notifications import services as notifications
from gongzhi.org.access import active_positions_q
from gongzhi.org.models import Position
from gongzhi.places.selectors import serves_one_subdistrict

from . import workflow as wf
from .models import Case, CaseEvent
from .workflow import CASES, record_event

# Action → what its reporters are told (from the action table; the rating request aside).
REPORTER_EVENTS = {
    a.name: n.message
    for a in wf.ACTIONS
    for n in a.notices
    if n.audience == wf.REPORTERS and n.message != "case_rate_request"
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
    """In the app; emergencies also by SMS to the person's mobile, so they reach a phone. Only
    staff who reach the case's subdistrict hear of it."""
    for u in reaching(users, case):
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


def reaching(users: list[User], case: Case) -> list[User]:
    """The users whose scope reaches the case's subdistrict (every one where the installation
    serves one subdistrict)."""
    if serves_one_subdistrict():
        return users
    return [u for u in users if access_for(u).in_subdistrict(case.subdistrict_id)]


def duty_chiefs(case: Case | None = None) -> list[User]:
    """Whoever is the duty chief now: the app that keeps the duty roster says (the audience
    "duty_chiefs"); without a chief on the roster, every holder of the duty chief's position.
    For a case: those of its subdistrict's centre."""
    found = audiences.resolve("duty_chiefs", default=lambda: staff_users(roles=("duty_chief",)))
    if case is None:
        return found
    return reaching(found, case) or reaching(staff_users(roles=("duty_chief",)), case)


def after_intake(*, case: Case) -> None:
    tell_reporters(case, "case_received", children=False)  # a new case has none merged into it


def page_duty_chiefs(*, case: Case) -> None:
    """An urgent case pages the duty chief(s) on duty now, by SMS too; the page is on the case's
    timeline with whom it reached."""
    chiefs = duty_chiefs(case)
    record_event(
        case=case, actor=None, action="emergency_page", data={"paged": [u.pk for u in chiefs]}
    )
    tell_staff(chiefs, case, "emergency_paged", sms=True)


def after_transition(*, case: Case, event: CaseEvent) -> None:
    """The notices the action table names for the event's action."""
    a = CASES.actions.get(event.action)
    for notice in a.notices if a else ():
        if notice.when is not None and not notice.when(case, event):
            continue
        extra = {"note": as_clause(event.note)} if notice.note else {}
        if notice.context is not None:
            extra.update(notice.context(case, event))
        AUDIENCES[notice.audience](case, notice.message, sms=notice.sms, **extra)


def _reporters(case: Case, message: str, *, sms: bool = False, **extra: Any) -> None:
    tell_reporters(case, message, **extra)


def _staff_audience(find: Callable[[Case], list[User]]) -> Callable[..., None]:
    def tell(case: Case, message: str, *, sms: bool = False, **extra: Any) -> None:
        users = find(case)
        if users:
            tell_staff(users, case, message, sms=sms, **extra)

    return tell


AUDIENCES: dict[str, Callable[..., None]] = {
    wf.REPORTERS: _reporters,
    wf.DEPARTMENT: _staff_audience(
        lambda c: staff_users(department_id=c.department_id) if c.department_id else []
    ),
    wf.SUPERVISED: _staff_audience(
        lambda c: staff_users(
            department_id=c.department_id,
            person_ids=[c.assignee_id] if c.assignee_id else [],
        )
    ),
    wf.DUTY_CHIEFS: _staff_audience(lambda c: duty_chiefs(c)),
    wf.CENTRE_STAFF: _staff_audience(lambda c: staff_users(roles=("operator", "duty_chief"))),
    wf.INSPECTOR: _staff_audience(
        lambda c: staff_users(person_ids=[c.inspector_id]) if c.inspector_id else []
    ),
}


def overdue(*, case: Case) -> None:
    person_ids = [case.assignee_id] if case.assignee_id else []
    users = (
        staff_users(department_id=case.department_id, person_ids=person_ids)
        if case.department_id
        else duty_chiefs(case)
    )
    tell_staff(users + staff_users(roles=("leader",)), case, "case_overdue")


# --- The listeners --------------------------------------------------------------------------------

# The actions after which somebody hears something (the action table's notices).
NOTIFIED_ACTIONS = frozenset(a.name for a in wf.ACTIONS if a.notices)


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
