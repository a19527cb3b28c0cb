"""The demo's category catalogue: the catalogue of gongzhi.cases.catalogue (the 12345 taxonomy and
the urban-management component and event classes), with each leaf routed to one of the seeded
departments and the urban-management leaves given their handling time limits (立结案标准).

Routing follows who does the work in a Shanghai subdistrict: street order, illegal building and
advertising go to the city-management squadron (城管中队), housing and underground pipes to the
housing office (房管办), sanitation and greenery to the greenery and city-appearance office
(市容绿化所), traffic to the traffic police (交警中队), public order to the police station
(派出所), shops and food to market supervision (市场监管所). 12345 matters no subdistrict
department handles (social insurance, schools, civil affairs …) carry no department: the
centre escalates them to the district (上报区级), as the description of such a category says.

Time limits (立结案标准, reference/urban-management-practice.md): 井盖 broken 4 working hours,
missing 2 continuous hours; 暴露垃圾 1 working day; 道路不洁 2 working hours; 私搭乱建 20
working days (demolition) or 4 working hours when urgent (stop the work); emergencies (突发事件)
2 continuous hours. Other urban leaves: 2 working days, 2 continuous hours when urgent. Hotline
leaves keep gongzhi.cases.sla's limits by work-order type (1 / 5 working days), except the
complex matters (城乡规划, 房屋征收) with 15 working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from gongzhi.org.models import Organisation
from gongzhi.worktime.models import Unit

from .. import catalogue as cases_catalogue
from .. import sla
from ..models import Category, TimeLimit

CH, WH, WD = Unit.CONTINUOUS_HOURS, Unit.WORKING_HOURS, Unit.WORKING_DAYS

# The seeded departments, by their key in gongzhi.org.demo.org.DEPARTMENTS.
DEPARTMENT_KEYS = (
    "chengguan",
    "fangguan",
    "lvhua",
    "jiaojing",
    "police",
    "shichang_jianguan",
    "zichan",
    "shichang",
)

# Urban-management codes → department key; the longest matching prefix wins.
URBAN_ROUTES: dict[str, str] = {
    "B01": "fangguan",  # 公用设施: water, sewer and rain-water covers
    "B0106": "lvhua",  # 路灯井盖
    "B0113": "police",  # 消防设施
    "B02": "jiaojing",  # 道路交通
    "B0203": "lvhua",  # 公交站亭
    "B0205": "lvhua",  # 过街天桥
    "B03": "lvhua",  # 市容环境 facilities
    "B0307": "chengguan",  # 广告牌匾
    "B04": "lvhua",  # 园林绿化
    "B05": "fangguan",  # 房屋土地
    "B06": "fangguan",
    "E01": "chengguan",  # 私搭乱建, 暴露垃圾, 废弃车辆 …
    "E0103": "lvhua",  # 积存垃圾渣土
    "E0104": "lvhua",  # 道路不洁
    "E0105": "lvhua",  # 水域不洁
    "E0106": "lvhua",  # 绿地脏乱
    "E0109": "lvhua",  # 非装饰性树挂
    "E02": "chengguan",  # 宣传广告
    "E03": "chengguan",  # 施工管理
    "E04": "fangguan",  # 突发事件: pipes and drains
    "E0401": "lvhua",  # 路面塌陷
    "E0499": "chengguan",
    "E05": "chengguan",  # 街面秩序
    "E0502": "police",  # 流浪乞讨
    "E0505": "jiaojing",  # 机动车乱停放
}

# 12345 first-level (or first- and second-level) classes → department key; None: escalated
# to the district. Classes not named here are escalated too.
HOTLINE_ROUTES: dict[str | tuple[str, str], str | None] = {
    "城乡建设": "fangguan",
    ("城乡建设", "城市建设和市政管理"): "chengguan",
    ("城乡建设", "安全生产"): "chengguan",
    ("城乡建设", "城乡规划"): None,
    ("城乡建设", "国有土地上房屋征收与补偿"): None,
    ("城乡建设", "集体土地上房屋拆迁与补偿"): None,
    ("城乡建设", "村镇建设"): None,
    "环境保护": "chengguan",
    ("环境保护", "建设项目审批"): None,
    "交通运输": "jiaojing",
    ("交通运输", "邮政管理"): None,
    "政法": "police",
    ("政法", "交通管理"): "jiaojing",
    ("政法", "仲裁与调解"): None,
    ("政法", "诉讼"): None,
    ("政法", "行政复议"): None,
    ("政法", "刑罚执行"): None,
    "商贸旅游": "shichang_jianguan",
    ("商贸旅游", "商业贸易"): "shichang",
    ("商贸旅游", "旅游管理"): None,
    ("卫生计生", "食品药品监管"): "shichang_jianguan",
    ("卫生计生", "公共卫生"): "lvhua",
    ("经济管理", "安全生产"): "chengguan",
    ("经济管理", "国资监管"): "zichan",
    ("民政", "基层选举和社区建设"): None,
}
ESCALATE_NOTE = "街道无对应职能部门：受理后提请区级部门办理（上报区级）。"

# How often each 12345 class reaches a subdistrict centre (relative weights of the first-level
# classes; second-level ones not named weigh 1 within their class).
HOTLINE_WEIGHTS: dict[str, float] = {
    "城乡建设": 30,
    "环境保护": 10,
    "政法": 9,
    "交通运输": 8,
    "商贸旅游": 6,
    "卫生计生": 5,
    "劳动和社会保障": 3,
    "民政": 3,
    "教育文体": 2,
    "经济管理": 1,
    "科技与信息产业": 1,
    "国土资源": 0.4,
    "党务政务": 0.4,
    "纪检监察": 0.2,
    "农村农业": 0.05,
}
HOTLINE_SUB_WEIGHTS: dict[str, float] = {
    "住房保障与房地产": 6,
    "城市建设和市政管理": 8,
    "安全生产": 2,
    "环境污染": 5,
    "社会治安": 4,
    "交通管理": 4,
    "市场监管": 4,
    "食品药品监管": 3,
    "公共卫生": 2,
    "村镇建设": 0.05,
    "集体土地上房屋拆迁与补偿": 0.05,
    "国有土地上房屋征收与补偿": 0.3,
    "其他": 0.5,
}
# How often each urban-management leaf is reported (default 1; "其他" leaves 0.4).
URBAN_WEIGHTS: dict[str, float] = {
    "E0102": 10,  # 暴露垃圾
    "E0505": 8,  # 机动车乱停放
    "E0506": 7,  # 非机动车乱停放
    "E0504": 6,  # 店外经营
    "E0201": 6,  # 非法小广告
    "E0101": 4,  # 私搭乱建
    "E0103": 4,  # 积存垃圾渣土
    "E0104": 4,  # 道路不洁
    "E0501": 4,  # 无照经营游商
    "E0108": 3,  # 废弃家具设备
    "E0106": 3,  # 绿地脏乱
    "E0301": 3,  # 施工扰民
    "E0503": 2,  # 占道废品收购
    "E0404": 2,  # 下水道堵塞
    "B0101": 2,
    "B0102": 2,
    "B0103": 2,
    "B0104": 2,
    "B0305": 3,  # 垃圾箱
    "B0402": 3,  # 行道树
    "B0405": 2,  # 绿地
    "B0211": 1.5,  # 交通护栏
}

# Handling limits of urban-management leaves: code prefix → ((normal), (urgent)).
HANDLE_LIMITS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "B": (("2", WD), ("2", CH)),
    "B0101": (("4", WH), ("2", CH)),
    "B0102": (("4", WH), ("2", CH)),
    "B0103": (("4", WH), ("2", CH)),
    "B0104": (("4", WH), ("2", CH)),
    "B0111": (("4", WH), ("1", CH)),
    "E": (("2", WD), ("2", CH)),
    "E0101": (("20", WD), ("4", WH)),
    "E0102": (("1", WD), ("2", CH)),
    "E0104": (("2", WH), ("1", CH)),
    "E0201": (("1", WD), ("4", WH)),
    "E0301": (("4", WH), ("1", CH)),
    "E04": (("1", WD), ("2", CH)),
    "E0403": (("1", WD), ("1", CH)),
    "E0505": (("4", WH), ("1", CH)),
    "E0506": (("4", WH), ("2", CH)),
}
COMPLEX_HOTLINE = ("城乡规划", "国有土地上房屋征收与补偿")  # 复杂事项: 15 working days


@dataclass(frozen=True)
class Leaf:
    """A category cases are filed under, with what the history needs to know of it."""

    id: int
    code: str
    name: str
    kind: str
    group_id: int
    group_name: str
    parent_name: str
    department_id: int | None
    weight: float

    @property
    def escalated(self) -> bool:
        return self.department_id is None


@dataclass
class DemoCatalogue:
    leaves: list[Leaf]
    departments: dict[str, Organisation]  # by key
    created: dict[str, int]  # rows created, by model label


def _longest(code: str, table: dict[str, Any]) -> Any:
    for n in range(len(code), 0, -1):
        if code[:n] in table:
            return table[code[:n]]
    return None


def departments() -> dict[str, Organisation]:
    """The seeded departments by key, found by name (gongzhi.org.demo.org.DEPARTMENTS)."""
    from gongzhi.org.demo.org import DEPARTMENTS

    names = {name: key for key, name, _short in DEPARTMENTS}
    found = Organisation.objects.filter(name__in=names, kind=Organisation.Kind.DEPARTMENT)
    return {names[o.name]: o for o in found}


def setup(*, taxonomy: Path | None = None) -> DemoCatalogue:
    """Load the catalogue, route its leaves and give the urban leaves their time limits."""
    before = Category.objects.count()
    cases_catalogue.load_catalogue(actor=None, taxonomy=taxonomy)
    depts = departments()
    cats = list(Category.objects.order_by("pk"))
    by_id = {c.pk: c for c in cats}
    with_children = {c.parent_id for c in cats if c.parent_id}
    changed: list[Category] = []
    limits: list[TimeLimit] = []
    for cat in cats:
        key = _route(cat, by_id)
        dept = depts.get(key) if key else None
        if cat.pk in with_children:
            # Groups carry the routing of most of their leaves, for leaves added later.
            if cat.level == 1 and dept is not None and cat.department_id is None:
                cat.department = dept
                changed.append(cat)
            continue
        cat.department = dept
        if dept is None:
            cat.description = ESCALATE_NOTE
        changed.append(cat)
        limits.extend(_time_limits(cat, by_id))
    Category.objects.bulk_update(changed, ["department", "description"], batch_size=200)
    TimeLimit.objects.bulk_create(limits, batch_size=200)
    sla.invalidate()
    made = read()
    made.created = {
        Category._meta.label: Category.objects.count() - before,
        TimeLimit._meta.label: len(limits),
    }
    return made


def read() -> DemoCatalogue:
    """The catalogue as the history draws from it: the active leaves, each with its routing
    (its own department or the nearest parent's; none: escalated) and how often it is
    reported."""
    cats = list(Category.objects.active().order_by("pk"))
    by_id = {c.pk: c for c in cats}
    with_children = {c.parent_id for c in cats if c.parent_id}
    leaves: list[Leaf] = []
    for cat in cats:
        if cat.pk in with_children:
            continue
        if cat.kind == Category.Kind.HOTLINE:
            weight = _hotline_route(cat, by_id)[1]
        else:
            weight = URBAN_WEIGHTS.get(cat.code, 0.4 if cat.code.endswith("99") else 1.0)
        group = by_id.get(cat.group_id or cat.parent_id or cat.pk, cat)
        parent = by_id.get(cat.parent_id or cat.pk, cat)
        dept, cur = None, cat
        while cur is not None and dept is None:
            dept = cur.department_id
            cur = by_id.get(cur.parent_id) if cur.parent_id else None
        leaves.append(
            Leaf(cat.pk, cat.code, cat.name, cat.kind, group.pk, group.name, parent.name, dept,
                 weight)
        )  # fmt: skip
    return DemoCatalogue(_spread_hotline_weights(leaves, by_id), departments(), {})


def _route(cat: Category, by_id: dict[int, Category]) -> str | None:
    if cat.kind == Category.Kind.HOTLINE:
        return _hotline_route(cat, by_id)[0]
    return _longest(cat.code, URBAN_ROUTES)  # type: ignore[no-any-return]


def _spread_hotline_weights(leaves: list[Leaf], by_id: dict[int, Category]) -> list[Leaf]:
    """A hotline class's weight is shared by its leaves: a second-level class with many
    third-level labels is not reported more often for having them."""
    from collections import Counter
    from dataclasses import replace

    paths = {
        leaf.id: _hotline_path(by_id[leaf.id], by_id)
        for leaf in leaves
        if leaf.kind == Category.Kind.HOTLINE
    }
    per_sub = Counter(paths.values())
    subs_weight: dict[str, float] = {}
    for top, sub in per_sub:
        subs_weight[top] = subs_weight.get(top, 0.0) + HOTLINE_SUB_WEIGHTS.get(sub, 1.0)
    out = []
    for leaf in leaves:
        path = paths.get(leaf.id)
        if path is not None:
            top, _sub = path
            share = leaf.weight / HOTLINE_WEIGHTS.get(top, 0.2) / subs_weight[top]
            leaf = replace(leaf, weight=HOTLINE_WEIGHTS.get(top, 0.2) * share / per_sub[path])
        out.append(leaf)
    return out


def _hotline_path(cat: Category, by_id: dict[int, Category]) -> tuple[str, str]:
    """(first-level, second-level) class names of a hotline category."""
    chain = [cat]
    while chain[-1].parent_id is not None:
        chain.append(by_id[chain[-1].parent_id])
    names = [c.name for c in reversed(chain)]
    return names[0], names[1] if len(names) > 1 else ""


def _hotline_route(cat: Category, by_id: dict[int, Category]) -> tuple[str | None, float]:
    top, sub = _hotline_path(cat, by_id)
    key = HOTLINE_ROUTES[(top, sub)] if (top, sub) in HOTLINE_ROUTES else HOTLINE_ROUTES.get(top)
    return key, HOTLINE_WEIGHTS.get(top, 0.2) * HOTLINE_SUB_WEIGHTS.get(sub, 1.0)


def _time_limits(cat: Category, by_id: dict[int, Category]) -> list[TimeLimit]:
    if cat.kind == Category.Kind.HOTLINE:
        parent = by_id.get(cat.parent_id) if cat.parent_id else None
        if parent is not None and parent.name in COMPLEX_HOTLINE:
            return [
                TimeLimit(
                    category=cat, urgency="normal", stage="handle", amount=Decimal(15), unit=WD
                )
            ]
        return []
    normal, urgent = _longest(cat.code, HANDLE_LIMITS)
    return [
        TimeLimit(category=cat, urgency=urgency, stage="handle", amount=Decimal(amount), unit=unit)
        for urgency, (amount, unit) in (("normal", normal), ("urgent", urgent))
    ]
