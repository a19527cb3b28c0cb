from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    receive_email = forms.BooleanField(
        label=_("Send me email about my reports and my work"), required=False
    )
    receive_sms = forms.BooleanField(
        label=_("Send me text messages (SMS) about my reports and my work"), required=False
    )
