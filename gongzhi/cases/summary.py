"""Case counts for `manage.py summary --json`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from gongzhi.core.summary import register


def cases_summary() -> dict[str, Any]:
    from .models import Case, Category

    by_state = dict(
        Case.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return {
        "total": sum(by_state.values()),
        "by_state": by_state,
        "categories": Category.objects.active().count(),
    }


register("cases", cases_summary)
