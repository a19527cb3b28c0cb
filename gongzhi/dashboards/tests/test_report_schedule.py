"""The reports' schedule: on the first working day of a month (China's statutory holidays and
make-up working days), at 07:00, the previous month's reports — and on the first working day
of a quarter and of a year, the previous quarter's and year's — once each."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.core import tasks
from gongzhi.core.models import Task
from gongzhi.dashboards import report_services as services
from gongzhi.dashboards.models import Report

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("month", "first"),
    [
        # The Spring Festival holiday ran from 28 January to 4 February 2025.
        ("2025-02-01", "2025-02-05"),
        # National Day and the Mid-Autumn Festival: 1 to 8 October 2025.
        ("2025-10-01", "2025-10-09"),
        # New Year 2026: 1 to 3 January, and Sunday 4 January is a make-up working day.
        ("2026-01-01", "2026-01-04"),
        # An ordinary month: Sunday 1 March 2026, so Monday the 2nd.
        ("2026-03-01", "2026-03-02"),
    ],
)
def test_the_first_working_day_follows_chinas_calendar(db, month, first):
    assert services.first_working_day(dt.date.fromisoformat(month)) == dt.date.fromisoformat(first)


def test_which_reports_are_due_on_which_day(db):
    keys = lambda day: [p.key for p in services.due_periods(dt.date.fromisoformat(day))]  # noqa: E731
    assert keys("2025-10-08") == []  # still the holiday
    assert keys("2025-10-09") == ["2025-09", "2025-Q3"]
    assert keys("2025-10-10") == []  # done the day before
    assert keys("2026-01-04") == ["2025-12", "2025-Q4", "2025"]
    assert keys("2026-01-02") == []
    assert keys("2026-03-02") == ["2026-02"]


def test_the_schedule_queues_the_reports_for_seven_oclock_once(world, settings):
    settings.TASKS_BACKEND = "database"
    # After the National Day holiday, at ten past midnight: queued for 07:00.
    with time_machine.travel(dt.datetime(2025, 10, 9, 0, 10, tzinfo=SH), tick=False):
        queued = services.schedule_due()
        again = services.schedule_due()
    # The subdistrict and each of the two residential areas, for September and Q3.
    assert len(queued) == 6 and again == []
    assert {(r.period_key, r.scope_kind) for r in queued} == {
        (key, kind) for key in ("2025-09", "2025-Q3") for kind in ("subdistrict", "area", "area")
    }
    assert all(r.scheduled and r.requested_by is None for r in queued)
    runs = {t.run_after for t in Task.objects.filter(name="dashboards.generate_report")}
    assert runs == {dt.datetime(2025, 10, 9, 7, 0, tzinfo=SH)}
    # On a holiday, nothing.
    Report.objects.all().delete()
    with time_machine.travel(dt.datetime(2025, 10, 3, 9, 0, tzinfo=SH), tick=False):
        assert services.schedule_due() == []


def test_the_periodic_task_is_registered():
    d = tasks.REGISTRY["dashboards.schedule_reports"]
    assert d.periodic_seconds and d.periodic_seconds <= 3600


def test_the_command_generates_a_report_with_a_progress_bar(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    out, err = StringIO(), StringIO()
    call_command("report", "2026-03", "--area", str(world.area_a.pk), stdout=out, stderr=err)
    r = Report.objects.get()
    assert r.status == Report.Status.DONE and r.scope_kind == "area"
    assert out.getvalue().split() == [r.pdf.path, r.xlsx.path]
    assert "100%" in err.getvalue()
    with pytest.raises(CommandError, match="2026-13"):
        call_command("report", "2026-13", stdout=out, stderr=err)
