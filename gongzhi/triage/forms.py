"""The forms of the triage pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportProfile
from .readers import FORMATS


class UploadForm(forms.Form):
    profile = forms.ModelChoiceField(
        label=_("Profile"), queryset=ImportProfile.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(".xlsx, .xls or .csv (UTF-8 or GBK)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(FORMATS)}),
    )

    def __init__(self, *args: Any, profiles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = profiles  # type: ignore[attr-defined]
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control form-control-sm")
        self.fields["profile"].widget.attrs["class"] = "form-select form-select-sm"
