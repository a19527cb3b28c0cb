"""Alliance counts for `manage.py summary --json`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from gongzhi.core.summary import register


def alliance_summary() -> dict[str, Any]:
    from .models import JointActivity, Membership, Need, Project, Resource

    by_state = dict(
        Project.objects.active()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {
        "member_units": Membership.objects.active().filter(left_on__isnull=True).count(),
        "joint_activities": JointActivity.objects.active().count(),
        "resources": Resource.objects.active().count(),
        "needs": Need.objects.active().count(),
        "projects": sum(by_state.values()),
        "projects_by_state": by_state,
    }


register("alliance", alliance_summary)
