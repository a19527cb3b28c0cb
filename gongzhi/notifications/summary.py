"""This app's counts for `manage.py summary --json` (see gongzhi.core.summary)."""

from __future__ import annotations

from django.db.models import Count

from gongzhi.core.summary import register

from .models import MessageTemplate, Notification


def notifications_summary() -> dict[str, object]:
    by: dict[str, dict[str, int]] = {}
    for row in Notification.objects.values("channel", "status").annotate(n=Count("id")):
        by.setdefault(row["channel"], {})[row["status"]] = row["n"]
    return {
        "by_channel": by,
        "edited_templates": MessageTemplate.objects.active().count(),
    }


register("notifications", notifications_summary)
