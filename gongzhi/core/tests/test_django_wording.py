"""Django's length messages in the product's Chinese wording, not "确保该变量…"."""

from __future__ import annotations

from django import forms
from django.utils import translation


class _Form(forms.Form):
    name = forms.CharField(max_length=5, min_length=2)


def test_length_errors_read_as_a_person_would_write_them():
    with translation.override("zh-hans"):
        long = _Form({"name": "曹杨新村街道"})
        assert not long.is_valid()
        assert long.errors["name"] == ["最多 5 个字（现有 6 个）。"]
        short = _Form({"name": "曹"})
        assert not short.is_valid()
        assert short.errors["name"] == ["最少 2 个字（现有 1 个）。"]
