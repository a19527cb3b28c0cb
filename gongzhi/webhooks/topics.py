"""Webhook topics of the domains other than cases: which of a domain's events a subscriber may
ask for, and what each says.

Cases have their own payloads (payloads.py: the case, its timeline row, the subscription's
filters). Any other domain adds a `Topic` here, from a module of this app (the interface layer
may import the domains; the domains never import it):

    register(Topic(
        domain="project",                      # its events are "project.<action>"
        label=_("alliance projects"),
        actions={"agreed": _("project agreed"), …},
        data=project_data,                     # Event → the payload's "data" (no personal data)
    ))

A subscription asks for "project.agreed" (the full event name); each such event writes one
`Delivery` per subscription in the transaction that made it (the outbox), sent by the worker
after the commit, signed, retried and logged like the cases' deliveries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from gongzhi.core import events

from . import delivery
from .models import Delivery

log = logging.getLogger("gongzhi.webhooks")


@dataclass(frozen=True)
class Topic:
    domain: str
    label: Any
    actions: dict[str, Any]  # action → label
    data: Callable[[events.Event], dict[str, Any]]
    # The subdistrict an event is of, where the event does not say it (`subdistrict_id`): that
    # subdistrict's subscriptions and the district-wide ones get it; None (an object of the
    # district itself, e.g. a district council) the district-wide ones only. A topic without it
    # goes to every subscription.
    subdistrict: Callable[[events.Event], int | None] | None = None

    def event_types(self) -> list[tuple[str, Any]]:
        return [(f"{self.domain}.{action}", label) for action, label in self.actions.items()]


TOPICS: dict[str, Topic] = {}


def register(topic: Topic) -> Topic:
    """Make the topic's events available to subscriptions and listen to them."""
    if topic.domain in TOPICS or topic.domain == "case":
        raise ValueError(f"webhook topic {topic.domain!r} registered twice")
    TOPICS[topic.domain] = topic
    events.subscribe(f"{topic.domain}.*", when=_subscribed, key=f"webhooks.{topic.domain}")(
        queue_deliveries
    )
    return topic


def unregister(domain: str) -> None:
    """Forget a topic (tests that register one of their own): its listener stays but no longer
    wants any event."""
    TOPICS.pop(domain, None)


def event_types() -> list[tuple[str, Any]]:
    """Every (event type, label) of the registered topics."""
    return [pair for topic in TOPICS.values() for pair in topic.event_types()]


def known(event_type: str) -> bool:
    domain, _sep, action = event_type.partition(".")
    topic = TOPICS.get(domain)
    return topic is not None and action in topic.actions


def _subscribed(event: events.Event) -> bool:
    from .services import subscribers

    return known(event.name) and bool(subscribers(event.name))


def queue_deliveries(event: events.Event) -> list[Delivery]:
    """One delivery per subscription to the event, written with the change that made it. A
    mistake in building a payload is logged and never stops the change."""

    topic = TOPICS[event.name.partition(".")[0]]
    try:
        subs = _subscribers_of(topic, event)
        if not subs:
            return []
        with transaction.atomic():
            return delivery.queue(subs, event.name, topic.data(event))
    except Exception:
        log.exception("webhooks: could not queue %s", event.name)
        return []


def _subscribers_of(topic: Topic, event: events.Event) -> list[Any]:
    """An event of a subdistrict goes to that subdistrict's subscriptions and the district-wide
    ones only; an event of the district (no subdistrict) to the district-wide ones."""
    from .services import subscribers

    if "subdistrict_id" in event.data:
        return subscribers(event.name, event.data["subdistrict_id"])
    if topic.subdistrict is None:
        return subscribers(event.name)
    subdistrict_id = topic.subdistrict(event)
    if subdistrict_id is None:
        return [s for s in subscribers(event.name) if s.subdistrict_id is None]
    return subscribers(event.name, subdistrict_id)
