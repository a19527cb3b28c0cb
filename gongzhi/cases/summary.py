"""Case counts for `manage.py summary --json`."""

from __future__ import annotations

from typing import Any

from gongzhi.core.summary import counts_by, register


def cases_summary() -> dict[str, Any]:
    from django.utils import timezone

    from .measures import overdue
    from .models import Case, Category
    from .workflow import OPEN_STATES

    by_state = counts_by(Case.objects.all(), "state")
    by_channel = counts_by(Case.objects.all(), "channel")
    return {
        "total": sum(by_state.values()),
        "open": sum(n for state, n in by_state.items() if state in OPEN_STATES),
        # The measures' one definition (past the handling or closure deadline while the
        # clock runs), as on the cockpit and in the statistics.
        "overdue": Case.objects.filter(overdue(timezone.now())).count(),
        "by_state": by_state,
        "by_channel": by_channel,
        "categories": Category.objects.active().count(),
    }


register("cases", cases_summary)
