"""The wording of the messages the alliance sends (Chinese first, English second), registered
with notifications when the app starts. An administrator may override them in the back office.

Variables: title (the project), state (its state, in the recipient's language), actor (who
acted), note (the reason or evaluation written with the action), link, signature."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.notifications import registry
from gongzhi.notifications.defaults import EN, ZH, Wording, en, zh

from .models import Project

SAMPLE_CONTEXT: dict[str, object] = {
    "title": "潮汐错时停车",
    "state": "已商定",
    "actor": "吴联络",
    "note": "",
    "link": "/alliance/projects/12/",
    "signature": "曹杨新村街道",
}

KEY_LABELS: dict[str, object] = {
    "project_proposed": _("Project parties: a project is proposed"),
    "project_changed": _("Project parties: a project's state changed"),
}

MESSAGES: dict[str, dict[str, Wording]] = {
    "project_proposed": {
        ZH: zh(
            subject="联盟项目提议：{{ title }}",
            body="{{ actor }}提议了联盟项目「{{ title }}」，贵单位是参与方，请查看并商定。",
            sms="联盟项目「{{ title }}」已提议，请登录查看并商定。",
        ),
        EN: en(
            subject="Alliance project proposed: {{ title }}",
            body="{{ actor }} proposed the alliance project “{{ title }}”, to which your unit is a party. Please review and agree.",
            sms="Alliance project “{{ title }}” proposed: please review.",
        ),
    },
    "project_changed": {
        ZH: zh(
            subject="联盟项目「{{ title }}」{{ state }}",
            body="联盟项目「{{ title }}」已由{{ actor }}更新为“{{ state }}”。{% if note %}说明：{{ note }}{% endif %}",
            sms="联盟项目「{{ title }}」{{ state }}。",
        ),
        EN: en(
            subject="Alliance project “{{ title }}”: {{ state }}",
            body="{{ actor }} changed the alliance project “{{ title }}” to “{{ state }}”.{% if note %} Note: {{ note }}{% endif %}",
            sms="Alliance project “{{ title }}”: {{ state }}.",
        ),
    },
}


def prepare_context(context: dict[str, Any], target: Any) -> dict[str, Any]:
    """The project's state in the recipient's language (this runs with it active)."""
    if isinstance(target, Project):
        context["state"] = target.get_state_display()
        context.setdefault("title", target.title)
    return context


def open_label(project: Any) -> str:
    return gettext("Open project %(title)s") % {"title": project.title}


def register() -> None:
    registry.register_messages(
        "alliance",
        MESSAGES,
        labels=KEY_LABELS,
        sample_context=SAMPLE_CONTEXT,
        prepare=prepare_context,
    )
    registry.register_target(Project, open_label=open_label)
