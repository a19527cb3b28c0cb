"""What the notifications hold about people (gongzhi.audit.privacy): the phone number or
e-mail address a message went to, blanked PERSONAL_DATA_RETENTION_DAYS["notifications.address"]
days after it was written (the message and its delivery record stay)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.privacy import Holding, Subject, register

from .models import Notification


def _match(subject: Subject) -> Q | None:
    q = Q(pk__in=[])
    if subject.phone:
        q |= Q(to_address=subject.phone)
    if subject.email:
        q |= Q(to_address__iexact=subject.email)
    if subject.user is not None:
        q |= Q(recipient=subject.user)
    return q


register(
    Holding(
        key="notifications.address",
        label=_("addresses of sent messages"),
        model=lambda: Notification,
        fields=("to_address",),
        match=_match,
        ended=lambda cutoff: Q(created_at__lt=cutoff),
        shown=("created_at", "channel", "subject"),
    )
)
