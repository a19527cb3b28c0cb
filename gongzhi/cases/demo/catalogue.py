"""The demo's category catalogue: the catalogue that ships with the product
(gongzhi/cases/data/catalogue.json, loaded by gongzhi.cases.catalogue.load_catalogue), whose
routing finds the seeded departments by their short names (城管中队, 房管办, 市容绿化所,
交警中队, 曹杨新村派出所, 市场监管所, 市场部, 资产部) and whose time limits are the product's.
Leaves routed to an office the demo does not seed (社区服务办, 社区平安办 …) or escalated in
the catalogue carry no department: the centre escalates them to the district (上报区级).

What the demo adds is how often each kind of case is reported: the weights below, by code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from gongzhi.org.models import Organisation

from .. import catalogue as cases_catalogue
from ..models import Category, TimeLimit

# How often each 12345 first-level class reaches a subdistrict centre (relative weights).
HOTLINE_WEIGHTS: dict[str, float] = {
    "H01": 12,  # 城市管理
    "H02": 9,  # 市容环卫与绿化
    "H03": 16,  # 房屋管理
    "H04": 9,  # 交通管理
    "H05": 7,  # 社会治安
    "H06": 5,  # 市场监管
    "H07": 2,  # 消费维权
    "H08": 8,  # 环境保护
    "H09": 3,  # 卫生健康
    "H10": 3,  # 民政
    "H11": 2.5,  # 社会保障
    "H12": 1.5,  # 劳动就业
    "H13": 1.5,  # 教育
    "H14": 1,  # 规划建设
    "H15": 3,  # 公共设施
    "H16": 3,  # 水电气
    "H17": 1,  # 社区治理
    "H18": 1,  # 安全生产
    "H19": 1,  # 矛盾纠纷与信访
    "H20": 1,  # 政务服务
    "H99": 0.3,  # 其他
}
# Second-level classes, relative to the others of their class (default 1; "99" ones 0.3).
HOTLINE_SUB_WEIGHTS: dict[str, float] = {
    "H01-02": 3,  # 占道经营
    "H01-01": 2,  # 违法建筑
    "H01-06": 2,  # 非机动车与共享单车
    "H02-01": 3,  # 环境卫生
    "H02-02": 2,  # 生活垃圾分类
    "H03-01": 5,  # 物业服务
    "H03-04": 2,  # 群租
    "H03-05": 3,  # 房屋修缮与安全
    "H03-10": 0.3,  # 房屋征收与旧区改造
    "H03-11": 0.5,  # 房屋租赁与交易
    "H03-12": 0.3,  # 街道自有房产
    "H04-01": 3,  # 交通秩序
    "H04-03": 2,  # 停车管理
    "H04-04": 0.5,  # 公共交通
    "H05-02": 3,  # 社会生活噪声
    "H05-03": 1.5,  # 养犬管理
    "H06-01": 3,  # 食品安全
    "H08-01": 3,  # 噪声污染
    "H08-02": 2,  # 油烟污染
    "H08-05": 0.3,  # 其他污染
}
# How often each urban-management leaf is reported: the frequent ones by name, the common ones
# (COMMON) 1, the rest of the standard's sub-classes 0.3.
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
COMMON = set(
    "B0105 B0106 B0107 B0111 B0113 B0201 B0203 B0205 B0209 B0214 B0301 B0304 B0307 B0401 "
    "B0407 B0501 B0502 B0503 E0105 E0107 E0109 E0302 E0304 E0401 E0402 E0403 E0502 E0602 "
    "E0605 E0606".split()
)
RARE = 0.3


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


def departments() -> dict[str, Organisation]:
    """The seeded departments by key, found by name (gongzhi.org.demo.org.DEPARTMENTS)."""
    from gongzhi.org.demo.org import DEPARTMENTS

    names = {name: key for key, name, _short in DEPARTMENTS}
    found = Organisation.objects.filter(name__in=names, kind=Organisation.Kind.DEPARTMENT)
    return {names[o.name]: o for o in found}


def setup() -> DemoCatalogue:
    """Load the shipped catalogue: its routing finds the seeded departments."""
    result = cases_catalogue.load_catalogue(actor=None)
    made = read()
    made.created = {
        Category._meta.label: sum(result.created.values()),
        TimeLimit._meta.label: result.limits_created,
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
            weight = 0.0  # shared out below
        elif cat.code in URBAN_WEIGHTS:
            weight = URBAN_WEIGHTS[cat.code]
        else:
            weight = 1.0 if cat.code in COMMON else RARE
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
    return DemoCatalogue(_spread_hotline_weights(leaves), departments(), {})


def _spread_hotline_weights(leaves: list[Leaf]) -> list[Leaf]:
    """A first-level class's weight is shared by its second-level classes (by their weights),
    and theirs by their leaves: a class is not reported more often for having more labels."""
    hot = [lf for lf in leaves if lf.kind == Category.Kind.HOTLINE]
    per_sub = Counter(_sub(lf.code) for lf in hot)
    subs: dict[str, float] = {}
    for sub in per_sub:
        subs[_top(sub)] = subs.get(_top(sub), 0.0) + _sub_weight(sub)
    out = []
    for leaf in leaves:
        if leaf.kind == Category.Kind.HOTLINE:
            sub, top = _sub(leaf.code), _top(leaf.code)
            share = _sub_weight(sub) / subs[top] / per_sub[sub]
            leaf = replace(leaf, weight=HOTLINE_WEIGHTS.get(top, 0.2) * share)
        out.append(leaf)
    return out


def _top(code: str) -> str:
    return code.split("-")[0]


def _sub(code: str) -> str:
    return "-".join(code.split("-")[:2])


def _sub_weight(sub: str) -> float:
    if sub in HOTLINE_SUB_WEIGHTS:
        return HOTLINE_SUB_WEIGHTS[sub]
    return 0.3 if sub.endswith("-99") else 1.0
