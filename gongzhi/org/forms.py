from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import permissions as perms
from gongzhi.places.models import ResidentialArea

from .models import Organisation, Person, Position


class PeopleFilterForm(forms.Form):
    """The people directory's search box and filters (all optional)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, organisation or role"),
                "autocomplete": "off",
            }
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("any"),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("any")), *Position.Role.choices]
    )
    area = forms.ModelChoiceField(
        label=_("Residential area"),
        required=False,
        queryset=ResidentialArea.objects.none(),
        empty_label=_("any"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = perms.visible(user, Organisation.objects.active()).order_by("sort_order", "name")
        self.fields["organisation"].queryset = orgs  # type: ignore[attr-defined]
        areas = perms.visible(user, ResidentialArea.objects.active()).order_by("code")
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", css)


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[(f, f) for f in Person.PERSONAL_FIELDS])
