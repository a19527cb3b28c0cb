"""A notice about a case of one subdistrict reaches the staff of that subdistrict and the
district level, never the staff of another (the grid centre's notices go to "every operator and
duty chief": of the case's subdistrict only)."""

from __future__ import annotations

import pytest

from gongzhi.notifications import services
from gongzhi.notifications.models import Notification
from gongzhi.testing.second_subdistrict import build_second, fresh

pytestmark = pytest.mark.django_db


def test_notices_stay_within_the_cases_subdistrict(world):
    from gongzhi.cases.tests.conftest import make_centre

    centre = make_centre(world)
    two = build_second()
    for u in world.users.values():
        fresh(u)
    case_b = two.file_case(centre.garbage)
    for user in (world.operator, two.users["cf_operator"], two.district_leader):
        services.notify(
            template="case_received", context={}, user=user, channels=("in_app",), target=case_b
        )
    got = set(
        Notification.objects.for_object(case_b)
        .filter(channel="in_app")
        .values_list("recipient__username", flat=True)
    )
    assert "operator" not in got
    assert {"cf_operator", "district_leader"} <= got
    assert services.reaches(world.resident, case_b)  # a resident's scope is their own rows
