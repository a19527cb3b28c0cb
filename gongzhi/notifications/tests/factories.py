from __future__ import annotations

import factory

from gongzhi.notifications.models import MessageTemplate, Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    channel = Notification.Channel.IN_APP
    template = "case_dispatched_staff"
    language = "zh-hans"
    subject = factory.Sequence(lambda n: f"新派单：CY2026-{n + 1:06d}")
    body = factory.LazyAttribute(lambda o: f"案件{o.subject[-13:]}已派至本部门，请及时签收。")
    status = Notification.Status.SENT


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageTemplate

    key = "case_filed"
    channel = MessageTemplate.Channel.ANY
    language = "zh-hans"
    subject = "已立案 {{ number }}"
    body = "问题{{ own_number }}已立案。"
