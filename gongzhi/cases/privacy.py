"""What the case domain holds about people (gongzhi.audit.privacy): a report's reporter — name,
phone and e-mail — kept for PERSONAL_DATA_RETENTION_DAYS["cases.reporter"] days after the case
ended (closed, evaluated, not accepted or merged), then blanked; the case stays."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.privacy import Holding, Subject, register

from .intake import normalise_phone
from .models import Case

ENDED = (Case.State.CLOSED, Case.State.EVALUATED, Case.State.NOT_ACCEPTED, Case.State.MERGED)


def _match(subject: Subject) -> Q | None:
    q = Q(pk__in=[])
    if subject.phone:
        q |= Q(reporter_phone=normalise_phone(subject.phone)) | Q(reporter_phone=subject.phone)
    if subject.email:
        q |= Q(reporter_email__iexact=subject.email)
    if subject.user is not None:
        q |= Q(reporter_user=subject.user)
    return q


def _ended(cutoff: dt.datetime) -> Q:
    # A case ends when it is closed (evaluated later), or when it is refused or merged (then it
    # has no closing time, and its last change stands for it).
    return Q(state__in=ENDED) & (
        Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff)
    )


register(
    Holding(
        key="cases.reporter",
        label=_("reporters of cases"),
        model=lambda: Case,
        fields=("reporter_name", "reporter_phone", "reporter_email"),
        match=_match,
        ended=_ended,
        shown=("number", "received_at", "state", "description"),
    )
)
