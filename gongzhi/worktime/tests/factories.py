from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from gongzhi.worktime.models import CalendarOverride

SHANGHAI = ZoneInfo("Asia/Shanghai")
LUNCH_BREAK = [("08:30", "12:00"), ("13:00", "17:30")]


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    """An instant in Shanghai local time."""
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


class CalendarOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarOverride

    date = factory.Sequence(lambda n: dt.date(2030, 1, 1) + dt.timedelta(days=n))
    is_working_day = False
    name = "测试休息日"
