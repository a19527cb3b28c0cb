"""The alliance's projects as webhook events ("project.agreed", …): what the project is, who
takes part and how far it has come. No personal data: units by name, areas by name, never a
resident's evaluation text."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.alliance.models import Project
from gongzhi.core import events

from .payloads import happened
from .topics import Topic, register


def project_data(event: events.Event) -> dict[str, Any]:
    project = (
        Project.objects.select_related("residential_area", "owner_area", "need", "resource")
        .prefetch_related("parties__organisation", "milestones")
        .get(pk=event["project_id"])
    )
    milestones = [m for m in project.milestones.all() if m.archived_at is None]
    return {
        "project": {
            "id": project.pk,
            "kind": project.kind,
            "title": project.title,
            "state": project.state,
            "residential_area": project.residential_area.name if project.residential_area else None,
            "owner_area": project.owner_area.name if project.owner_area else None,
            "need": {"id": project.need_id, "title": project.need.title} if project.need else None,
            "resource": (
                {"id": project.resource_id, "title": project.resource.title}
                if project.resource
                else None
            ),
            "parties": [
                {"unit": p.organisation.name, "role": p.role}
                for p in project.parties.all()
                if p.archived_at is None
            ],
            "progress": (
                round(sum(m.progress for m in milestones) / len(milestones)) if milestones else None
            ),
            "public": project.public,
        },
        "event": happened(event),
    }


def project_subdistrict(event: events.Event) -> int | None:
    return (
        Project.objects.filter(pk=event["project_id"])
        .values_list("subdistrict_id", flat=True)
        .first()
    )


PROJECTS = register(
    Topic(
        domain="project",
        label=_("alliance projects"),
        actions={
            "proposed": _("project proposed"),
            "agreed": _("project agreed"),
            "started": _("project started"),
            "progressed": _("project progress reported"),
            "completed": _("project completed"),
            "evaluated": _("project evaluated"),
            "cancelled": _("project cancelled"),
        },
        data=project_data,
        subdistrict=project_subdistrict,
    )
)
