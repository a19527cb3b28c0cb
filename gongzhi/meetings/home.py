"""The councils' panel on the home page (gongzhi.core.home): a member's coming meetings and the
invitations still waiting for their reply, and the action items they own; every figure a link
to the list behind it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.home import Panel, register
from gongzhi.core.roles import Access

from . import selectors
from .models import Invitation
from .workflow import OPEN_STATES


def member(user: Any, access: Access) -> dict[str, Any] | None:
    invitations = list(selectors.my_invitations(user)[:8])
    items = selectors.action_items(user).filter(owner_id=access.person_id, state__in=OPEN_STATES)
    n_items = items.count()
    if not invitations and not n_items:
        return None
    waiting = sum(1 for i in invitations if i.reply == Invitation.Reply.PENDING)
    return {
        "title": _("Your meetings"),
        "figures": [
            {
                "key": "invitations",
                "label": _("Invitations to answer"),
                "count": waiting,
                "url": reverse("meetings:index"),
                "alarm": False,
            },
            {
                "key": "action_items",
                "label": _("Your open action items"),
                "count": n_items,
                "url": reverse("meetings:items") + "?mine=1",
                "alarm": False,
            },
        ],
        "invitations": invitations,
    }


def register_panels() -> None:
    register(
        Panel(
            "meetings_member",
            "meetings/home/panel.html",
            lambda a: a.person_id is not None,
            member,
            position=70,
        )
    )
