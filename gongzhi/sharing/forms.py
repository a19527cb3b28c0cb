"""Forms of the sharing pages: they parse the input's shape; the rules are in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.alliance.models import Resource as AllianceResource
from gongzhi.places.models import ResidentialArea

from . import lottery
from .models import AvailabilityException, GateEvent, SharedResource, VehicleType

SELECT = {"class": "form-select"}
INPUT = {"class": "form-control"}
DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
)
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M")
WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class ApplicationForm(forms.Form):
    name = forms.CharField(
        label=_("applicant's name"), max_length=50, widget=forms.TextInput(INPUT)
    )
    phone = forms.CharField(
        label=_("phone"), max_length=20, required=False, widget=forms.TextInput(INPUT)
    )
    residential_area = forms.ModelChoiceField(
        label=_("residential area"),
        queryset=ResidentialArea.objects.none(),
        widget=forms.Select(attrs=SELECT),
    )
    plate = forms.CharField(
        label=_("plate number"),
        max_length=40,
        widget=forms.TextInput(
            {**INPUT, "placeholder": "沪A12345", "autocapitalize": "characters"}
        ),
    )
    vehicle_type = forms.ChoiceField(
        label=_("vehicle type"), choices=VehicleType.choices, widget=forms.Select(attrs=SELECT)
    )
    proof_note = forms.CharField(
        label=_("proof of residence"),
        max_length=200,
        required=False,
        help_text=_("E.g. the property certificate or tenancy contract you can show."),
        widget=forms.TextInput(INPUT),
    )
    proof_upload = forms.FileField(
        label=_("proof of residence (scan or photo)"),
        required=False,
        help_text=_("Optional: JPEG, PNG or PDF, at most 5 MB. Seen only by you and the unit."),
        widget=forms.ClearableFileInput(
            {"class": "form-control", "accept": ".jpg,.jpeg,.png,.pdf"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["residential_area"].queryset = ResidentialArea.objects.active().order_by(  # type: ignore[attr-defined]
            "code"
        )


class WindowForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("weekdays"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start = forms.TimeField(label=_("from"), widget=TIME)
    end = forms.TimeField(
        label=_("until"),
        widget=TIME,
        help_text=_("At or before the start: runs past midnight. 00:00–00:00: all day."),
    )


class ExceptionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=AvailabilityException.Kind.choices,
        widget=forms.Select(attrs=SELECT),
    )
    date_from = forms.DateField(label=_("from"), widget=DATE)
    date_to = forms.DateField(label=_("until (inclusive)"), widget=DATE)
    note = forms.CharField(
        label=_("reason"), max_length=200, required=False, widget=forms.TextInput(INPUT)
    )


class DrawForm(forms.Form):
    seed = forms.CharField(
        label=_("seed"),
        max_length=100,
        help_text=_("Announce it before the draw, e.g. the date and the closing index of the day."),
        widget=forms.TextInput(INPUT),
    )
    period_from = forms.DateField(label=_("permits valid from"), widget=DATE)
    period_to = forms.DateField(label=_("permits valid until"), widget=DATE)
    rules = forms.MultipleChoiceField(
        label=_("priority rules (in this order)"),
        choices=list(lottery.RULES.items()),
        initial=lottery.DEFAULT_RULES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class GateForm(forms.Form):
    resource = forms.TypedChoiceField(
        label=_("car park"), coerce=int, widget=forms.Select(attrs=SELECT)
    )
    plate = forms.CharField(
        label=_("plate number"),
        max_length=40,
        widget=forms.TextInput(
            {
                **INPUT,
                "class": "form-control form-control-lg",
                "placeholder": "沪A12345",
                "autocapitalize": "characters",
                "autocomplete": "off",
            }
        ),
    )
    at = forms.DateTimeField(label=_("time (empty: now)"), required=False, widget=DATETIME)
    direction = forms.ChoiceField(
        label=_("direction"),
        choices=GateEvent.Direction.choices,
        initial=GateEvent.Direction.IN,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, resources: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [(r.pk, r.name) for r in resources]  # type: ignore[attr-defined]


class BookingForm(forms.Form):
    title = forms.CharField(label=_("event"), max_length=120, widget=forms.TextInput(INPUT))
    starts_at = forms.DateTimeField(label=_("starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("ends at"), widget=DATETIME)
    attendees = forms.IntegerField(
        label=_("attendees"),
        min_value=0,
        max_value=10000,
        initial=20,
        widget=forms.NumberInput(INPUT),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("reason"), max_length=200, required=False, widget=forms.TextInput(INPUT)
    )


class RenewForm(forms.Form):
    valid_to = forms.DateField(label=_("valid until"), widget=DATE)


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("why you appeal"), max_length=2000, widget=forms.Textarea({**INPUT, "rows": 3})
    )


class ResourceForm(forms.Form):
    owner = forms.TypedChoiceField(
        label=_("owner unit"), coerce=int, widget=forms.Select(attrs=SELECT)
    )
    kind = forms.ChoiceField(
        label=_("kind"), choices=SharedResource.Kind.choices, widget=forms.Select(attrs=SELECT)
    )
    name = forms.CharField(label=_("name"), max_length=120, widget=forms.TextInput(INPUT))
    address = forms.CharField(
        label=_("address"), max_length=200, required=False, widget=forms.TextInput(INPUT)
    )
    capacity = forms.IntegerField(
        label=_("capacity"), min_value=1, max_value=100000, widget=forms.NumberInput(INPUT)
    )
    rules = forms.CharField(
        label=_("rules"), required=False, widget=forms.Textarea({**INPUT, "rows": 4})
    )
    violations_to_suspend = forms.IntegerField(
        label=_("violations that suspend a permit"),
        min_value=1,
        max_value=50,
        initial=3,
        widget=forms.NumberInput(INPUT),
    )
    follows_school_calendar = forms.BooleanField(
        label=_("follows the working-day calendar"), required=False, initial=True
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("residential areas served"),
        queryset=ResidentialArea.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 6}),
    )
    listing = forms.ModelChoiceField(
        label=_("on the alliance's resource list as"),
        queryset=AllianceResource.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, owners: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(o.pk, o.name) for o in owners]  # type: ignore[attr-defined]
        # The areas of the owners' subdistricts (an owner of none, the district's: every area).
        areas = ResidentialArea.objects.active().order_by("code")
        sds = {o.subdistrict_id for o in owners}
        if sds and None not in sds:
            areas = areas.filter(subdistrict_id__in=sds)
        self.fields["areas"].queryset = areas  # type: ignore[attr-defined]
        self.fields["listing"].queryset = (  # type: ignore[attr-defined]
            AllianceResource.objects.active()
            .filter(owner_id__in=[o.pk for o in owners])
            .order_by("title")
        )
