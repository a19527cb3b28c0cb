"""An action item's life cycle, in one action table (gongzhi.workflow is the kernel).

    open → in progress → done            (open or in progress → cancelled, with a reason;
                                          done → in progress again: "reopen")

Besides the state changes, two actions link the item to the work that carries it out: "file a
case" in the grid centre (through the cases' intake contract, on the deputies' channel) and
"propose a project" in the alliance (through the alliance's services); the item then shows the
case's or project's progress, read live from their tables.

Who acts: the item's owner on their own item; the council's chair and secretary (its officers)
on every item of their council; leaders and administrators on every item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import STAFF_ROLES, Access, Role
from gongzhi.workflow import ANY, Action, Kind, Notice, Param, Step, Workflow, action, recorder

from .models import ActionItem, ActionItemEvent, BodyMember

S = ActionItem.State
OPEN_STATES = frozenset({S.OPEN, S.IN_PROGRESS})
OWNER, OFFICER = "owner", "officer"
OFFICER_ROLES = (BodyMember.Role.CHAIR, BodyMember.Role.SECRETARY)


def body_ids(access: Access, key: str, **membership: Any) -> set[int]:
    """The councils of which this user's person is a member (as `membership` narrows it: a
    role …), once per request (kept under `key`)."""
    if key not in access.extra:
        ids: set[int] = set()
        if access.person_id:
            ids = set(
                BodyMember.objects.active()
                .filter(person_id=access.person_id, **membership)
                .values_list("body_id", flat=True)
            )
        access.extra[key] = ids
    return access.extra[key]  # type: ignore[no-any-return]


def officer_body_ids(access: Access) -> set[int]:
    """The councils this user chairs or is secretary of (once per request)."""
    return body_ids(access, "meetings_officer_of", role__in=OFFICER_ROLES)


def _body_id(item: Any) -> int | None:
    meeting = getattr(item, "meeting", None)
    return meeting.body_id if meeting is not None else None


def _officer(access: Access, item: Any) -> bool:
    return _body_id(item) in officer_body_ids(access)


def _owner_or_officer(access: Access, item: Any) -> bool:
    return (access.person_id is not None and item.owner_id == access.person_id) or _officer(
        access, item
    )


SCOPES: dict[str, Callable[[Access, Any], bool]] = {OWNER: _owner_or_officer, OFFICER: _officer}
BOARD = {Role.LEADER: ANY, Role.ADMIN: ANY}
TAKERS = {**{r: OWNER for r in STAFF_ROLES}, **BOARD}
OFFICERS = {**{r: OFFICER for r in STAFF_ROLES}, **BOARD}


def _complete(step: Step) -> None:
    step.obj.done_at = step.at
    step.obj.outcome = step.note


def _reopen(step: Step) -> None:
    step.obj.done_at = None


def _prepare_case(step: Step) -> None:
    if step.obj.case_id is not None:
        raise ServiceError(_("This action item already has a case."))
    if step.obj.project_id is not None:
        raise ServiceError(_("This action item is already carried out as a project."))
    from gongzhi.cases import intake
    from gongzhi.cases.models import Case

    description = (step.params.get("description") or "").strip() or step.obj.title
    # The council files through the intake contract on the deputies' channel, as a system
    # channel (the permission to do so is the action table's); every rule of a report applies.
    step.found["checked"] = intake.check(
        actor=case_actor(step.obj),
        channel=Case.Channel.DEPUTY,
        category=step.params.get("category"),
        title=step.obj.title[:120],
        description=description,
        address=step.params.get("address") or "",
        reporter_name=str(step.obj.owner)[:50],
    )


def case_actor(item: ActionItem) -> str:
    """How the case names who filed it: the council, by name (a system channel)."""
    return (_("Council: %(body)s") % {"body": item.meeting.body.name})[:150]


def _after_case(step: Step) -> None:
    from gongzhi.audit import services as audit
    from gongzhi.cases.services import case_intake

    result = case_intake(
        actor=case_actor(step.obj), reporter_user=step.actor, checked=step.found["checked"]
    )
    audit.update(actor=step.actor, obj=step.obj, case=result.case)
    step.event.data = {"case": result.case.pk, "number": result.case.number}
    step.event.save(update_fields=["data"])


def _prepare_project(step: Step) -> None:
    if step.obj.case_id is not None or step.obj.project_id is not None:
        raise ServiceError(_("This action item is already linked to a case or a project."))


def _after_project(step: Step) -> None:
    from gongzhi.alliance import services as alliance
    from gongzhi.audit import services as audit

    item = step.obj
    parties = [(item.owner_organisation, "lead")] if item.owner_organisation else []
    project = alliance.project_propose(
        actor=step.actor,
        title=(step.params.get("title") or "").strip() or item.title,
        goal=item.description or item.title,
        parties=parties,
        milestones=[(item.title, item.due_on)],
    )
    audit.update(actor=step.actor, obj=item, project=project)
    step.event.data = {"project": project.pk}
    step.event.save(update_fields=["data"])


def _categories() -> Any:
    from gongzhi.cases.selectors import leaf_categories

    return leaf_categories()


NOTIFY = (Notice("owner_and_chair", "action_item_changed"),)

ACTIONS: list[Action] = [
    action(
        "start",
        pgettext_lazy("action item action", "Start"),
        {S.OPEN},
        S.IN_PROGRESS,
        TAKERS,
        summary="Start work on an action item",
        description="Its owner, the council's chair and secretary, leaders.",
    ),
    action(
        "report",
        gettext_lazy("Report progress"),
        OPEN_STATES,
        None,
        TAKERS,
        note_required=True,
        note_label=gettext_lazy("Progress"),
        summary="Report an action item's progress",
        description="Its owner, the council's chair and secretary, leaders; `note` is required.",
    ),
    action(
        "complete",
        pgettext_lazy("action item action", "Done"),
        OPEN_STATES,
        S.DONE,
        TAKERS,
        note_required=True,
        note_label=gettext_lazy("Outcome"),
        effect=_complete,
        notices=NOTIFY,
        summary="Mark an action item done, with its outcome",
        description="Its owner, the council's chair and secretary, leaders; `note` is required.",
    ),
    action(
        "reopen",
        gettext_lazy("Reopen"),
        {S.DONE},
        S.IN_PROGRESS,
        OFFICERS,
        note_required=True,
        note_label=gettext_lazy("Reason"),
        effect=_reopen,
        notices=NOTIFY,
        summary="Reopen an action item marked done",
        description="The council's chair and secretary, leaders; `note` is required.",
    ),
    action(
        "cancel",
        pgettext_lazy("action item action", "Cancel"),
        OPEN_STATES,
        S.CANCELLED,
        OFFICERS,
        note_required=True,
        note_label=gettext_lazy("Reason"),
        notices=NOTIFY,
        summary="Cancel an action item, with the reason",
        description="The council's chair and secretary, leaders; `note` is required.",
    ),
    action(
        "file_case",
        gettext_lazy("File a case in the grid centre"),
        OPEN_STATES,
        None,
        TAKERS,
        params=(
            Param(
                "category",
                Kind.REFERENCE,
                gettext_lazy("Category"),
                required=True,
                queryset=_categories,
            ),
            Param("description", Kind.TEXT, gettext_lazy("Description"), max_length=4000),
            Param("address", Kind.TEXT, gettext_lazy("Address"), max_length=200),
        ),
        prepare=_prepare_case,
        after=_after_case,
        event="action_item.case_filed",
        summary="File a case in the grid centre for this action item",
        description="Its owner, the council's chair and secretary, leaders. The case goes "
        "through the intake contract on the deputies' channel.",
    ),
    action(
        "propose_project",
        gettext_lazy("Propose an alliance project"),
        OPEN_STATES,
        None,
        TAKERS,
        params=(Param("title", Kind.TEXT, gettext_lazy("Project title"), max_length=200),),
        prepare=_prepare_project,
        after=_after_project,
        event="action_item.project_proposed",
        summary="Propose an alliance project that carries out this action item",
        description="Whoever the alliance lets propose a project for the owner's unit.",
    ),
]


# One row of the action item's timeline.
record_event = recorder(ActionItemEvent, "item")


ACTION_ITEMS: Workflow[ActionItem] = Workflow(
    domain="action_item",
    model=ActionItem,
    actions=ACTIONS,
    scopes=SCOPES,
    record=record_event,
)
