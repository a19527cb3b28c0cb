"""Personal data the product holds, kept only as long as it is needed (PIPL 个人信息保护法
Art. 19, 47) and handed over on request (Art. 45).

Each domain registers what it holds about people (`Holding`): which rows, which fields, how to
find the rows of one person, and — where a retention period applies — which rows have outlived
it. The kernel then:

- **anonymises** the expired rows' personal fields (`anonymise_expired`, the daily task
  `audit.retention`): the fields are blanked, the rows themselves stay (a case keeps its
  history and its figures); one audit row per holding names how many rows and which fields,
  never the values;
- **exports** everything held about one person (`export_subject`, `manage.py personal_data
  export`): every matching row's fields, and the reveal log — who saw this person's data,
  when, and who was refused. The export itself is an audit row.

Periods are days after the row's end (a case's closing …), from
`settings.PERSONAL_DATA_RETENTION_DAYS` by the holding's key; 0 keeps the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from . import services as audit
from .models import AuditEvent


@dataclass(frozen=True)
class Subject:
    """Whom an export is about: a phone number, an e-mail address and/or an account."""

    phone: str = ""
    email: str = ""
    user: Any = None

    def __bool__(self) -> bool:
        return bool(self.phone or self.email or self.user)


@dataclass(frozen=True)
class Holding:
    key: str  # e.g. "cases.reporter": the retention setting's key
    label: Any  # what the rows are, in words
    model: Callable[[], type[models.Model]]  # (lazy: the model of an app of any layer)
    fields: tuple[str, ...]  # the personal fields: exported, and blanked when expired
    match: Callable[[Subject], Q | None]  # the rows about a person (None: none can match)
    ended: Callable[[dt.datetime], Q] | None = None  # rows whose end is before the cutoff
    shown: tuple[str, ...] = ()  # other fields an export shows for context (number, dates)


HOLDINGS: dict[str, Holding] = {}


def register(holding: Holding) -> None:
    HOLDINGS[holding.key] = holding


def retention_days(key: str) -> int:
    return int(dict(getattr(settings, "PERSONAL_DATA_RETENTION_DAYS", {}) or {}).get(key, 0))


def _not_blank(fields: tuple[str, ...]) -> Q:
    q = Q()
    for name in fields:
        q |= ~Q(**{name: ""})
    return q


def expired(holding: Holding, now: dt.datetime) -> models.QuerySet[Any] | None:
    days = retention_days(holding.key)
    if not days or holding.ended is None:
        return None
    cutoff = now - dt.timedelta(days=days)
    return (
        holding.model()
        ._base_manager.filter(holding.ended(cutoff))
        .filter(_not_blank(holding.fields))
    )


def anonymise_expired(*, now: dt.datetime | None = None, batch: int = 1000) -> dict[str, int]:
    """Blank the personal fields of every row past its holding's retention period."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for key, holding in HOLDINGS.items():
        qs = expired(holding, now)
        if qs is None:
            continue
        total = 0
        while True:
            with transaction.atomic():
                ids = list(qs.order_by("pk").values_list("pk", flat=True)[:batch])
                if not ids:
                    break
                holding.model()._base_manager.filter(pk__in=ids).update(
                    **{name: "" for name in holding.fields}
                )
                total += len(ids)
                audit.record(
                    actor=None,
                    action=AuditEvent.Action.UPDATE,
                    object_repr=str(holding.label),
                    changes={name: {"before": "…", "after": ""} for name in holding.fields},
                    note=f"retention: personal data of {len(ids)} rows anonymised "
                    f"({retention_days(key)} days after their end; ids {ids[0]}–{ids[-1]})",
                )
        done[key] = total
    return done


def _value(obj: models.Model, name: str) -> Any:
    value = getattr(obj, name)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value if isinstance(value, int | float | bool | str | type(None)) else str(value)


@transaction.atomic
def export_subject(*, actor: Any, subject: Subject, reason: str) -> dict[str, Any]:
    """Everything held about one person, and who saw it (the reveal log)."""
    if not subject:
        raise ValueError("an export needs a phone number, an e-mail address or an account")
    out: dict[str, Any] = {
        "subject": {
            "phone": subject.phone,
            "email": subject.email,
            "user": getattr(subject.user, "username", None),
        },
        "generated_at": timezone.localtime().isoformat(),
        "holdings": {},
        "reveal_log": [],
    }
    reveal_q = Q(pk__in=[])
    for key, holding in HOLDINGS.items():
        q = holding.match(subject)
        if q is None:
            continue
        model = holding.model()
        rows = list(model._base_manager.filter(q).order_by("pk"))
        if not rows:
            continue
        out["holdings"][key] = {
            "label": str(holding.label),
            "retention_days": retention_days(key) or None,
            "rows": [
                {"id": r.pk, **{n: _value(r, n) for n in (*holding.shown, *holding.fields)}}
                for r in rows
            ],
        }
        ct = ContentType.objects.get_for_model(model)
        reveal_q |= Q(content_type=ct, object_id__in=[str(r.pk) for r in rows])
    if subject.user is not None:
        ct = ContentType.objects.get_for_model(type(subject.user))
        reveal_q |= Q(content_type=ct, object_id=str(subject.user.pk))
        for name in ("person_id",):
            person_id = getattr(subject.user, name, None)
            if person_id:
                reveal_q |= Q(content_type__model="person", object_id=str(person_id))
    actions = [AuditEvent.Action.REVEAL, AuditEvent.Action.DENIED]
    for ev in AuditEvent.objects.filter(reveal_q, action__in=actions).order_by("at", "id"):
        out["reveal_log"].append(
            {
                "at": timezone.localtime(ev.at).isoformat(),
                "who": ev.actor_label,
                "action": ev.action,
                "object": ev.object_repr,
                "field": ev.note,
            }
        )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_repr="personal data",
        note=f"export of a person's data ({reason}); "
        + ", ".join(f"{k}: {len(v['rows'])}" for k, v in out["holdings"].items()),
    )
    return out
