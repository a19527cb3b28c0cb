"""A year's holiday notice: the banner that asks for it from November, the administrator's form
(checked, previewed, then saved as overrides with an audit trail), and the deadlines that use it.

The year is the first one the chinesecalendar package does not know, so the tests hold when the
package learns more years."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.worktime import calendar, services
from gongzhi.worktime.forms import parse_dates
from gongzhi.worktime.models import CalendarOverride, Unit

from .factories import SHANGHAI

pytestmark = pytest.mark.django_db

YEAR = max(calendar.package_years()) + 1


def _weekday(day: dt.date, weekday: int) -> dt.date:
    """The first `weekday` (0 Monday … 6 Sunday) on or after `day`."""
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


# A hypothetical notice for YEAR: a three-day 元旦 from the first Friday of the year, and a
# Labour Day from the first Thursday of May to the following Monday, with the Saturday before
# it worked instead.
NEW_YEAR = _weekday(dt.date(YEAR, 1, 1), 4)
LABOUR = _weekday(dt.date(YEAR, 5, 1), 3)
LABOUR_END = LABOUR + dt.timedelta(days=4)
MAKE_UP = LABOUR - dt.timedelta(days=5)  # the Saturday before


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _in_november():
    return time_machine.travel(dt.datetime(YEAR - 1, 11, 16, 10, tzinfo=SHANGHAI), tick=False)


def _good() -> dict[str, str]:
    return {
        "remarks": f"国办发明电〔{YEAR - 1}〕7号",
        "new_year_start": f"{NEW_YEAR.month}月{NEW_YEAR.day}日",
        "new_year_end": (NEW_YEAR + dt.timedelta(days=2)).isoformat(),
        "labour_day_start": LABOUR.isoformat(),
        "labour_day_end": LABOUR_END.isoformat(),
        "labour_day_make_up": f"{MAKE_UP.month}月{MAKE_UP.day}日（周六）上班",
    }


def test_dates_are_read_as_the_notice_writes_them():
    assert parse_dates("1月1日", year=2027) == [dt.date(2027, 1, 1)]
    assert parse_dates("2027-01-01", year=2027) == [dt.date(2027, 1, 1)]
    assert parse_dates("2月6日（周六）、2月20日（周六）上班", year=2027) == [
        dt.date(2027, 2, 6),
        dt.date(2027, 2, 20),
    ]
    assert parse_dates("12月31日", year=2027, key="new_year") == [dt.date(2026, 12, 31)]
    assert parse_dates("", year=2027) == []
    with pytest.raises(ValueError):
        parse_dates("下周六", year=2027)
    with pytest.raises(ValueError):
        parse_dates("2月30日", year=2027)


def test_the_banner_asks_operators_and_duty_chiefs_from_november_and_admins_get_the_form(world):
    notice_url = reverse("worktime:notice", args=[YEAR])
    with time_machine.travel(dt.datetime(YEAR - 1, 10, 20, 10, tzinfo=SHANGHAI), tick=False):
        assert 'data-testid="banner"' not in _client(world.operator).get("/").content.decode()
    with _in_november():
        page = _client(world.operator).get("/").content.decode()
        assert 'data-testid="banner"' in page and str(YEAR) in page
        assert reverse("worktime:year", args=[YEAR]) in page and notice_url not in page
        assert 'data-testid="banner"' in _client(world.duty_chief).get("/").content.decode()
        assert notice_url in _client(world.admin).get("/").content.decode()
        for who in (world.resident, world.handler):
            assert 'data-testid="banner"' not in _client(who).get("/").content.decode()


def test_only_an_administrator_may_enter_a_notice(world):
    url = reverse("worktime:notice", args=[YEAR])
    assert _client(world.operator).get(url).status_code == 403
    assert _client(world.operator).post(url, {**_good(), "action": "save"}).status_code == 403
    assert not CalendarOverride.objects.exists()
    assert _client(world.admin).get(url).status_code == 200
    assert _client(world.admin).get(reverse("worktime:notice", args=[YEAR + 40])).status_code == 404


def test_a_wrong_notice_is_refused_field_by_field_and_nothing_is_saved(world):
    admin = _client(world.admin)
    url = reverse("worktime:notice", args=[YEAR])
    weekday = _weekday(dt.date(YEAR, 9, 1), 2)  # a Wednesday
    bad = {
        "remarks": "通知",
        # 元旦 in another year; Labour Day ends before it starts; National Day overlaps it
        "new_year_start": f"{YEAR + 1}-01-01",
        "labour_day_start": LABOUR.isoformat(),
        "labour_day_end": (LABOUR - dt.timedelta(days=1)).isoformat(),
        "dragon_boat_start": "6月",
        "mid_autumn_start": (weekday - dt.timedelta(days=1)).isoformat(),
        "mid_autumn_end": weekday.isoformat(),
        "national_day_start": weekday.isoformat(),
        "national_day_end": (weekday + dt.timedelta(days=2)).isoformat(),
        "national_day_make_up": weekday.isoformat(),
        "action": "preview",
    }
    r = admin.post(url, bad)
    assert r.status_code == 400
    errors = r.context["form"].errors
    assert set(errors) >= {
        "new_year_start",
        "labour_day_end",
        "dragon_boat_start",
        "national_day_start",
        "national_day_make_up",
    }
    assert "不在" in errors["new_year_start"][0]  # the messages are in the user's language
    r = admin.post(url, {**bad, "action": "save"})
    assert r.status_code == 400
    assert not CalendarOverride.objects.exists()


def test_the_preview_shows_the_days_then_saving_moves_the_deadlines(world):
    admin = _client(world.admin)
    url = reverse("worktime:notice", args=[YEAR])
    before = services.add(
        dt.datetime.combine(LABOUR - dt.timedelta(days=1), dt.time(10), SHANGHAI),
        1,
        Unit.WORKING_DAYS,
    )
    assert before.date() == LABOUR  # today: Labour Day is an ordinary working day

    r = admin.post(url, {**_good(), "action": "preview"})
    assert r.status_code == 200 and not CalendarOverride.objects.exists()
    plan = r.context["plan"]
    assert [d.date for d in plan.make_up_days] == [MAKE_UP]
    assert len(plan.days_off) == 3 + 5
    html = r.content.decode()
    assert 'data-testid="notice-preview"' in html and MAKE_UP.isoformat() in html

    r = admin.post(url, {**_good(), "action": "save"})
    assert r.status_code == 302 and r["Location"] == reverse("worktime:year", args=[YEAR])
    assert CalendarOverride.objects.count() == 9
    off = CalendarOverride.objects.get(date=LABOUR)
    assert not off.is_working_day and off.name == "劳动节" and "国办发明电" in off.remarks
    assert CalendarOverride.objects.get(date=MAKE_UP).is_working_day
    assert AuditEvent.objects.filter(content_type__model="calendaroverride").count() >= 9
    after = services.add(
        dt.datetime.combine(LABOUR - dt.timedelta(days=1), dt.time(10), SHANGHAI),
        1,
        Unit.WORKING_DAYS,
    )
    assert after.date() == LABOUR_END + dt.timedelta(days=1)  # over the holiday
    assert services.is_working_day(MAKE_UP)

    page = admin.get(r["Location"]).content.decode()
    assert "劳动节" in page and MAKE_UP.isoformat() in page
    with _in_november():
        assert 'data-testid="banner"' not in _client(world.operator).get("/").content.decode()


def test_entering_the_notice_again_changes_the_dates_in_place(world):
    admin = _client(world.admin)
    url = reverse("worktime:notice", args=[YEAR])
    stale = services.calendar_override_create(
        actor=world.admin, date=LABOUR, is_working_day=True, name="旧"
    )
    services.calendar_override_archive(actor=world.admin, override=stale)
    r = admin.post(url, {**_good(), "action": "preview"})
    assert "旧" in r.content.decode()  # the preview says which override it replaces
    assert admin.post(url, {**_good(), "action": "save"}).status_code == 302
    stale.refresh_from_db()
    assert stale.archived_at is None and not stale.is_working_day and stale.name == "劳动节"
    assert CalendarOverride.objects.filter(date=LABOUR).count() == 1
