"""The back office of the service network: each list opens for administrators; a room changed
there is audited; the read-only lists cannot add."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.servicecentre import services

from .factories import EventFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "servicepoint",
    "room",
    "programme",
    "catalogueitem",
    "menu",
    "order",
    "event",
    "registration",
    "volunteer",
    "pointsentry",
]


def test_lists_open_for_administrators(client, world, net):
    services.register(actor=net.office_worker, event=EventFactory(point=net.building))
    client.force_login(world.admin)
    for model in MODELS:
        r = client.get(reverse(f"admin:servicecentre_{model}_changelist"))
        assert r.status_code == 200, model
    assert client.get(reverse("admin:servicecentre_registration_add")).status_code == 403


def test_a_room_changed_in_the_back_office_is_audited(client, world, net):
    client.force_login(world.admin)
    room = net.building_room
    url = reverse("admin:servicecentre_room_change", args=[room.pk])
    r = client.post(url, {"point": room.point_id, "name": "白领之家（大）", "seats": 50})
    assert r.status_code == 302
    room.refresh_from_db()
    assert room.seats == 50
    assert AuditEvent.objects.filter(
        object_id=str(room.pk), action=AuditEvent.Action.UPDATE
    ).exists()
