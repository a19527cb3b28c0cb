"""The webhooks listen to the case events (gongzhi.core.events), in the transaction that changed
the case: a `Delivery` row per matching subscription is written with the change (the outbox) and
sent by the worker after the commit. Nothing here touches the network. A domain event is a
webhook event when subscribers may ask for it ("case.dispatched" → "dispatched")."""

from __future__ import annotations

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.core import events

from . import payloads, services


def _subscribed(event: events.Event) -> bool:
    event_type = payloads.event_type_of(event.name)
    return event_type is not None and bool(services.subscribers(event_type))


@events.subscribe("case.*", when=_subscribed)
def queue_case_deliveries(event: events.Event) -> None:
    event_type = payloads.event_type_of(event.name)
    assert event_type is not None
    if "case_ids" in event.data:  # the sweep's flags: many cases at once
        services.cases_event(
            case_ids=list(event["case_ids"]), event_type=event_type, action=event_type, at=event.at
        )
        return
    case = Case.objects.select_related(
        "category", "category__group", "department", "grid", "residential_area", "merged_into"
    ).get(pk=event["case_id"])
    row = CaseEvent.objects.filter(pk=event.get("event_id")).first()
    services.case_event(
        case=case, event_type=event_type, row=row, action=event.get("action", ""), at=event.at
    )
