from __future__ import annotations

import datetime as dt

import factory

from gongzhi.duty.models import DutyAssignment, DutyRole, Shift, ShiftPattern
from gongzhi.duty.services import shift_times


class ShiftFactory(factory.django.DjangoModelFactory):
    """A shift of the default day pattern; times follow the pattern and the date."""

    class Meta:
        model = Shift

    pattern = factory.LazyFunction(lambda: ShiftPattern.objects.get(code="day"))
    date = factory.Sequence(lambda n: dt.date(2026, 12, 1) + dt.timedelta(days=n))
    starts_at = factory.LazyAttribute(lambda o: shift_times(pattern=o.pattern, day=o.date)[0])
    ends_at = factory.LazyAttribute(lambda o: shift_times(pattern=o.pattern, day=o.date)[1])


class DutyAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyAssignment

    shift = factory.SubFactory(ShiftFactory)
    person = factory.SubFactory("gongzhi.org.tests.factories.PersonFactory")
    role = DutyRole.OPERATOR
