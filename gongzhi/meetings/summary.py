"""The councils' counts for `manage.py summary --json`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gongzhi.core.summary import counts_by, register


def meetings_summary() -> dict[str, Any]:
    from .models import (
        ActionItem,
        Meeting,
        ReceptionOpinion,
        Topic,
        TrainingSession,
        Vote,
        VoteParticipation,
    )
    from .services import overdue_items

    items = counts_by(ActionItem.objects.active(), "state")
    return {
        "meetings": Meeting.objects.active().count(),
        "action_items": sum(items.values()),
        "action_items_by_state": items,
        "action_items_overdue": overdue_items(timezone.localdate()).count(),
        "topics": Topic.objects.active().count(),
        "votes": Vote.objects.active().count(),
        "ballots": VoteParticipation.objects.count(),
        "reception_opinions": ReceptionOpinion.objects.active().count(),
        "training_sessions": TrainingSession.objects.active().count(),
    }


register("meetings", meetings_summary)
