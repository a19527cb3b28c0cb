"""notify() in both languages, and delivery in the background: email into Django's outbox, SMS
through the logging backend and through an HTTP gateway (a local server started by the test)."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.core import tasks
from gongzhi.core.models import Task
from gongzhi.notifications import services
from gongzhi.notifications.models import Notification, NotificationPreference
from gongzhi.notifications.tasks import MAX_ATTEMPTS

CTX = {"number": "CY2026-000123", "title": "兰溪路暴露垃圾", "tracking_code": "K7M2Q9RX4T"}
PHONE = "13812345678"


def _run_queue() -> int:
    """What `tasks.work(once=True)` does, minus its close_old_connections(), which drops the
    test's transaction on PostgreSQL: claim each due task and run it (retries and backoff are
    the task runner's own)."""
    ran = 0
    while (row := tasks.claim_next("test-worker")) is not None:
        tasks.run_row(row)
        ran += 1
    return ran


def test_notify_in_chinese_puts_a_notice_in_the_inbox_at_once(db):
    user = UserFactory(username="zhang")
    rows = services.notify(template="case_filed", context=CTX, user=user, channels=("in_app",))
    assert len(rows) == 1
    notice = Notification.objects.get(recipient=user)
    assert notice.status == Notification.Status.SENT and notice.sent_at is not None
    assert notice.read_at is None and notice.language == "zh-hans"
    assert notice.subject == "您反映的问题已立案（CY2026-000123）"
    assert "「兰溪路暴露垃圾」已立案" in notice.body


def test_notify_in_english_for_a_user_who_chose_english(db):
    user = UserFactory(username="smith", language="en")
    services.notify(template="case_dispatched", context=CTX, user=user, channels=("in_app",))
    notice = Notification.objects.get(recipient=user)
    assert notice.language == "en"
    assert notice.subject == "Your report has been dispatched (CY2026-000123)"
    assert '"兰溪路暴露垃圾" has been dispatched' in notice.body


def test_an_unknown_message_key_still_sends_its_text(db):
    user = UserFactory(username="li")
    services.notify(
        template="something_new", context={"text": "系统维护通知"}, user=user, channels=("in_app",)
    )
    assert Notification.objects.get(recipient=user).body == "系统维护通知"


@override_settings(TASKS_BACKEND="database")
def test_email_is_queued_and_delivered_by_the_worker(db):
    rows = services.notify(
        template="case_closed", context=CTX, email="reporter@example.com", channels=("email",)
    )
    row = rows[0]
    assert row.status == Notification.Status.QUEUED
    assert mail.outbox == []
    assert Task.objects.filter(name="notifications.deliver", kwargs={"notification_id": row.pk})
    _run_queue()
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT and row.attempts == 1 and row.sent_at
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reporter@example.com"]
    assert message.subject == "您反映的问题已办结（CY2026-000123）"
    assert "已处理完毕" in message.body and "请勿回复" not in message.subject
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    _run_queue()
    assert len(mail.outbox) == 1  # never sent twice


@override_settings(TASKS_BACKEND="database", SITE_URL="https://gongzhi.caoyang.example")
def test_email_carries_the_full_link_when_the_site_address_is_known(db):
    services.notify(
        template="case_filed",
        context=CTX,
        email="reporter@example.com",
        channels=("email",),
        link="/cases/track/K7M2Q9RX4T/",
    )
    _run_queue()
    assert "https://gongzhi.caoyang.example/cases/track/K7M2Q9RX4T/" in mail.outbox[0].body


def test_email_with_the_immediate_backend_goes_when_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.on_commit_notify(
            template="case_rate_request", context=CTX, email="a@example.com", channels=("email",)
        )
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == Notification.Status.SENT


def test_nothing_is_sent_when_the_change_rolls_back(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.on_commit_notify(template="case_filed", context=CTX, email="a@example.com")
            raise RuntimeError("the case change failed")
    assert mail.outbox == [] and not Notification.objects.exists()


@override_settings(TASKS_BACKEND="database")
def test_sms_through_the_logging_backend_masks_the_number(db, caplog):
    services.notify(template="case_filed", context=CTX, phone=PHONE, channels=("sms",))
    with caplog.at_level(logging.INFO, logger="gongzhi.sms"):
        _run_queue()
    row = Notification.objects.get(channel="sms")
    assert row.status == Notification.Status.SENT
    assert row.provider_ref == f"log-{row.pk}"
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "gongzhi.sms")
    assert "138****5678" in logged and "已立案" in logged
    assert PHONE not in caplog.text


class _Gateway:
    """A local HTTP server standing in for the intranet SMS gateway."""

    def __init__(self, statuses: list[int]):
        self.statuses = statuses
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "json": json.loads(self.rfile.read(length).decode("utf-8")),
                    }
                )
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                body = json.dumps({"id": f"gw-{len(gateway.requests)}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_sms(settings):
    settings.TASKS_BACKEND = "database"
    settings.SMS_BACKEND = "gongzhi.notifications.sms.HttpSmsBackend"
    settings.SMS_GATEWAY_TOKEN = "intranet-token"
    settings.SMS_GATEWAY_TIMEOUT = 2

    def start(statuses: list[int]) -> _Gateway:
        gateway = _Gateway(statuses)
        settings.SMS_GATEWAY_URL = gateway.url
        return gateway

    return start


def test_sms_through_the_http_gateway(db, http_sms):
    with http_sms([200]) as gateway:
        services.notify(template="case_dispatched", context=CTX, phone=PHONE, channels=("sms",))
        _run_queue()
    row = Notification.objects.get(channel="sms")
    assert row.status == Notification.Status.SENT and row.provider_ref == "gw-1"
    [request] = gateway.requests
    assert request["path"] == "/sms/send"
    assert request["auth"] == "Bearer intranet-token"
    assert request["json"]["mobile"] == PHONE
    assert request["json"]["ref"] == str(row.pk)
    assert request["json"]["content"].startswith(
        "【曹杨新村街道】您反映的问题（编号CY2026-000123）"
    )


def _make_due() -> None:
    Task.objects.filter(name="notifications.deliver", status=Task.Status.QUEUED).update(
        run_after=timezone.now()
    )


def test_a_gateway_error_is_retried_with_backoff_then_the_message_fails(db, http_sms):
    with http_sms([500] * MAX_ATTEMPTS) as gateway:
        services.notify(template="case_closed", context=CTX, phone=PHONE, channels=("sms",))
        _run_queue()
        row = Notification.objects.get(channel="sms")
        task = Task.objects.get(name="notifications.deliver")
        assert row.status == Notification.Status.QUEUED and row.attempts == 1
        assert "HTTP 500" in row.error
        assert task.status == Task.Status.QUEUED and task.run_after > timezone.now()
        _run_queue()
        assert len(gateway.requests) == 1  # not before the backoff has passed
        for _ in range(MAX_ATTEMPTS - 1):
            _make_due()
            _run_queue()
    row.refresh_from_db()
    task.refresh_from_db()
    assert len(gateway.requests) == MAX_ATTEMPTS
    assert row.status == Notification.Status.FAILED and row.attempts == MAX_ATTEMPTS
    assert f"attempt {MAX_ATTEMPTS}" in row.error and "HTTP 500" in row.error
    assert task.status == Task.Status.FAILED


def test_a_gateway_that_recovers_delivers_on_the_next_attempt(db, http_sms):
    with http_sms([503, 200]) as gateway:
        services.notify(template="case_closed", context=CTX, phone=PHONE, channels=("sms",))
        _run_queue()
        _make_due()
        _run_queue()
    row = Notification.objects.get(channel="sms")
    assert len(gateway.requests) == 2
    assert row.status == Notification.Status.SENT and row.attempts == 2 and row.error == ""


def test_an_unreachable_gateway_fails_without_breaking_the_caller(
    db, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "gongzhi.notifications.sms.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/unreachable"
    settings.SMS_GATEWAY_TIMEOUT = 1
    with django_capture_on_commit_callbacks(execute=True):
        services.on_commit_notify(template="case_filed", context=CTX, phone=PHONE)
    row = Notification.objects.get(channel="sms")
    assert row.status == Notification.Status.FAILED and "unreachable" in row.error


@override_settings(TASKS_BACKEND="database")
def test_a_user_who_opted_out_gets_no_email_or_sms(db, world):
    user = UserFactory(username="quiet", email="quiet@example.com", phone=PHONE)
    services.preference_set(actor=user, user=user, receive_email=False, receive_sms=False)
    rows = services.notify(template="case_filed", context=CTX, user=user)
    _run_queue()
    assert mail.outbox == []
    by_channel = {r.channel: r.status for r in Notification.objects.filter(recipient=user)}
    assert by_channel == {
        "in_app": Notification.Status.SENT,
        "email": Notification.Status.SKIPPED,
        "sms": Notification.Status.SKIPPED,
    }
    assert len(rows) == 3
    assert not Task.objects.filter(name="notifications.deliver").exists()


@override_settings(TASKS_BACKEND="database")
def test_opting_out_of_sms_only_still_sends_email(db, caplog):
    user = UserFactory(username="mail_only", email="m@example.com", phone=PHONE)
    services.preference_set(actor=user, user=user, receive_email=True, receive_sms=False)
    services.notify(template="case_closed", context=CTX, user=user)
    with caplog.at_level(logging.INFO, logger="gongzhi.sms"):
        _run_queue()
    assert [m.to for m in mail.outbox] == [["m@example.com"]]
    assert "138****5678" not in caplog.text
    assert NotificationPreference.objects.get(user=user).receive_sms is False


def test_staff_notices_stay_in_the_app(db, world):
    world.handler.email = "handler@example.com"
    world.handler.save()
    services.notify(
        template="case_dispatched_staff", context=CTX, user=world.handler, channels=("in_app",)
    )
    assert list(Notification.objects.values_list("channel", flat=True)) == ["in_app"]


def test_the_system_check_catches_a_gateway_without_an_address(settings):
    from gongzhi.notifications.checks import check_notifications

    assert check_notifications() == []
    settings.SMS_BACKEND = "gongzhi.notifications.sms.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = ""
    assert [m.id for m in check_notifications()] == ["notifications.E002"]
    settings.SMS_BACKEND = "gongzhi.notifications.sms.NoSuchBackend"
    assert [m.id for m in check_notifications()] == ["notifications.E001"]
