"""The webhooks listen to the case events (gongzhi.core.events), in the transaction that changed
the case: a `Delivery` row per matching subscription is written with the change (the outbox) and
sent by the worker after the commit. Nothing here touches the network."""

from __future__ import annotations

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import EVENT_NAMES
from gongzhi.core import events

from . import payloads, services

# "case.dispatched" → "dispatch": the case action behind each domain event.
_ACTIONS = {name: action for action, name in EVENT_NAMES.items()}


def _action(event: events.Event) -> str:
    return str(event.get("action") or _ACTIONS.get(event.name, ""))


def _subscribed(event: events.Event) -> bool:
    event_type = payloads.ACTION_EVENTS.get(_action(event))
    return event_type is not None and bool(services.subscribers(event_type))


@events.subscribe("case.*", when=_subscribed)
def queue_case_deliveries(event: events.Event) -> None:
    action = _action(event)
    if "case_ids" in event.data:
        services.cases_event(case_ids=list(event["case_ids"]), event=action, at=event.at)
        return
    case = Case.objects.select_related(
        "category", "category__group", "department", "grid", "residential_area", "merged_into"
    ).get(pk=event["case_id"])
    row = CaseEvent.objects.filter(pk=event.get("event_id")).first()
    services.case_event(case=case, event=row or action, at=event.at)
