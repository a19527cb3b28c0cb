"""What a webhook says: which case actions are events, and the JSON body of each.

    {"id": "<delivery uuid>", "type": "case.dispatched", "created": "2026-03-02T09:15:00+08:00",
     "data": {"case": {…}, "event": {…}}}

No personal data: never the reporter's name, phone, email or account, nor the free-text
description (residents write names and numbers in it). Notes are included only for events the
reporter sees on the tracking page too; the actor is named only when it is a member of staff.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongzhi.cases.models import Case, CaseEvent

from .models import TEST_EVENT, EventType

E = EventType


def event_type_of(event_name: str) -> str | None:
    """The webhook event of a domain event: "case.dispatched" → "dispatched" when subscribers
    may ask for it (EventType); comments, acknowledgements, extension requests and refusals,
    notices are internal and send nothing."""
    domain, _sep, kind = event_name.partition(".")
    return kind if domain == "case" and kind in EventType.values else None


def iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def happened(event: Any) -> dict[str, Any]:
    """The "event" part of a domain topic's data: the action (the event's name after its domain)
    and when it happened."""
    return {"action": event.name.partition(".")[2], "at": iso(event.at)}


def _tracking_url(case: Case) -> str | None:
    try:
        path = reverse("cases:track", args=[case.tracking_code])
    except NoReverseMatch:
        return None
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def case_data(case: Case, *, tracking_link: bool = False) -> dict[str, Any]:
    """The case as a subscriber sees it: where, what, who handles it, its deadlines."""
    category = case.category
    group = category.group if category.group_id else None
    return {
        "number": case.number,
        "state": case.state,
        "type": case.type,
        "urgency": case.urgency,
        "channel": case.channel,
        "category": {"code": category.code, "name": category.name},
        "category_group": {"code": group.code, "name": group.name} if group else None,
        "department": (
            {"id": case.department_id, "name": case.department.name}
            if case.department_id and case.department
            else None
        ),
        "grid": case.grid.code if case.grid_id and case.grid else None,
        "residential_area": (
            case.residential_area.name
            if case.residential_area_id and case.residential_area
            else None
        ),
        "received_at": iso(case.received_at),
        "due_at": iso(case.due_at),
        "handle_due_at": iso(case.handle_due_at),
        "closed_at": iso(case.closed_at),
        "satisfaction": case.satisfaction or None,
        "merged_into": case.merged_into.number
        if case.merged_into_id and case.merged_into
        else None,
        "lat": case.lat,
        "lng": case.lng,
        "address": case.address,
        "tracking_url": _tracking_url(case) if tracking_link else None,
    }


def _actor(case: Case, event: CaseEvent | None) -> dict[str, str]:
    """Staff by name (they act in office); the reporter and other residents as a role only."""
    if event is None or (event.actor_id is None and event.actor_label in ("system", "")):
        return {"kind": "system", "label": ""}
    if event.actor_id is None:
        # No account: the public web form (by tracking code) or the system (label translated).
        from gongzhi.cases.selectors import PUBLIC_ACTOR

        public = event.actor_label in (PUBLIC_ACTOR, "AnonymousUser")
        return {"kind": "reporter" if public else "system", "label": ""}
    if event.actor_id == case.reporter_user_id:
        return {"kind": "reporter", "label": ""}
    from gongzhi.core.roles import access_for

    if event.actor is not None and access_for(event.actor).is_staff_member:
        return {"kind": "staff", "label": event.actor_label}
    return {"kind": "resident", "label": ""}


def event_data(
    case: Case, event: CaseEvent | None, *, action: str, at: dt.datetime
) -> dict[str, Any]:
    public = bool(event is not None and event.public)
    return {
        "action": action,
        "at": iso(event.at if event is not None else at),
        "from_state": (event.from_state if event is not None else "") or None,
        "to_state": (event.to_state if event is not None else case.state) or None,
        "note": event.note if public and event is not None and event.note else None,
        "actor": _actor(case, event),
    }


def envelope(
    *, delivery_id: str, type_name: str, created: dt.datetime, data: dict[str, Any]
) -> dict[str, Any]:
    return {"id": delivery_id, "type": type_name, "created": iso(created), "data": data}


def test_data(subscription_name: str) -> dict[str, Any]:
    return {
        "message": "A test event from Gongzhi: if you can verify its signature, all is well.",
        "subscription": subscription_name,
    }


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact UTF-8 JSON with sorted keys."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
        "utf-8"
    )


__all__ = ["TEST_EVENT", "event_type_of", "body_bytes", "case_data", "envelope", "event_data"]
