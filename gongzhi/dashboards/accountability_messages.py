"""The wording of the accountability warning (责任追究预警), Chinese first, English second,
registered with notifications when the app starts. An administrator may override it in the
back office.

Variables: subject (the station, department or person), measure (what was counted, in the
recipient's language), count, threshold, period (e.g. 2026-11), link, signature."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.notifications import registry
from gongzhi.notifications.defaults import EN, ZH, en, zh

from .accountability_models import AccountabilityWarning

SAMPLE_CONTEXT: dict[str, object] = {
    "subject": "第一网格工作站",
    "measure": "超期案件",
    "count": 4,
    "threshold": 3,
    "period": "2026-11",
    "link": "/cockpit/accountability/warnings/",
    "signature": "曹杨新村街道",
}

KEY_LABELS: dict[str, object] = {
    "accountability_warning": _("The person who answers: an accountability warning"),
}

MESSAGES = {
    "accountability_warning": {
        ZH: zh(
            subject="责任追究预警：{{ subject }}",
            body="{{ period }}，{{ subject }}的{{ measure }}为{{ count }}件，达到预警线（{{ threshold }}件）。请登录查看案件并签收预警、说明情况。",
            sms="{{ period }}{{ subject }}{{ measure }}{{ count }}件，已达预警线，请登录签收。",
        ),
        EN: en(
            subject="Accountability warning: {{ subject }}",
            body="In {{ period }}, {{ subject }} had {{ count }} {{ measure }}, reaching the warning threshold ({{ threshold }}). Please sign in, look at the cases and acknowledge the warning with a note.",
            sms="{{ period }}: {{ subject }} had {{ count }} {{ measure }}. Please acknowledge.",
        ),
    },
}


def prepare_context(context: dict[str, Any], target: Any) -> dict[str, Any]:
    """What was counted, in the recipient's language (this runs with it active)."""
    if isinstance(target, AccountabilityWarning):
        context["measure"] = target.rule.get_measure_display()
    return context


def open_label(warning: Any) -> str:
    return gettext("Open the warning")


def register() -> None:
    registry.register_messages(
        "accountability",
        MESSAGES,
        labels=KEY_LABELS,
        sample_context=SAMPLE_CONTEXT,
        prepare=prepare_context,
    )
    registry.register_target(AccountabilityWarning, open_label=open_label)
