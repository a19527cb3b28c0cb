"""Reading notices: a user's inbox and the unread count shown in the navigation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi.core.roles import Access

from .models import Notification


def inbox(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own in-app notices, newest first."""
    qs = Notification.objects.filter(
        recipient_id=getattr(user, "pk", None), channel=Notification.Channel.IN_APP
    ).prefetch_related("target")  # one query per kind of object the page's notices are about
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user_id: int | None) -> int:
    """One COUNT query on the inbox index."""
    if user_id is None:
        return 0
    return Notification.objects.filter(
        recipient_id=user_id, channel=Notification.Channel.IN_APP, read_at__isnull=True
    ).count()


def nav_badge(access: Access, user: Any = None) -> int | None:
    """The navigation badge: the number of unread notices, or None for none."""
    return unread_count(user_id=access.user_id) or None
