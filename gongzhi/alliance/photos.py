"""Photos of projects and joint activities: checked and re-encoded by the cases' photo functions
(content, size, no metadata); a project's photo is stored with the timeline row of the action
that brought it."""

from __future__ import annotations

from typing import Any

from gongzhi.cases import photos as checks

from .models import ActivityPhoto, ProjectPhoto

validate_all = checks.validate_all


def _uploader(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def attach(
    *, project: Any, checked: list[tuple[bytes, str, int, int]], user: Any, event: Any
) -> list[ProjectPhoto]:
    return [
        checks.store_reencoded(
            ProjectPhoto(project=project, event=event, uploaded_by=_uploader(user)),
            data,
            str(project.pk),
        )
        for data, _fmt, _w, _h in checked
    ]


def attach_to_activity(
    *, activity: Any, checked: list[tuple[bytes, str, int, int]], user: Any
) -> list[ActivityPhoto]:
    return [
        checks.store_reencoded(
            ActivityPhoto(activity=activity, uploaded_by=_uploader(user)),
            data,
            f"a{activity.pk}",
        )
        for data, _fmt, _w, _h in checked
    ]
