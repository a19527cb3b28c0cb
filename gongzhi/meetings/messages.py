"""The wording of the messages the councils send (Chinese first, English second), registered
with notifications when the app starts. An administrator may override them in the back office.

Variables: title (the meeting or action item), body (the council), when (the meeting's date and
time), place, due (an action item's deadline), state (its state, in the recipient's language),
actor (who acted), note, link, signature."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.notifications import registry
from gongzhi.notifications.defaults import EN, ZH, Wording, en, zh

from .models import ActionItem, Meeting

SAMPLE_CONTEXT: dict[str, object] = {
    "title": "筑梦曹杨联席会议 2026 第二季度",
    "body": "筑梦曹杨区域化党建联盟联席会议",
    "when": "2026-04-15 14:00",
    "place": "社区党建服务中心三楼会议室",
    "due": "2026-05-06",
    "state": "进行中",
    "actor": "刘书记",
    "note": "",
    "link": "/meetings/12/",
    "signature": "曹杨新村街道",
}

KEY_LABELS: dict[str, object] = {
    "meeting_called": _("Council members: a meeting is called"),
    "action_item_overdue": _("Action item owner and chair: an action item is overdue"),
    "action_item_changed": _("Action item owner and chair: an action item's state changed"),
}

MESSAGES: dict[str, dict[str, Wording]] = {
    "meeting_called": {
        ZH: zh(
            subject="会议通知：{{ title }}",
            body="{{ body }}定于{{ when }}在{{ place }}召开会议「{{ title }}」，请登录确认是否出席。",
            sms="{{ when }}召开{{ title }}，请登录确认出席。",
        ),
        EN: en(
            subject="Meeting called: {{ title }}",
            body="{{ body }} meets on {{ when }} at {{ place }} (“{{ title }}”). Please sign in and confirm whether you will attend.",
            sms="{{ title }} on {{ when }}: please confirm.",
        ),
    },
    "action_item_overdue": {
        ZH: zh(
            subject="议定事项逾期：{{ title }}",
            body="会议议定事项「{{ title }}」已于{{ due }}到期，尚未办结，请尽快推进并报告进展。",
            sms="议定事项「{{ title }}」已逾期，请尽快办理。",
        ),
        EN: en(
            subject="Action item overdue: {{ title }}",
            body="The action item “{{ title }}” was due on {{ due }} and is not done. Please move it on and report its progress.",
            sms="Action item “{{ title }}” is overdue.",
        ),
    },
    "action_item_changed": {
        ZH: zh(
            subject="议定事项「{{ title }}」{{ state }}",
            body="议定事项「{{ title }}」已由{{ actor }}更新为“{{ state }}”。{% if note %}说明：{{ note }}{% endif %}",
            sms="议定事项「{{ title }}」{{ state }}。",
        ),
        EN: en(
            subject="Action item “{{ title }}”: {{ state }}",
            body="{{ actor }} changed the action item “{{ title }}” to “{{ state }}”.{% if note %} Note: {{ note }}{% endif %}",
            sms="Action item “{{ title }}”: {{ state }}.",
        ),
    },
}


def prepare_context(context: dict[str, Any], target: Any) -> dict[str, Any]:
    """The action item's state in the recipient's language (this runs with it active)."""
    if isinstance(target, ActionItem):
        context["state"] = target.get_state_display()
    return context


def register() -> None:
    registry.register_messages(
        "meetings",
        MESSAGES,
        labels=KEY_LABELS,
        sample_context=SAMPLE_CONTEXT,
        prepare=prepare_context,
    )
    registry.register_target(
        Meeting, open_label=lambda m: gettext("Open meeting %(title)s") % {"title": m.title}
    )
    registry.register_target(
        ActionItem,
        open_label=lambda i: gettext("Open action item %(title)s") % {"title": i.title},
    )
