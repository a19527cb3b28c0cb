"""One way from Django's ValidationError to the project's ServiceError: every field's messages
next to the field, the whole message in the user's language with each field's name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongzhi.core.errors import ServiceError, service_error, validation_errors
from gongzhi.places.models import Subdistrict


def test_field_messages_carry_the_fields_verbose_name_and_stay_by_field():
    exc = ValidationError(
        {
            "code": ["Enter 9 digits.", "Already used."],
            "__all__": ["The outline crosses itself."],
        }
    )
    with translation.override("en"):
        error = service_error(exc, model=Subdistrict)
    assert isinstance(error, ServiceError) and error.code == "invalid"
    assert (
        error.message == "official code: Enter 9 digits. Already used. The outline crosses itself."
    )
    assert error.field_errors == {"code": ["Enter 9 digits.", "Already used."]}


def test_the_message_follows_the_language():
    with translation.override("zh-hans"):
        error = service_error(ValidationError({"name": ["太长了。"]}), model=Subdistrict)
    assert error.message == "名称：太长了。"


def test_without_a_model_the_field_keeps_its_name_and_a_plain_error_has_none():
    with translation.override("en"):
        assert service_error(ValidationError({"url": ["Bad."]})).message == "url: Bad."
        plain = service_error(ValidationError(["One.", "Two."]))
    assert plain.message == "One. Two." and plain.field_errors == {}


def test_the_block_form_raises_a_service_error_and_keeps_the_cause():
    with pytest.raises(ServiceError) as refused, validation_errors(Subdistrict):
        Subdistrict(code="12", name="").full_clean()
    assert set(refused.value.field_errors) == {"code", "name"}
    assert isinstance(refused.value.__cause__, ValidationError)
