"""The monthly report: its numbers are the cockpit's for the same period and scope (several
scopes and periods), its PDF reads back in Chinese with the figures, its spreadsheet holds
the same numbers, bad periods and scopes are refused with a message, and each reader sees only
the reports of their own scope."""

from __future__ import annotations

from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.dashboards import periods, report, report_services, selectors
from gongzhi.dashboards.models import Report

from .conftest import AS_OF

SCOPES = ["subdistrict", "area", "department"]
PERIODS = ["2026-03", "2026-Q1", "2026", "2026-02"]


def _scope(town: Any, kind: str) -> report.ReportScope:
    w = town.world
    if kind == "area":
        return report_services.scope_of("area", area_id=w.area_a.pk)
    if kind == "department":
        return report_services.scope_of("department", department_id=w.orgs["chengguan"].pk)
    return report_services.scope_of("subdistrict")


def _viewer(town: Any, kind: str) -> Any:
    """The person whose cockpit has this scope."""
    return {"subdistrict": town.world.leader, "area": town.world.secretary}.get(
        kind, town.world.handler
    )


def _same(a: Any, b: Any) -> bool:
    va = getattr(a, "value", a)
    vb = getattr(b, "value", b)
    if va is None or vb is None:
        return va is vb
    return abs(va - vb) < 1e-9


@pytest.mark.parametrize("kind", SCOPES)
@pytest.mark.parametrize("period_key", PERIODS)
def test_the_reports_figures_are_the_cockpits(town, kind, period_key):
    period = periods.parse(period_key)
    data = report.collect(period, _scope(town, kind), AS_OF)
    seen = selectors.cockpit(_viewer(town, kind), period, {}, as_of=AS_OF)
    assert data.cockpit.kind == seen.kind == kind
    # Every figure the viewer's cockpit shows, with the same value, and no other.
    assert set(data.cockpit.readings) == set(seen.readings)
    for key, r in seen.readings.items():
        assert _same(data.cockpit.readings[key], r), key
    # The indicators and their comparisons with the previous period and a year earlier.
    for mine, theirs in zip(data.cockpit.indicators, seen.indicators, strict=True):
        assert mine.measure.key == theirs.measure.key
        assert _same(mine.now, theirs.now)
        assert _same(mine.previous, theirs.previous)
        assert _same(mine.year_before, theirs.year_before)
    # The departments', grids' and hot spots' tables: the cockpit's rankings, row by row.
    sections = dict((s.key, c) for s, c in report.build(data))
    for key, ranked in (("departments", seen.departments), ("grids", seen.grids)):
        if not ranked:
            assert key not in sections
            continue
        rows = sections[key].tables[0].rows
        assert [r[0] for r in rows[:-1]] == [r.label for r in ranked]
        assert [r[1] for r in rows[:-1]] == [r.filed for r in ranked]
        assert all(_same(r[2], x.value) for r, x in zip(rows, ranked, strict=False))
    hot = sections["hot_spots"].tables[0].rows if seen.hot_spots else []
    assert [(r[0], r[1]) for r in hot] == [(h.label, h.filed) for h in seen.hot_spots]
    # The trend: the cockpit's twelve months.
    trend = sections["trend"].tables[0].rows
    assert [r[1] for r in trend] == seen.trend["filed"]


def test_the_summary_compares_with_the_previous_month_and_a_year_earlier(town):
    data = report.collect(periods.parse("2026-03"), _scope(town, "subdistrict"), AS_OF)
    summary = dict((s.key, c) for s, c in report.build(data))["summary"]
    table = summary.tables[1]
    on_time = next(r for r in table.rows if r[0] == "按期结案率")
    direct_now = selectors.cockpit(town.world.leader, periods.parse("2026-03"), {}, as_of=AS_OF)
    direct_before = selectors.cockpit(town.world.leader, periods.parse("2026-02"), {}, as_of=AS_OF)
    now = direct_now.readings["cases.on_time_closure_rate"].value
    before = direct_before.readings["cases.on_time_closure_rate"].value
    assert _same(on_time[1], now) and _same(on_time[2], before)
    assert on_time[3] == pytest.approx(round((now - before) * 100, 1))
    assert on_time[4].value is None  # no cases in March 2025
    assert report.shown(report.DELTA, on_time[5]) == "—"


def _generate(town: Any, actor: Any, key: str, kind: str, capture: Any) -> Report:
    with capture(execute=True):
        r = report_services.report_request(
            actor=actor, period=report_services.parse_period(key), scope=_scope(town, kind)
        )
    r.refresh_from_db()
    return r


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


def test_a_generated_report_reads_back_in_chinese_with_its_figures(
    town, media, django_capture_on_commit_callbacks
):
    r = _generate(
        town, town.world.leader, "2026-03", "subdistrict", django_capture_on_commit_callbacks
    )
    assert r.status == Report.Status.DONE, r.error
    assert r.progress == 100 and r.generated_at is not None
    # Safe names, made by the service, kept under media/reports/.
    assert r.pdf.name.startswith("reports/gongzhi-report-2026-03-subdistrict-")
    assert (media / r.pdf.name).is_file() and (media / r.xlsx.name).is_file()
    raw = "".join(p.extract_text() for p in PdfReader(r.pdf.path).pages)
    text = "".join(raw.replace("\x00", "").split())
    assert "2026年03月" in text and "月度报告" in text
    for title in ("十二个月趋势", "热点", "按部门", "按网格"):
        assert title in text, title
    c = selectors.cockpit(town.world.leader, periods.parse("2026-03"), {}, as_of=r.generated_at)
    assert c.readings["cases.on_time_closure_rate"].display in text
    assert "杏梅园一" in text
    # The spreadsheet: the same numbers, as numbers.
    wb = load_workbook(r.xlsx.path, read_only=True)
    assert wb.sheetnames[0] == "报告"
    cases = {row[0]: row[1] for row in wb["案件"].iter_rows(min_row=2, values_only=True)}
    assert cases[str(c.readings["cases.filed"].label)] == c.readings["cases.filed"].value
    compared = {row[0]: row for row in wb["指标对比"].iter_rows(min_row=2, values_only=True)}
    assert compared["按期结案率"][1] == c.readings["cases.on_time_closure_rate"].value * 100 or (
        compared["按期结案率"][1]
        == pytest.approx(round(c.readings["cases.on_time_closure_rate"].value * 100, 2))
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "请选择报告的期间"),
        ("2026-13", "无法识别的期间"),
        ("next month", "无法识别的期间"),
        ("2099-01", "尚未开始"),
        ("1999", "2000"),
    ],
)
def test_a_bad_period_is_refused_with_a_message(db, key, message):
    with pytest.raises(ServiceError) as exc:
        report_services.parse_period(key)
    assert message in str(exc.value.message)


def test_a_span_is_not_a_report_period(db):
    with pytest.raises(ServiceError) as exc:
        report.collect(
            periods.span(AS_OF.date(), AS_OF.date()), report.ReportScope("subdistrict"), AS_OF
        )
    assert "月" in str(exc.value.message)


def test_an_unknown_area_or_department_is_refused(world):
    with pytest.raises(ServiceError):
        report_services.scope_of("area", area_id=999_999)
    with pytest.raises(ServiceError):
        report_services.scope_of("department", department_id=world.orgs["school"].pk)
    with pytest.raises(ServiceError):
        report_services.scope_of("planet")


def test_a_secretary_asks_only_for_their_own_areas_report(town, django_capture_on_commit_callbacks):
    w = town.world
    other = report_services.scope_of("area", area_id=w.area_b.pk)
    with pytest.raises(NotAllowed):
        report_services.report_request(
            actor=w.secretary, period=periods.parse("2026-03"), scope=other
        )
    with pytest.raises(NotAllowed):
        report_services.report_request(
            actor=w.resident, period=periods.parse("2026-03"), scope=_scope(town, "subdistrict")
        )
    assert not Report.objects.exists()


def test_a_report_under_way_is_not_asked_for_twice(town):
    w = town.world
    report_services.report_request(
        actor=w.leader, period=periods.parse("2026-03"), scope=_scope(town, "subdistrict")
    )
    with pytest.raises(ServiceError):
        report_services.report_request(
            actor=w.operator, period=periods.parse("2026-03"), scope=_scope(town, "subdistrict")
        )
    assert Report.objects.count() == 1
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_repr__contains="2026-03"
    ).exists()


def test_each_reader_sees_only_the_reports_of_their_scope(
    town, media, django_capture_on_commit_callbacks
):
    w = town.world
    cap = django_capture_on_commit_callbacks
    whole = _generate(town, w.leader, "2026-03", "subdistrict", cap)
    area_a = _generate(town, w.secretary, "2026-03", "area", cap)
    b = report_services.scope_of("area", area_id=w.area_b.pk)
    with cap(execute=True):
        area_b = report_services.report_request(
            actor=w.leader, period=periods.parse("2026-03"), scope=b
        )
    dept = _generate(town, w.handler, "2026-03", "department", cap)
    ids = lambda user: set(report_services.visible(user).values_list("pk", flat=True))  # noqa: E731
    assert ids(w.leader) == {whole.pk, area_a.pk, area_b.pk, dept.pk}
    assert ids(w.secretary) == {area_a.pk}
    assert ids(w.other_secretary) == {area_b.pk}
    assert ids(w.handler) == {dept.pk}
    assert ids(w.other_handler) == set()
    assert ids(w.resident) == set() and ids(w.liaison) == set()
    # A download is audited; one out of scope is refused.
    f, name, _type = report_services.download(actor=w.secretary, r=area_a, fmt="pdf")
    f.close()
    assert name == f"gongzhi-report-2026-03-area-{w.area_a.pk}.pdf"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, actor=w.secretary, object_id=str(area_a.pk)
    ).exists()
    with pytest.raises(NotAllowed):
        report_services.download(actor=w.secretary, r=whole, fmt="pdf")
    with pytest.raises(ServiceError):
        report_services.download(actor=w.leader, r=whole, fmt="docx")


def test_a_report_that_fails_says_why_and_can_be_asked_for_again(
    town, media, monkeypatch, django_capture_on_commit_callbacks
):
    from gongzhi.dashboards import report_pdf

    def no_font() -> None:
        raise ServiceError("服务器未安装中文字体")

    monkeypatch.setattr(report_pdf, "cjk_font", no_font)
    r = _generate(
        town, town.world.leader, "2026-03", "subdistrict", django_capture_on_commit_callbacks
    )
    assert r.status == Report.Status.FAILED and r.error == "服务器未安装中文字体"
    assert not r.pdf and not r.xlsx and not any(media.rglob("*.pdf"))
    monkeypatch.undo()
    again = _generate(
        town, town.world.leader, "2026-03", "subdistrict", django_capture_on_commit_callbacks
    )
    assert again.status == Report.Status.DONE


def test_a_report_whose_worker_died_is_not_in_the_way(town, settings):
    from gongzhi.core.models import Task

    settings.TASKS_BACKEND = "database"
    scope = _scope(town, "subdistrict")
    r = report_services.report_request(
        actor=town.world.leader, period=periods.parse("2026-03"), scope=scope
    )
    Report.objects.filter(pk=r.pk).update(status=Report.Status.RUNNING)
    Task.objects.filter(pk=r.task_id).update(status=Task.Status.FAILED)
    again = report_services.report_request(
        actor=town.world.leader, period=periods.parse("2026-03"), scope=scope
    )
    r.refresh_from_db()
    assert r.status == Report.Status.FAILED and again.status == Report.Status.QUEUED


def test_the_spreadsheet_keeps_numbers_as_numbers_and_never_runs_a_formula():
    import datetime as dt
    import io
    from types import SimpleNamespace

    from gongzhi.dashboards import report_xlsx

    data = SimpleNamespace(
        period=periods.parse("2026-03"),
        scope=report.ReportScope("subdistrict", label="曹杨新村街道"),
        as_of=AS_OF,
    )
    table = report.Table(
        "实施中的项目",
        ["project", "rate", "started"],
        [report.TEXT, report.RATE, "date"],
        [['=HYPERLINK("http://x","点我")', 0.8765, dt.date(2026, 3, 2)], ["楼道绿化", None, None]],
    )
    section = report.Section("x", "X", lambda d: None)
    wb = load_workbook(
        io.BytesIO(
            report_xlsx.render(
                title="t", data=data, sections=[(section, report.Content(tables=[table]))]
            )
        )
    )
    ws = wb["实施中的项目"]
    assert ws.freeze_panes == "A2"
    assert ws["A2"].value.startswith("'=") and ws["A2"].data_type == "s"
    assert ws["B2"].value == 87.65 and ws["C2"].value.date() == dt.date(2026, 3, 2)
    assert ws["B3"].value is None
