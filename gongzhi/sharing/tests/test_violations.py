"""Overstays into school hours: a warning, then suspension at the rules' number; appeals; permit
renewal and revocation."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import ServiceError
from gongzhi.sharing import services
from gongzhi.sharing.models import Permit, Violation

from .factories import at

pytestmark = pytest.mark.django_db


def stay(resource, came, left, plate="沪A12345"):
    services.gate_check(actor=None, resource_id=resource.pk, plate=plate, at=at(came))
    return services.gate_check(
        actor=None, resource_id=resource.pk, plate=plate, at=at(left), direction="out"
    )


def test_leaving_in_time_or_within_the_grace_is_no_violation(permit, car_park):
    stay(car_park, "2026-12-07 18:00", "2026-12-08 07:20")
    stay(car_park, "2026-12-08 18:00", "2026-12-09 07:44")  # 14 minutes late: grace
    assert not Violation.objects.exists()


def test_overstays_warn_then_suspend(permit, car_park):
    stay(car_park, "2026-12-07 18:00", "2026-12-08 09:00")
    stay(car_park, "2026-12-08 18:00", "2026-12-09 08:30")
    outcomes = list(Violation.objects.order_by("entered_at").values_list("outcome", flat=True))
    assert outcomes == ["warning", "warning"]
    permit.refresh_from_db()
    assert permit.state == "active"
    stay(car_park, "2026-12-09 18:00", "2026-12-10 12:00")  # the third: the rules say 3
    permit.refresh_from_db()
    assert permit.state == "suspended"
    assert Violation.objects.order_by("entered_at").last().outcome == "suspension"
    refused = services.gate_check(
        actor=None, resource_id=car_park.pk, plate="沪A12345", at=at("2026-12-10 18:00")
    )
    assert (refused.allowed, refused.reason) == (False, "suspended")
    assert AuditEvent.objects.filter(object_id=str(permit.pk), action="state").exists()
    event = permit.events.get()
    assert (event.action, event.from_state, event.to_state) == ("suspend", "active", "suspended")
    assert "3" in event.note


def test_the_sweep_finds_cars_still_inside_once(permit, car_park):
    services.gate_check(
        actor=None, resource_id=car_park.pk, plate="沪A12345", at=at("2026-12-07 18:00")
    )
    assert services.overstay_sweep(resource=car_park, at=at("2026-12-08 07:40")) == []
    found = services.overstay_sweep(resource=car_park, at=at("2026-12-08 08:00"))
    assert len(found) == 1 and found[0].left_at is None
    assert services.overstay_sweep(resource=car_park, at=at("2026-12-08 09:00")) == []
    # When it leaves, the same violation gets its exit time.
    services.gate_check(
        actor=None,
        resource_id=car_park.pk,
        plate="沪A12345",
        at=at("2026-12-08 10:00"),
        direction="out",
    )
    assert Violation.objects.count() == 1
    assert Violation.objects.get().left_at == at("2026-12-08 10:00")


def test_an_upheld_appeal_cancels_the_violation_and_reinstates(world, permit, car_park):
    for day in (7, 8, 9):
        stay(car_park, f"2026-12-{day:02d} 18:00", f"2026-12-{day + 1:02d} 09:00")
    permit.refresh_from_db()
    assert permit.state == "suspended"
    last = Violation.objects.order_by("entered_at").last()
    services.violation_appeal(actor=world.resident_a, violation=last, text="孩子发烧送医，耽误了")
    with pytest.raises(ServiceError):
        services.violation_appeal(actor=world.resident_a, violation=last, text="again")
    services.violation_decide(actor=world.liaison, violation=last, upheld=True, note="情况属实")
    permit.refresh_from_db()
    assert permit.state == "active"
    with pytest.raises(ServiceError):
        services.violation_decide(actor=world.liaison, violation=last, upheld=False)


def test_renew_and_revoke(world, permit):
    services.permit_renew(actor=world.liaison, permit=permit, valid_to=dt.date(2027, 6, 30))
    permit.refresh_from_db()
    assert (permit.valid_to, permit.renewals) == (dt.date(2027, 6, 30), 1)
    with pytest.raises(ServiceError):
        services.permit_renew(actor=world.liaison, permit=permit, valid_to=dt.date(2027, 1, 1))
    with pytest.raises(ServiceError):
        services.permit_change_state(actor=world.liaison, permit=permit, action="revoke")
    services.permit_change_state(
        actor=world.liaison, permit=permit, action="revoke", note="已搬离杏梅园"
    )
    assert Permit.objects.get(pk=permit.pk).state == "revoked"
    assert list(permit.events.values_list("action", flat=True)) == ["renew", "revoke"]
    with pytest.raises(ServiceError):
        services.permit_change_state(actor=world.liaison, permit=permit, action="reinstate")
    with pytest.raises(ServiceError):
        services.permit_renew(actor=world.liaison, permit=permit, valid_to=dt.date(2028, 1, 1))


def test_expiry_sweep_and_renewing_an_expired_permit(world, permit):
    assert services.expire_permits(today=dt.date(2027, 2, 1)) == 1
    assert Permit.objects.get(pk=permit.pk).state == "expired"
    assert services.expire_permits(today=dt.date(2027, 2, 1)) == 0
    services.permit_renew(actor=world.liaison, permit=permit, valid_to=dt.date(2027, 12, 31))
    assert Permit.objects.get(pk=permit.pk).state == "active"


def test_only_the_owner_unit_changes_a_permit(world, permit):
    from gongzhi.core.errors import NotAllowed

    for persona in ("resident_a", "secretary", "leader", "operator"):
        with pytest.raises(NotAllowed):
            services.permit_change_state(
                actor=world.users[persona], permit=permit, action="suspend", note="x"
            )
    assert Permit.objects.get(pk=permit.pk).state == "active"
    services.permit_change_state(actor=world.admin, permit=permit, action="suspend", note="x")


def test_the_worker_finds_a_car_still_inside_and_expires_old_permits(
    world, permit, car_park, settings
):
    import time_machine

    from gongzhi.core import tasks

    settings.TASKS_BACKEND = "database"  # the periodic sweep runs in the worker

    services.gate_check(
        actor=None, resource_id=car_park.pk, plate="沪A12345", at=at("2026-12-07 18:00")
    )
    with time_machine.travel(at("2026-12-08 09:00"), tick=False):
        tasks.work(once=True)
    [found] = Violation.objects.all()
    assert found.permit == permit and found.left_at is None
    assert Permit.objects.get(pk=permit.pk).state == "active"  # still valid
    with time_machine.travel(permit.valid_to + dt.timedelta(days=2), tick=False):
        tasks.work(once=True)
    assert Permit.objects.get(pk=permit.pk).state == "expired"
    assert Violation.objects.count() == 1  # the same stay is not counted twice
