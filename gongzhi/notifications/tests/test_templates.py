"""Message wording: a default in both languages for every notice the case workflow sends (as
the cases app registered them), database overrides, and the back office refusing a template
that does not work."""

from __future__ import annotations

import ast
import inspect

import pytest
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.cases import notices
from gongzhi.cases import tasks as case_tasks
from gongzhi.cases.messages import SAMPLE_CONTEXT
from gongzhi.cases.workflow import CASES
from gongzhi.notifications import registry, services
from gongzhi.notifications.models import MessageTemplate

from .factories import MessageTemplateFactory

LANGUAGES = ("zh-hans", "en")
REPORTER_KEYS = {*notices.REPORTER_EVENTS.values(), "case_received", "case_rate_request"}


def _keys_sent_by(module) -> set[str]:
    """Every message key a module passes to tell_reporters / tell_staff / notify."""
    keys: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        position = {"tell_reporters": 1, "tell_staff": 2}.get(name or "")
        candidates = [kw.value for kw in node.keywords if kw.arg == "template"]
        if position is not None and len(node.args) > position:
            candidates.append(node.args[position])
        for value in candidates:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                keys.add(value.value)
    return keys


def used_keys() -> set[str]:
    return {
        *(n.message for a in CASES.actions.values() for n in a.notices),
        *notices.REPORTER_EVENTS.values(),
        *_keys_sent_by(notices),
        *_keys_sent_by(case_tasks),
    }


def test_the_key_finder_sees_the_workflows_notices():
    keys = used_keys()
    assert {"case_received", "case_rate_request", "emergency_paged", "emergency_escalated"} <= keys
    assert {"case_dispatched_staff", "extension_decided", "verification_needed"} <= keys
    assert len(keys) >= 18


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_notice_the_workflow_sends_has_a_default_in_both_languages(language):
    missing = sorted(k for k in used_keys() if language not in registry.wordings(k))
    assert missing == []


@pytest.mark.parametrize("key", sorted(registry.keys()))
def test_every_registered_message_has_wording_in_both_languages(key):
    assert sorted(registry.wordings(key)) == sorted(LANGUAGES)


@pytest.mark.parametrize("key", sorted(registry.keys("cases")))
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_default_renders_with_the_case_number(db, key, language):
    for channel in ("in_app", "email", "sms"):
        subject, body = services.render(key, SAMPLE_CONTEXT, channel=channel, language=language)
        assert subject and body
        assert "CY2026-000123" in subject + body
        assert "{{" not in subject + body and "{%" not in subject + body


@pytest.mark.parametrize("key", sorted(registry.keys()))
def test_sms_texts_fit_one_message(db, key):
    sample = registry.sample_context(key)  # every domain's messages, with its sample values
    _, zh = services.render(key, sample, channel="sms", language="zh-hans")
    _, en = services.render(key, sample, channel="sms", language="en")
    assert zh.startswith("【曹杨新村街道】")
    assert len(zh) <= 70, zh
    assert len(en) <= 160, en


def test_reporter_texts_read_like_the_grid_centre(db):
    _, sms = services.render("case_filed", SAMPLE_CONTEXT, channel="sms", language="zh-hans")
    assert sms == (
        "【曹杨新村街道】您反映的问题（编号CY2026-000123）已立案，我们将尽快处理。"
        "查询码：K7M2Q9RX4T"
    )
    subject, body = services.render(
        "case_filed", {**SAMPLE_CONTEXT, "own_number": "CY2026-000130"}, language="zh-hans"
    )
    assert "CY2026-000130" in subject and "已与同类问题CY2026-000123合并办理" in body


def test_a_database_override_wins_and_a_channel_row_beats_any_channel(db):
    ctx = {"number": "CY2026-000007", "tracking_code": "ABCDEFGH22"}
    MessageTemplateFactory(body="已立案：{{ number }}（通用）")
    MessageTemplateFactory(channel="sms", body="【街道】{{ number }}已立案")
    assert services.render("case_filed", ctx, channel="in_app", language="zh-hans")[1] == (
        "已立案：CY2026-000007（通用）"
    )
    assert services.render("case_filed", ctx, channel="sms", language="zh-hans")[1] == (
        "【街道】CY2026-000007已立案"
    )
    # The other language still uses the code's wording.
    assert services.render("case_filed", ctx, channel="sms", language="en")[1].startswith(
        "[Caoyang New Village Subdistrict] Case CY2026-000007 filed"
    )


def test_an_archived_override_no_longer_applies(db, world):
    from gongzhi.audit import services as audit

    row = MessageTemplateFactory(body="旧措辞 {{ number }}")
    audit.archive(actor=world.admin, obj=row)
    _, body = services.render("case_filed", {"number": "CY2026-000009"}, language="zh-hans")
    assert "旧措辞" not in body and "已立案" in body


def _admin_form(**overrides):
    data = {
        "key": "case_closed",
        "channel": "sms",
        "language": "zh-hans",
        "subject": "结案 {{ number }}",
        "body": "【{{ signature }}】问题{{ own_number }}已办结。",
        "note": "",
    }
    data.update(overrides)
    return data


def test_the_back_office_saves_a_template_and_audits_it(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("admin:notifications_messagetemplate_add"), _admin_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    row = MessageTemplate.objects.get(key="case_closed")
    _, body = services.render(
        "case_closed", {"number": "CY2026-000321"}, channel="sms", language="zh-hans"
    )
    assert body == "【曹杨新村街道】问题CY2026-000321已办结。"
    response = client.post(
        reverse("admin:notifications_messagetemplate_change", args=[row.pk]),
        _admin_form(body="【{{ signature }}】{{ own_number }}办结，谢谢。"),
    )
    assert response.status_code == 302
    actions = set(AuditEvent.objects.for_object(row).values_list("action", flat=True))
    assert {"create", "update"} <= actions


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("问题{{ number 已办结", "This template has an error"),
        ("{% if number %}已办结", "This template has an error"),
        ("{% load static %}{{ number }}", "This template has an error"),
        ("问题{{ numbr }}已办结", "Unknown variable: numbr"),
        ('{% include "base.html" %}', "This template cannot be rendered"),
    ],
)
def test_the_back_office_refuses_a_broken_template_with_a_message(client, world, body, message):
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("admin:notifications_messagetemplate_add"), _admin_form(body=body)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_a_second_active_template_for_the_same_message_is_refused(client, world):
    MessageTemplateFactory(key="case_closed", channel="sms")
    client.force_login(world.admin)
    response = client.post(reverse("admin:notifications_messagetemplate_add"), _admin_form())
    assert response.status_code == 200
    assert MessageTemplate.objects.count() == 1


def test_a_new_template_starts_from_the_wording_in_code(client, world):
    client.force_login(world.admin)
    response = client.get(
        reverse("admin:notifications_messagetemplate_add")
        + "?key=case_filed&channel=sms&language=zh-hans"
    )
    assert response.status_code == 200
    assert "查询码：{{ tracking_code }}" in response.content.decode()


def test_only_administrators_edit_templates(client, world):
    client.force_login(world.operator)
    response = client.get(reverse("admin:notifications_messagetemplate_changelist"))
    assert response.status_code == 302  # to the back office's login
    assert not MessageTemplate.objects.exists()
