"""Who hears of the councils' work: the invitees when a meeting is called; an action item's
owner and its council's chair when it changes (as the action table's notices say) and when it
is overdue (the periodic sweep). Listeners of the domain's events, run after the commit."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core import events
from gongzhi.notifications import services as notifications

from .models import ActionItem, BodyMember, Invitation, Meeting
from .workflow import ACTION_ITEMS


def users_of(person_ids: set[int]) -> list[User]:
    return list(User.objects.filter(person_id__in=person_ids, is_active=True).order_by("id"))


def owner_and_chair(item: ActionItem) -> list[User]:
    chairs = set(
        BodyMember.objects.active()
        .filter(body_id=item.meeting.body_id, role=BodyMember.Role.CHAIR)
        .values_list("person_id", flat=True)
    )
    return users_of({item.owner_id, *chairs})


def _item_context(item: ActionItem, actor: Any = None, note: str = "") -> dict[str, Any]:
    return {
        "title": item.title,
        "due": item.due_on.isoformat(),
        "state": item.get_state_display(),
        "actor": str(actor) if actor else "",
        "note": note,
    }


@events.subscribe("meetings.meeting_called", after_commit=True)
def on_meeting_called(event: events.Event) -> None:
    meeting = Meeting.objects.select_related("body").filter(pk=event["meeting_id"]).first()
    if meeting is None:
        return
    people = set(
        Invitation.objects.filter(meeting=meeting)
        .exclude(person=None)
        .values_list("person_id", flat=True)
    )
    context = {
        "title": meeting.title,
        "body": meeting.body.name,
        "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
        "place": meeting.place,
    }
    for user in users_of(people):
        if user.pk == event.actor_id:
            continue
        notifications.notify(
            template="meeting_called",
            context=context,
            user=user,
            channels=("in_app",),
            link=reverse("meetings:meeting", args=[meeting.pk]),
            target=meeting,
        )


NOTICED = {a.name for a in ACTION_ITEMS.actions.values() if a.notices}


@events.subscribe(
    "action_item.*",
    after_commit=True,
    when=lambda e: e.name == "action_item.overdue" or e.get("action") in NOTICED,
)
def on_action_item(event: events.Event) -> None:
    if event.name == "action_item.overdue":
        for item in ActionItem.objects.select_related("meeting").filter(
            pk__in=event["action_item_ids"]
        ):
            for user in owner_and_chair(item):
                notifications.notify(
                    template="action_item_overdue",
                    context=_item_context(item),
                    user=user,
                    channels=("in_app", "sms"),
                    link=reverse("meetings:item", args=[item.pk]),
                    target=item,
                )
        return
    a = ACTION_ITEMS.actions.get(event.get("action") or "")
    if a is None or not a.notices:
        return
    found = ActionItem.objects.select_related("meeting").filter(pk=event["action_item_id"]).first()
    if found is None:
        return
    item = found
    note = ""
    if event.get("event_id"):
        note = item.events.filter(pk=event["event_id"]).values_list("note", flat=True).first() or ""
    actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
    for notice in a.notices:
        for user in owner_and_chair(item):
            if user.pk == event.actor_id:
                continue
            notifications.notify(
                template=notice.message,
                context=_item_context(item, actor, note),
                user=user,
                channels=("in_app",),
                link=reverse("meetings:item", args=[item.pk]),
                target=item,
            )
