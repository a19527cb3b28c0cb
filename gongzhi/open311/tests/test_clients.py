"""Client keys (issued once, stored as a hash, rotated, deactivated) from the command line and
the back office; service attributes and options edited in the back office, audited."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.open311 import services
from gongzhi.open311.models import Open311Client, ServiceAttribute, ServiceOptions


def run(*args: str) -> str:
    out = StringIO()
    call_command("open311_client", *args, stdout=out)
    return out.getvalue()


def key_from(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_the_command_prints_the_key_once_and_stores_only_its_hash(world):
    out = run("create", "城市管家", "--contact", "ops@example.cn", "--per-minute", "5")
    key = key_from(out)
    client = Open311Client.objects.get(name="城市管家")
    assert services.authenticate(key) == client
    assert client.per_minute == 5 and client.channel == "resident"
    stored = {f.attname: str(getattr(client, f.attname)) for f in client._meta.concrete_fields}
    assert not any(key in value for value in stored.values())
    assert client.key_hash != key and key.startswith(client.key_prefix + ".")
    event = AuditEvent.objects.for_object(client).get(action="create")
    assert event.actor_label == "manage.py open311_client"
    assert "key_hash" not in event.changes and event.changes["name"]["after"] == "城市管家"
    listing = run("list")
    assert client.key_prefix in listing and key not in listing


def test_a_12345_client_is_created_for_the_hotline_channel(world):
    run("create", "12345热线", "--channel", "hotline")
    assert Open311Client.objects.get(name="12345热线").channel == "hotline"


def test_rotating_replaces_the_key_and_deactivating_refuses_it(world):
    old = key_from(run("create", "城市管家"))
    new = key_from(run("rotate", "城市管家"))
    assert new != old
    assert services.authenticate(old) is None and services.authenticate(new) is not None
    client = Open311Client.objects.get(name="城市管家")
    rotated = AuditEvent.objects.for_object(client).get(note="open311 key rotated")
    assert set(rotated.changes) == {"key_prefix"}
    run("deactivate", "城市管家")
    assert services.authenticate(new) is None
    run("activate", "城市管家")
    assert services.authenticate(new) is not None


def test_the_command_refuses_unknown_and_duplicate_names(world):
    run("create", "城市管家")
    with pytest.raises(CommandError):
        run("create", "城市管家")
    with pytest.raises(CommandError):
        run("rotate", "nobody")
    assert Open311Client.objects.count() == 1


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_back_office_shows_a_new_key_once(admin_client, world):
    response = admin_client.post(
        reverse("admin:open311_open311client_add"),
        {
            "name": "随申办",
            "contact": "app@example.cn",
            "channel": "resident",
            "active": "on",
            "per_minute": "30",
            "per_hour": "600",
        },
        follow=True,
    )
    assert response.status_code == 200
    client = Open311Client.objects.get(name="随申办")
    [shown] = [m for m in messages_of(response) if "API key" in m]
    key = next(word for word in shown.split() if word.startswith(client.key_prefix + "."))
    assert services.authenticate(key) == client
    assert AuditEvent.objects.for_object(client).get(action="create").actor == world.admin
    page = admin_client.get(reverse("admin:open311_open311client_change", args=[client.pk]))
    assert key not in page.content.decode()  # never again


def test_the_back_office_rotates_keys(admin_client, world):
    client, old = services.client_create(actor=world.admin, name="随申办")
    response = admin_client.post(
        reverse("admin:open311_open311client_changelist"),
        {"action": "rotate_keys", "_selected_action": [client.pk]},
        follow=True,
    )
    [shown] = [m for m in messages_of(response) if "API key" in m]
    assert services.authenticate(old) is None
    client.refresh_from_db()
    key = next(word for word in shown.split() if word.startswith(client.key_prefix + "."))
    assert services.authenticate(key) == client


def test_only_administrators_reach_the_back_office(client, world, site):
    client.force_login(world.operator)
    response = client.get(reverse("admin:open311_open311service_changelist"))
    assert response.status_code == 302  # to the admin login


def _attribute_form(i: int, attr: ServiceAttribute) -> dict[str, str]:
    prefix = f"open311_attributes-{i}-"
    data = {
        f"{prefix}id": str(attr.pk or ""),
        f"{prefix}category": str(attr.category_id),
        f"{prefix}order": str(attr.order),
        f"{prefix}code": attr.code,
        f"{prefix}datatype": attr.datatype,
        f"{prefix}description": attr.description,
        f"{prefix}datatype_description": attr.datatype_description,
        f"{prefix}values": json.dumps(attr.values, ensure_ascii=False),
    }
    if attr.variable:
        data[f"{prefix}variable"] = "on"
    if attr.required:
        data[f"{prefix}required"] = "on"
    return data


def service_form(category, attrs: list[ServiceAttribute], options: dict | None = None):
    data = {
        "open311_options-TOTAL_FORMS": "1" if options else "0",
        "open311_options-INITIAL_FORMS": "0",
        "open311_options-MIN_NUM_FORMS": "0",
        "open311_options-MAX_NUM_FORMS": "1",
        "open311_attributes-TOTAL_FORMS": str(len(attrs)),
        "open311_attributes-INITIAL_FORMS": str(sum(1 for a in attrs if a.pk)),
        "open311_attributes-MIN_NUM_FORMS": "0",
        "open311_attributes-MAX_NUM_FORMS": "1000",
    }
    for i, attr in enumerate(attrs):
        data.update(_attribute_form(i, attr))
    if options:
        data.update({f"open311_options-0-{k}": v for k, v in options.items()})
        data["open311_options-0-category"] = str(category.pk)
    return data


def test_attributes_and_options_are_edited_inline_and_audited(admin_client, world, site):
    url = reverse("admin:open311_open311service_change", args=[site.garbage.pk])
    assert admin_client.get(url).status_code == 200
    attrs = list(ServiceAttribute.objects.active().filter(category=site.garbage).order_by("order"))
    attrs[0].description = "大约有几袋？（估计即可）"
    new = ServiceAttribute(
        category=site.garbage,
        order=8,
        code="AREA",
        datatype="singlevaluelist",
        variable=True,
        required=False,
        description="在哪类地方？",
        values=[{"key": "road", "name": "道路"}, {"key": "estate", "name": "小区"}],
    )
    data = service_form(
        site.garbage,
        [*attrs, new],
        options={"type": "batch", "keywords": "垃圾, 堆物", "service_notice": "24小时内清运"},
    )
    response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert not response.context.get("errors"), response.context.get("errors")
    added = ServiceAttribute.objects.get(category=site.garbage, code="AREA")
    assert added.values[1] == {"key": "estate", "name": "小区"}
    assert AuditEvent.objects.for_object(added).filter(action="create").exists()
    attrs[0].refresh_from_db()
    assert attrs[0].description == "大约有几袋？（估计即可）"
    change = AuditEvent.objects.for_object(attrs[0]).get(action="update")
    assert change.changes["description"]["before"] == "大约有几袋垃圾？"
    options = ServiceOptions.objects.get(category=site.garbage)
    assert options.type == "batch" and options.service_notice == "24小时内清运"
    assert AuditEvent.objects.for_object(options).filter(action="create").exists()
    # The services list and definition say so at once.
    services_doc = json.loads(site.get("services", "json").content)
    garbage = next(s for s in services_doc if s["service_code"] == "E0102")
    assert garbage["type"] == "batch" and garbage["keywords"] == "垃圾, 堆物"
    definition = json.loads(site.get("services/E0102", "json").content)
    assert definition["attributes"][-1]["code"] == "AREA"


def test_two_attributes_with_the_same_order_are_refused_before_saving(admin_client, site):
    url = reverse("admin:open311_open311service_change", args=[site.garbage.pk])
    attrs = list(ServiceAttribute.objects.active().filter(category=site.garbage).order_by("order"))
    clash = ServiceAttribute(
        category=site.garbage, order=1, code="OTHER", datatype="string", description="?"
    )
    response = admin_client.post(url, service_form(site.garbage, [*attrs, clash]))
    assert response.status_code == 200  # the form again, with the error
    assert "Two attributes have the same order: 1." in response.content.decode()
    assert not ServiceAttribute.objects.filter(code="OTHER").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"datatype": "singlevaluelist", "values": []}, "values"),
        ({"datatype": "multivaluelist", "values": [{"name": "没有键"}]}, "values"),
        (
            {"datatype": "singlevaluelist", "values": [{"key": "a", "name": "甲"}, {"key": "a"}]},
            "values",
        ),
        ({"datatype": "string", "values": [{"key": "a", "name": "甲"}]}, "values"),
        ({"datatype": "string", "variable": False, "required": True}, "required"),
        ({"datatype": "string", "code": "有空格 的代码"}, "code"),
        ({"datatype": "string", "order": 0}, "order"),
    ],
)
def test_an_attribute_that_clients_could_not_use_is_refused(site, fields, field):
    attr = ServiceAttribute(
        category=site.manhole, **{"code": "X", "order": 1, "description": "?", **fields}
    )
    with pytest.raises(ValidationError) as exc:
        attr.full_clean()
    assert field in exc.value.message_dict
