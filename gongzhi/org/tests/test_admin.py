"""The back office edits people through the services: numbers audited masked, views logged."""

from __future__ import annotations

from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.org.models import Person


def _form(**overrides):
    data = {
        "name": "后台新人",
        "gender": "F",
        "birth_year": "",
        "mobile": "13766667777",
        "id_number": "310107199202021234",
        "email": "",
        "home_area": "",
        "home_address": "",
        "note": "",
    }
    data.update(overrides)
    return data


def test_admin_creates_and_changes_a_person_with_masked_audit(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("admin:org_person_add"), _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(name="后台新人")
    response = client.post(
        reverse("admin:org_person_change", args=[person.pk]), _form(mobile="137 6666 8888")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.mobile == "13766668888"
    events = AuditEvent.objects.for_object(person)
    recorded = " ".join(str(e.changes) for e in events)
    assert {"create", "update"} <= {e.action for e in events}
    for secret in ("13766667777", "13766668888", "310107199202021234"):
        assert secret not in recorded


def test_admin_form_refuses_a_duplicate_id_number(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:org_person_add"), _form(id_number=world.secretary.person.id_number)
    )
    assert response.status_code == 200
    assert not Person.objects.filter(name="后台新人").exists()


def test_opening_a_person_in_the_back_office_is_logged(client, world):
    person = world.secretary.person
    client.force_login(world.admin)
    response = client.get(reverse("admin:org_person_change", args=[person.pk]))
    assert response.status_code == 200
    reveals = AuditEvent.objects.for_object(person).filter(action="reveal", actor=world.admin)
    assert {k for e in reveals for k in e.changes} == {"mobile", "id_number"}
