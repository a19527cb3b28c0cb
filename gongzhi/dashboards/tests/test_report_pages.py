"""The report pages with the test client: ask for a report, see it listed with its downloads,
bad input is a message and nothing changes, each reader sees and downloads only their scope's
reports, and every download is audited."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.audit.models import AuditEvent
from gongzhi.dashboards.models import Report


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def _ask(client, capture, period: str, scope: str):
    with capture(execute=True):
        return client.post(reverse("dashboards:reports"), {"period": period, "scope": scope})


def test_a_leader_asks_for_a_report_and_downloads_both_files(
    client, town, media, django_capture_on_commit_callbacks
):
    client.force_login(town.world.leader)
    page = client.get(reverse("dashboards:reports"))
    assert page.status_code == 200
    assert "杏杨居民区" in page.content.decode() and "城管中队" in page.content.decode()
    response = _ask(client, django_capture_on_commit_callbacks, "2026-03", "subdistrict")
    r = Report.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#report-{r.pk}")
    html = client.get(reverse("dashboards:reports")).content.decode()
    assert "已生成" in html
    pdf = client.get(reverse("dashboards:report_download", args=[r.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert 'filename="gongzhi-report-2026-03-subdistrict.pdf"' in pdf["Content-Disposition"]
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = client.get(reverse("dashboards:report_download", args=[r.pk, "xlsx"]))
    wb = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    assert "指标对比" in wb.sheetnames
    downloads = AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, actor=town.world.leader, object_id=str(r.pk)
    )
    assert downloads.count() == 2


@pytest.mark.parametrize(
    ("period", "scope", "message"),
    [
        ("2026-13", "subdistrict", "无法识别的期间"),
        ("", "subdistrict", "请选择报告的期间"),
        ("2099-01", "subdistrict", "尚未开始"),
        ("2026-03", "area:abc", "无法识别的范围"),
        ("2026-03", "area:999999", "请选择居民区"),
        ("2026-03", "moon", "无法识别的范围"),
    ],
)
def test_bad_input_is_a_message_and_nothing_is_asked(
    client, world, django_capture_on_commit_callbacks, period, scope, message
):
    client.force_login(world.leader)
    response = _ask(client, django_capture_on_commit_callbacks, period, scope)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Report.objects.exists()


def test_a_secretary_sees_and_asks_only_for_their_area(
    client, town, media, django_capture_on_commit_callbacks
):
    w = town.world
    client.force_login(w.leader)
    _ask(client, django_capture_on_commit_callbacks, "2026-03", f"area:{w.area_b.pk}")
    other = Report.objects.get()
    client.force_login(w.secretary)
    page = client.get(reverse("dashboards:reports")).content.decode()
    assert "杏梅园居民区" in page and "杏杨居民区" not in page and "城管中队" not in page
    refused = _ask(client, django_capture_on_commit_callbacks, "2026-03", f"area:{w.area_b.pk}")
    assert refused.status_code == 403 and "只能申请本人所辖范围的报告" in refused.content.decode()
    assert Report.objects.count() == 1
    _ask(client, django_capture_on_commit_callbacks, "2026-03", f"area:{w.area_a.pk}")
    mine = Report.objects.exclude(pk=other.pk).get()
    assert mine.status == Report.Status.DONE
    # Another area's report is not there for them: not its row, its progress or its files.
    assert (
        client.get(reverse("dashboards:report_download", args=[other.pk, "pdf"])).status_code == 404
    )
    assert client.get(reverse("dashboards:report_progress", args=[other.pk])).status_code == 404
    assert (
        client.get(reverse("dashboards:report_download", args=[mine.pk, "pdf"])).status_code == 200
    )


@pytest.mark.parametrize("who", ["resident", "liaison", "inspector"])
def test_the_reports_are_not_for_everyone(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("dashboards:reports")).status_code == 403


def test_the_progress_fragment_polls_while_running_and_reloads_when_done(client, world):
    r = Report.objects.create(
        period_kind="month", period_start="2026-03-01", status="running", progress=40
    )
    client.force_login(world.leader)
    running = client.get(reverse("dashboards:report_progress", args=[r.pk]))
    html = running.content.decode()
    assert "40%" in html and "hx-trigger" in html and "data-gz-paused-by" in html
    assert "HX-Refresh" not in running
    Report.objects.filter(pk=r.pk).update(status="failed", error="x")
    done = client.get(reverse("dashboards:report_progress", args=[r.pk]))
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()


def test_a_report_not_ready_is_not_downloaded(client, world):
    r = Report.objects.create(period_kind="month", period_start="2026-03-01", status="running")
    client.force_login(world.leader)
    response = client.get(reverse("dashboards:report_download", args=[r.pk, "pdf"]), follow=True)
    assert "该报告尚未生成" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
