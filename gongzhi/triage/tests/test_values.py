from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.triage.values import parse_datetime, parse_float, text


@pytest.mark.parametrize(
    "value, expected",
    [
        (46295, (2026, 9, 30, 0, 0)),  # an Excel serial
        (46295.6666666667, (2026, 9, 30, 16, 0)),
        ("46295", (2026, 9, 30, 0, 0)),
        ("2026/9/30", (2026, 9, 30, 0, 0)),
        ("2026-09-30 16:00", (2026, 9, 30, 16, 0)),
        ("2026-09-30T16:00:05", (2026, 9, 30, 16, 0)),
        ("2026年9月30日", (2026, 9, 30, 0, 0)),
        ("2026年9月30日 16:00", (2026, 9, 30, 16, 0)),
        ("12/31/2017 11:59:58 PM", (2017, 12, 31, 23, 59)),
        (dt.datetime(2026, 9, 30, 16, 0), (2026, 9, 30, 16, 0)),  # noqa: DTZ001
        (dt.date(2026, 9, 30), (2026, 9, 30, 0, 0)),
    ],
)
def test_dates_as_offices_write_them(value, expected):
    got = timezone.localtime(parse_datetime(value))
    assert (got.year, got.month, got.day, got.hour, got.minute) == expected


@pytest.mark.parametrize(
    "value", ["2026-02-30", "下周一", "30/30/2026", "2026/13/1", "", None, "12"]
)
def test_what_is_not_a_date(value):
    assert parse_datetime(value) is None


def test_numbers_and_text():
    assert parse_float("31.25") == 31.25 and parse_float("") is None and parse_float(3) == 3.0
    with pytest.raises(ValueError):
        parse_float("北纬31度")
    assert text("\n\t　　本人  反映\n") == "本人 反映" and text(12.0) == "12"
