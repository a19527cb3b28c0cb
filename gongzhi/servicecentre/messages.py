"""The wording of the service network's messages, Chinese first and English second, registered
with notifications when the app starts (`register()`); an administrator may override any of
them in the back office.

Variables: title (the event or item), when (its date and time), place (the service point and
room), code (the check-in code), month (a menu's month), station, note (a reason), link (the page
to open), signature (the subdistrict, as the SMS gateway signs)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.notifications import registry
from gongzhi.notifications.defaults import EN, ZH, Wording, en, zh

from .models import Event, Menu, Order, Registration

SAMPLE_CONTEXT: dict[str, object] = {
    "title": "午间健康讲座：颈椎病的预防",
    "when": "2026-12-09 12:00",
    "place": "中环大厦党建服务站 · 白领之家",
    "code": "K7M2Q9RX",
    "month": "2026-12",
    "station": "中环大厦党建服务站",
    "note": "讲师本月已排满",
    "link": "/service/events/1/",
    "signature": "曹杨新村街道",
}

KEY_LABELS: dict[str, object] = {
    "event_reminder": _("Participant: reminder before the event"),
    "registration_promoted": _("Participant: moved up from the waiting list"),
    "menu_published": _("Stations: the month's menu is published"),
    "order_scheduled": _("Station: order scheduled"),
    "order_declined": _("Station: order declined"),
}


MESSAGES: dict[str, dict[str, Wording]] = {
    "event_reminder": {
        ZH: zh(
            subject="活动提醒：{{ title }}",
            body="您报名的活动「{{ title }}」将于{{ when }}在{{ place }}举行。入场时请出示签到码{{ code }}。如不能参加，请及时取消报名，把名额让给候补的居民。",
            sms="您报名的「{{ title }}」将于{{ when }}举行，签到码{{ code }}。",
        ),
        EN: en(
            subject="Reminder: {{ title }}",
            body='"{{ title }}", which you registered for, takes place at {{ when }} at {{ place }}. Show your check-in code {{ code }} at the door. If you cannot come, please cancel so that someone on the waiting list gets your seat.',
            sms='"{{ title }}" at {{ when }}; check-in code {{ code }}.',
        ),
    },
    "registration_promoted": {
        ZH: zh(
            subject="候补成功：{{ title }}",
            body="有人取消了报名，您已从候补转为正式报名「{{ title }}」（{{ when }}，{{ place }}）。签到码：{{ code }}。",
            sms="您已候补成功「{{ title }}」（{{ when }}），签到码{{ code }}。",
        ),
        EN: en(
            subject="You have a seat: {{ title }}",
            body='A seat freed up: you have moved up from the waiting list for "{{ title }}" ({{ when }}, {{ place }}). Check-in code: {{ code }}.',
            sms='You have a seat at "{{ title }}" ({{ when }}); code {{ code }}.',
        ),
    },
    "menu_published": {
        ZH: zh(
            subject="{{ month }}服务菜单已发布",
            body="党建服务中心已发布{{ month }}的菜单化服务项目，请各服务站及时点单。",
            sms="{{ month }}服务菜单已发布，请及时点单。",
        ),
        EN: en(
            subject="The service menu of {{ month }} is published",
            body="The service centre has published the menu of {{ month }}. Stations, please place your orders.",
            sms="The menu of {{ month }} is published: please order.",
        ),
    },
    "order_scheduled": {
        ZH: zh(
            subject="点单已派单：{{ title }}",
            body="{{ station }}点单的「{{ title }}」已安排在{{ when }}（{{ place }}），活动已开放报名。",
            sms="「{{ title }}」已派单：{{ when }}。",
        ),
        EN: en(
            subject="Order scheduled: {{ title }}",
            body='"{{ title }}", ordered by {{ station }}, is scheduled for {{ when }} ({{ place }}) and open for registration.',
            sms='"{{ title }}" scheduled for {{ when }}.',
        ),
    },
    "order_declined": {
        ZH: zh(
            subject="点单未能安排：{{ title }}",
            body="{{ station }}点单的「{{ title }}」未能安排。{% if note %}原因：{{ note }}。{% endif %}",
            sms="「{{ title }}」未能安排。{% if note %}原因：{{ note }}{% endif %}",
        ),
        EN: en(
            subject="Order declined: {{ title }}",
            body='"{{ title }}", ordered by {{ station }}, could not be scheduled.{% if note %} Reason: {{ note }}.{% endif %}',
            sms='"{{ title }}" declined.{% if note %} {{ note }}{% endif %}',
        ),
    },
}


def open_label(obj: Any) -> str:
    if isinstance(obj, Menu):
        return gettext("Open the menu")
    if isinstance(obj, Order):
        return gettext("Open the order")
    return gettext("Open the event")


def register() -> None:
    registry.register_messages(
        "servicecentre", MESSAGES, labels=KEY_LABELS, sample_context=SAMPLE_CONTEXT
    )
    for model in (Event, Menu, Order, Registration):
        registry.register_target(model, open_label=open_label)
