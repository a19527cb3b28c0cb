"""The councils' meetings and their action items as webhook events ("meetings.meeting_called",
"action_item.complete" …): what was decided and how far it has come, for a district's
supervision platform. No personal data: councils and units by name, owners by organisation,
votes as counts (a secret ballot's counts are what its result shows anyway)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core import events
from gongzhi.meetings.models import ActionItem, Meeting, Vote
from gongzhi.meetings.services import results

from .payloads import happened, iso
from .topics import Topic, register


def _meeting(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "council": meeting.body.name,
        "title": meeting.title,
        "starts_at": iso(meeting.starts_at),
        "place": meeting.place,
        "state": meeting.state,
    }


def meeting_data(event: events.Event) -> dict[str, Any]:
    vote = None
    if "vote_id" in event.data:
        vote = Vote.objects.select_related("meeting__body").get(pk=event["vote_id"])
        meeting = vote.meeting
    else:
        meeting = Meeting.objects.select_related("body").get(pk=event["meeting_id"])
    data: dict[str, Any] = {
        "meeting": _meeting(meeting),
        "event": happened(event),
    }
    if vote is not None:
        data["vote"] = {
            "id": vote.pk,
            "question": vote.question,
            "secret": vote.secret,
            "state": vote.state,
            **({"result": results(vote)} if vote.state == Vote.State.CLOSED else {}),
        }
    return data


def action_item_data(event: events.Event) -> dict[str, Any]:
    item = ActionItem.objects.select_related("meeting__body", "owner_organisation").get(
        pk=event["action_item_id"]
    )
    return {
        "action_item": {
            "id": item.pk,
            "title": item.title,
            "state": item.state,
            "due_on": item.due_on.isoformat(),
            "owner_unit": item.owner_organisation.name if item.owner_organisation else None,
            "decided_at": _meeting(item.meeting),
        },
        "event": happened(event),
    }


def meeting_subdistrict(event: events.Event) -> int | None:
    if "vote_id" in event.data:
        of_vote = Vote.objects.filter(pk=event["vote_id"])
        return of_vote.values_list("meeting__body__subdistrict_id", flat=True).first()
    of_meeting = Meeting.objects.filter(pk=event["meeting_id"])
    return of_meeting.values_list("body__subdistrict_id", flat=True).first()


def action_item_subdistrict(event: events.Event) -> int | None:
    return (
        ActionItem.objects.filter(pk=event["action_item_id"])
        .values_list("meeting__body__subdistrict_id", flat=True)
        .first()
    )


MEETINGS = register(
    Topic(
        domain="meetings",
        label=_("council meetings"),
        actions={
            "meeting_called": _("meeting called"),
            "meeting_cancelled": _("meeting cancelled"),
            "meeting_closed": _("minutes approved"),
            "vote_opened": _("vote opened"),
            "vote_closed": _("vote closed"),
        },
        data=meeting_data,
        subdistrict=meeting_subdistrict,
    )
)
ACTION_ITEMS = register(
    Topic(
        domain="action_item",
        label=_("action items of meetings"),
        actions={
            "created": _("action item created"),
            "start": _("action item started"),
            "report": _("action item progress reported"),
            "complete": _("action item done"),
            "reopen": _("action item reopened"),
            "cancel": _("action item cancelled"),
            "file_case": _("action item filed as a case"),
            "propose_project": _("action item proposed as a project"),
        },
        data=action_item_data,
        subdistrict=action_item_subdistrict,
    )
)
