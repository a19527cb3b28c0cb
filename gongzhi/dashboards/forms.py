"""The cockpit's filter form: it only draws the choices; the period and the filters are checked
by gongzhi.dashboards.periods and selectors.clean_filters (bad input → a message)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from gongzhi.cases.forms import (
    category_group_field,
    category_groups,
    channel_field,
    handling_bodies,
)
from gongzhi.core.roles import Access
from gongzhi.org.models import Organisation
from gongzhi.places.models import GridStation, ResidentialArea, Subdistrict
from gongzhi.places.selectors import serves_one_subdistrict

from . import periods


def subdistrict_choices(access: Access) -> QuerySet[Subdistrict]:
    """The subdistricts a viewer may choose among: those they serve (every one for the
    district level); none to choose on an installation that serves one."""
    if serves_one_subdistrict():
        return Subdistrict.objects.none()
    qs = Subdistrict.objects.active().order_by("code")
    if access.subdistrict_ids is not None:
        qs = qs.filter(pk__in=access.subdistrict_ids)
    return qs


class CockpitFilterForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    subdistrict = forms.ModelChoiceField(
        label=gettext_lazy("Subdistrict"), queryset=Subdistrict.objects.none(), required=False
    )
    station = forms.ModelChoiceField(
        label=gettext_lazy("Grid station"), queryset=GridStation.objects.none(), required=False
    )
    residential_area = forms.ModelChoiceField(
        label=gettext_lazy("Residential area"),
        queryset=ResidentialArea.objects.none(),
        required=False,
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Organisation.objects.none(), required=False
    )
    category = category_group_field()
    channel = channel_field()

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = periods.choices()
        current = (self.data.get("period") or "") if self.is_bound else ""
        if current and current not in dict(choices):
            choices.insert(0, (current, current))
        self.fields["period"].choices = choices  # type: ignore[attr-defined]
        subdistricts = subdistrict_choices(access)
        if access.whole_subdistrict and subdistricts.count() > 1:
            self.fields["subdistrict"].queryset = subdistricts  # type: ignore[attr-defined]
        else:
            del self.fields["subdistrict"]
        areas = ResidentialArea.objects.active().order_by("code")
        stations = GridStation.objects.active().order_by("number")
        departments = handling_bodies(access)
        if access.subdistrict_ids is not None:
            areas = areas.filter(subdistrict_id__in=access.subdistrict_ids)
            stations = stations.filter(subdistrict_id__in=access.subdistrict_ids)
        if not access.whole_subdistrict:
            areas = areas.filter(pk__in=access.area_ids)
            del self.fields["station"]
            del self.fields["department"]
        else:
            self.fields["station"].queryset = stations  # type: ignore[attr-defined]
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["residential_area"].queryset = areas  # type: ignore[attr-defined]
        if not access.whole_subdistrict and not access.area_ids:
            del self.fields["residential_area"]
        self.fields["category"].queryset = category_groups()  # type: ignore[attr-defined]
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", f"{css} form-select-sm")
