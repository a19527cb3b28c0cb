"""The import journey in headless Chromium: upload a file, see the preview with its errors, fix
the file, commit, watch the progress, find the cases. The tasks run on the database backend and
a worker is run by the test between the steps, so the page shows the progress it would show
while a real worker imports (and reloads itself when the task is over)."""

from __future__ import annotations

import pytest

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.cases.models import Case
from gongzhi.core import tasks
from gongzhi.testing.browser import login
from gongzhi.triage.models import ImportBatch
from gongzhi.triage.tests.conftest import write_csv

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def run_worker() -> None:
    tasks.work(once=True)


def test_upload_preview_fix_commit_progress_and_find_the_cases(page, triage, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS_BACKEND = "database"
    rows = triage.rows(5)
    rows[3][1] = "2026年9月31日"  # no such day: row 5
    bad = write_csv(tmp_path / "工单.csv", rows, encoding="gbk")
    login(page, "operator", PASSWORD)
    page.goto(f"{page.base_url}/triage/")
    page.set_input_files("input[name=file]", str(bad))
    page.click("[data-testid=upload]")
    page.wait_for_selector("[data-testid=progress][data-state=checking]")
    run_worker()  # the check runs; the page's poll sees it done and reloads
    page.wait_for_selector("[data-testid=preview-problems]")
    problems = page.inner_text("[data-testid=problems]")
    assert "5" in problems and "受理时间" in problems and "2026年9月31日" in problems
    assert page.locator("[data-testid=commit]").count() == 0
    assert page.get_attribute("[data-testid=report-link]", "href").endswith("report.xlsx")

    rows[3][1] = "2026年9月30日"
    fixed = write_csv(tmp_path / "工单（已改）.csv", rows, encoding="gbk")
    page.goto(f"{page.base_url}/triage/")
    page.set_input_files("input[name=file]", str(fixed))
    page.click("[data-testid=upload]")
    page.wait_for_selector("[data-testid=progress][data-state=checking]")
    run_worker()
    page.wait_for_selector("[data-testid=preview-ok]")
    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=progress][data-state=importing]")
    assert Case.objects.count() == 0  # nothing until the worker imports
    run_worker()
    page.wait_for_selector("[data-testid=batch-done]")
    assert ImportBatch.objects.latest("id").created_count == 5
    page.click("[data-testid=batch-done] a")
    page.wait_for_url("**/cases/**")
    assert "兰溪路4号门口问题" in page.content()
