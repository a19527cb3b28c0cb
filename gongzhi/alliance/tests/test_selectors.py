"""A member unit's year on the alliance page: its joint activities and their hours, counted per
unit (an activity of two units counts for each), none for a unit that took part in none."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongzhi.alliance import selectors
from gongzhi.alliance.tests.factories import (
    AllianceFactory,
    JointActivityFactory,
    MembershipFactory,
)


def test_a_members_year_counts_its_activities_and_their_hours(world):
    school, centre, chengguan = (world.orgs[k] for k in ("school", "centre", "chengguan"))
    a = AllianceFactory()
    for unit in (school, centre, chengguan):
        MembershipFactory(alliance=a, organisation=unit)
    both = JointActivityFactory(alliance=a, held_on=dt.date(2026, 3, 1), hours=Decimal("2.5"))
    both.units.set([school, centre])
    JointActivityFactory(alliance=a, held_on=dt.date(2026, 4, 1), hours=3).units.set([school])
    JointActivityFactory(alliance=a, held_on=dt.date(2025, 4, 1), hours=9).units.set([centre])
    years = {y.organisation.pk: y for y in selectors.member_years(2026)}
    assert (years[school.pk].activities, years[school.pk].hours) == (2, Decimal("5.5"))
    assert (years[centre.pk].activities, years[centre.pk].hours) == (1, Decimal("2.5"))
    assert (years[chengguan.pk].activities, years[chengguan.pk].hours) == (0, Decimal(0))
