"""The grid centre's home-page panel of triage: imports waiting to be committed or running,
and cases waiting for a verdict on their suggested category (every figure a link)."""

from __future__ import annotations

from typing import Any

from gongzhi.core.home import Panel, register
from gongzhi.core.roles import Access, Role


def _show(a: Access) -> bool:
    return a.has(Role.OPERATOR, Role.DUTY_CHIEF) and not a.is_superuser


def build(user: Any, access: Access) -> dict[str, Any] | None:
    from gongzhi.core.permissions import visible

    from .models import ImportBatch, Suggestion

    # The user's subdistrict's imports and suggestions (visible() narrows to it).
    waiting = (
        visible(user, ImportBatch)
        .filter(
            state__in=[
                ImportBatch.State.CHECKED,
                ImportBatch.State.CHECKING,
                ImportBatch.State.IMPORTING,
            ]
        )
        .count()
    )
    pending = visible(user, Suggestion).filter(outcome=Suggestion.Outcome.PENDING).count()
    if not waiting and not pending:
        return None
    return {"imports": waiting, "suggestions": pending}


def register_panels() -> None:
    register(Panel("triage", "triage/home/triage.html", _show, build, position=15))
