"""The catalogue that ships with the product (gongzhi/cases/data/catalogue.json): complete,
well-formed, every leaf routed or escalated and timed; loaded on an empty database in one
transaction, idempotent, all or nothing; routed to the deployment's own departments; the
optional third-party taxonomy beside it."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from gongzhi.audit import services as audit_services
from gongzhi.audit.models import AuditEvent
from gongzhi.cases import sla
from gongzhi.cases.catalogue import (
    BY_TYPE,
    CODE,
    SHIPPED,
    CatalogueError,
    load_catalogue,
    read_catalogue,
)
from gongzhi.cases.models import Case, Category, TimeLimit
from gongzhi.org.models import Organisation
from gongzhi.org.tests.factories import OrganisationFactory

K = Organisation.Kind
U = TimeLimit.Unit
TAXONOMY = Path(__file__).resolve().parents[3].parent / "shared/data/hotline_messages/taxonomy.csv"

# Leaves (sub-classes, third-level 12345 categories) per top-level class. A change to the file
# that adds or removes categories changes this table too, on purpose.
LEAVES_PER_CLASS = {
    "B01": 39, "B02": 18, "B03": 12, "B04": 11, "B05": 4, "B06": 7, "B07": 16,
    "E01": 18, "E02": 6, "E03": 7, "E04": 10, "E05": 14, "E06": 15,
    "H01": 27, "H02": 24, "H03": 46, "H04": 24, "H05": 26, "H06": 19, "H07": 12, "H08": 18,
    "H09": 15, "H10": 19, "H11": 10, "H12": 9, "H13": 9, "H14": 8, "H15": 15, "H16": 15,
    "H17": 8, "H18": 8, "H19": 7, "H20": 7, "H99": 2,
}  # fmt: skip
CATEGORIES = 644
# The codes and names of the data README and the reference (CJJ/T 106, GB/T 30428 practice).
STANDARD = {
    "B01": "公用设施（部件）", "B02": "道路交通（部件）", "B03": "市容环境（部件）",
    "B04": "园林绿化（部件）", "B05": "房屋土地（部件）", "B06": "其他设施（部件）",
    "E01": "市容环境（事件）", "E02": "宣传广告（事件）", "E03": "施工管理（事件）",
    "E04": "突发事件（事件）", "E05": "街面秩序（事件）",
    "B0101": "上水井盖", "B0102": "污水井盖", "B0103": "雨水井盖", "B0105": "电力井盖",
    "B0113": "消防设施", "B0203": "公交站亭", "B0214": "交通信号灯", "B0305": "垃圾箱",
    "B0402": "行道树", "B0501": "宣传栏",
    "E0101": "私搭乱建", "E0102": "暴露垃圾", "E0103": "积存垃圾渣土", "E0201": "非法小广告",
    "E0501": "无照经营游商", "E0504": "店外经营", "E0505": "机动车乱停放",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    """The messages are read in English (the msgids), whatever catalogue is compiled."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def shipped():
    return read_catalogue()


def leaves() -> list[Category]:
    parents = Category.objects.filter(parent__isnull=False).values("parent_id")
    return list(Category.objects.exclude(pk__in=parents).select_related("group"))


def departments_for(catalogue: Any) -> dict[str, Organisation]:
    """A department for every key of the catalogue, named by its short name."""
    return {
        key: OrganisationFactory(name=f"曹杨新村街道{d.name}", short_name=d.name, kind=K.DEPARTMENT)
        for key, d in catalogue.departments.items()
        if not d.special
    }


def copy_of_shipped(tmp_path: Path, change: Any) -> Path:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- The file --------------------------------------------------------------------------------


def test_codes_are_unique_well_formed_and_follow_the_tree(shipped):
    codes = [e.code for e in shipped.entries]
    assert len(codes) == len(set(codes)) == CATEGORIES
    assert all(CODE.fullmatch(c) for c in codes)
    for e in shipped.entries:
        if e.code[0] in "BE":
            assert (e.level, e.parent) == ((1, None) if len(e.code) == 3 else (2, e.code[:3]))
        else:
            assert e.level == e.code.count("-") + 1
        if e.code.endswith("99") and e.level > 1:
            assert "其他" in e.name, e.code
    hotline = [leaf for leaf in shipped.leaves if leaf.kind == Category.Kind.HOTLINE]
    assert {leaf.level for leaf in hotline} == {3}  # a three-level tree


def test_the_standard_codes_have_their_names(shipped):
    names = {e.code: e.name for e in shipped.entries}
    assert {code: names.get(code) for code in STANDARD} == STANDARD


def test_the_breadth_of_the_standard_and_of_a_subdistrict_hotline(shipped):
    per_class = Counter(leaf.code.split("-")[0][:3] for leaf in shipped.leaves)
    assert dict(per_class) == LEAVES_PER_CLASS
    assert sum(n for c, n in per_class.items() if c[0] == "B") >= 100
    assert sum(n for c, n in per_class.items() if c[0] == "E") >= 60
    assert sum(n for c, n in per_class.items() if c[0] == "H") >= 250


def test_every_leaf_is_routed_or_escalated_and_has_a_handling_limit(shipped):
    for leaf in shipped.leaves:
        eff = shipped.effective[leaf.code]
        assert eff.route in shipped.departments, leaf.code
        assert ("handle", "normal") in eff.limits, leaf.code
    routes = Counter(shipped.effective[leaf.code].route for leaf in shipped.leaves)
    assert routes["chengguan"] > 50 and routes["district"] > 50
    # 12345 matters follow the work-order type, except the complex ones.
    hotline = {leaf.code: shipped.effective[leaf.code].limits for leaf in shipped.leaves}
    assert hotline["H05-02-01"][("handle", "normal")] == BY_TYPE
    assert hotline["H14-01-01"][("handle", "normal")] == (Decimal(15), U.WORKING_DAYS)


# --- Loading ---------------------------------------------------------------------------------


def test_the_shipped_catalogue_loads_on_an_empty_database(db):
    result = load_catalogue()
    assert Category.objects.count() == result.total == CATEGORIES
    per_class = Counter((c.group or c).code for c in leaves())
    assert dict(per_class) == LEAVES_PER_CLASS
    assert {c.code: c.name for c in Category.objects.filter(code__in=STANDARD)} == STANDARD
    garbage = Category.objects.get(code="E0102")
    assert (garbage.parent.code, garbage.group.code, garbage.level, garbage.kind) == (
        "E01", "E01", 2, "event"
    )  # fmt: skip
    leaf = Category.objects.get(code="H03-04-01")
    assert (leaf.name, leaf.parent.code, leaf.group.code, leaf.level) == ("群租举报", "H03-04",
                                                                         "H03", 3)  # fmt: skip
    assert not Category.objects.get(code="E0409").public  # 群体性事件: 110, not the web form
    assert Category.objects.get(code="E0401").description.startswith("街道无对应职能部门")
    # No department exists yet: nothing is routed, everything is reported.
    assert result.routed == 0
    assert all(m.organisation is None for m in result.departments)
    assert result.limits_created == TimeLimit.objects.count() > 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.changes["created"]["after"] == CATEGORIES


def test_every_leaf_is_routed_to_its_department_or_escalated_and_timed(db, shipped):
    orgs = departments_for(shipped)
    result = load_catalogue()
    assert all(m.organisation is not None for m in result.departments if not m.department.special)
    sla.invalidate()
    for leaf in leaves():
        eff = shipped.effective[leaf.code]
        routed = sla.routed_department_id(leaf.pk)
        if shipped.departments[eff.route or ""].special:
            assert routed is None, leaf.code
            assert leaf.description, leaf.code
        else:
            assert routed == orgs[eff.route or ""].pk, leaf.code
        normal = eff.limits[("handle", "normal")]
        for case_type in (Case.Type.CONSULT, Case.Type.COMPLAINT, Case.Type.EVENT):
            got = sla.time_limit(
                category_id=leaf.pk, urgency="normal", stage="handle", case_type=case_type
            )
            assert got == (sla.HANDLE_BY_TYPE[case_type] if normal == BY_TYPE else normal)
        urgent = eff.limits.get(("handle", "urgent"), sla.DEFAULTS[("urgent", "handle")])
        assert sla.time_limit(category_id=leaf.pk, urgency="urgent", stage="handle") == urgent


def test_the_limits_of_the_urban_management_standards(db):
    load_catalogue()

    def limit(code: str, urgency: str = "normal", case_type: str = "") -> tuple[Any, str]:
        pk = Category.objects.get(code=code).pk
        return sla.time_limit(category_id=pk, urgency=urgency, stage="handle", case_type=case_type)

    assert limit("B0101") == (4, U.WORKING_HOURS)  # 井盖破损
    assert limit("B0101", "urgent") == (2, U.CONTINUOUS_HOURS)  # 井盖缺失
    assert limit("E0102") == (1, U.WORKING_DAYS)  # 暴露垃圾
    assert limit("E0104") == (2, U.WORKING_HOURS)  # 道路不洁
    assert limit("E0101") == (20, U.WORKING_DAYS)  # 私搭乱建: 拆除
    assert limit("E0101", "urgent") == (4, U.WORKING_HOURS)  # 停工
    assert limit("B0699") == (2, U.WORKING_DAYS)  # a class's own limit, inherited
    assert limit("H05-02-01", case_type=Case.Type.CONSULT) == (1, U.WORKING_DAYS)
    assert limit("H05-02-01", case_type=Case.Type.COMPLAINT) == (5, U.WORKING_DAYS)
    assert limit("H03-10-01", case_type=Case.Type.CONSULT) == (15, U.WORKING_DAYS)  # 征收
    assert limit("H16-03-01", "urgent") == (1, U.CONTINUOUS_HOURS)  # 燃气泄漏


def test_loading_twice_changes_nothing_and_writes_no_audit_row(db, shipped):
    departments_for(shipped)
    load_catalogue()
    fields = ["code", "name", "parent_id", "group_id", "level", "kind", "sort_order",
              "department_id", "public", "description", "updated_at"]  # fmt: skip
    before = list(Category.objects.order_by("code").values_list(*fields))
    limits = list(TimeLimit.objects.order_by("pk").values_list())
    audits = AuditEvent.objects.count()
    again = load_catalogue()
    assert not again.changed
    assert sum(again.unchanged.values()) == CATEGORIES
    assert list(Category.objects.order_by("code").values_list(*fields)) == before
    assert list(TimeLimit.objects.order_by("pk").values_list()) == limits
    assert AuditEvent.objects.count() == audits


def test_a_changed_row_is_updated_and_the_change_audited(db, tmp_path):
    load_catalogue()

    def rename(data: dict[str, Any]) -> None:
        row = next(r for r in data["categories"] if r["code"] == "E0107")
        row["name"] = "废弃车辆（僵尸车）"

    result = load_catalogue(path=copy_of_shipped(tmp_path, rename))
    assert sum(result.updated.values()) == 1 and result.updated["event"] == 1
    assert Category.objects.get(code="E0107").name == "废弃车辆（僵尸车）"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).latest("pk")
    assert event.changes["E0107.name"] == {"before": "废弃车辆", "after": "废弃车辆（僵尸车）"}
    assert event.changes["updated"]["after"] == 1


def test_routing_matches_names_and_endings_and_reports_what_it_can_not_match(db):
    chengguan = OrganisationFactory(
        name="普陀区城管执法局曹杨中队", short_name="城管中队", kind=K.DEPARTMENT
    )
    police = OrganisationFactory(name="普陀公安分局曹杨新村派出所", kind=K.DEPARTMENT)
    for name in ("甲市场监管所", "乙市场监管所"):
        OrganisationFactory(name=name, kind=K.DEPARTMENT)
    OrganisationFactory(name="社区服务办", kind=K.OFFICE)  # not a department: not dispatched to
    result = load_catalogue()
    found = {m.department.key: m for m in result.departments}
    assert found["chengguan"].organisation == chengguan
    assert found["police"].organisation == police  # by the ending of its name
    assert found["shichang_jianguan"].organisation is None
    assert sorted(found["shichang_jianguan"].candidates) == ["乙市场监管所", "甲市场监管所"]
    assert found["fuwu"].organisation is None and found["fuwu"].leaves == 21
    sla.invalidate()

    def routed(code: str) -> int | None:
        return sla.routed_department_id(Category.objects.get(code=code).pk)

    # A department sits on the highest category all of whose leaves go to it.
    assert Category.objects.get(code="E02").department == chengguan
    assert Category.objects.get(code="E0201").department is None
    assert routed("E0201") == chengguan.pk
    assert Category.objects.get(code="E01").department is None  # 暴露垃圾 城管, 道路不洁 市容
    assert routed("E0102") == chengguan.pk
    assert routed("E0502") == police.pk  # 流浪乞讨
    # Escalated leaves inherit no department.
    assert routed("E0401") is None  # 路面塌陷: 上报区级
    assert routed("H06-01-01") is None  # 市场监管所 ambiguous: left empty
    # Named on the command line, the ambiguous key is routed on the next run.
    again = load_catalogue(departments={"shichang_jianguan": "甲市场监管所"})
    assert again.routed > 0 and not again.created
    assert routed("H06-01-01") == Organisation.objects.get(name="甲市场监管所").pk
    with pytest.raises(CatalogueError, match="No single department"):
        load_catalogue(departments={"police": "某某派出所"})
    with pytest.raises(CatalogueError, match="unknown department key"):
        load_catalogue(departments={"district": "区城运中心"})


def test_what_the_back_office_changed_stays_and_new_departments_are_routed_later(db, world):
    load_catalogue()
    garbage = Category.objects.get(code="E0102")
    audit_services.update(actor=world.admin, obj=garbage, department=world.orgs["fangguan"])
    limit = TimeLimit.objects.get(category=garbage, urgency="normal", stage="handle")
    audit_services.archive(actor=world.admin, obj=limit)
    lvhua = OrganisationFactory(name="曹杨新村街道市容绿化管理所", kind=K.DEPARTMENT)
    result = load_catalogue()
    assert result.routed > 0 and not result.limits_created and not result.created
    garbage.refresh_from_db()
    assert garbage.department == world.orgs["fangguan"]  # the back office's choice
    assert not TimeLimit.objects.active().filter(category=garbage, urgency="normal").exists()
    sla.invalidate()
    assert sla.routed_department_id(Category.objects.get(code="B0305").pk) == lvhua.pk  # 垃圾箱
    assert Category.objects.get(code="B04").department == lvhua


def test_a_broken_file_loads_nothing_and_says_where(db, tmp_path):
    def dup(data: dict[str, Any]) -> None:
        data["categories"].append(dict(data["categories"][0]))

    def orphan(data: dict[str, Any]) -> None:
        data["categories"].append({"code": "B0901", "name": "无大类的小类"})

    def unknown_route(data: dict[str, Any]) -> None:
        data["categories"][-1]["route"] = "wuye"

    def bad_limit(data: dict[str, Any]) -> None:
        data["categories"][-1]["limits"] = {"handle": {"normal": "4 hours"}}

    def untimed(data: dict[str, Any]) -> None:
        data["categories"] += [{"code": "B08", "name": "新大类", "route": "fangguan"},
                               {"code": "B0801", "name": "新小类"}]  # fmt: skip

    def unrouted(data: dict[str, Any]) -> None:
        data["categories"] += [{"code": "H98", "name": "新类", "limits": {"handle": {
            "normal": "type"}}}, {"code": "H98-01", "name": "新二级"},
            {"code": "H98-01-01", "name": "新三级"}]  # fmt: skip

    last = len(json.loads(SHIPPED.read_text(encoding="utf-8"))["categories"]) - 1
    for change, message in (
        (dup, f"categories[{last + 1}] (B01): the code appears twice (also row 0)"),
        (orphan, "(B0901): its parent B09 is not listed before it"),
        (unknown_route, "unknown department key wuye"),
        (bad_limit, "bad time limit 4 hours"),
        (untimed, "(B0801): the leaf has no handling time limit"),
        (unrouted, "(H98-01-01): the leaf has neither a department nor an escalation"),
    ):
        with pytest.raises(CatalogueError) as failed:
            load_catalogue(path=copy_of_shipped(tmp_path, change))
        assert message in failed.value.message, change.__name__
    broken = tmp_path / "broken.json"
    broken.write_text(SHIPPED.read_text(encoding="utf-8")[:-20], encoding="utf-8")
    with pytest.raises(CatalogueError, match="is not valid JSON"):
        load_catalogue(path=broken)
    with pytest.raises(CatalogueError, match="can't be read"):
        load_catalogue(path=tmp_path / "missing.json")
    assert not Category.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_failure_while_writing_rolls_everything_back(db, tmp_path):
    """All or nothing in the database too: the taxonomy is read after the file, and a
    department named on the command line is checked inside the transaction."""
    with pytest.raises(CatalogueError):
        load_catalogue(departments={"police": "不存在的派出所"})
    with pytest.raises(CatalogueError):
        load_catalogue(taxonomy=tmp_path / "missing.csv")
    assert not Category.objects.exists() and not TimeLimit.objects.exists()


def test_a_dry_run_counts_and_saves_nothing(db):
    result = load_catalogue(dry_run=True)
    assert result.dry_run and sum(result.created.values()) == CATEGORIES
    assert not Category.objects.exists() and not AuditEvent.objects.exists()


# --- The optional taxonomy -------------------------------------------------------------------


def test_a_three_level_taxonomy_is_imported_beside_the_catalogue(db, tmp_path):
    csv = tmp_path / "taxonomy.csv"
    csv.write_text(
        "# a test taxonomy\n一级分类,二级分类,三级分类\n城乡建设,安全生产,事故处理\n"
        "城乡建设,安全生产,安全隐患\n城乡建设,城市建设和市政管理,城管执法\n"
        "交通运输,出租车管理,运价监管\n交通运输,出租车管理,\n",
        encoding="utf-8",
    )
    result = load_catalogue(taxonomy=csv)
    assert result.imported == 9
    imported = {c.code: c for c in Category.objects.filter(code__startswith="T")}
    assert sorted(imported) == ["T01", "T01-01", "T01-01-01", "T01-01-02", "T01-02",
                                "T01-02-01", "T02", "T02-01", "T02-01-01"]  # fmt: skip
    assert imported["T01-01-02"].name == "安全隐患"
    assert imported["T01-01-02"].group == imported["T01"]
    assert all(c.kind == "hotline" and c.department_id is None for c in imported.values())
    assert Category.objects.get(code="H01").name == "城市管理"  # the shipped tree is untouched
    assert not load_catalogue(taxonomy=csv).changed


@pytest.mark.skipif(not TAXONOMY.exists(), reason=f"{TAXONOMY} is not here (../shared/data)")
def test_the_tipdm_taxonomy_of_the_shared_data(db):
    load_catalogue(taxonomy=TAXONOMY)
    imported = Category.objects.filter(code__startswith="T")
    assert imported.filter(level=1).count() == 15
    assert len(set(imported.filter(level=2).values_list("name", flat=True))) == 103
    assert len(set(imported.filter(level=3).values_list("name", flat=True))) == 390


# --- The command -----------------------------------------------------------------------------


def test_the_command_says_what_it_did(db, tmp_path):
    OrganisationFactory(name="普陀区城管执法局曹杨中队", short_name="城管中队", kind=K.DEPARTMENT)
    out = StringIO()
    call_command("load_catalogue", "--dry-run", stdout=out)
    assert "Dry run: nothing was saved." in out.getvalue()
    assert not Category.objects.exists()
    out = StringIO()
    call_command("load_catalogue", stdout=out)
    text = out.getvalue()
    assert f"catalogue.json: {CATEGORIES} categories" in text
    assert "component  created  114  updated    0  unchanged    0  (107 leaves)" in text
    assert "城管中队 (chengguan): 普陀区城管执法局曹杨中队: 79" in text
    assert "房管办 (fangguan): not found (looked for 房管办, 房屋管理办公室, 房办)" in text
    assert "上报区级 (district): escalated to the district: 113" in text
    assert "Loaded." in text
    out = StringIO()
    call_command("load_catalogue", "--department", "fangguan=城管中队", stdout=out)
    assert "房管办 (fangguan): 普陀区城管执法局曹杨中队: 68" in out.getvalue()
    out = StringIO()
    call_command("load_catalogue", "--department", "fangguan=城管中队", stdout=out)
    assert "Nothing to change: the catalogue is up to date." in out.getvalue()
    bad = copy_of_shipped(tmp_path, lambda d: d["categories"].append({"code": "X1", "name": "x"}))
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_catalogue", "--file", str(bad), stdout=StringIO())
    with pytest.raises(CommandError, match="KEY=NAME"):
        call_command("load_catalogue", "--department", "police", stdout=StringIO())
