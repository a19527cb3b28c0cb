"""Who sees which notices: everyone sees only their own in-app notices (administrators too:
the message log in the back office is where they see everyone's deliveries, addresses masked).
Message templates and preferences are changed in the back office by administrators only (the
default policy); a user changes their own preference through the preferences page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi.core.permissions import SHARED, Policy, register
from gongzhi.core.roles import Access

from .models import Notification


@register(Notification)
class NotificationPolicy(Policy):
    subdistrict_path = SHARED  # each user's own notices

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.user_id is None:
            return qs.none()
        return qs.filter(recipient_id=access.user_id, channel=Notification.Channel.IN_APP)

    def can_read(self, access: Access, obj: Notification) -> bool:
        return access.user_id is not None and obj.recipient_id == access.user_id
