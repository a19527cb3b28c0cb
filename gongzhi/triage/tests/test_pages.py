"""The pages: upload, the preview with its report, the commit with its progress; exports;
who may do what."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.cases.models import Case
from gongzhi.triage.models import ImportBatch
from gongzhi.triage.tests.conftest import write_csv


def upload(client, triage, path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("triage:imports"),
            {
                "profile": triage.profile.pk,
                "file": SimpleUploadedFile(path.name, path.read_bytes()),
            },
        )


def test_upload_preview_report_fix_and_commit(
    client, triage, tmp_path, django_capture_on_commit_callbacks, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(triage.world.operator)
    rows = triage.rows(4)
    rows[2][1] = "2026年13月1日"
    response = upload(
        client, triage, write_csv(tmp_path / "orders.csv", rows), django_capture_on_commit_callbacks
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "triage:batch", args=[batch.pk]
    )
    assert batch.state == "checked" and batch.rows == 4 and batch.bad_rows == 1
    page = client.get(response["Location"]).content.decode()
    assert "1 行有问题" in page and "2026年13月1日" in page and "不是日期" in page
    assert 'data-testid="commit"' not in page  # nothing to import until the file is fixed
    report = client.get(reverse("triage:batch_report", args=[batch.pk]))
    ws = load_workbook(io.BytesIO(report.content)).active
    assert [c.value for c in ws[1]] == ["行", "列", "问题"]
    assert ws["A2"].value == 4 and ws["B2"].value == "受理时间"
    # The fixed file: preview clean, commit, the cases are there.
    rows[2][1] = "2026/9/30"
    upload(
        client, triage, write_csv(tmp_path / "orders.csv", rows), django_capture_on_commit_callbacks
    )
    fixed = ImportBatch.objects.latest("id")
    page = client.get(reverse("triage:batch", args=[fixed.pk])).content.decode()
    assert 'data-testid="commit"' in page and "所有行均通过检查" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("triage:batch_commit", args=[fixed.pk]))
    fixed.refresh_from_db()
    assert fixed.state == "done" and fixed.created_count == 4
    assert Case.objects.filter(external_ref__startswith="SH12345-2026-").count() == 4
    page = client.get(reverse("triage:batch", args=[fixed.pk])).content.decode()
    assert "新建 4 件" in page
    # A second commit of the same batch is refused, nothing changes.
    client.post(reverse("triage:batch_commit", args=[fixed.pk]))
    assert Case.objects.count() == 4


def test_the_progress_fragment_polls_while_running_and_reloads_when_done(
    client, triage, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(triage.world.operator)
    batch = ImportBatch.objects.create(profile=triage.profile, filename="x.csv", state="importing")
    fragment = client.get(reverse("triage:batch_progress", args=[batch.pk]))
    assert "every 1s" in fragment.content.decode() and "HX-Refresh" not in fragment
    ImportBatch.objects.filter(pk=batch.pk).update(state="done")
    fragment = client.get(reverse("triage:batch_progress", args=[batch.pk]))
    assert fragment["HX-Refresh"] == "true"


def test_a_file_that_is_not_a_spreadsheet_is_refused_without_a_500(
    client, triage, tmp_path, django_capture_on_commit_callbacks, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(triage.world.operator)
    bad = tmp_path / "orders.pdf"
    bad.write_bytes(b"%PDF-1.4")
    response = upload(client, triage, bad, django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "不支持的文件类型" in response.content.decode()
    broken = tmp_path / "orders.xlsx"
    broken.write_bytes(b"not a zip")
    response = upload(client, triage, broken, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.state == "failed" and "xlsx" in batch.error
    assert Case.objects.count() == 0


@pytest.mark.parametrize("persona", ["handler", "inspector", "resident", "secretary", "leader"])
def test_only_the_centre_and_administrators_import(client, triage, persona):
    client.force_login(getattr(triage.world, persona))
    assert client.get(reverse("triage:imports")).status_code == 403
    assert client.get(reverse("triage:suggestions")).status_code == 403


def test_a_batch_is_invisible_outside_the_centre(client, triage, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    batch = ImportBatch.objects.create(profile=triage.profile, filename="x.csv", state="checked")
    client.force_login(triage.world.handler)
    assert client.get(reverse("triage:batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("triage:batch_commit", args=[batch.pk])).status_code == 404


def test_export_neutralises_formulas_and_a_department_exports_only_its_own_cases(
    client, triage, tmp_path
):
    from gongzhi.cases import services

    w = triage.world
    lat, lng = triage.point()
    evil = services.case_intake(
        actor=w.operator,
        channel="hotline",
        type="complaint",
        category=triage.garbage,
        title='=HYPERLINK("http://x")',
        description="+cmd|' /C calc'!A0",
        lat=lat,
        lng=lng,
    ).case
    services.case_file(actor=w.operator, case=evil)
    services.case_dispatch(actor=w.operator, case=evil, department=w.orgs["chengguan"].pk)
    other = services.case_intake(
        actor=w.operator,
        channel="hotline",
        type="complaint",
        category=triage.parking,
        description="@SUM(1+1)",
        lat=lat,
        lng=lng,
    ).case
    services.case_file(actor=w.operator, case=other)  # filed, not dispatched: not the handler's
    client.force_login(w.operator)
    ws = load_workbook(
        io.BytesIO(client.get(reverse("triage:export_cases") + "?state=all").content)
    ).active
    assert ws.freeze_panes == "A2" and ws.column_dimensions["H"].width == 60
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row]
    assert '\'=HYPERLINK("http://x")' in values and "'+cmd|' /C calc'!A0" in values
    assert "'@SUM(1+1)" in values
    assert not any(isinstance(v, str) and v[:1] in "=+-@" for v in values)
    assert ws["C2"].is_date and ws["C2"].number_format == "yyyy-mm-dd hh:mm"
    client.force_login(w.handler)
    ws = load_workbook(
        io.BytesIO(client.get(reverse("triage:export_cases") + "?state=all").content)
    ).active
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == [evil.number]


def test_indicators_export(client, triage):
    client.force_login(triage.world.leader)
    response = client.get(reverse("triage:export_indicators") + "?from=2026-01-01&to=2026-12-31")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.freeze_panes == "A2" and ws.max_row >= 2
    assert client.get(reverse("triage:export_indicators") + "?group=nonsense").status_code == 400
    client.force_login(triage.world.resident)
    assert client.get(reverse("triage:export_indicators")).status_code == 403


PAGES = ["imports", "suggestions", "classifier", "hot_spots", "export_cases", "export_indicators"]
# Who opens each page (200) — everyone else signed in gets 403.
ALLOWED = {
    "operator": {"imports", "suggestions", "hot_spots", "export_cases", "export_indicators"},
    "duty_chief": {"imports", "suggestions", "hot_spots", "export_cases", "export_indicators"},
    "admin": set(PAGES),
    "leader": {"hot_spots", "export_cases", "export_indicators"},
    "auditor": {"hot_spots", "export_cases", "export_indicators"},
    "handler": {"export_cases", "export_indicators"},
    "inspector": {"export_cases", "export_indicators"},
    "secretary": {"export_cases", "export_indicators"},
    "resident": set(),
}


@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_the_permission_matrix_of_the_triage_pages(client, triage, persona):
    client.force_login(getattr(triage.world, persona))
    got = {page for page in PAGES if client.get(reverse(f"triage:{page}")).status_code == 200}
    assert got == ALLOWED[persona]


def test_anonymous_visitors_are_sent_to_log_in(client, triage):
    for page in PAGES:
        assert client.get(reverse(f"triage:{page}")).status_code == 302


def test_the_centres_home_shows_what_waits_in_triage(client, triage, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(triage.world.operator)
    assert 'data-testid="triage-panel"' not in client.get(reverse("core:home")).content.decode()
    ImportBatch.objects.create(profile=triage.profile, filename="x.csv", state="checked")
    page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="triage-panel"' in page and reverse("triage:imports") in page
    client.force_login(triage.world.leader)
    assert 'data-testid="triage-panel"' not in client.get(reverse("core:home")).content.decode()


def test_a_reader_that_fails_half_way_fails_the_batch_instead_of_leaving_it_waiting(
    triage, settings, tmp_path, monkeypatch
):
    from gongzhi.triage import importer, services

    settings.MEDIA_ROOT = tmp_path
    batch = ImportBatch.objects.create(
        profile=triage.profile, filename="x.csv", state="checking", file="triage/imports/x.csv"
    )

    def broken(**kw):
        raise RuntimeError("zlib error")

    monkeypatch.setattr(importer, "check_file", broken)
    with pytest.raises(RuntimeError):
        services.run_check(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.state == "failed" and not batch.running and batch.error


@pytest.mark.parametrize("outcome", ["done", "failed"])
def test_the_dry_runs_rows_beside_the_upload_go_with_the_commit_whatever_its_outcome(
    client, triage, tmp_path, django_capture_on_commit_callbacks, settings, monkeypatch, outcome
):
    from pathlib import Path

    from gongzhi.core.errors import ServiceError
    from gongzhi.triage import importer

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(triage.world.operator)
    upload(
        client,
        triage,
        write_csv(tmp_path / "orders.csv", triage.rows(3)),
        django_capture_on_commit_callbacks,
    )
    batch = ImportBatch.objects.get()
    spool = Path(f"{batch.file.path}.rows")
    assert batch.state == "checked" and spool.exists()
    if outcome == "failed":

        def refused(**kw):
            raise ServiceError("数据库暂时不可用")

        monkeypatch.setattr(importer, "commit_file", refused)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("triage:batch_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == outcome and not spool.exists()
    assert Path(batch.file.path).exists()  # the upload itself is kept
