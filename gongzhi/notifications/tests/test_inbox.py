"""The inbox: a user's own notices, newest first, marking read (htmx and plain POST), the
navigation badge and its polled fragment, opening the case, and the email/SMS opt-out."""

from __future__ import annotations

import re

from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.notifications.models import Notification, NotificationPreference

from .factories import NotificationFactory

HTMX = {"HX-Request": "true"}


def _badge(html: str) -> int:
    """The count in the navigation's Inbox entry (0 when there is no badge)."""
    entry = re.search(r'data-nav="inbox".*?</a>', html, re.S)
    assert entry, "the Inbox entry is in the navigation"
    found = re.search(r'<span class="badge text-bg-warning">(\d+)</span>', entry.group(0))
    return int(found.group(1)) if found else 0


def test_the_inbox_shows_only_my_notices_newest_first_with_unread_highlighted(client, world):
    old = NotificationFactory(recipient=world.handler, subject="第一条")
    new = NotificationFactory(recipient=world.handler, subject="第二条")
    NotificationFactory(recipient=world.other_handler, subject="别人的通知")
    NotificationFactory(
        recipient=world.handler, channel="email", to_address="h@example.com", subject="邮件副本"
    )
    client.force_login(world.handler)
    response = client.get(reverse("notifications:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "别人的通知" not in html and "邮件副本" not in html
    assert html.index("第二条") < html.index("第一条")
    assert f'id="notice-{new.pk}"' in html and f'id="notice-{old.pk}"' in html
    assert html.count('data-unread="1"') == 2
    assert _badge(html) == 2


def test_another_users_notice_is_not_found(client, world):
    theirs = NotificationFactory(recipient=world.other_handler)
    client.force_login(world.handler)
    for name in ("notifications:read", "notifications:open"):
        response = client.post(reverse(name, args=[theirs.pk]))
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_one_read_with_htmx_updates_the_item_and_the_counts(client, world):
    first = NotificationFactory(recipient=world.handler)
    NotificationFactory(recipient=world.handler)
    client.force_login(world.handler)
    assert _badge(client.get(reverse("core:home")).content.decode()) == 2
    response = client.post(reverse("notifications:read", args=[first.pk]), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="notice-{first.pk}"' in html and 'data-unread="0"' in html
    assert 'id="inbox-unread"' in html and 'data-count="1"' in html
    assert 'id="nav-badge-inbox"' in html and 'hx-swap-oob="true"' in html
    first.refresh_from_db()
    assert first.read_at is not None
    assert _badge(client.get(reverse("core:home")).content.decode()) == 1
    audit = AuditEvent.objects.for_object(first).get()
    assert audit.actor == world.handler and "read_at" in audit.changes


def test_marking_read_without_javascript_goes_back_to_the_inbox(client, world):
    notice = NotificationFactory(recipient=world.handler)
    client.force_login(world.handler)
    response = client.post(reverse("notifications:read", args=[notice.pk]))
    assert response.status_code == 302 and response.url == reverse("notifications:inbox")
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_mark_all_read(client, world):
    for _ in range(3):
        NotificationFactory(recipient=world.handler)
    mine_elsewhere = NotificationFactory(recipient=world.other_handler)
    client.force_login(world.handler)
    response = client.post(reverse("notifications:read_all"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-unread="1"' not in html and html.count('data-unread="0"') == 3
    assert 'data-count="0"' in html
    assert not Notification.objects.filter(recipient=world.handler, read_at__isnull=True)
    mine_elsewhere.refresh_from_db()
    assert mine_elsewhere.read_at is None
    assert _badge(client.get(reverse("core:home")).content.decode()) == 0


def test_the_polled_badge_fragment_counts_unread_notices(client, world):
    client.force_login(world.handler)
    url = reverse("notifications:badge")
    html = client.get(url).content.decode()
    assert 'hx-trigger="every 60s"' in html and 'data-count="0"' in html and "badge" in html
    NotificationFactory(recipient=world.handler)
    html = client.get(url).content.decode()
    assert '<span class="badge text-bg-warning">1</span>' in html


def test_the_badge_costs_one_query(client, world, django_assert_max_num_queries):
    from gongzhi.core.navigation import items_for
    from gongzhi.core.roles import access_for

    NotificationFactory(recipient=world.handler)
    access = access_for(world.handler)
    with django_assert_max_num_queries(1):
        items = items_for(access)
    assert next(i for i in items if i["key"] == "inbox")["badge"] == 1


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(client, world):
    notice = NotificationFactory(recipient=world.handler, link="/org/chart/")
    client.force_login(world.handler)
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302 and response.url == "/org/chart/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_notice_never_redirects_off_the_site(client, world):
    notice = NotificationFactory(recipient=world.handler, link="https://evil.example/")
    client.force_login(world.handler)
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert response.url == reverse("notifications:inbox")


def test_the_inbox_pages_through_many_notices(client, world):
    for i in range(25):
        NotificationFactory(recipient=world.handler, subject=f"通知{i:02d}")
    client.force_login(world.handler)
    first = client.get(reverse("notifications:inbox")).content.decode()
    assert "通知24" in first and "通知04" not in first and 'data-testid="next-page"' in first
    second = client.get(reverse("notifications:inbox") + "?page=2", headers=HTMX)
    html = second.content.decode()
    assert "<html" not in html and "通知04" in html and "通知24" not in html


def test_the_unread_filter(client, world):
    read = NotificationFactory(recipient=world.handler, subject="已读的")
    NotificationFactory(recipient=world.handler, subject="未读的")
    client.force_login(world.handler)
    client.post(reverse("notifications:read", args=[read.pk]))
    html = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    assert "未读的" in html and "已读的" not in html


def test_the_inbox_needs_a_login(client, db):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "login" in response.url


def test_residents_see_their_inbox_too(client, world):
    NotificationFactory(recipient=world.resident, subject="您反映的问题已立案（CY2026-000001）")
    client.force_login(world.resident)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "您反映的问题已立案（CY2026-000001）" in html
    assert _badge(html) == 1


def test_opting_out_on_the_preferences_page_is_saved_and_audited(client, world):
    user = world.resident
    user.email, user.phone = "resident@example.com", "13912345678"
    user.save()
    client.force_login(user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "r***@example.com" in page and "139****5678" in page
    assert "13912345678" not in page
    response = client.post(reverse("notifications:preferences"), {"receive_email": "on"})
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=user)
    assert pref.receive_email is True and pref.receive_sms is False
    assert AuditEvent.objects.for_object(pref).filter(action="create", actor=user).exists()
    client.post(reverse("notifications:preferences"), {})
    pref.refresh_from_db()
    assert pref.receive_email is False
    assert AuditEvent.objects.for_object(pref).filter(action="update").exists()


def test_the_message_log_masks_addresses_for_administrators(client, world):
    NotificationFactory(
        channel="sms", to_address="13812345678", status="failed", error="attempt 4: HTTP 500"
    )
    NotificationFactory(channel="email", to_address="zhangsan@example.com")
    client.force_login(world.admin)
    html = client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    assert "138****5678" in html and "z***@example.com" in html
    assert "13812345678" not in html and "zhangsan@example.com" not in html
    found = client.get(
        reverse("admin:notifications_notification_changelist") + "?q=13812345678"
    ).content.decode()
    assert "138****5678" in found and "z***@example.com" not in found


def test_administrators_can_send_a_failed_message_again(client, world, settings):
    settings.TASKS_BACKEND = "database"
    row = NotificationFactory(channel="sms", to_address="13812345678", status="failed")
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "resend_selected", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Notification.Status.QUEUED and row.attempts == 0
    assert AuditEvent.objects.for_object(row).filter(note="resend").exists()


def test_notices_about_cases_open_the_case_and_cost_no_query_each(client, centre):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = centre.world
    first = centre.intake()
    NotificationFactory(recipient=w.handler, link=f"/cases/{first.pk}/", target=first)
    client.force_login(w.handler)
    url = reverse("notifications:inbox")
    with CaptureQueriesContext(connection) as one:
        html = client.get(url).content.decode()
    assert f"打开案件 {first.number}" in html
    more = [centre.intake(description=f"第{i}处井盖缺失") for i in range(4)]
    for case in more:
        NotificationFactory(recipient=w.handler, link=f"/cases/{case.pk}/", target=case)
    with CaptureQueriesContext(connection) as five:
        html = client.get(url).content.decode()
    assert all(f"打开案件 {case.number}" in html for case in more)
    assert len(five) == len(one)
