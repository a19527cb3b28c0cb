"""The case queue for monitoring (gongzhi.core.metrics, /metrics): open cases by state."""

from __future__ import annotations

from django.db.models import Count

from gongzhi.core import metrics

from .models import Case
from .workflow import OPEN_STATES


def open_by_state() -> dict[tuple[tuple[str, str], ...], int]:
    counts = dict(
        Case.objects.filter(state__in=OPEN_STATES)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(("state", str(s)),): int(counts.get(s, 0)) for s in sorted(OPEN_STATES)}


def register() -> None:
    metrics.register("gongzhi_cases_open", "Open cases by state.", open_by_state)
