"""The back office for webhooks: administrators only; the secret is shown once when a subscription
is made or its secret rotated; a test event; the delivery log with response codes, filters and
attempts; re-send with the same delivery id."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation

from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services as cases
from gongzhi.webhooks.models import Delivery, Subscription
from gongzhi.webhooks.signing import verify
from gongzhi.webhooks.tests.conftest import run_worker, subscribe

pytestmark = pytest.mark.django_db

SUBS = reverse("admin:webhooks_subscription_changelist")
ADD = reverse("admin:webhooks_subscription_add")
LOG = reverse("admin:webhooks_delivery_changelist")


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "who", ["operator", "duty_chief", "leader", "auditor", "handler", "resident"]
)
def test_only_administrators_reach_the_webhook_pages(client, world, who):
    sub, _ = subscribe(world, "http://127.0.0.1:9/in", ["filed"])
    client.force_login(world.users[who])
    for url in (SUBS, ADD, LOG, reverse("admin:webhooks_subscription_change", args=[sub.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(SUBS, {"action": "rotate_secret", "_selected_action": [sub.pk]})
    assert response.status_code == 302
    assert Subscription.objects.get().secret == sub.secret


def test_the_secret_is_shown_once_on_creation_and_never_again(client, world):
    client.force_login(world.admin)
    assert client.get(ADD).status_code == 200
    response = client.post(
        ADD,
        {
            "name": "区网格化管理平台",
            "url": "https://10.20.0.8/gongzhi/events",
            "event_types": ["dispatched", "closed"],
            "channel": "",
            "active": "on",
            "note": "",
        },
    )
    assert response.status_code == 200
    sub = Subscription.objects.get()
    assert sub.event_types == ["dispatched", "closed"] and sub.created_by == world.admin
    page = response.content.decode()
    assert f'data-testid="webhook-secret">{sub.secret}<' in page
    assert "It is not shown again" in page
    assert "no-store" in response["Cache-Control"]
    change = client.get(reverse("admin:webhooks_subscription_change", args=[sub.pk]))
    assert change.status_code == 200 and sub.secret not in change.content.decode()
    assert sub.secret not in client.get(SUBS).content.decode()
    trail = json.dumps(list(AuditEvent.objects.values("changes", "note")), ensure_ascii=False)
    assert "区网格化管理平台" in trail and sub.secret not in trail


def test_the_form_refuses_a_bad_address_and_no_events(client, world):
    client.force_login(world.admin)
    response = client.post(
        ADD, {"name": "x", "url": "ftp://10.0.0.5/in", "channel": "", "active": "on"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter an http:// or https:// address." in page
    assert "This field is required." in page  # the events
    assert not Subscription.objects.exists()


def test_editing_a_subscription_is_audited(client, world):
    sub, secret = subscribe(world, "http://127.0.0.1:9/in", ["filed"])
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:webhooks_subscription_change", args=[sub.pk]),
        {
            "name": sub.name,
            "url": "http://10.0.0.9/in",
            "event_types": ["filed", "overdue"],
            "department": world.orgs["chengguan"].pk,
            "channel": "hotline",
            "note": "",
        },
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.url == "http://10.0.0.9/in" and not sub.active
    assert sub.event_types == ["filed", "overdue"] and sub.secret == secret
    change = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).latest("id")
    assert set(change.changes) == {"url", "event_types", "department", "channel", "active"}


def test_rotating_the_secret_shows_the_new_one_once(client, world):
    sub, old = subscribe(world, "http://127.0.0.1:9/in", ["filed"])
    client.force_login(world.admin)
    response = client.post(SUBS, {"action": "rotate_secret", "_selected_action": [sub.pk]})
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.secret != old and sub.previous_secret == old
    page = response.content.decode()
    assert sub.secret in page and old not in page
    assert "old secret too" in page


def test_a_test_event_reaches_the_receiver(client, world, receiver):
    r = receiver()
    sub, secret = subscribe(world, r.url, ["filed"], active=False)
    client.force_login(world.admin)
    response = client.post(SUBS, {"action": "send_test_event", "_selected_action": [sub.pk]})
    assert response.status_code == 302
    run_worker()
    [got] = r.received
    assert got.headers["X-Gongzhi-Event"] == "ping"
    assert verify(secret, got.signature, got.body)
    assert got.json()["data"]["subscription"] == sub.name
    row = Delivery.objects.get()
    assert row.status == Delivery.Status.SUCCEEDED and row.case is None


def test_the_delivery_log_shows_answers_and_resends_with_the_same_id(
    client, centre, world, receiver
):
    r = receiver([500], default=200)
    sub, _ = subscribe(world, r.url, ["filed"])
    case = centre.intake()
    cases.case_file(actor=world.operator, case=case)
    run_worker()
    row = Delivery.objects.get()
    client.force_login(world.admin)
    page = client.get(LOG).content.decode()
    assert case.number in page and "case.filed" in page and ">500<" in page
    failed = client.get(LOG, {"status__exact": "failed"}).content.decode()
    assert case.number in failed
    assert case.number not in client.get(LOG, {"status__exact": "succeeded"}).content.decode()
    assert case.number in client.get(LOG, {"q": str(row.event_id)}).content.decode()
    assert client.get(LOG, {"q": "not-a-uuid"}).status_code == 200
    detail = client.get(reverse("admin:webhooks_delivery_change", args=[row.pk]))
    assert detail.status_code == 200
    assert "receiver is unwell" in detail.content.decode()  # the attempt's error, in the log

    response = client.post(LOG, {"action": "resend_selected", "_selected_action": [row.pk]})
    assert response.status_code == 302
    run_worker()
    row.refresh_from_db()
    assert row.status == Delivery.Status.SUCCEEDED
    assert [g.delivery_id for g in r.received] == [str(row.event_id)] * 2
    assert AuditEvent.objects.filter(note="resend", object_id=str(row.pk)).exists()
