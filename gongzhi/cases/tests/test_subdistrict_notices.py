"""An installation serving two subdistricts: a case's notices reach only the staff of its
subdistrict (and the district level); the queue offers only the user's subdistrict's grids and
departments."""

from __future__ import annotations

from django.utils import timezone

from gongzhi.cases import notices
from gongzhi.cases.forms import QueueFilterForm
from gongzhi.cases.models import Case
from gongzhi.cases.tests.factories import CategoryFactory
from gongzhi.core.roles import access_for
from gongzhi.testing.second_subdistrict import build_second_subdistrict


def test_notices_and_choices_stay_in_the_subdistrict(world):
    b = build_second_subdistrict()
    case = Case.objects.create(
        number="CY2026-400001",
        tracking_code="NOTICE000001",
        channel=Case.Channel.HOTLINE,
        type=Case.Type.HELP,
        category=CategoryFactory(),
        description="测试",
        received_at=timezone.now(),
        grid=world.grids["a1"],
        subdistrict=world.subdistrict,
    )
    staff = [world.operator, b.users["operator"], b.users["district_leader"]]
    assert notices.reaching(staff, case) == [world.operator, b.users["district_leader"]]
    chiefs = notices.duty_chiefs(case)
    assert world.duty_chief in chiefs and b.users["duty_chief"] not in chiefs
    form = QueueFilterForm(subdistrict_ids=access_for(world.operator).subdistrict_ids)
    grids = set(form.fields["grid"].queryset)  # type: ignore[attr-defined]
    departments = set(form.fields["department"].queryset)  # type: ignore[attr-defined]
    assert b.grid not in grids and world.grids["a1"] in grids
    assert b.orgs["department"] not in departments and world.orgs["chengguan"] in departments
