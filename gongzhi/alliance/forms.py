"""The alliance's forms: each project action's form built from the action table, and the
forms of the resource and need lists."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.forms import (
    StyledActionForm,
    StyledForm,
    _style,
    add_service_error,
    photos_param_field,
)
from gongzhi.core import permissions as perms
from gongzhi.org.models import Organisation
from gongzhi.places.models import ResidentialArea
from gongzhi.workflow.forms import form_class

from .models import Category, JointActivity, Need, Project
from .workflow import PROJECTS

__all__ = [
    "ACTION_FORMS",
    "ActivityForm",
    "CharterForm",
    "MemberForm",
    "MilestoneForm",
    "NeedForm",
    "ProjectForm",
    "ResourceForm",
    "add_service_error",
]


class ProjectActionForm(StyledActionForm):
    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, obj=project, **kwargs)
        if "milestone" in self.fields:
            self.fields["milestone"] = forms.TypedChoiceField(
                label=_("Milestone"),
                coerce=int,
                choices=[(m.pk, f"{m.title} ({m.progress}%)") for m in project.milestones.active()],
            )
        _style(self)


ACTION_FORMS: dict[str, type[ProjectActionForm]] = {
    a.name: form_class(PROJECTS, a, base=ProjectActionForm, photos_field=photos_param_field)  # type: ignore[misc]
    for a in PROJECTS.actions.values()
}


class WindowsField(forms.CharField):
    """Availability windows as text: one a line, "days start-end", e.g. "0-4 18:00-07:30"
    (0 = Monday) or "every day 00:00-24:00"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        kwargs.setdefault(
            "help_text",
            _(
                "One window a line: days (0 = Monday … 6 = Sunday, e.g. 0-4 or 5,6) and hours, e.g. “0-4 18:00-07:30”."
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(
                f"{','.join(str(d) for d in w.get('days', range(7)))} {w['start']}-{w['end']}"
                for w in value
            )
        return value

    def to_python(self, value: Any) -> list[dict[str, Any]]:  # type: ignore[override]
        text = super().to_python(value)
        out = []
        for line in (text or "").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                days_part, hours = line.rsplit(" ", 1)
                start, end = hours.split("-")
                days: list[int] = []
                for chunk in days_part.replace("，", ",").split(","):
                    if "-" in chunk:
                        a, b = chunk.split("-")
                        days.extend(range(int(a), int(b) + 1))
                    else:
                        days.append(int(chunk))
            except ValueError as exc:
                raise forms.ValidationError(_("Write a window as “0-4 18:00-07:30”.")) from exc
            out.append({"days": days, "start": start.strip(), "end": end.strip()})
        return out


class ResourceForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=Category.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    capacity = forms.IntegerField(label=_("capacity"), required=False, min_value=0)
    capacity_unit = forms.CharField(label=_("unit of capacity"), required=False, max_length=20)
    availability = forms.CharField(label=_("availability"), required=False, max_length=200)
    windows = WindowsField(label=_("availability windows"))
    place = forms.CharField(label=_("place"), required=False, max_length=200)
    conditions = forms.CharField(
        label=_("conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class NeedForm(StyledForm):
    title = forms.CharField(label=_("title"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    residential_area = forms.ModelChoiceField(
        label=_("residential area"), queryset=ResidentialArea.objects.none(), required=False
    )
    place = forms.CharField(label=_("place"), required=False, max_length=200)
    windows = WindowsField(label=_("when needed"))
    urgency = forms.ChoiceField(label=_("urgency"), choices=Need.Urgency.choices, initial="normal")

    def __init__(self, *args: Any, areas: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["residential_area"].queryset = (  # type: ignore[attr-defined]
            areas if areas is not None else ResidentialArea.objects.active()
        )
        _style(self)


def windows_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class ProjectForm(StyledForm):
    """Propose a project: an alliance project between units, or a residential area's
    self-governance project."""

    title = forms.CharField(label=_("title"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=Project.Kind.choices, initial="alliance")
    goal = forms.CharField(
        label=_("goal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    units = forms.ModelMultipleChoiceField(
        label=_("units"), queryset=Organisation.objects.none(), required=False
    )
    residential_area = forms.ModelChoiceField(
        label=_("residential area"), queryset=ResidentialArea.objects.none(), required=False
    )
    beneficiaries = forms.CharField(label=_("beneficiaries"), required=False, max_length=200)
    budget = forms.DecimalField(
        label=_("budget (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    milestones = forms.CharField(
        label=_("milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line, with its date if any: “签订协议 2026-03-31”."),
    )
    public = forms.BooleanField(label=_("shown to the public"), required=False)

    def __init__(self, *args: Any, units: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units  # type: ignore[attr-defined]
        self.fields["residential_area"].queryset = areas  # type: ignore[attr-defined]
        self.fields["units"].widget.attrs["size"] = "6"
        _style(self)

    def clean_milestones(self) -> list[tuple[str, Any]]:
        out = []
        for line in (self.cleaned_data.get("milestones") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            title, _sep, last = line.rpartition(" ")
            try:
                due = dt.date.fromisoformat(last) if title else None
            except ValueError:
                due = None
            out.append((title.strip(), due) if due else (line, None))
        return out


class MilestoneForm(StyledForm):
    title = forms.CharField(label=_("milestone"), max_length=200)
    due_on = forms.DateField(
        label=_("due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ActivityForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=JointActivity.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    held_on = forms.DateField(label=_("held on"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("place"), required=False, max_length=200)
    units = forms.ModelMultipleChoiceField(label=_("units"), queryset=Organisation.objects.none())
    participants = forms.IntegerField(label=_("participants"), min_value=0, initial=0)
    hours = forms.DecimalField(
        label=_("hours of service"), min_value=0, max_digits=7, decimal_places=1, initial=0
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units  # type: ignore[attr-defined]
        self.fields["units"].widget.attrs["size"] = "6"
        _style(self)


class MemberForm(StyledForm):
    organisation = forms.ModelChoiceField(
        label=_("member unit"), queryset=Organisation.objects.none()
    )
    joined_on = forms.DateField(
        label=_("joined on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        K = Organisation.Kind
        # The units of the user's subdistricts (the alliance is a subdistrict's).
        units = (
            perms.visible(user, Organisation.objects.active())
            if user
            else Organisation.objects.none()
        )
        self.fields["organisation"].queryset = units.filter(  # type: ignore[attr-defined]
            alliance_joined_on__isnull=True,
            kind__in=(K.RESIDENT_UNIT, K.SOCIAL_ORGANISATION, K.GENERAL_BRANCH, K.DEPARTMENT),
        )
        _style(self)


class CharterForm(StyledForm):
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 6}))
    dated_on = forms.DateField(label=_("dated"), widget=forms.DateInput(attrs={"type": "date"}))
    approved_on = forms.DateField(
        label=_("approved on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    approved_by = forms.CharField(label=_("approved by"), required=False, max_length=120)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
