"""Revealing a full mobile / ID number: allowed and logged, or refused and logged."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.org import services
from gongzhi.org.models import Person

HTMX = {"HTTP_HX_REQUEST": "true"}


def _everything_recorded(event: AuditEvent) -> str:
    return json.dumps(event.changes, ensure_ascii=False) + event.note + event.object_repr


@pytest.fixture
def secretary_person(world) -> Person:
    return world.secretary.person


# --- the service ----------------------------------------------------------------------------


@pytest.mark.parametrize("field", Person.PERSONAL_FIELDS)
def test_allowed_reveal_returns_the_value_and_logs_the_field_only(world, secretary_person, field):
    value = services.person_reveal(actor=world.operator, person=secretary_person, field=field)
    assert value == getattr(secretary_person, field)
    event = AuditEvent.objects.for_object(secretary_person).get()
    assert event.action == AuditEvent.Action.REVEAL
    assert event.actor == world.operator
    assert field in event.changes
    assert value not in _everything_recorded(event)


def test_refused_reveal_logs_denied_and_reveals_nothing(world, secretary_person):
    with pytest.raises(NotAllowed) as exc:
        services.person_reveal(actor=world.inspector, person=secretary_person, field="mobile")
    assert secretary_person.mobile not in str(exc.value.message)
    event = AuditEvent.objects.for_object(secretary_person).get()
    assert event.action == AuditEvent.Action.DENIED
    assert event.actor == world.inspector
    assert "mobile" in event.changes
    assert secretary_person.mobile not in _everything_recorded(event)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


@pytest.mark.parametrize("field", ["name", "email", "home_address", "password", ""])
def test_only_personal_fields_can_be_revealed(world, secretary_person, field):
    with pytest.raises(ServiceError):
        services.person_reveal(actor=world.admin, person=secretary_person, field=field)
    assert not AuditEvent.objects.for_object(secretary_person).exists()


def test_everyone_may_reveal_their_own_numbers(world):
    person = world.liaison.person
    assert services.person_reveal(actor=world.liaison, person=person, field="id_number") == (
        person.id_number
    )


# --- the endpoint ---------------------------------------------------------------------------


def _url(person: Person) -> str:
    return reverse("org:person_reveal", args=[person.pk])


def test_reveal_endpoint_answers_the_value_fragment(client, world, secretary_person):
    client.force_login(world.secretary)
    response = client.post(_url(secretary_person), {"field": "mobile"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert secretary_person.mobile in body
    assert "<html" not in body
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="reveal", actor=world.secretary).count() == 1


def test_reveal_without_htmx_shows_the_person_page_with_the_value(client, world):
    person = world.secretary.person
    client.force_login(world.operator)
    response = client.post(_url(person), {"field": "id_number"})
    assert response.status_code == 200
    body = response.content.decode()
    assert person.id_number in body
    assert person.mobile not in body  # only the field asked for
    assert person.mobile_masked in body


def test_reveal_refused_answers_403_with_a_message_and_logs_it(client, world, secretary_person):
    client.force_login(world.inspector)  # sees the area's secretary, may not reveal
    response = client.post(_url(secretary_person), {"field": "mobile"}, **HTMX)
    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-testid="reveal-refused"' in body
    assert secretary_person.mobile not in body
    event = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert event.actor == world.inspector
    assert event.object_id == str(secretary_person.pk)


def test_reveal_refused_without_htmx_shows_the_403_page(client, world, secretary_person):
    client.force_login(world.inspector)
    response = client.post(_url(secretary_person), {"field": "id_number"})
    assert response.status_code == 403
    assert 'data-testid="forbidden"' in response.content.decode()
    assert secretary_person.id_number not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED).count() == 1


def test_reveal_of_someone_out_of_scope_is_404(client, world):
    client.force_login(world.secretary)
    response = client.post(_url(world.other_secretary.person), {"field": "mobile"}, **HTMX)
    assert response.status_code == 404
    assert world.other_secretary.person.mobile not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


def test_reveal_needs_post(client, world, secretary_person):
    client.force_login(world.admin)
    response = client.get(_url(secretary_person), {"field": "mobile"})
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


def test_reveal_needs_the_csrf_token(world, secretary_person):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="admin", password=PASSWORD)
    response = client.post(_url(secretary_person), {"field": "mobile"}, **HTMX)
    assert response.status_code == 403
    assert secretary_person.mobile not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()
    # The person page carries the token; with it the same request succeeds.
    page = client.get(reverse("org:person", args=[secretary_person.pk]))
    token = page.cookies["csrftoken"].value
    response = client.post(
        _url(secretary_person), {"field": "mobile"}, HTTP_X_CSRFTOKEN=token, **HTMX
    )
    assert response.status_code == 200
    assert secretary_person.mobile in response.content.decode()


def test_reveal_of_an_unknown_field_is_400(client, world, secretary_person):
    client.force_login(world.admin)
    response = client.post(_url(secretary_person), {"field": "home_address"}, **HTMX)
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action__in=["reveal", "denied"]).exists()


def test_anonymous_reveal_goes_to_login(client, world, secretary_person):
    response = client.post(_url(secretary_person), {"field": "mobile"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_reveal_button_only_for_those_who_may(client, world, secretary_person):
    url = reverse("org:person", args=[secretary_person.pk])
    client.force_login(world.secretary)
    page = client.get(url).content.decode()
    assert 'data-testid="reveal-mobile"' in page
    assert 'data-testid="reveal-id_number"' in page
    client.force_login(world.inspector)
    page = client.get(url).content.decode()
    assert 'data-testid="masked-mobile"' in page
    assert 'data-testid="reveal-mobile"' not in page
