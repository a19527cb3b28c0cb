from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.audit import services as audit
from gongzhi.org.models import Person


@pytest.mark.parametrize("persona", ["auditor", "admin"])
def test_auditors_browse_and_filter_the_trail(client, world, persona):
    person = Person.objects.get(name="刘书记")
    audit.update(actor=world.admin, obj=person, note="fix", email="liu@example.org")
    client.force_login(getattr(world, persona))
    r = client.get(reverse("audit:list"), {"action": "update", "object_type": "org.person"})
    assert r.status_code == 200
    assert "刘书记" in r.content.decode()
    r = client.get(reverse("audit:list"), {"action": "login"})
    assert "刘书记" not in r.content.decode()


@pytest.mark.parametrize(
    "persona", ["operator", "leader", "secretary", "handler", "inspector", "resident"]
)
def test_other_roles_cannot_read_the_trail(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("audit:list")).status_code == 403


def test_bad_filter_dates_get_a_message_not_an_error(client, world):
    client.force_login(world.auditor)
    r = client.get(reverse("audit:list"), {"since": "2026-05-01", "until": "2026-04-01"})
    assert r.status_code == 200
    assert "开始日期不能晚于结束日期" in r.content.decode() or "start date" in r.content.decode()
