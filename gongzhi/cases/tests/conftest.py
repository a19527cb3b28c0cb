from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gongzhi.cases import services, sla
from gongzhi.cases.models import Case, Category
from gongzhi.cases.tests.factories import CategoryFactory
from gongzhi.testing.geometry import lnglat


@dataclass
class Centre:
    world: Any
    garbage: Category  # 暴露垃圾 → 城管中队
    manhole: Category  # 上水井盖 → 房管办
    consult: Category  # a hotline matter without routing

    def point_in(self, grid: str) -> tuple[float, float]:
        """(lat, lng) of a point well inside one of the world's grids."""
        x, y = {"a1": (250, 250), "a2": (250, 750), "b1": (750, 250), "b2": (750, 750)}[grid]
        lng, lat = lnglat(x, y)
        return lat, lng

    def intake(
        self, actor: Any = None, *, grid: str = "a1", category: Category | None = None, **kw: Any
    ) -> Case:
        lat, lng = self.point_in(grid)
        fields = {
            "channel": Case.Channel.INSPECTOR,
            "type": Case.Type.EVENT,
            "category": category or self.garbage,
            "description": "兰溪路垃圾箱旁暴露垃圾堆积",
            "lat": lat,
            "lng": lng,
        }
        fields.update(kw)
        return services.case_intake(actor=actor or self.world.operator, **fields).case


@pytest.fixture
def centre(world) -> Centre:
    return make_centre(world)


def make_centre(world: Any) -> Centre:
    events = CategoryFactory(
        code="E01",
        name="市容环境（事件）",
        kind=Category.Kind.EVENT,
        department=world.orgs["chengguan"],
    )
    garbage = CategoryFactory(
        code="E0102",
        name="暴露垃圾",
        kind=Category.Kind.EVENT,
        parent=events,
        group=events,
        level=2,
    )
    parts = CategoryFactory(code="B01", name="公用设施（部件）", kind=Category.Kind.COMPONENT)
    manhole = CategoryFactory(
        code="B0101",
        name="上水井盖",
        kind=Category.Kind.COMPONENT,
        parent=parts,
        group=parts,
        level=2,
        department=world.orgs["fangguan"],
    )
    consult = CategoryFactory(code="H01", name="城乡建设", kind=Category.Kind.HOTLINE)
    sla.invalidate()
    return Centre(world, garbage, manhole, consult)


def advance(case: Case, to: str, c: Centre) -> Case:
    """Take a fresh case through the workflow to state `to`, as the right people would."""
    w = c.world
    path = {
        "received": [],
        "filed": ["file"],
        "dispatched": ["file", "dispatch"],
        "accepted": ["file", "dispatch", "accept"],
        "returned": ["file", "dispatch", "return"],
        "handled": ["file", "dispatch", "accept", "handle"],
        "closed": ["file", "dispatch", "accept", "handle", "verify_pass"],
        "evaluated": ["file", "dispatch", "accept", "handle", "verify_pass", "evaluate"],
        "suspended": ["file", "dispatch", "accept", "suspend"],
        "escalated": ["file", "escalate"],
        "not_accepted": ["not_accept"],
    }[to]
    for step in path:
        case.refresh_from_db()
        if step == "file":
            services.case_file(actor=w.operator, case=case)
        elif step == "dispatch":
            services.case_dispatch(
                actor=w.operator,
                case=case,
                department=case.category.department_id
                or sla.routed_department_id(case.category_id)
                or w.orgs["chengguan"].pk,
            )
        elif step == "accept":
            services.case_accept(actor=w.handler, case=case)
        elif step == "return":
            services.case_return(actor=w.handler, case=case, reason="不属于本部门")
        elif step == "handle":
            services.case_handle(actor=w.handler, case=case, result="已清运")
        elif step == "verify_pass":
            services.case_verify(actor=w.inspector, case=case, passed=True, note="现场已清理")
        elif step == "evaluate":
            services.case_evaluate(actor=w.operator, case=case, satisfaction="satisfied")
        elif step == "suspend":
            services.case_suspend(actor=w.duty_chief, case=case, reason="季节性问题")
        elif step == "escalate":
            services.case_escalate(actor=w.duty_chief, case=case, reason="需区级协调")
        elif step == "not_accept":
            services.case_not_accept(actor=w.duty_chief, case=case, reason="不属于受理范围")
    case.refresh_from_db()
    assert case.state == to
    return case
