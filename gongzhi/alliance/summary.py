"""Alliance counts for `manage.py summary --json`."""

from __future__ import annotations

from typing import Any

from gongzhi.core.summary import counts_by, register


def alliance_summary() -> dict[str, Any]:
    from .models import JointActivity, Membership, Need, Project, Resource

    by_state = counts_by(Project.objects.active(), "state")
    return {
        "member_units": Membership.objects.active().filter(left_on__isnull=True).count(),
        "joint_activities": JointActivity.objects.active().count(),
        "resources": Resource.objects.active().count(),
        "needs": Need.objects.active().count(),
        "projects": sum(by_state.values()),
        "projects_by_state": by_state,
    }


register("alliance", alliance_summary)
