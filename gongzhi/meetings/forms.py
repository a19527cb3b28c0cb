"""The councils' forms: thin, the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Person
from gongzhi.workflow.forms import ActionFormBase, form_class

from .models import Body, Course, Invitation, ReceptionDay, Schedule, Topic, Vote
from .workflow import ACTION_ITEMS


def style(form: forms.Form) -> None:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, forms.Select):
            w.attrs.setdefault("class", "form-select")
        elif not isinstance(w, forms.HiddenInput | forms.RadioSelect):
            w.attrs.setdefault("class", "form-control")


class Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class ItemActionForm(ActionFormBase):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


ACTION_FORMS: dict[str, type[ActionFormBase]] = {
    a.name: form_class(ACTION_ITEMS, a, base=ItemActionForm) for a in ACTION_ITEMS.actions.values()
}


def _text_area(
    label: Any, *, rows: int, max_length: int = 4000, required: bool = True
) -> forms.CharField:
    """A text of several lines, `rows` high."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(Styled):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = _text_area(_("Agenda (one item a line)"), rows=3, required=False)


class PlanForm(Styled):
    schedule = forms.ModelChoiceField(label=_("Schedule"), queryset=Schedule.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schedule"].queryset = body.schedules.active()  # type: ignore[attr-defined]


class ReplyForm(Styled):
    invitation = forms.IntegerField(widget=forms.HiddenInput)
    reply = forms.ChoiceField(
        label=_("Reply"),
        choices=[
            (Invitation.Reply.ACCEPTED, _("I will attend")),
            (Invitation.Reply.DECLINED, _("I cannot attend")),
        ],
    )


class AgendaForm(Styled):
    title = forms.CharField(label=_("Agenda item"), max_length=200)
    description = _text_area(_("Description"), rows=2, required=False)


class MinutesForm(Styled):
    minutes = _text_area(_("Minutes"), rows=6, max_length=20000, required=False)
    close = forms.BooleanField(label=_("Approve the minutes and close the meeting"), required=False)


class CancelForm(Styled):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class VoteOpenForm(Styled):
    question = forms.CharField(label=_("Question put to the vote"), max_length=300)
    topic = forms.ModelChoiceField(
        label=_("Topic decided (optional)"), queryset=Topic.objects.none(), required=False
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = body.topics.active().filter(  # type: ignore[attr-defined]
            state=Topic.State.CONSULTING
        )


class CastForm(Styled):
    choice = forms.ChoiceField(label=_("Your vote"), choices=Vote.Choice.choices)


class ItemForm(Styled):
    title = forms.CharField(label=_("Action item"), max_length=200)
    description = _text_area(_("Description"), rows=2, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=())
    working_days = forms.IntegerField(
        label=_("Deadline (working days)"), min_value=1, max_value=250
    )
    vote = forms.ModelChoiceField(
        label=_("Resolution"), queryset=Vote.objects.none(), required=False
    )

    def __init__(self, *args: Any, meeting: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [
            (m.person_id, f"{m.person}" + (f" · {m.organisation}" if m.organisation_id else ""))
            for m in meeting.body.members.active().select_related("person", "organisation")
        ]
        self.fields["owner"].choices = people  # type: ignore[attr-defined]
        self.fields["vote"].queryset = meeting.votes.active().filter(passed=True)  # type: ignore[attr-defined]


class AttachmentForm(Styled):
    file = forms.FileField(label=_("Paper"))


class TopicForm(Styled):
    body = forms.ModelChoiceField(label=_("Council"), queryset=Body.objects.none())
    title = forms.CharField(label=_("Topic"), max_length=200)
    description = _text_area(_("Description"), rows=3, required=False)
    proposer_kind = forms.ChoiceField(
        label=_("Proposed by"), choices=Topic.Proposer.choices, required=False
    )
    proposer_name = forms.CharField(label=_("Proposer"), max_length=120, required=False)

    def __init__(self, *args: Any, bodies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]


class OpinionForm(Styled):
    text = _text_area(_("Your opinion"), rows=3)


class PaperOpinionForm(Styled):
    text = _text_area(_("Opinion (from the paper form)"), rows=3)
    author_name = forms.CharField(label=_("Name on the form"), max_length=60, required=False)


class OutcomeForm(Styled):
    outcome = _text_area(_("Outcome"), rows=3)


class ReceptionDayForm(Styled):
    deputy = forms.TypedChoiceField(label=_("Deputy"), coerce=int, choices=())
    deputy_kind = forms.ChoiceField(label=_("Deputy of"), choices=ReceptionDay.DeputyKind.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    def __init__(self, *args: Any, deputies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].choices = deputies  # type: ignore[attr-defined]


class ReceptionOpinionForm(Styled):
    text = _text_area(_("Opinion"), rows=3)
    resident_name = forms.CharField(label=_("Resident"), max_length=60, required=False)
    resident_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)


class OpinionCaseForm(Styled):
    category = forms.IntegerField(label=_("Category"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)


class OpinionTopicForm(Styled):
    body = forms.ModelChoiceField(label=_("Council"), queryset=Body.objects.active())


class AttendanceForm(Styled):
    """Who attended a training session: the community workers (people with a post in a
    residential area's organisation)."""

    people = forms.ModelMultipleChoiceField(
        label=_("Attended"),
        queryset=Person.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gongzhi.org.access import active_positions_q
        from gongzhi.org.models import Position

        workers = Position.objects.filter(active_positions_q()).exclude(
            organisation__residential_area=None
        )
        self.fields["people"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(pk__in=workers.values("person_id")).order_by("name")
        )


class SessionForm(Styled):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.active())
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    hours = forms.DecimalField(label=_("Hours"), max_digits=4, decimal_places=1)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
