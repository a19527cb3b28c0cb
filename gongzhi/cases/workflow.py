"""The case's life cycle, in one action table (gongzhi.workflow is the kernel that runs it).

    collect → file → dispatch → handle → (feed back) → verify → close → evaluate

Each action names the states it may start from, the state it leads to and the roles allowed to
take it with their scope (a department only on its own cases, an inspector only in its own grid
station, a reporter only on their own report); its inputs (`params`, which give the page its
form and the API its schema); what it checks against the database (`prepare`), what it changes
(`effect`: the same function the demo's history runs), the rows it adds afterwards (`after`),
the domain event it publishes and who hears of it (`notices`, sent by cases/notices.py).
`CASES.run()` is the one way a case changes state; the service functions in services.py are
its typed wrappers.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gongzhi.audit import services as audit
from gongzhi.core import permissions as perms
from gongzhi.core.errors import ConflictError, ServiceError
from gongzhi.core.roles import Access, Role, access_for
from gongzhi.core.text import clean_text
from gongzhi.org.models import Organisation, Person, Position
from gongzhi.workflow import (
    ANY,
    Action,
    Kind,
    Notice,
    Param,
    Step,
    Workflow,
    action,
    conflict_naming,
    recorder,
)

from . import photos, sla
from .models import ACK_STATES, Case, CaseEvent, ExtensionRequest, TimeLimit

S = Case.State
U = Case.Urgency

OPEN_STATES = frozenset(
    {S.RECEIVED, S.FILED, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.HANDLED, S.SUSPENDED, S.ESCALATED}
)
# States in which the centre, a department or an inspector still has work to do by a deadline.
TIMED_STATES = frozenset(
    {S.RECEIVED, S.FILED, S.RETURNED, S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.CLOSED}
)
ACTIVE_WORK = frozenset(
    {S.FILED, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.HANDLED, S.ESCALATED, S.SUSPENDED, S.RECEIVED}
)
DEPARTMENT_KINDS = (Organisation.Kind.DEPARTMENT, Organisation.Kind.PROPERTY_COMPANY)
MAX_TEXT = 4000


# --- Scopes: which cases a role may act on --------------------------------------------------------

DEPT, STATION, REPORTER = "department", "station", "reporter"


def _own_department(access: Access, case: Any) -> bool:
    return case.department_id is not None and case.department_id in access.department_ids


def _own_station(access: Access, case: Any) -> bool:
    return case.station_id is not None and case.station_id in access.station_ids


def _own_report(access: Access, case: Any) -> bool:
    return case.reporter_user_id is not None and case.reporter_user_id == access.user_id


SCOPES: dict[str, Callable[[Access, Any], bool]] = {
    DEPT: _own_department,
    STATION: _own_station,
    REPORTER: _own_report,
}

CENTRE = {Role.OPERATOR: ANY, Role.DUTY_CHIEF: ANY}


# --- Helpers the effects share ---------------------------------------------------------------------


def deadline(step: Step, stage: str, start: Any) -> Any:
    """The case's deadline for `stage` from `start` (the demo's history passes a cached one)."""
    fn = step.helpers.get("deadline", sla.deadline)
    return fn(step.obj, stage, start)


def _limit(step: Step, stage: str) -> Any:
    """(amount, unit) of the case's time limit for `stage`."""
    fn = step.helpers.get("limit")
    if fn is not None:
        return fn(step.obj, stage)
    c = step.obj
    return sla.time_limit(
        category_id=c.category_id, urgency=c.urgency, stage=stage, case_type=c.type
    )


def _handle_by(step: Step, due: Any) -> None:
    """The department has until `due` to handle the case; closing it is due a verification's
    time later."""
    c = step.obj
    c.handle_due_at = due
    c.close_due_at = deadline(step, "verify", due)
    c.due_at = due


def _photos(step: Step) -> None:
    step.found["photos"] = photos.validate_all(step.params.get("photos") or [])


def _attach_photos(stage: str) -> Callable[[Step], None]:
    def after(step: Step) -> None:
        checked = step.found.get("photos")
        if checked:
            photos.attach(
                case=step.obj, checked=checked, stage=stage, user=step.actor, event=step.event
            )

    return after


# --- file, not accept, merge ------------------------------------------------------------------------


def _file(step: Step) -> None:
    c = step.obj
    c.filed_at = step.at
    c.due_at = deadline(step, "dispatch", step.at)


def _stop_clock(step: Step) -> None:
    step.obj.due_at = None


def merge_target(user: Any, reference: str) -> Case | None:
    """The case a user means by a number (or id) when merging, if they may see it."""
    ref = (reference or "").strip()
    if not ref:
        return None
    qs = perms.visible(user, Case.objects.all())
    found = qs.filter(number__iexact=ref).first()
    if found is None and ref.isdigit():
        found = qs.filter(pk=int(ref)).first()
    return found


def _prepare_merge(step: Step) -> None:
    master = step.params.get("master")
    if not isinstance(master, Case):
        master = merge_target(step.actor, str(master or ""))
        if master is None:
            raise ServiceError(
                _("There is no case with this number."),
                field_errors={"master": [_("Unknown case number.")]},
            )
    if master.pk == step.obj.pk:
        raise ServiceError(_("A case cannot be merged into itself."))
    master = Case.objects.get(pk=master.pk)
    if master.state == S.MERGED or (
        master.state not in OPEN_STATES and master.state not in (S.CLOSED, S.EVALUATED)
    ):
        raise ServiceError(_("Merge into a case that is still open or recently closed."))
    step.found["master"] = master


def _merge(step: Step) -> dict[str, Any]:
    master = step.found["master"]
    step.obj.merged_into_id = master.pk
    step.obj.due_at = None
    return {"master": master.number}


def _after_merge(step: Step) -> None:
    record_event(
        case=step.found["master"],
        actor=step.actor,
        action="merged_child",
        note=step.note,
        data={"child": step.obj.number},
    )


# --- dispatch, accept, return -----------------------------------------------------------------------


def departments() -> Any:
    return Organisation.objects.active().filter(kind__in=DEPARTMENT_KINDS).order_by("kind", "name")


def department_people() -> Any:
    return (
        Person.objects.active()
        .filter(positions__organisation__in=departments(), positions__archived_at__isnull=True)
        .distinct()
        .order_by("name")
    )


def _department(value: Any, case: Any = None) -> Organisation:
    if value is None or value == "":
        raise ServiceError(
            _("Choose the department to dispatch to."),
            field_errors={"department": [_("This field is required.")]},
        )
    try:
        dep = value if isinstance(value, Organisation) else Organisation.objects.get(pk=value)
    except (Organisation.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError(
            _("Unknown department."), field_errors={"department": [_("Unknown department.")]}
        ) from exc
    if dep.kind not in DEPARTMENT_KINDS or dep.archived_at is not None:
        raise ServiceError(
            _("Cases can only be dispatched to a department or property company."),
            field_errors={"department": [_("Not a department.")]},
        )
    if (
        case is not None
        and dep.subdistrict_id is not None
        and dep.subdistrict_id != case.subdistrict_id
    ):
        raise ServiceError(
            _("That department belongs to another subdistrict."),
            field_errors={"department": [_("Not in this case's subdistrict.")]},
        )
    return dep


def _prepare_dispatch(step: Step) -> None:
    """The one dispatch form: department (suggested from the category; overriding the suggestion
    needs a reason), responsible person, deadline (computed; overriding needs a reason)."""
    p, c = step.params, step.obj
    dep = _department(p.get("department"), c)
    suggested = sla.routed_department_id(c.category_id)
    reason = (p.get("override_reason") or "").strip()
    if suggested and dep.pk != suggested and not reason:
        raise ServiceError(
            _("The category routes to another department: give a reason for choosing this one."),
            field_errors={"override_reason": [_("This field is required.")]},
        )
    person: Person | None = None
    assignee = p.get("assignee")
    if assignee not in (None, ""):
        person = (
            assignee if isinstance(assignee, Person) else Person.objects.filter(pk=assignee).first()
        )
        if (
            person is None
            or not Position.objects.filter(
                person=person, organisation=dep, archived_at__isnull=True
            ).exists()
        ):
            raise ServiceError(
                _("The responsible person must work in that department."),
                field_errors={"assignee": [_("Not in this department.")]},
            )
    due_at = p.get("due_at")
    if due_at is not None:
        if due_at <= step.at:
            raise ServiceError(
                _("The deadline must be in the future."),
                field_errors={"due_at": [_("Must be in the future.")]},
            )
        if not reason:
            raise ServiceError(
                _("Give a reason for setting the deadline by hand."),
                field_errors={"override_reason": [_("This field is required.")]},
            )
    step.found.update(
        department=dep.pk,
        department_name=str(dep),
        assignee=person.pk if person else None,
        due_at=due_at,
        suggested=suggested,
        override_reason=reason,
    )


def _dispatch(step: Step) -> dict[str, Any]:
    c, f = step.obj, step.found
    c.department_id = f["department"]
    c.assignee_id = f.get("assignee")
    c.dispatched_at = step.at
    c.acknowledged_at = c.acknowledged_at if c.urgency == U.URGENT else None
    _handle_by(step, f.get("due_at") or deadline(step, "handle", step.at))
    c.handled_on_time = None
    return {
        "department": f["department"],
        "department_name": f.get("department_name", ""),
        "assignee": f.get("assignee"),
        "due_at": c.handle_due_at,
        "suggested_department": f.get("suggested"),
        "override_reason": f.get("override_reason", ""),
    }


def _return(step: Step) -> dict[str, Any]:
    c = step.obj
    old = c.department_id
    c.return_count += 1
    c.due_at = deadline(step, "dispatch", step.at)
    c.handle_due_at = None
    c.close_due_at = None
    return {"department": old}


def _after_return(step: Step) -> None:
    ExtensionRequest.objects.filter(case=step.obj, status=ExtensionRequest.Status.PENDING).update(
        status=ExtensionRequest.Status.REFUSED, decision_note="case returned", decided_at=step.at
    )


# --- extensions -------------------------------------------------------------------------------------


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ServiceError(
            _("Enter how much extra time is needed."),
            field_errors={"amount": [_("Enter a number.")]},
        ) from exc
    if not amount.is_finite() or amount <= 0 or amount > 60:
        raise ServiceError(
            _("The extra time must be between 0 and 60."),
            field_errors={"amount": [_("Between 0 and 60.")]},
        )
    return amount


def extension_unit(case: Case) -> str:
    """The unit an extension is asked in unless another is chosen: the one the category's
    handling time limit is counted in (working days for most, hours for urgent matters)."""
    return str(
        sla.time_limit(
            category_id=case.category_id,
            urgency=case.urgency,
            stage=TimeLimit.Stage.HANDLE,
            case_type=case.type,
        )[1]
    )


def _prepare_extension_request(step: Step) -> None:
    amount = _amount(step.params.get("amount"))
    c = step.obj
    unit = step.params.get("unit") or extension_unit(c)
    if unit not in TimeLimit.Unit.values:
        raise ServiceError(_("Unknown time unit."), field_errors={"unit": [_("Unknown unit.")]})
    if amount < 1:
        message = _("Ask for at least one unit of time.")
        raise ServiceError(message, field_errors={"amount": [message]})
    if ExtensionRequest.objects.filter(case=c, status=ExtensionRequest.Status.PENDING).exists():
        raise ServiceError(
            _("An extension request for this case is already waiting for a decision.")
        )
    req = ExtensionRequest.objects.create(
        case=c,
        requested_by=step.actor,
        amount=amount,
        unit=unit,
        reason=step.note,
        old_due_at=c.handle_due_at,
    )
    audit.record_created(actor=step.actor, obj=req)
    step.found["request"] = req
    step.data.update({"extension": req.pk, "amount": str(amount), "unit": unit})
    step.audit_extra["extension_request"] = (
        None,
        f"{amount.normalize():f} {TimeLimit.Unit(unit).label}：{step.note}",
    )


def _prepare_decision(step: Step) -> None:
    c = step.obj
    request_id = step.params.get("request")
    qs = ExtensionRequest.objects.select_for_update().filter(case=c)
    if request_id in (None, ""):
        req = qs.filter(status=ExtensionRequest.Status.PENDING).first()
        if req is None:
            raise ServiceError(_("There is no extension request waiting for a decision."))
    else:
        req = qs.filter(pk=request_id).first()
        if req is None:
            raise ServiceError(
                _("This extension request is not for this case."),
                field_errors={"request": [_("Unknown extension request.")]},
            )
    if req.status != ExtensionRequest.Status.PENDING:
        who = req.decided_by or _("someone else")
        raise ServiceError(_("This request was already decided by %(who)s.") % {"who": who})
    step.found["request"] = req


def _extend(step: Step) -> dict[str, Any]:
    """The deadline moves on by the time asked for (`found["request"]`: amount and unit)."""
    c, req = step.obj, step.found["request"]
    req.old_due_at = c.handle_due_at
    _handle_by(step, sla.add(c.handle_due_at or step.at, (req.amount, req.unit)))
    c.extension_count += 1
    req.new_due_at = c.handle_due_at
    step.audit_extra["extension_decision"] = (None, str(_("approved")))
    return {"extension": req.pk, "due_at": c.handle_due_at}


def _refuse(step: Step) -> dict[str, Any]:
    step.audit_extra["extension_decision"] = (None, str(_("refused")))
    return {"extension": step.found["request"].pk, "due_at": step.obj.handle_due_at}


def _decided(approved: bool) -> Callable[[Step], None]:
    def after(step: Step) -> None:
        req = step.found["request"]
        audit.update(
            actor=step.actor,
            obj=req,
            note=step.note,
            status=ExtensionRequest.Status.APPROVED
            if approved
            else ExtensionRequest.Status.REFUSED,
            decided_by=step.actor,
            decided_at=step.at,
            decision_note=step.note,
            # what the approval's effect worked out on the request (_extend)
            old_due_at=req.old_due_at,
            new_due_at=req.new_due_at,
        )

    return after


# --- handling, the district's reply, verification ---------------------------------------------------


def _prepare_result(step: Step) -> None:
    step.note = clean_text(step.note, field="result", required=True, max_length=MAX_TEXT)


def _prepare_handle(step: Step) -> None:
    _prepare_result(step)
    _photos(step)


def _handle(step: Step) -> None:
    c = step.obj
    c.handled_at = step.at
    c.result = step.note
    c.handled_on_time = c.handle_due_at is None or step.at <= c.handle_due_at
    c.due_at = deadline(step, "verify", step.at)


def _district_reply(step: Step) -> None:
    c = step.obj
    c.handled_at, c.result, c.handled_on_time = step.at, step.note, True
    c.due_at = deadline(step, "verify", step.at)


def _close(step: Step) -> None:
    c = step.obj
    c.closed_at = step.at
    c.closed_on_time = c.close_due_at is None or step.at <= c.close_due_at
    c.due_at = deadline(step, "callback", step.at)


def _rework(step: Step) -> dict[str, Any]:
    c = step.obj
    c.rework_count += 1
    c.handled_at = None
    _handle_by(step, sla.add(step.at, sla.REWORK))
    return {"due_at": c.handle_due_at}


# --- evaluation, reopening ------------------------------------------------------------------------


def _prepare_evaluate(step: Step) -> None:
    if step.params.get("satisfaction") not in Case.Satisfaction.values:
        raise ServiceError(
            _("Choose how satisfied you are."),
            field_errors={"satisfaction": [_("This field is required.")]},
        )


def _evaluate(step: Step) -> dict[str, Any]:
    c = step.obj
    c.satisfaction = step.params["satisfaction"]
    c.evaluated_at = step.at
    c.due_at = None
    return {"satisfaction": c.satisfaction}


def _after_evaluate(step: Step) -> None:
    if step.obj.satisfaction == Case.Satisfaction.DISSATISFIED:
        record_event(
            case=step.obj,
            actor=None,
            action="warn",
            note=_("The reporter is dissatisfied: consider reopening."),
            data={"dissatisfied": True},
        )


def _reopen(step: Step) -> None:
    c = step.obj
    c.reopen_count += 1
    c.closed_at = c.evaluated_at = None
    c.closed_on_time = c.handled_on_time = None
    c.satisfaction = ""
    c.filed_at = step.at
    c.due_at = deadline(step, "dispatch", step.at)


# --- suspension, escalation, supervision, emergencies, notes ------------------------------------------


def _suspend(step: Step) -> None:
    c = step.obj
    c.suspended_from = step.from_state
    c.paused_at = step.at
    c.due_at = None


def _resumed_state(case: Any) -> str:
    return str(case.suspended_from or S.ACCEPTED)


def _resume(step: Step) -> dict[str, Any]:
    """Back to where it was; the deadlines move on by the time the case was suspended."""
    from gongzhi.worktime import services as worktime

    c = step.obj
    paused = c.paused_at or step.at
    if c.handle_due_at:
        unit = _limit(step, "handle")[1]
        c.handle_due_at = worktime.shift(
            c.handle_due_at, paused_from=paused, paused_until=step.at, unit=unit
        )
        c.close_due_at = deadline(step, "verify", c.handle_due_at)
    c.due_at = c.handle_due_at
    c.paused_at = None
    c.suspended_from = ""
    return {"paused_from": paused, "due_at": c.handle_due_at}


def _supervise(step: Step) -> dict[str, Any]:
    c = step.obj
    c.supervision_level = min(3, c.supervision_level + 1)
    return {"level": c.supervision_level}


def _prepare_acknowledge(step: Step) -> None:
    if step.obj.urgency != U.URGENT:
        raise ServiceError(_("Only urgent cases need acknowledging."))
    if step.obj.acknowledged_at is not None:
        raise ServiceError(_("This emergency was already acknowledged."))


def _acknowledge(step: Step) -> None:
    step.obj.acknowledged_at = step.at


def _prepare_comment(step: Step) -> None:
    step.note = clean_text(step.note, field="note", required=True, max_length=2000)


# --- Who hears of what --------------------------------------------------------------------------------

REPORTERS = "reporters"  # the case's reporter and the reporters of cases merged into it
DEPARTMENT = "department"  # the staff of the case's department
SUPERVISED = "supervised"  # the department's staff and the responsible person
DUTY_CHIEFS = "duty_chiefs"  # the duty chief(s) on duty now
CENTRE_STAFF = "centre"  # operators and duty chiefs
INSPECTOR = "inspector"  # the case's inspector


def _dissatisfied(case: Any, event: Any) -> bool:
    return bool(case.satisfaction == Case.Satisfaction.DISSATISFIED)


# --- The table --------------------------------------------------------------------------------------

DEPARTMENT_PARAM = Param(
    "department",
    Kind.REFERENCE,
    gettext_lazy("Department"),
    required=True,
    queryset=departments,
    help=gettext_lazy("Suggested from the category; another one needs a reason."),
)
ASSIGNEE_PARAM = Param(
    "assignee",
    Kind.REFERENCE,
    gettext_lazy("Responsible person"),
    queryset=department_people,
    empty_label=gettext_lazy("the department decides"),
    help=gettext_lazy("A person of the department."),
)
DUE_AT_PARAM = Param(
    "due_at",
    Kind.DATETIME,
    gettext_lazy("Deadline"),
    help=gettext_lazy("Leave empty for the category's time limit."),
)
OVERRIDE_PARAM = Param(
    "override_reason",
    Kind.TEXT,
    gettext_lazy("Reason for another department or deadline"),
    max_length=2000,
)
PHOTOS_PARAM = Param("photos", Kind.PHOTOS, gettext_lazy("Photos"))
VERIFY_PHOTOS_PARAM = Param(
    "photos",
    Kind.PHOTOS,
    gettext_lazy("Photos"),
    widget_attrs={"accept": "image/*", "capture": "environment"},
)
REQUEST_PARAM = Param(
    "request",
    Kind.INTEGER,
    gettext_lazy("Extension request"),
    hidden=True,
    min_value=1,
    help=gettext_lazy("The request's id; omitted: the pending one."),
)

REASON = gettext_lazy("Reason")
RESULT = gettext_lazy("What was done")

ACTIONS: list[Action] = [
    action(
        "file",
        pgettext_lazy("case action", "File"),
        {S.RECEIVED},
        S.FILED,
        CENTRE,
        public=True,
        effect=_file,
        event="case.filed",
        notices=(Notice(REPORTERS, "case_filed"),),
        summary="File a received case",
        description="Operators and duty chiefs; from received.",
    ),
    action(
        "not_accept",
        gettext_lazy("Not accept"),
        {S.RECEIVED},
        S.NOT_ACCEPTED,
        {Role.DUTY_CHIEF: ANY},
        note_required=True,
        note_label=REASON,
        public=True,
        effect=_stop_clock,
        event="case.not_accepted",
        notices=(Notice(REPORTERS, "case_not_accepted"),),
        summary="Refuse a case (not accepted)",
        description="Duty chiefs; from received; `note` (the reason) is required.",
    ),
    action(
        "merge",
        gettext_lazy("Merge into another case"),
        {S.RECEIVED, S.FILED, S.RETURNED},
        S.MERGED,
        CENTRE,
        public=True,
        params=(
            Param(
                "master",
                Kind.TEXT,
                gettext_lazy("Merge into case number"),
                required=True,
                max_length=40,
                help=gettext_lazy("The case's number or id."),
            ),
        ),
        prepare=_prepare_merge,
        effect=_merge,
        after=_after_merge,
        event="case.merged",
        summary="Merge into another case",
        description="Operators and duty chiefs; from received, filed or returned.",
        success=lambda step: _("Merged into %(number)s.") % {"number": step.found["master"].number},
    ),
    action(
        "dispatch",
        gettext_lazy("Dispatch"),
        {S.FILED, S.RETURNED},
        S.DISPATCHED,
        CENTRE,
        public=True,
        params=(DEPARTMENT_PARAM, ASSIGNEE_PARAM, DUE_AT_PARAM, OVERRIDE_PARAM),
        prepare=_prepare_dispatch,
        effect=_dispatch,
        event="case.dispatched",
        notices=(
            Notice(REPORTERS, "case_dispatched"),
            Notice(DEPARTMENT, "case_dispatched_staff", note=False),
        ),
        summary="Dispatch to a department",
        description=(
            "Operators and duty chiefs; from filed or returned. A department other than the "
            "category's, or a deadline set by hand, needs `override_reason`."
        ),
    ),
    action(
        "accept",
        pgettext_lazy("case action", "Accept"),
        {S.DISPATCHED},
        S.ACCEPTED,
        {Role.DEPARTMENT: DEPT},
        event="case.accepted",
        summary="Accept a dispatched case",
        description="The case's department; from dispatched.",
    ),
    action(
        "return",
        gettext_lazy("Return to the centre"),
        {S.DISPATCHED, S.ACCEPTED},
        S.RETURNED,
        {Role.DEPARTMENT: DEPT},
        note_required=True,
        note_label=REASON,
        effect=_return,
        after=_after_return,
        event="case.returned",
        notices=(Notice(CENTRE_STAFF, "case_returned"),),
        summary="Return to the centre",
        description=(
            "The case's department; from dispatched or accepted; `note` (the reason) is required."
        ),
    ),
    action(
        "request_extension",
        gettext_lazy("Ask for an extension"),
        {S.DISPATCHED, S.ACCEPTED},
        None,
        {Role.DEPARTMENT: DEPT},
        note_required=True,
        note_label=REASON,
        params=(
            Param(
                "amount",
                Kind.DECIMAL,
                gettext_lazy("Extra time"),
                required=True,
                min_value=Decimal("1"),
                max_value=Decimal("60"),
                decimal_places=2,
                default=1,
                help=gettext_lazy("At least one unit."),
            ),
            Param(
                "unit",
                Kind.CHOICE,
                gettext_lazy("Unit"),
                choices=TimeLimit.Unit,
                help=gettext_lazy("By default the unit of the category's handling time limit."),
            ),
        ),
        prepare=_prepare_extension_request,
        event="case.extension_requested",
        notices=(Notice(DUTY_CHIEFS, "extension_requested"),),
        summary="Ask for an extension",
        description=(
            "The case's department; while dispatched or accepted; `note` (the reason) is required."
        ),
    ),
    action(
        "approve_extension",
        gettext_lazy("Approve the extension"),
        {S.DISPATCHED, S.ACCEPTED},
        None,
        {Role.DUTY_CHIEF: ANY},
        params=(REQUEST_PARAM,),
        prepare=_prepare_decision,
        effect=_extend,
        after=_decided(True),
        event="case.extended",
        notices=(Notice(DEPARTMENT, "extension_decided", context=lambda c, e: {"approved": True}),),
        summary="Approve the extension",
        description="Duty chiefs; the deadline moves by the requested time.",
    ),
    action(
        "refuse_extension",
        gettext_lazy("Refuse the extension"),
        {S.DISPATCHED, S.ACCEPTED},
        None,
        {Role.DUTY_CHIEF: ANY},
        note_required=True,
        note_label=REASON,
        params=(REQUEST_PARAM,),
        prepare=_prepare_decision,
        effect=_refuse,
        after=_decided(False),
        event="case.extension_refused",
        notices=(
            Notice(DEPARTMENT, "extension_decided", context=lambda c, e: {"approved": False}),
        ),
        summary="Refuse the extension",
        description="Duty chiefs; `note` (the reason) is required.",
    ),
    action(
        "handle",
        gettext_lazy("Report the result"),
        {S.ACCEPTED},
        S.HANDLED,
        {Role.DEPARTMENT: DEPT},
        note_required=True,
        note_label=RESULT,
        note_max_length=MAX_TEXT,
        note_param="result",
        public=True,
        params=(PHOTOS_PARAM,),
        prepare=_prepare_handle,
        effect=_handle,
        after=_attach_photos("handle"),
        event="case.handled",
        notices=(
            Notice(
                INSPECTOR,
                "verification_needed",
                when=lambda c, e: bool(c.inspector_id),
                note=False,
            ),
        ),
        summary="Report the result",
        description="The case's department; from accepted; with photos of the result.",
    ),
    action(
        "district_reply",
        gettext_lazy("Record the district's result"),
        {S.ESCALATED},
        S.HANDLED,
        CENTRE,
        note_required=True,
        note_label=RESULT,
        note_max_length=MAX_TEXT,
        note_param="result",
        public=True,
        prepare=_prepare_result,
        effect=_district_reply,
        event="case.handled",
        notices=(Notice(REPORTERS, "case_handled"),),
        summary="Record the district's result",
        description="Operators and duty chiefs; from escalated.",
    ),
    action(
        "verify_pass",
        gettext_lazy("Verified: close"),
        {S.HANDLED},
        S.CLOSED,
        {Role.INSPECTOR: STATION, **CENTRE},
        note_label=gettext_lazy("What you found on site"),
        public=True,
        params=(VERIFY_PHOTOS_PARAM,),
        prepare=_photos,
        effect=_close,
        after=_attach_photos("verify"),
        event="case.closed",
        notices=(
            Notice(REPORTERS, "case_closed"),
            Notice(REPORTERS, "case_rate_request", note=False),
        ),
        summary="Verified on site: close",
        description=(
            "The inspectors of the case's grid station, operators and duty chiefs; from handled."
        ),
    ),
    action(
        "verify_fail",
        gettext_lazy("Not fixed: rework"),
        {S.HANDLED},
        S.ACCEPTED,
        {Role.INSPECTOR: STATION, **CENTRE},
        note_required=True,
        note_label=gettext_lazy("What you found on site"),
        public=True,
        params=(VERIFY_PHOTOS_PARAM,),
        prepare=_photos,
        effect=_rework,
        after=_attach_photos("verify"),
        event="case.reworked",
        summary="Not fixed: rework",
        description="As verify_pass; `note` is required; the case goes back to the department.",
    ),
    action(
        "evaluate",
        gettext_lazy("Rate the outcome"),
        {S.CLOSED},
        S.EVALUATED,
        {**CENTRE, Role.RESIDENT: REPORTER},
        public=True,
        params=(
            Param(
                "satisfaction",
                Kind.CHOICE,
                gettext_lazy("How satisfied is the reporter?"),
                required=True,
                choices=Case.Satisfaction,
            ),
        ),
        prepare=_prepare_evaluate,
        effect=_evaluate,
        after=_after_evaluate,
        event="case.evaluated",
        notices=(Notice(DUTY_CHIEFS, "case_dissatisfied", when=_dissatisfied, note=False),),
        summary="Rate the outcome",
        description="Operators, duty chiefs and the reporter; from closed.",
    ),
    action(
        "reopen",
        gettext_lazy("Reopen"),
        {S.CLOSED, S.EVALUATED},
        S.FILED,
        CENTRE,
        note_required=True,
        note_label=REASON,
        public=True,
        effect=_reopen,
        event="case.reopened",
        notices=(Notice(REPORTERS, "case_reopened"),),
        summary="Reopen",
        description=(
            "Operators and duty chiefs; from closed or evaluated; `note` (the reason) is required."
        ),
    ),
    action(
        "suspend",
        gettext_lazy("Suspend"),
        {S.DISPATCHED, S.ACCEPTED},
        S.SUSPENDED,
        {Role.DUTY_CHIEF: ANY},
        note_required=True,
        note_label=REASON,
        public=True,
        effect=_suspend,
        event="case.suspended",
        summary="Suspend",
        description="Duty chiefs; from dispatched or accepted; the deadline stops; `note` is required.",
    ),
    action(
        "resume",
        gettext_lazy("Resume"),
        {S.SUSPENDED},
        _resumed_state,
        {Role.DUTY_CHIEF: ANY},
        public=True,
        effect=_resume,
        event="case.resumed",
        summary="Resume",
        description="Duty chiefs; from suspended, back to where it was; the deadline moves on.",
    ),
    action(
        "escalate",
        gettext_lazy("Escalate to the district"),
        {S.FILED, S.RETURNED, S.DISPATCHED, S.ACCEPTED},
        S.ESCALATED,
        {Role.DUTY_CHIEF: ANY, Role.LEADER: ANY},
        note_required=True,
        note_label=REASON,
        public=True,
        effect=_stop_clock,
        event="case.escalated",
        summary="Escalate to the district",
        description="Duty chiefs and leaders; `note` (the reason) is required.",
    ),
    action(
        "supervise",
        gettext_lazy("Supervise"),
        ACTIVE_WORK,
        None,
        {Role.LEADER: ANY, Role.DUTY_CHIEF: ANY},
        note_required=True,
        effect=_supervise,
        event="case.supervised",
        notices=(Notice(SUPERVISED, "case_supervised"),),
        summary="Supervise",
        description="Leaders and duty chiefs; raises the supervision level; `note` is required.",
    ),
    action(
        "acknowledge",
        gettext_lazy("Acknowledge the emergency"),
        ACK_STATES,
        None,
        {Role.DUTY_CHIEF: ANY, Role.OPERATOR: ANY},
        prepare=_prepare_acknowledge,
        effect=_acknowledge,
        event="case.acknowledged",
        summary="Acknowledge the emergency",
        description="Operators and duty chiefs; urgent cases only, once.",
    ),
    action(
        "comment",
        gettext_lazy("Add a note"),
        ACTIVE_WORK | {S.CLOSED},
        None,
        {
            **CENTRE,
            Role.DEPARTMENT: DEPT,
            Role.INSPECTOR: STATION,
            Role.LEADER: ANY,
        },
        note_required=True,
        prepare=_prepare_comment,
        event="case.commented",
        summary="Add a note",
        description="Everyone who works on the case; `note` is required.",
    ),
]


# --- The timeline and the conflict message ------------------------------------------------------------

# Events written by the system (sweeps, notices), not by users: not in the table above.
SYSTEM_ACTIONS = {
    "receive",
    "warn",
    "overdue",
    "auto_supervise",
    "emergency_page",
    "emergency_escalate",
    "notify",
    "merged_child",
    "photo",
}


def action_label(action: str) -> str:
    a = CASES.actions.get(action) if "CASES" in globals() else None
    if a is not None:
        return str(a.label)
    labels = {
        "receive": _("Received"),
        "warn": _("Deadline approaching"),
        "overdue": _("Overdue"),
        "auto_supervise": _("Supervised automatically (overdue)"),
        "emergency_page": _("Duty chief paged"),
        "emergency_escalate": _("Emergency not acknowledged: escalated"),
        "notify": _("Notice sent"),
        "merged_child": _("Another report merged into this case"),
        "photo": _("Photo added"),
    }
    return labels.get(action, action)


def refuse_conflict(case: Case) -> ConflictError:
    """Someone else changed the case since the user saw it: say who did what, and when."""
    return conflict_naming(
        case.events.exclude(action__in=SYSTEM_ACTIONS).order_by("-at", "-id").first(),
        label=action_label,
        already=_(
            "This case was already handled by %(who)s (%(what)s, %(when)s); reload to see its current state."
        ),
        changed=_("This case has changed since you opened it; reload to see its current state."),
    )


_record = recorder(CaseEvent, "case", keeps=("public",))


def record_event(*, case: Any, obj: Any = None, **row: Any) -> CaseEvent:
    """One row of the case's timeline (`save=False`: not yet written)."""
    return _record(obj=obj if obj is not None else case, **row)


CASES: Workflow[Case] = Workflow(
    domain="case",
    model=Case,
    actions=ACTIONS,
    scopes=SCOPES,
    record=_record,
    conflict=refuse_conflict,
    quiet_fields=("sweep_claim",),
)

# For readers of the table by its old name (permissions, the API, tests).
TRANSITIONS = CASES.actions

# The domain event of every action and of the system's own events, for listeners
# (e.g. the webhooks forward the ones their subscribers asked for).
EVENT_NAMES: dict[str, str] = {
    **{a.name: CASES.event_name(a) for a in ACTIONS},
    "receive": "case.received",
    "overdue": "case.overdue",
    "warn": "case.warned",
    "emergency_escalate": "case.emergency_escalated",
}


def role_may(access: Access, a: Action, case: Case) -> bool:
    return CASES.may(access, a, case)


def available_actions(user: Any, case: Case) -> list[Action]:
    """The actions this user may take on the case now (role, scope and state)."""
    return CASES.available(user, case)


def may_act(user: Any, action: str, case: Case) -> bool:
    a = CASES.actions.get(action)
    return a is not None and CASES.may(access_for(user), a, case)


__all__ = [
    "ACTIONS",
    "CASES",
    "EVENT_NAMES",
    "OPEN_STATES",
    "SYSTEM_ACTIONS",
    "TIMED_STATES",
    "TRANSITIONS",
    "action_label",
    "available_actions",
    "merge_target",
    "record_event",
    "refuse_conflict",
]
