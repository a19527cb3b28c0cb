"""A project's life cycle, in one action table (gongzhi.workflow is the kernel that runs it).

    proposed → agreed → in progress → completed → evaluated
        (proposed, agreed or in progress → cancelled, with a reason)

A unit's liaison acts on the projects its unit is a party to, an area secretary on the
projects of their area (the area served, or the owner of a self-governance project), the
Party-building service centre and leaders on every project. `PROJECTS.run()` is the one way a
project changes state; services.py holds its typed wrappers; the demo's history runs the same
effects through `gongzhi.workflow.apply()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gongzhi.audit import services as audit
from gongzhi.core.errors import ConflictError, ServiceError
from gongzhi.core.roles import Access, Role
from gongzhi.workflow import (
    ANY,
    Action,
    Kind,
    Param,
    Step,
    Workflow,
    action,
    conflict_naming,
    recorder,
)

from .models import Milestone, Project, ProjectEvent

S = Project.State

OPEN_STATES = frozenset({S.PROPOSED, S.AGREED, S.IN_PROGRESS})
DONE_STATES = frozenset({S.COMPLETED, S.EVALUATED})
# Roles that see and act on every project (the centre's staff, leaders, administrators).
ALLIANCE_STAFF = (Role.LEADER, Role.SERVICE_STAFF, Role.ADMIN)
STAFF = {r: ANY for r in ALLIANCE_STAFF}

PARTY, AREA = "party", "area"


def party_unit_ids(project: Any) -> set[int]:
    if project.pk is None:
        return set()
    return set(
        project.parties.filter(archived_at__isnull=True).values_list("organisation_id", flat=True)
    )


def project_area_ids(project: Any) -> set[int]:
    return {a for a in (project.residential_area_id, project.owner_area_id) if a}


def _party(access: Access, project: Any) -> bool:
    return bool(access.unit_ids) and bool(party_unit_ids(project) & access.unit_ids)


def _area(access: Access, project: Any) -> bool:
    return bool(project_area_ids(project) & access.area_ids)


SCOPES: dict[str, Callable[[Access, Any], bool]] = {PARTY: _party, AREA: _area}
TAKERS = {Role.LIAISON: PARTY, Role.AREA: AREA, **STAFF}


def quarter_of(at: Any) -> str:
    d = timezone.localtime(at).date() if hasattr(at, "tzinfo") else at
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def _agree(step: Step) -> None:
    step.obj.agreed_at = step.at
    step.obj.quarter = quarter_of(step.at)


def _start(step: Step) -> None:
    step.obj.started_at = step.at


def _prepare_progress(step: Step) -> None:
    mid = step.params.get("milestone")
    try:
        milestone = Milestone.objects.active().get(pk=int(str(mid)), project=step.obj)
    except (Milestone.DoesNotExist, TypeError, ValueError) as exc:
        raise ServiceError(
            _("Choose one of this project's milestones."),
            field_errors={"milestone": [_("Choose one of this project's milestones.")]},
        ) from exc
    progress = step.params.get("progress")
    if not isinstance(progress, int | str) or not str(progress).isdigit() or int(progress) > 100:
        raise ServiceError(
            _("Progress is a percentage from 0 to 100."),
            field_errors={"progress": [_("Progress is a percentage from 0 to 100.")]},
        )
    step.found["milestone"] = milestone
    _check_photos(step)
    step.data.update(
        milestone=milestone.pk, title=milestone.title, before=milestone.progress, after=progress
    )


def _check_photos(step: Step) -> None:
    from . import photos

    step.found["photos"] = photos.validate_all(step.params.get("photos") or [])
    if step.found["photos"]:
        step.data["photos"] = len(step.found["photos"])


def _attach_photos(step: Step) -> None:
    from . import photos

    if step.found.get("photos"):
        photos.attach(
            project=step.obj, checked=step.found["photos"], user=step.actor, event=step.event
        )


def _after_progress(step: Step) -> None:
    m = step.found["milestone"]
    audit.update(actor=step.actor, obj=m, progress=int(step.params["progress"]))
    _attach_photos(step)


def _prepare_complete(step: Step) -> None:
    outcome = (step.params.get("outcome") or "").strip()
    if not outcome:
        raise ServiceError(
            _("Please describe the outcome."),
            field_errors={"outcome": [_("This field is required.")]},
        )
    step.params["outcome"] = outcome
    _check_photos(step)


def _complete(step: Step) -> None:
    p = step.obj
    p.completed_at = step.at
    p.outcome = step.params["outcome"]
    count = step.params.get("beneficiary_count")
    if count is not None:
        p.beneficiary_count = int(count)


def _evaluate(step: Step) -> None:
    step.obj.evaluated_at = step.at


def _cancel(step: Step) -> None:
    step.obj.cancel_reason = step.note


def _reopen_need(step: Step) -> None:
    """A cancelled project's need is open again unless another project still serves it."""
    from .models import Need

    need_id = step.obj.need_id
    if need_id is None:
        return
    others = (
        Project.objects.active()
        .filter(need_id=need_id)
        .exclude(pk=step.obj.pk)
        .exclude(state=S.CANCELLED)
    )
    need = Need.objects.filter(pk=need_id, state=Need.State.MATCHED).first()
    if need is not None and not others.exists():
        audit.update(actor=step.actor, obj=need, state=Need.State.OPEN)


PHOTOS = Param("photos", Kind.PHOTOS, gettext_lazy("Photos"))

ACTIONS: list[Action] = [
    action(
        "agree",
        pgettext_lazy("project action", "Agree"),
        {S.PROPOSED},
        S.AGREED,
        TAKERS,
        public=True,
        effect=_agree,
        event="project.agreed",
        summary="Agree to a proposed project",
        description="Liaisons of its units, the area's secretary, centre staff and leaders.",
    ),
    action(
        "start",
        pgettext_lazy("project action", "Start"),
        {S.AGREED},
        S.IN_PROGRESS,
        TAKERS,
        public=True,
        effect=_start,
        event="project.started",
        summary="Start an agreed project",
        description="Liaisons of its units, the area's secretary, centre staff and leaders.",
    ),
    action(
        "progress",
        gettext_lazy("Report progress"),
        {S.IN_PROGRESS},
        None,
        TAKERS,
        params=(
            Param("milestone", Kind.INTEGER, gettext_lazy("Milestone"), required=True),
            Param(
                "progress",
                Kind.INTEGER,
                gettext_lazy("Progress (%)"),
                required=True,
                min_value=0,
                max_value=100,
            ),
            PHOTOS,
        ),
        prepare=_prepare_progress,
        after=_after_progress,
        event="project.progressed",
        summary="Report a milestone's progress",
        description="Liaisons of its units, the area's secretary, centre staff and leaders.",
    ),
    action(
        "complete",
        pgettext_lazy("project action", "Complete"),
        {S.IN_PROGRESS},
        S.COMPLETED,
        TAKERS,
        public=True,
        params=(
            Param("outcome", Kind.TEXT, gettext_lazy("Outcome"), required=True, max_length=4000),
            Param(
                "beneficiary_count",
                Kind.INTEGER,
                gettext_lazy("Number of beneficiaries"),
                min_value=0,
            ),
            PHOTOS,
        ),
        prepare=_prepare_complete,
        effect=_complete,
        after=_attach_photos,
        event="project.completed",
        summary="Complete a project, with its outcome",
        description="Liaisons of its units, the area's secretary, centre staff and leaders.",
    ),
    action(
        "evaluate",
        pgettext_lazy("project action", "Evaluate"),
        {S.COMPLETED},
        S.EVALUATED,
        {Role.AREA: AREA, **STAFF},
        public=True,
        note_required=True,
        note_label=gettext_lazy("Evaluation"),
        effect=_evaluate,
        event="project.evaluated",
        summary="Evaluate a completed project",
        description="The area's secretary, centre staff and leaders; `note` is required.",
    ),
    action(
        "cancel",
        pgettext_lazy("project action", "Cancel"),
        OPEN_STATES,
        S.CANCELLED,
        TAKERS,
        public=True,
        note_required=True,
        note_label=gettext_lazy("Reason"),
        effect=_cancel,
        after=_reopen_need,
        event="project.cancelled",
        summary="Cancel a project, with the reason",
        description="Liaisons of its units, the area's secretary, centre staff and leaders.",
    ),
]


# One row of the project's timeline (`save=False`: not yet written).
record_event = recorder(ProjectEvent, "project", keeps=("public",))


def action_label(name: str) -> str:
    a = PROJECTS.actions.get(name)
    if a is not None:
        return str(a.label)
    return {"propose": _("Proposed"), "party": _("Unit joined")}.get(name, name)


def refuse_conflict(project: Project) -> ConflictError:
    return conflict_naming(
        project.events.order_by("-at", "-id").first(),
        label=action_label,
        already=_(
            "This project was already changed by %(who)s (%(what)s, %(when)s); reload to see its current state."
        ),
        changed=_("This project has changed since you opened it; reload to see its current state."),
    )


PROJECTS: Workflow[Project] = Workflow(
    domain="project",
    model=Project,
    actions=ACTIONS,
    scopes=SCOPES,
    record=record_event,
    conflict=refuse_conflict,
)

EVENT_NAMES: dict[str, str] = {
    "propose": "project.proposed",
    **{a.name: PROJECTS.event_name(a) for a in ACTIONS},
}
