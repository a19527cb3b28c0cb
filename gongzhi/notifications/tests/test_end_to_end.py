"""From the case workflow to the reporter's phone, mailbox and inbox, and to the staff's inbox."""

from __future__ import annotations

import logging

from django.core import mail
from django.urls import reverse

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.cases import services as cases
from gongzhi.cases.models import Case
from gongzhi.notifications.models import Notification

PHONE = "13812345678"


def test_a_filed_case_tells_its_reporter_on_every_channel(
    centre, django_capture_on_commit_callbacks, caplog, client
):
    reporter = UserFactory(username="jumin", email="jumin@example.com", phone=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        case = centre.intake(
            channel=Case.Channel.HOTLINE,
            reporter_user=reporter,
            reporter_name="居民王",
            reporter_phone=PHONE,
            reporter_email="jumin@example.com",
        )
    with (
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.INFO, logger="gongzhi.sms"),
    ):
        cases.case_file(actor=centre.world.operator, case=case)
    case.refresh_from_db()

    filed = Notification.objects.for_object(case).filter(template="case_filed")
    assert {n.channel for n in filed} == {"in_app", "email", "sms"}
    assert all(n.status == Notification.Status.SENT for n in filed)
    for notice in filed:
        assert case.number in notice.body
    sms = filed.get(channel="sms")
    assert sms.body == (
        f"【曹杨新村街道】您反映的问题（编号{case.number}）已立案，我们将尽快处理。"
        f"查询码：{case.tracking_code}"
    )
    subjects = [m.subject for m in mail.outbox]
    assert f"您反映的问题已受理（{case.number}）" in subjects
    assert f"您反映的问题已立案（{case.number}）" in subjects
    assert "138****5678" in caplog.text and PHONE not in caplog.text

    client.force_login(reporter)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert f"您反映的问题已立案（{case.number}）" in html
    assert f"您反映的问题已受理（{case.number}）" in html


def test_dispatch_tells_the_reporter_and_the_department(centre, django_capture_on_commit_callbacks):
    w = centre.world
    reporter = UserFactory(username="reporter_en", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        case = centre.intake(reporter_user=reporter)
        cases.case_file(actor=w.operator, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_dispatch(actor=w.operator, case=case, department=w.orgs["chengguan"].pk)
    case.refresh_from_db()
    mine = Notification.objects.get(recipient=reporter, template="case_dispatched")
    assert mine.subject == f"Your report has been dispatched ({case.number})"
    staff = Notification.objects.get(recipient=w.handler, template="case_dispatched_staff")
    assert staff.channel == "in_app" and staff.subject == f"新派单：{case.number}"
    assert not Notification.objects.filter(recipient=w.other_handler).exists()


def test_closure_asks_the_reporter_to_rate(centre, django_capture_on_commit_callbacks):
    from gongzhi.cases.tests.conftest import advance

    reporter = UserFactory(username="rater")
    with django_capture_on_commit_callbacks(execute=True):
        case = centre.intake(reporter_user=reporter)
        advance(case, "closed", centre)
    templates = list(
        Notification.objects.filter(recipient=reporter)
        .order_by("id")
        .values_list("template", flat=True)
    )
    assert templates == [
        "case_received",
        "case_filed",
        "case_dispatched",
        "case_closed",
        "case_rate_request",
    ]
    rate = Notification.objects.get(recipient=reporter, template="case_rate_request")
    assert case.number in rate.body and case.tracking_code in rate.body


def test_an_anonymous_report_without_contact_sends_nothing(
    centre, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = centre.intake(anonymous=True)
        cases.case_file(actor=centre.world.operator, case=case)
    reporter_keys = ["case_received", "case_filed"]
    assert not Notification.objects.for_object(case).filter(template__in=reporter_keys).exists()
    assert mail.outbox == []


def test_a_reason_ending_its_own_sentence_is_not_closed_twice(
    centre, django_capture_on_commit_callbacks
):
    from gongzhi.cases.tests.conftest import advance

    w = centre.world
    case = advance(centre.intake(grid="a1"), "dispatched", centre)
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_return(actor=w.handler, case=case, reason="不属于本部门职责，已答复来电人。")
    notice = Notification.objects.filter(recipient=w.operator, template="case_returned").first()
    assert notice is not None
    assert "已答复来电人。请重新核实" in notice.body and "。。" not in notice.body
