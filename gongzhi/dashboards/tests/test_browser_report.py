"""The reports in a real browser: ask for March's report, watch its progress (still there after
a reload), see it become ready when the worker has generated it, and download its PDF."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.core import tasks
from gongzhi.dashboards.models import Report
from gongzhi.testing.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_generate_watch_the_progress_and_download(
    transactional_db, page, live_server, town, settings, tmp_path
):
    settings.TASKS_BACKEND = "database"  # a worker generates it, as in production
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    login(page, "leader", PASSWORD)
    page.goto(live_server.url + reverse("dashboards:reports"))
    page.select_option("select[name=period]", "2026-03")
    page.select_option("select[name=scope]", "subdistrict")
    with page.expect_navigation():
        page.get_by_test_id("report-generate").click()
    row = page.locator("[data-testid=report-row][data-period='2026-03']")
    progress = row.get_by_test_id("report-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    # The progress is the report's own: it is there after a reload, and moves as it is told.
    page.reload()
    expect(progress).to_be_visible()
    Report.objects.update(progress=40, progress_note="绘制 PDF")
    expect(progress).to_contain_text("40%")
    # The worker generates it; the page reloads itself and offers the files.
    Report.objects.update(progress=0)
    claimed = tasks.claim_next("test-worker")
    assert claimed is not None and claimed.name == "dashboards.generate_report"
    assert tasks.run_row(claimed)
    expect(row.get_by_test_id("report-pdf")).to_be_visible(timeout=20_000)
    expect(row.get_by_test_id("report-status")).to_have_attribute("data-status", "done")
    with page.expect_download() as download:
        row.get_by_test_id("report-pdf").click()
    assert download.value.suggested_filename == "gongzhi-report-2026-03-subdistrict.pdf"
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
