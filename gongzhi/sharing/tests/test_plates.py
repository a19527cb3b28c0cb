"""Plate normalisation: one spelling for whatever is typed; a clear refusal for the rest."""

from __future__ import annotations

import pytest

from gongzhi.sharing.plates import PlateError, display_plate, mask_plate, normalise_plate


@pytest.mark.parametrize(
    ("typed", "plate"),
    [
        ("沪A12345", "沪A12345"),
        ("沪a12345", "沪A12345"),
        (" 沪A 12345 ", "沪A12345"),
        ("沪A·12345", "沪A12345"),
        ("沪A.12345", "沪A12345"),
        ("沪A-12345", "沪A12345"),
        ("京ＮＦ８８６６６", "京NF88666"),  # full width, new-energy
        ("沪AD12345", "沪AD12345"),  # new-energy small car
        ("沪AFA1234", "沪AFA1234"),
        ("沪A12345D", "沪A12345D"),  # new-energy large vehicle
        ("粤B1234学", "粤B1234学"),
        ("苏E·A8B9C", "苏EA8B9C"),
    ],
)
def test_plates_are_normalised(typed, plate):
    assert normalise_plate(typed) == plate


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "A12345",  # no province
        "沪12345",  # no letter
        "沪A1234",  # too short
        "沪A123456",  # too long for a regular plate, not new-energy
        "沪AI2345",  # I is never used
        "沪AO2345",  # O neither
        "沪AD1234X",  # new-energy: D or F, then a letter or digit and four digits
        "沪AX12345",  # 8 characters but not D/F
        "美A12345",
        "沪A12345<script>",
    ],
)
def test_malformed_plates_are_refused_with_a_message(typed):
    with pytest.raises(PlateError) as exc:
        normalise_plate(typed)
    assert str(exc.value.message)
    assert "plate" in exc.value.field_errors


def test_full_width_regular_plate():
    assert normalise_plate("沪Ａ１２３４５") == "沪A12345"
    assert normalise_plate("浙Ｂ　Ｄ１２３４５") == "浙BD12345"


def test_display_and_mask():
    assert display_plate("沪A12345") == "沪A·12345"
    assert mask_plate("沪A12345") == "沪A***45"
    assert mask_plate("沪AD12345") == "沪A****45"
