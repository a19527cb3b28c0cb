from __future__ import annotations

import datetime as dt

import factory

from gongzhi.duty.models import DutyAssignment, DutyRole, Shift, ShiftPattern
from gongzhi.duty.services import shift_times


def default_patterns() -> tuple[ShiftPattern, ShiftPattern]:
    """The day and night patterns of migration 0002 (recreated if a transactional test's flush
    removed them)."""
    day, _ = ShiftPattern.objects.get_or_create(
        code="day",
        defaults={
            "name": "白班",
            "start_time": dt.time(8, 30),
            "end_time": dt.time(17, 30),
            "operators_needed": 2,
            "sort_order": 10,
        },
    )
    night, _ = ShiftPattern.objects.get_or_create(
        code="night",
        defaults={
            "name": "夜班",
            "start_time": dt.time(17, 30),
            "end_time": dt.time(8, 30),
            "operators_needed": 1,
            "sort_order": 20,
        },
    )
    return day, night


class ShiftFactory(factory.django.DjangoModelFactory):
    """A shift of the default day pattern; times follow the pattern and the date."""

    class Meta:
        model = Shift

    pattern = factory.LazyFunction(lambda: default_patterns()[0])
    date = factory.Sequence(lambda n: dt.date(2026, 12, 1) + dt.timedelta(days=n))
    starts_at = factory.LazyAttribute(lambda o: shift_times(pattern=o.pattern, day=o.date)[0])
    ends_at = factory.LazyAttribute(lambda o: shift_times(pattern=o.pattern, day=o.date)[1])


class DutyAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyAssignment

    shift = factory.SubFactory(ShiftFactory)
    person = factory.SubFactory("gongzhi.org.tests.factories.PersonFactory")
    role = DutyRole.OPERATOR
