from __future__ import annotations

import csv
import importlib
import io
from pathlib import Path
from typing import Any

import pytest

from gongzhi.cases import sla
from gongzhi.cases.models import Category
from gongzhi.cases.tests.factories import CategoryFactory
from gongzhi.testing.geometry import lnglat
from gongzhi.triage.models import ImportProfile

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
SAMPLES = Path(__file__).resolve().parent / "samples"
HEADER_12345 = [
    "工单编号",
    "受理时间",
    "诉求分类",
    "诉求标题",
    "诉求内容",
    "事发地址",
    "纬度",
    "经度",
    "联系电话",
]


def shared(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test saying why."""
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared real data sets are not checked out)")
    return path


class Triage:
    def __init__(self, world: Any) -> None:
        self.world = world
        events = CategoryFactory(
            code="E01",
            name="市容环境（事件）",
            kind=Category.Kind.EVENT,
            department=world.orgs["chengguan"],
        )
        self.garbage = CategoryFactory(
            code="E0102",
            name="暴露垃圾",
            kind=Category.Kind.EVENT,
            parent=events,
            group=events,
            level=2,
        )
        self.parking = CategoryFactory(
            code="E0505",
            name="机动车乱停放",
            kind=Category.Kind.EVENT,
            parent=events,
            group=events,
            level=2,
        )
        houses = CategoryFactory(
            code="H03",
            name="房屋管理",
            kind=Category.Kind.HOTLINE,
            department=world.orgs["fangguan"],
        )
        self.property = CategoryFactory(
            code="H03-01",
            name="物业服务",
            kind=Category.Kind.HOTLINE,
            parent=houses,
            group=houses,
            level=2,
        )
        sla.invalidate()
        # The migration's profiles (a transactional test before this one may have emptied the
        # tables the migration filled).
        for data in importlib.import_module(
            "gongzhi.triage.migrations.0002_default_profiles"
        ).PROFILES:
            ImportProfile.objects.get_or_create(
                key=data["key"], defaults={k: v for k, v in data.items() if k != "key"}
            )
        self.profile = ImportProfile.objects.get(key="12345")

    def point(self, grid: str = "a1") -> tuple[float, float]:
        x, y = {"a1": (250, 250), "a2": (250, 750), "b1": (750, 250), "b2": (750, 750)}[grid]
        lng, lat = lnglat(x, y)
        return lat, lng

    def row(self, n: int, **kw: Any) -> list[Any]:
        lat, lng = self.point("b2" if n % 2 else "a1")
        base = {
            "工单编号": f"SH12345-2026-{n:06d}",
            "受理时间": "2026-09-30 16:00",
            "诉求分类": "暴露垃圾" if n % 3 else "E0505",
            "诉求标题": f"兰溪路{n}号门口问题",
            "诉求内容": f"兰溪路{n}号门口垃圾堆积多日无人清运，气味很大。",
            "事发地址": f"兰溪路{n}号",
            "纬度": lat,
            "经度": lng,
            "联系电话": "13812345678",
        }
        base.update(kw)
        return [base[h] for h in HEADER_12345]

    def rows(self, count: int) -> list[list[Any]]:
        return [self.row(n) for n in range(1, count + 1)]


@pytest.fixture
def triage(world) -> Triage:
    return Triage(world)


def write_csv(
    path: Path, rows: list[list[Any]], *, header: list[str] = HEADER_12345, encoding: str = "utf-8"
) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]], *, header: list[str] = HEADER_12345) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path
