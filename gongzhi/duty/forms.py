"""Forms of the duty pages: they parse and check the input's shape; the rules are in services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.org.models import Person

from . import selectors
from .models import DutyAssignment, DutyRole, ShiftLogEntry

SELECT = {"class": "form-select"}
INPUT = {"class": "form-control"}


def _number(label: Any, *, min_value: int, max_value: int, initial: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=max_value,
        initial=initial,
        widget=forms.NumberInput(attrs=INPUT),
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class LogEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (ShiftLogEntry.Kind.NOTE, _("note")),
            (ShiftLogEntry.Kind.INCIDENT, _("incident")),
        ],
        initial=ShiftLogEntry.Kind.NOTE,
        widget=forms.Select(attrs=SELECT),
    )
    text = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
    )
    case = forms.CharField(
        label=_("Case number (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "CY2026-000123"}),
    )


class HandoverForm(forms.Form):
    notes = forms.CharField(
        label=_("Handover notes"),
        max_length=4000,
        widget=forms.Textarea(attrs={**INPUT, "rows": 4}),
        help_text=_("What is still open, what the next shift must watch, keys and equipment."),
    )


class AcknowledgeHandoverForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs=INPUT),
    )


class AssignForm(forms.Form):
    person = StaffChoiceField(
        label=_("Person"), queryset=Person.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    role = forms.ChoiceField(
        label=_("Role on the shift"),
        choices=DutyRole.choices,
        initial=DutyRole.OPERATOR,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, subdistrict_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.centre_staff(  # type: ignore[attr-defined]
            subdistrict_id=subdistrict_id
        )


class GenerateForm(forms.Form):
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    days = _number(_("Days"), min_value=1, max_value=366, initial=28)
    chiefs = StaffMultipleChoiceField(
        label=_("Duty chiefs (in turn)"),
        queryset=Person.objects.none(),
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 5}),
    )
    operators = StaffMultipleChoiceField(
        label=_("Operators (in turn)"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 6}),
    )
    operators_per_shift = _number(_("Operators per shift"), min_value=0, max_value=20, initial=2)

    def __init__(self, *args: Any, subdistrict_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chiefs"].queryset = selectors.centre_staff(  # type: ignore[attr-defined]
            chiefs_only=True, subdistrict_id=subdistrict_id
        )
        self.fields["operators"].queryset = selectors.centre_staff(  # type: ignore[attr-defined]
            subdistrict_id=subdistrict_id
        )
        if not self.is_bound:
            self.fields["start"].initial = timezone.localdate() + dt.timedelta(days=1)


class SwapRequestForm(forms.Form):
    to_person = StaffChoiceField(
        label=_("Ask"), queryset=Person.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    counter_assignment = forms.ModelChoiceField(
        label=_("In exchange for (optional)"),
        queryset=DutyAssignment.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    message = forms.CharField(
        label=_("Message"), max_length=500, required=False, widget=forms.TextInput(attrs=INPUT)
    )

    def __init__(
        self,
        *args: Any,
        exclude_person: int | None = None,
        subdistrict_id: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        staff = selectors.centre_staff(subdistrict_id=subdistrict_id)
        if exclude_person is not None:
            staff = staff.exclude(pk=exclude_person)
        self.fields["to_person"].queryset = staff  # type: ignore[attr-defined]
        now = timezone.now()
        others = (
            DutyAssignment.objects.active()
            .filter(
                shift__archived_at__isnull=True,
                shift__starts_at__gt=now,
                shift__starts_at__lt=now + dt.timedelta(days=35),
            )
            .filter(
                **({"shift__subdistrict_id": subdistrict_id} if subdistrict_id is not None else {})
            )
            .select_related("shift", "shift__pattern", "person")
            .order_by("shift__starts_at", "person__name")
        )
        if exclude_person is not None:
            others = others.exclude(person_id=exclude_person)
        self.fields["counter_assignment"].queryset = others  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(
            attrs={**INPUT, "placeholder": _("Reason (optional)"), "aria-label": _("Reason")}
        ),
    )
