"""Personal data is masked everywhere until someone allowed reveals it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.core import permissions as perms
from gongzhi.core.pii import mask_id_number, mask_phone
from gongzhi.org import services
from gongzhi.org.models import Organisation, Person
from gongzhi.places.models import ResidentialArea


@pytest.mark.parametrize(
    "value,masked",
    [
        ("13812341234", "138****1234"),
        (" 13812341234 ", "138****1234"),
        ("021-62541234", "021*****1234"),
        ("+8613812341234", "+86*******1234"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    "value,masked",
    [
        ("310107198001011234", "310***********1234"),
        ("31010719800101123X", "310***********123X"),
        ("310107800101123", "310********1123"),
        ("1234567", "*******"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize("value", ["6254123", "62541234"])
def test_short_numbers_keep_at_least_half_hidden(value):
    masked = mask_phone(value)
    assert masked.count("*") >= len(value) // 2


def test_a_masked_mobile_keeps_its_length_and_ends(world):
    person = world.secretary.person
    assert len(person.mobile_masked) == len(person.mobile)
    assert person.mobile_masked[:3] == person.mobile[:3]
    assert person.mobile_masked[-4:] == person.mobile[-4:]
    assert person.mobile_masked != person.mobile


# --- pages ------------------------------------------------------------------------------------


def _pages_for(user) -> list[str]:
    urls = [reverse("org:chart"), reverse("org:people"), reverse("org:area_list")]
    urls += [
        reverse("org:person", args=[pk])
        for pk in perms.visible(user, Person).values_list("pk", flat=True)
    ]
    urls += [
        reverse("org:area_detail", args=[pk])
        for pk in perms.visible(user, ResidentialArea).values_list("pk", flat=True)
    ]
    urls += [
        reverse("org:organisation", args=[pk])
        for pk in Organisation.objects.values_list("pk", flat=True)
    ]
    return urls


@pytest.mark.parametrize(
    "persona",
    ["operator", "admin", "secretary", "inspector", "handler", "leader", "resident_a"],
)
def test_no_page_shows_a_full_number_until_revealed(client, org_world, persona):
    world = org_world.world
    user = getattr(world, persona)
    client.force_login(user)
    secrets = [v for p in Person.objects.all() for v in (p.mobile, p.id_number) if v]
    assert len(secrets) > 20
    shown_masked = False
    for url in _pages_for(user):
        response = client.get(url)
        assert response.status_code in (200, 403), url
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (url, secret)
        shown_masked |= "****" in body
    assert shown_masked
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


def test_changes_to_personal_fields_are_audited_masked(world):
    person = world.secretary.person
    old = person.mobile
    services.person_update(actor=world.admin, person=person, mobile="13900001111")
    event = AuditEvent.objects.for_object(person).get(action=AuditEvent.Action.UPDATE)
    assert event.changes == {"mobile": {"before": mask_phone(old), "after": "139****1111"}}


def test_a_new_person_is_audited_masked(world):
    person = services.person_create(
        actor=world.admin, name="新居民", mobile="13712345678", id_number="310107199001011234"
    )
    event = AuditEvent.objects.for_object(person).get(action=AuditEvent.Action.CREATE)
    recorded = str(event.changes)
    assert "13712345678" not in recorded and "310107199001011234" not in recorded
    assert event.changes["mobile"]["after"] == "137****5678"
    assert event.changes["name"]["after"] == "新居民"
