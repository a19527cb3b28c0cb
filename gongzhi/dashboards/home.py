"""The cockpit's panel on the home page of leaders and residential-area secretaries: this
month's standard indicators (one aggregate query over this month's cases), each a link to its
cases, and the way into the cockpit."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongzhi.cases import measures as cm
from gongzhi.core.roles import Access, Role

from . import periods, selectors


def shows(access: Access) -> bool:
    return access.has(Role.LEADER) or (Role.AREA in access.roles and bool(access.area_ids))


def build(user: Any, access: Access) -> dict[str, Any]:
    period = periods.current()
    table = selectors.measure_table(
        user=user, group_by="total", date_from=period.date_from, date_to=period.date_to
    )
    values = [table.total.values[k] for k in cm.STANDARD]
    return {
        "period": period,
        "indicators": [
            (v, selectors.case_list_url(period, {}, v.measure.denominator)) for v in values
        ],
        "cockpit_url": reverse("dashboards:index"),
    }
