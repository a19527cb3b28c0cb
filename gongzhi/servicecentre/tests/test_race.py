"""Two people cancelling at the same moment: each freed seat goes to one person on the waiting
list, in order, and nobody moves up twice (PostgreSQL row locks; SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.servicecentre import selectors, services
from gongzhi.servicecentre.models import Registration, ServiceLog

from .factories import EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
R = Registration.State


def race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(i, fn):
        try:
            barrier.wait()
            outcomes[i] = fn()
        except Exception as exc:  # noqa: BLE001
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the race is checked on PostgreSQL")


def test_two_cancels_at_once_promote_two_people_once_each(world, net):
    event = EventFactory(point=net.building, capacity=2)
    people = [UserFactory() for _ in range(5)]
    regs = [services.register(actor=p, event=event)[0] for p in people]
    assert [r.state for r in regs] == [R.REGISTERED] * 2 + [R.WAITLISTED] * 3
    outcomes = race(
        lambda: services.cancel_registration(actor=people[0], registration=regs[0].pk),
        lambda: services.cancel_registration(actor=people[1], registration=regs[1].pk),
    )
    assert all(isinstance(o, Registration) for o in outcomes), outcomes
    states = [Registration.objects.get(pk=r.pk).state for r in regs]
    assert states == [R.CANCELLED, R.CANCELLED, R.REGISTERED, R.REGISTERED, R.WAITLISTED]
    assert selectors.seats_taken(event) == 2
    promoted = ServiceLog.objects.filter(subject="registration", action="promote")
    assert sorted(promoted.values_list("subject_id", flat=True)) == [regs[2].pk, regs[3].pk]


def test_the_same_cancel_twice_at_once_promotes_one_person(world, net):
    event = EventFactory(point=net.building, capacity=1)
    people = [UserFactory() for _ in range(3)]
    regs = [services.register(actor=p, event=event)[0] for p in people]
    outcomes = race(
        lambda: services.cancel_registration(actor=people[0], registration=regs[0].pk),
        lambda: services.cancel_registration(actor=people[0], registration=regs[0].pk),
    )
    assert all(isinstance(o, Registration) for o in outcomes), outcomes
    states = [Registration.objects.get(pk=r.pk).state for r in regs]
    assert states == [R.CANCELLED, R.REGISTERED, R.WAITLISTED]
    assert ServiceLog.objects.filter(subject="registration", action="promote").count() == 1


def test_many_register_at_once_never_exceed_capacity(world, net):
    event = EventFactory(point=net.building, capacity=3)
    people = [UserFactory() for _ in range(8)]
    outcomes = race(*[(lambda p=p: services.register(actor=p, event=event.pk)) for p in people])
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert selectors.seats_taken(event) == 3
    assert Registration.objects.filter(event=event, state=R.WAITLISTED).count() == 5


def test_two_schedulers_at_once_cannot_both_book_the_provider(world, net):
    from gongzhi.core.errors import ServiceError
    from gongzhi.servicecentre.models import Event, Order

    day = net.menu.month.replace(day=9)
    orders = [
        services.order_place(
            actor=staff,
            menu_item=net.lecture_on_menu,
            station=point,
            proposed_on=day,
            starts_at="12:00",
        )
        for staff, point in (
            (net.station_staff, net.building),
            (net.other_station_staff, net.residential),
        )
    ]
    outcomes = race(
        *[
            (lambda o=o: services.order_schedule(actor=world.service_staff, order=o.pk))
            for o in orders
        ]
    )
    assert sum(isinstance(o, Event) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, ServiceError) for o in outcomes) == 1, outcomes
    assert Order.objects.filter(state=Order.State.SCHEDULED).count() == 1
