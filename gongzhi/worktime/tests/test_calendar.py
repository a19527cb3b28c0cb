"""Calendar overrides, the per-process cache, years without holiday data, the system check,
the calendar_year command and the admin."""

from __future__ import annotations

import datetime as dt
import io
import logging
import random

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.worktime import calendar, services
from gongzhi.worktime.checks import check_working_time
from gongzhi.worktime.models import CalendarOverride, Unit

from .factories import SHANGHAI, CalendarOverrideFactory, at

pytestmark = pytest.mark.django_db

WH, WD = Unit.WORKING_HOURS, Unit.WORKING_DAYS
TUESDAY = dt.date(2026, 6, 9)
SATURDAY = dt.date(2026, 6, 13)


# --- Overrides -------------------------------------------------------------------------------


def test_an_override_turns_a_working_day_into_a_holiday_at_once(world):
    monday = at(2026, 6, 8, 10)
    assert services.add(monday, 1, WD) == at(2026, 6, 9, 17, 30)

    override = services.calendar_override_create(
        actor=world.admin, date=TUESDAY, is_working_day=False, name="台风停工"
    )
    assert not services.is_working_day(TUESDAY)
    assert services.add(monday, 1, WD) == at(2026, 6, 10, 17, 30)
    assert services.add(at(2026, 6, 8, 17), 1, WH) == at(2026, 6, 10, 9)

    services.calendar_override_archive(actor=world.admin, override=override)
    assert services.add(monday, 1, WD) == at(2026, 6, 9, 17, 30)

    services.calendar_override_restore(actor=world.admin, override=override)
    assert services.add(monday, 1, WD) == at(2026, 6, 10, 17, 30)

    actions = list(
        AuditEvent.objects.for_object(override)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "archive", "restore"]


def test_an_override_turns_a_weekend_day_into_a_working_day(world):
    friday = at(2026, 6, 12, 10)
    assert services.add(friday, 1, WD) == at(2026, 6, 15, 17, 30)

    override = services.calendar_override_create(
        actor=world.admin, date=SATURDAY, is_working_day=True, name="调休上班"
    )
    assert services.add(friday, 1, WD) == at(2026, 6, 13, 17, 30)
    assert services.add(at(2026, 6, 12, 17), 1, WH) == at(2026, 6, 13, 9)
    assert services.is_working_time(at(2026, 6, 13, 10))

    services.calendar_override_update(
        actor=world.admin, override=override, is_working_day=False, note="cancelled"
    )
    assert services.add(friday, 1, WD) == at(2026, 6, 15, 17, 30)
    event = AuditEvent.objects.for_object(override).get(action="update")
    assert event.changes == {"is_working_day": {"before": True, "after": False}}
    assert event.note == "cancelled"


def test_a_second_override_for_the_same_date_is_refused(world):
    from django.core.exceptions import ValidationError

    services.calendar_override_create(actor=world.admin, date=TUESDAY, is_working_day=False)
    with pytest.raises(ValidationError):
        services.calendar_override_create(actor=world.admin, date=TUESDAY, is_working_day=True)
    assert CalendarOverride.objects.filter(date=TUESDAY).count() == 1


def test_a_change_made_by_another_process_is_seen_after_the_version_check(monkeypatch):
    override = CalendarOverrideFactory(date=TUESDAY, is_working_day=False)
    monday = at(2026, 6, 8, 10)
    assert services.add(monday, 1, WD) == at(2026, 6, 10, 17, 30)

    # Another process archives it: nothing calls invalidate() here.
    CalendarOverride.objects.filter(pk=override.pk).update(archived_at=timezone.now())
    monkeypatch.setattr(calendar, "VERSION_CHECK_SECONDS", 3600.0)
    assert services.add(monday, 1, WD) == at(2026, 6, 10, 17, 30)  # cached snapshot

    monkeypatch.setattr(calendar, "VERSION_CHECK_SECONDS", 0.0)
    assert services.add(monday, 1, WD) == at(2026, 6, 9, 17, 30)


def test_deadlines_run_no_query_once_the_calendar_is_loaded(django_assert_num_queries):
    services.add(at(2026, 1, 1), 1, WD)
    rng = random.Random(7)  # noqa: S311
    starts = [at(2026, 1, 1) + dt.timedelta(minutes=rng.randrange(500_000)) for _ in range(500)]
    with django_assert_num_queries(0):
        for start in starts:
            for unit in Unit:
                due = services.add(start, rng.randrange(1, 30), unit)
                services.remaining(start, due, unit)


# --- Years without holiday data ---------------------------------------------------------------


def test_a_year_without_data_falls_back_to_monday_to_friday_and_is_reported(world, caplog):
    assert 2026 in calendar.package_years() and 2035 not in calendar.package_years()
    assert calendar.years_without_holiday_data([2026, 2035]) == [2035]

    calendar._warned_years.discard(2035)
    with caplog.at_level(logging.WARNING, logger="gongzhi.worktime.calendar"):
        # 1 October 2035 is a Monday: an ordinary working day without data.
        assert services.is_working_day(dt.date(2035, 10, 1))
    assert "No holiday data for 2035" in caplog.text
    assert not services.is_working_day(dt.date(2035, 10, 6))  # Saturday
    assert services.add(at(2035, 10, 5, 10), 1, WD) == at(2035, 10, 8, 17, 30)

    services.calendar_override_create(
        actor=world.admin, date=dt.date(2035, 10, 1), is_working_day=False, name="国庆节"
    )
    assert calendar.years_without_holiday_data([2026, 2035]) == []
    assert not services.is_working_day(dt.date(2035, 10, 1))


def test_the_system_check_warns_when_this_or_next_year_has_no_data(world):
    with time_machine.travel(dt.datetime(2025, 6, 1, 12, tzinfo=SHANGHAI), tick=False):
        assert [m.id for m in check_working_time()] == []
    with time_machine.travel(dt.datetime(2034, 6, 1, 12, tzinfo=SHANGHAI), tick=False):
        assert [m.id for m in check_working_time()] == ["worktime.W001", "worktime.W002"]
        services.calendar_override_create(
            actor=world.admin, date=dt.date(2035, 1, 1), is_working_day=False, name="元旦"
        )
        messages = check_working_time()
        assert [m.id for m in messages] == ["worktime.W001"]
        assert "2034" in messages[0].msg
        err = io.StringIO()
        call_command("check", stdout=io.StringIO(), stderr=err)
        assert "worktime.W001" in err.getvalue()
        assert "No holiday data for 2034" in err.getvalue()


# --- calendar_year --------------------------------------------------------------------------------


def test_calendar_year_prints_the_holidays_and_make_up_working_days(world):
    services.calendar_override_create(
        actor=world.admin, date=TUESDAY, is_working_day=False, name="台风停工"
    )
    out = io.StringIO()
    call_command("calendar_year", "2026", stdout=out)
    text = out.getvalue()
    days_off, make_up = text.split("Make-up working days")
    assert "2026-10-01 Thu  off      国庆节 (National Day)" in days_off
    assert "2026-10-07 Wed  off" in days_off
    assert "2026-10-08" not in days_off
    assert "2026-06-09 Tue  off      台风停工  [override]" in days_off
    assert "2026-09-20 Sun  working  国庆节 (National Day)" in make_up
    assert "2026-10-10 Sat  working" in make_up
    assert "2026-02-14 Sat  working" in make_up and "2026-02-28 Sat  working" in make_up
    assert "247 working days, 118 days off." in text


def test_calendar_year_warns_about_a_year_without_data():
    out, err = io.StringIO(), io.StringIO()
    call_command("calendar_year", "2035", stdout=out, stderr=err)
    assert "No holiday data for 2035" in err.getvalue()
    assert "261 working days" in out.getvalue()


# --- Admin ---------------------------------------------------------------------------------------


def test_the_admin_lists_overrides_and_warns_about_missing_years(client, world):
    CalendarOverrideFactory(date=TUESDAY, name="台风停工")
    with time_machine.travel(dt.datetime(2034, 6, 1, 12, tzinfo=SHANGHAI), tick=False):
        client.force_login(world.admin)
        response = client.get(reverse("admin:worktime_calendaroverride_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "台风停工" in body
    assert "没有 2034 年的节假日数据" in body and "没有 2035 年的节假日数据" in body


def test_only_administrators_reach_the_overrides(client, world):
    client.force_login(world.operator)
    response = client.get(reverse("admin:worktime_calendaroverride_changelist"))
    assert response.status_code == 302


def test_an_override_added_in_the_admin_is_audited_and_used_at_once(client, world):
    monday = at(2026, 6, 8, 10)
    assert services.add(monday, 1, WD) == at(2026, 6, 9, 17, 30)
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:worktime_calendaroverride_add"),
        {"date": "2026-06-09", "name": "台风停工", "remarks": "区防汛指挥部通知"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    override = CalendarOverride.objects.get(date=TUESDAY)
    assert not override.is_working_day
    assert AuditEvent.objects.for_object(override).filter(action="create").exists()
    assert services.add(monday, 1, WD) == at(2026, 6, 10, 17, 30)

    changelist = reverse("admin:worktime_calendaroverride_changelist")
    response = client.post(
        changelist, {"action": "archive_selected", "_selected_action": [override.pk]}
    )
    assert response.status_code == 302
    override.refresh_from_db()
    assert override.is_archived
    assert services.add(monday, 1, WD) == at(2026, 6, 9, 17, 30)

    client.post(changelist, {"action": "restore_selected", "_selected_action": [override.pk]})
    assert services.add(monday, 1, WD) == at(2026, 6, 10, 17, 30)

    response = client.post(
        reverse("admin:worktime_calendaroverride_change", args=[override.pk]),
        {"date": "2026-06-09", "is_working_day": "on", "name": "照常上班", "remarks": ""},
    )
    assert response.status_code == 302
    assert services.add(monday, 1, WD) == at(2026, 6, 9, 17, 30)
    actions = list(
        AuditEvent.objects.for_object(override)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "archive", "restore", "update"]
