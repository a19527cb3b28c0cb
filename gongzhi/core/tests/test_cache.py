"""The one per-process cache of rarely changing tables (gongzhi.core.cache.TableCache): what
another process changes is seen at the next version check, archiving included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.cache import TableCache, table_version
from gongzhi.worktime.models import CalendarOverride
from gongzhi.worktime.tests.factories import CalendarOverrideFactory

pytestmark = pytest.mark.django_db


def _active_dates() -> list[dt.date]:
    return list(CalendarOverride.objects.active().values_list("date", flat=True))


def test_an_archive_by_another_process_is_seen_at_the_next_check(settings):
    """Archiving updates archived_at alone (a queryset update): neither the row count nor the
    latest updated_at change, so the version counts archived rows too."""
    settings.GONGZHI = {**settings.GONGZHI, "CACHE_CHECK_SECONDS": 0}
    row = CalendarOverrideFactory()
    cache = TableCache(_active_dates, CalendarOverride)
    assert cache.get() == [row.date]
    CalendarOverride.objects.filter(pk=row.pk).update(archived_at=timezone.now())
    assert cache.get() == []
    CalendarOverride.objects.filter(pk=row.pk).update(archived_at=None)
    assert cache.get() == [row.date]


def test_between_checks_the_value_is_kept_and_invalidate_or_max_age_reloads(
    settings, django_assert_num_queries
):
    settings.GONGZHI = {**settings.GONGZHI, "CACHE_CHECK_SECONDS": 3600}
    cache = TableCache(_active_dates, CalendarOverride)
    assert cache.get() == []
    row = CalendarOverrideFactory()
    with django_assert_num_queries(0):
        assert cache.get() == []  # not checked again for an hour
    assert cache.get(max_age=0) == [row.date]  # checked now
    CalendarOverrideFactory()
    cache.invalidate()
    assert len(cache.get()) == 2


def test_a_cache_can_bring_its_own_version_and_check_interval():
    extra = ["a"]
    loads: list[int] = []

    def load() -> str:
        loads.append(1)
        return extra[0]

    interval = [0.0]
    cache = TableCache(load, version=lambda: extra[0], check_seconds=lambda: interval[0])
    assert cache.get() == "a" and cache.get() == "a" and len(loads) == 1
    extra[0] = "b"
    assert cache.get() == "b" and len(loads) == 2
    interval[0] = 3600.0
    extra[0] = "c"
    assert cache.get() == "b"


def test_the_version_of_a_plain_table_is_its_count_and_latest_change():
    from gongzhi.cases.models import CasePhoto  # time-stamped, never archived

    assert len(table_version(CasePhoto)) == 2
    assert len(table_version(CalendarOverride)) == 4
