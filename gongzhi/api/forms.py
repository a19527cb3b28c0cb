from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TokenForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("thing", "Name"),
        max_length=100,
        help_text=_("What the token is for, so you recognise it later."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("Optional: the token stops working at the end of this day."),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
