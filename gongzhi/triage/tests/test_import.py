"""The importer: formats and encodings, every kind of bad row, the all-or-nothing commit,
idempotent re-import and audited updates."""

from __future__ import annotations

import re
import zipfile

import pytest
from django.utils import translation

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import Case
from gongzhi.triage import importer
from gongzhi.triage.tests.conftest import HEADER_12345, write_csv, write_xlsx


def check(t, path, actor=None):
    return importer.check_file(
        profile=t.profile, path=path, name=path.name, actor=actor or t.world.operator
    )


def commit(t, path, actor=None):
    return importer.commit_file(
        profile=t.profile, path=path, name=path.name, actor=actor or t.world.operator
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_offices_send(triage, tmp_path, encoding):
    path = write_csv(tmp_path / "orders.csv", triage.rows(5), encoding=encoding)
    result = check(triage, path)
    assert result.ok and result.rows == 5
    assert Case.objects.count() == 0  # a dry run writes nothing
    result = commit(triage, path)
    assert result.created == 5
    case = Case.objects.get(external_ref="SH12345-2026-000001")
    assert case.description.startswith("兰溪路1号门口垃圾堆积") and case.category == triage.garbage
    assert case.grid == triage.world.grids["b2"] and case.channel == Case.Channel.HOTLINE


def _with_cached_formula(path, cell, value):
    """openpyxl writes formulas without their cached values; write one in, as Excel does."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = re.sub(
        rf'<c r="{cell}"([^>]*)><f>([^<]*)</f><v\s*/?>(</v>)?',
        rf'<c r="{cell}"\1 t="str"><f>\2</f><v>{value}</v>',
        sheet,
    )
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_xlsx_with_merged_headings_formulas_and_excel_dates(triage, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    # Two heading rows: "反映人" merged over its two columns, the others merged downwards.
    heads = ["工单编号", "受理时间", "诉求分类", "诉求内容", "纬度", "经度", "反映人", None]
    subs = [None, None, None, None, None, None, "姓名", "电话"]
    ws.append(heads)
    ws.append(subs)
    for col in "ABCDEF":
        ws.merge_cells(f"{col}1:{col}2")
    ws.merge_cells("G1:H1")
    lat, lng = triage.point("a2")
    ws.append(
        ["SH-1", 46295.6666666667, "暴露垃圾", '="杏梅园"&"垃圾"', lat, lng, "张三", "13812345678"]
    )
    wb.save(tmp_path / "orders.xlsx")
    _with_cached_formula(tmp_path / "orders.xlsx", "D3", "杏梅园垃圾")
    path = tmp_path / "orders.xlsx"
    assert check(triage, path).ok
    commit(triage, path)
    case = Case.objects.get(external_ref="SH-1")
    assert case.description == "杏梅园垃圾"  # the formula's value, not its text
    assert case.reporter_name == "张三" and case.reporter_phone == "13812345678"
    assert case.received_at.isoformat().startswith("2026-09-30T08:00")  # 16:00 in Shanghai
    assert case.grid == triage.world.grids["a2"]


def problems_of(result):
    return [(p.row, p.column, p.message) for p in result.problems]


def test_every_kind_of_bad_row_is_reported_with_row_column_and_reason_in_chinese(triage, tmp_path):
    rows = triage.rows(7)
    rows[1][1] = "下周一"  # bad date (row 3)
    rows[2][2] = "违章养鸡"  # unknown category (row 4)
    rows[3][6], rows[3][7] = 31.0, 121.0  # outside the subdistrict (row 5)
    rows[4][0] = rows[0][0]  # the number of row 2 again (row 6)
    rows[5][0] = ""  # no number (row 7)
    path = write_csv(tmp_path / "bad.csv", rows)
    with translation.override("zh-hans"):
        result = check(triage, path)
    got = problems_of(result)
    assert result.rows == 7 and result.bad_rows == 5
    assert got[0][:2] == (3, "受理时间") and "不是日期" in got[0][2]
    assert got[1][:2] == (4, "诉求分类") and "违章养鸡" in got[1][2]
    assert got[2][:2] == (5, "纬度, 经度") and "辖区" in got[2][2]
    assert got[3][:2] == (6, "工单编号") and "第 2 行" in got[3][2]
    assert got[4][:2] == (7, "工单编号")
    assert Case.objects.count() == 0


def test_a_missing_column_stops_the_check_at_the_headings(triage, tmp_path):
    header = [h for h in HEADER_12345 if h != "诉求内容"]
    rows = [r[:4] + r[5:] for r in triage.rows(2)]
    path = write_csv(tmp_path / "cols.csv", rows, header=header)
    with translation.override("zh-hans"):
        result = check(triage, path)
    assert result.bad_rows == 1 and result.problems[0].row == 0
    assert "缺少列" in result.problems[0].message and "诉求内容" in result.problems[0].message


def test_a_commit_is_all_or_nothing_even_when_the_last_row_fails(triage, tmp_path):
    rows = triage.rows(30)
    rows[-1][2] = "不存在的分类"
    path = write_csv(tmp_path / "last.csv", rows)
    before = AuditEvent.objects.count()
    with pytest.raises(importer.ImportRejected) as exc:
        commit(triage, path)
    assert exc.value.result.bad_rows == 1 and exc.value.result.problems[0].row == 31
    assert Case.objects.count() == 0 and AuditEvent.objects.count() == before


def test_reimporting_the_same_file_changes_nothing(triage, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", triage.rows(6))
    assert commit(triage, path).created == 6
    cases = {c.pk: (c.version, c.updated_at) for c in Case.objects.all()}
    audits = AuditEvent.objects.count()
    again = commit(triage, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert {c.pk: (c.version, c.updated_at) for c in Case.objects.all()} == cases
    assert AuditEvent.objects.count() == audits


def test_a_changed_row_updates_its_case_and_the_audit_trail_says_so(triage, tmp_path):
    rows = triage.rows(3)
    commit(triage, write_csv(tmp_path / "v1.csv", rows))
    rows[1][4] = "更正：兰溪路2号门口垃圾已堆积一周"
    rows[1][8] = "13900001111"
    result = commit(triage, write_csv(tmp_path / "v2.csv", rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    case = Case.objects.get(external_ref="SH12345-2026-000002")
    assert case.description == "更正：兰溪路2号门口垃圾已堆积一周" and case.version == 2
    event = AuditEvent.objects.filter(object_id=str(case.pk), action="update").get()
    assert event.changes["description"]["after"] == "更正：兰溪路2号门口垃圾已堆积一周"
    assert event.changes["reporter_phone"] == {"before": "138****5678", "after": "139****1111"}
    assert event.actor == triage.world.operator


def test_only_the_grid_centre_may_set_work_order_numbers(triage, tmp_path):
    path = write_csv(tmp_path / "orders.csv", triage.rows(2))
    result = check(triage, path, actor=triage.world.handler)
    assert result.bad_rows == 2


def test_merged_headings_are_found_by_scanning_the_sheet_xml_in_pieces(tmp_path, monkeypatch):
    """The merges are listed at the end of the sheet's XML; it is read a piece at a time (a
    100,000-row sheet is never held whole), and a merge cut by a piece's end is still found."""
    from openpyxl import Workbook

    from gongzhi.triage import readers

    wb = Workbook()
    ws = wb.active
    ws.append(["工单编号", "反映人", None, "诉求内容"])
    ws.append([None, "姓名", "电话", None])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:D2")
    for i in range(200):
        ws.append([f"W{i}", "张三", "13812345678", "路灯不亮" * 5])
    wb.save(tmp_path / "long.xlsx")
    whole = readers._xlsx_merged(tmp_path / "long.xlsx", 2)
    assert sorted(whole) == [(0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 1, 3)]
    for size in (7, 13, 64, 1000):
        monkeypatch.setattr(readers, "XML_CHUNK", size)
        assert sorted(readers._xlsx_merged(tmp_path / "long.xlsx", 2)) == sorted(whole)
