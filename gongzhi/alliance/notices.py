"""Who hears of a project's steps: the liaisons of its units and the secretaries (and
committee members) of its residential areas, except the person who acted. A listener of the
project events, run by the worker after the change commits."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from gongzhi.accounts.models import User
from gongzhi.core import events
from gongzhi.notifications import services as notifications
from gongzhi.org.access import active_positions_q
from gongzhi.org.models import Organisation, Position

from .models import Project
from .workflow import party_unit_ids, project_area_ids

NOTIFIED = {
    "project.proposed",
    "project.agreed",
    "project.started",
    "project.completed",
    "project.cancelled",
    "project.evaluated",
}
AREA_ROLES = (
    Position.Role.SECRETARY,
    Position.Role.DEPUTY_SECRETARY,
    Position.Role.COMMITTEE_MEMBER,
)


def recipients(project: Project) -> list[User]:
    """The liaisons of the project's units and the area's general-branch secretaries."""
    people = Position.objects.filter(active_positions_q()).filter(
        Q(role=Position.Role.UNIT_LIAISON, organisation_id__in=party_unit_ids(project))
        | Q(
            role__in=AREA_ROLES,
            organisation__kind=Organisation.Kind.GENERAL_BRANCH,
            organisation__residential_area_id__in=project_area_ids(project),
        )
    )
    return list(
        User.objects.filter(person_id__in=people.values("person_id"), is_active=True).order_by("id")
    )


def tell(project: Project, *, actor_id: int | None, template: str, note: str = "") -> None:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    link = reverse("alliance:project", args=[project.pk])
    for u in recipients(project):
        if u.pk == actor_id:
            continue
        notifications.notify(
            template=template,
            context={
                "title": project.title,
                "state": project.get_state_display(),
                "actor": str(actor) if actor else "",
                "note": note,
            },
            user=u,
            channels=("in_app",),
            link=link,
            target=project,
        )


@events.subscribe("project.*", after_commit=True, when=lambda e: e.name in NOTIFIED)
def on_project_event(event: events.Event) -> None:
    project = Project.objects.filter(pk=event["project_id"]).first()
    if project is None:
        return
    note = ""
    if event.get("event_id"):
        note = (
            project.events.filter(pk=event["event_id"]).values_list("note", flat=True).first() or ""
        )
    actor_id: Any = event.actor_id
    tell(
        project,
        actor_id=actor_id,
        template="project_proposed" if event.name == "project.proposed" else "project_changed",
        note=note,
    )
