"""The category catalogue: the 12345 three-level taxonomy plus the urban-management component
(部件) and event (事件) classes, loaded idempotently (codes are the natural keys).

- Hotline matters come from a CSV with the columns 一级分类, 二级分类, 三级分类 (by default
  ../shared/data/hotline_messages/taxonomy.csv: 15 / 103 / 390 labels; the repository ships a
  42-row sample for machines without it). Codes: H01, H01-02, H01-02-03 in order of appearance.
- Component and event classes follow the digital urban management codes (CJJ/T 106, GB/T 30428):
  component classes 01–06 and event classes 01–05 with their sub-classes; codes B0101 (上水井盖),
  E0102 (暴露垃圾); 99 = 其他.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent

from . import sla
from .models import Category

SAMPLE = Path(__file__).parent / "data" / "hotline_taxonomy_sample.csv"


def default_taxonomy_path() -> Path:
    shared = (
        Path(settings.BASE_DIR).parent / "shared" / "data" / "hotline_messages" / "taxonomy.csv"
    )
    return shared if shared.exists() else SAMPLE


COMPONENTS: dict[str, tuple[str, dict[str, str]]] = {
    "01": (
        "公用设施",
        {
            "01": "上水井盖",
            "02": "污水井盖",
            "03": "雨水井盖",
            "04": "雨水箅子",
            "05": "电力井盖",
            "06": "路灯井盖",
            "07": "通信井盖",
            "11": "燃气井盖",
            "13": "消防设施",
            "99": "其他公用设施",
        },
    ),
    "02": (
        "道路交通",
        {
            "01": "停车场",
            "03": "公交站亭",
            "05": "过街天桥",
            "09": "交通标志牌",
            "11": "交通护栏",
            "14": "交通信号灯",
            "99": "其他道路交通设施",
        },
    ),
    "03": (
        "市容环境",
        {
            "01": "公共厕所",
            "04": "垃圾间",
            "05": "垃圾箱",
            "07": "广告牌匾",
            "99": "其他市容环境设施",
        },
    ),
    "04": (
        "园林绿化",
        {
            "01": "古树名木",
            "02": "行道树",
            "05": "绿地",
            "07": "街头座椅",
            "99": "其他园林绿化设施",
        },
    ),
    "05": (
        "房屋土地",
        {"01": "宣传栏", "02": "人防工事", "03": "公房地下室", "99": "其他房屋土地设施"},
    ),
    "06": ("其他设施", {"99": "其他设施"}),
}
EVENTS: dict[str, tuple[str, dict[str, str]]] = {
    "01": (
        "市容环境",
        {
            "01": "私搭乱建",
            "02": "暴露垃圾",
            "03": "积存垃圾渣土",
            "04": "道路不洁",
            "05": "水域不洁",
            "06": "绿地脏乱",
            "07": "废弃车辆",
            "08": "废弃家具设备",
            "09": "非装饰性树挂",
            "99": "其他市容环境问题",
        },
    ),
    "02": ("宣传广告", {"01": "非法小广告", "99": "其他宣传广告问题"}),
    "03": (
        "施工管理",
        {"01": "施工扰民", "02": "工地扬尘", "04": "道路遗撒", "99": "其他施工管理问题"},
    ),
    "04": (
        "突发事件",
        {
            "01": "路面塌陷",
            "02": "自来水管破裂",
            "03": "燃气管道破裂",
            "04": "下水道堵塞",
            "99": "其他突发事件",
        },
    ),
    "05": (
        "街面秩序",
        {
            "01": "无照经营游商",
            "02": "流浪乞讨",
            "03": "占道废品收购",
            "04": "店外经营",
            "05": "机动车乱停放",
            "06": "非机动车乱停放",
            "99": "其他街面秩序问题",
        },
    ),
}


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    kind: str
    parent: str | None
    level: int
    order: int


def hotline_nodes(rows: Iterable[list[str]]) -> list[Node]:
    nodes: dict[str, Node] = {}
    l1: dict[str, str] = {}
    l2: dict[tuple[str, str], str] = {}
    l3: set[tuple[str, str, str]] = set()
    counters: dict[str, int] = {}
    for row in rows:
        if len(row) < 3 or not all(c.strip() for c in row[:3]):
            continue
        a, b, c = (x.strip() for x in row[:3])
        if a not in l1:
            l1[a] = f"H{len(l1) + 1:02d}"
            nodes[l1[a]] = Node(l1[a], a, Category.Kind.HOTLINE, None, 1, len(l1))
        if (a, b) not in l2:
            counters[l1[a]] = counters.get(l1[a], 0) + 1
            code = f"{l1[a]}-{counters[l1[a]]:02d}"
            l2[(a, b)] = code
            nodes[code] = Node(code, b, Category.Kind.HOTLINE, l1[a], 2, counters[l1[a]])
        if (a, b, c) not in l3:
            l3.add((a, b, c))
            parent = l2[(a, b)]
            counters[parent] = counters.get(parent, 0) + 1
            code = f"{parent}-{counters[parent]:02d}"
            nodes[code] = Node(code, c, Category.Kind.HOTLINE, parent, 3, counters[parent])
    return list(nodes.values())


def urban_nodes() -> list[Node]:
    out: list[Node] = []
    for prefix, kind, label, table in (
        ("B", Category.Kind.COMPONENT, "部件", COMPONENTS),
        ("E", Category.Kind.EVENT, "事件", EVENTS),
    ):
        for i, (major, (name, subs)) in enumerate(table.items(), 1):
            code = f"{prefix}{major}"
            out.append(Node(code, f"{name}（{label}）", kind, None, 1, i))
            for j, (minor, sub) in enumerate(subs.items(), 1):
                out.append(Node(f"{prefix}{major}{minor}", sub, kind, code, 2, j))
    return out


def read_taxonomy(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    rows = list(csv.reader(lines))
    return rows[1:] if rows and rows[0][:1] == ["一级分类"] else rows


@transaction.atomic
def load_catalogue(*, actor: Any = None, taxonomy: Path | None = None) -> dict[str, int]:
    """Create or update the catalogue from the taxonomy file and the urban-management codes.
    Idempotent: running it again changes nothing. Returns counts."""
    nodes = hotline_nodes(read_taxonomy(taxonomy or default_taxonomy_path())) + urban_nodes()
    existing = {c.code: c for c in Category.objects.all()}
    created = updated = 0
    by_code: dict[str, Category] = {}
    for node in sorted(nodes, key=lambda n: n.level):
        parent = by_code.get(node.parent) if node.parent else None
        cat = existing.get(node.code)
        group = parent.group if parent and parent.group_id else parent
        if cat is None:
            cat = Category.objects.create(
                code=node.code,
                name=node.name,
                kind=node.kind,
                parent=parent,
                level=node.level,
                sort_order=node.order,
            )
            created += 1
        elif (cat.name, cat.parent_id, cat.level, cat.kind) != (
            node.name,
            parent.pk if parent else None,
            node.level,
            node.kind,
        ):
            cat.name, cat.parent, cat.level, cat.kind = node.name, parent, node.level, node.kind
            cat.save()
            updated += 1
        wanted_group = group if group is not None else None
        if cat.group_id != (wanted_group.pk if wanted_group else None) and node.level > 1:
            cat.group = wanted_group
            cat.save(update_fields=["group", "updated_at"])
        by_code[node.code] = cat
    counts = {"created": created, "updated": updated, "total": len(nodes)}
    if created or updated:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            object_repr="category catalogue",
            note=str(counts),
            changes={"counts": {"before": None, "after": counts}},
        )
    sla.invalidate()
    return counts
