"""Triage counts for `manage.py summary --json` (key "triage")."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _


def triage_summary() -> dict[str, Any]:
    from .models import ClassifierVersion, ImportBatch, ImportProfile, Suggestion

    served = ClassifierVersion.objects.filter(active=True).first()
    return {
        "profiles": ImportProfile.objects.active().count(),
        "imports": dict(ImportBatch.objects.values_list("state").annotate(n=Count("id"))),
        "suggestions": dict(Suggestion.objects.values_list("outcome").annotate(n=Count("id"))),
        "classifier": {
            "version": served.version if served else None,
            "macro_f1": round(served.macro_f1, 4) if served else None,
        },
    }


def register() -> None:
    from gongzhi.core.summary import register as register_summary
    from gongzhi.core.summary import register_labels

    register_summary("triage", triage_summary)
    register_labels({"triage": _("Work-order triage")})
