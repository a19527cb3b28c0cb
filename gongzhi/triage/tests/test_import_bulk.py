"""The commit through the bulk intake, over several batches: all or nothing even when the last
batch fails, nothing changed by the same file again, a changed row (its category too) updated,
audited and counted in the cockpit's figures once the worker has run (one task per batch),
progress reported as the batches go."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import Case, CaseCounter, CaseEvent
from gongzhi.core import events, tasks
from gongzhi.core.models import Task
from gongzhi.dashboards import aggregates
from gongzhi.dashboards.models import CaseDay, CaseFact
from gongzhi.triage import importer
from gongzhi.triage.tests.conftest import write_csv, write_xlsx


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 4)
    # On PostgreSQL a batch of 2 rows or more goes by COPY (cases, timeline, audit, the
    # cockpit's facts and snapshot), a last row alone by INSERT: both ways in each import.
    from gongzhi.cases import bulk

    monkeypatch.setattr(bulk, "COPY_ROWS", 2)


def commit(t, path, **kw):
    return importer.commit_file(
        profile=t.profile, path=path, name=path.name, actor=t.world.operator, **kw
    )


def test_an_import_over_many_batches_files_every_row_once_in_order(triage, tmp_path, settings):
    settings.TASKS_BACKEND = "database"  # the worker's queue, as in production
    seen: list[tuple[int, int]] = []
    path = write_xlsx(tmp_path / "orders.xlsx", triage.rows(11))
    result = commit(triage, path, progress=lambda done, total: seen.append((done, total)))
    # The cockpit's figures are the worker's: one task per batch of 4, none per case.
    assert not CaseFact.objects.exists()
    assert Task.objects.filter(name=events.DELIVER_MANY_TASK).count() == 3
    assert not Task.objects.filter(name=events.DELIVER_TASK).exists()
    Task.objects.update(run_after=timezone.now())
    tasks.work(once=True)
    assert not Task.objects.exclude(status=Task.Status.DONE).exists()
    assert result.created == 11 and Case.objects.count() == 11
    numbers = list(Case.objects.order_by("external_ref").values_list("number", flat=True))
    assert numbers == sorted(numbers) and len(set(numbers)) == 11
    assert CaseEvent.objects.filter(action="receive").count() == 11
    assert AuditEvent.objects.filter(action="create", object_repr__startswith="CY").count() == 11
    assert seen and seen[-1] == (1, 1)
    assert aggregates.verify().differ == 0 and CaseFact.objects.count() == 11


def test_a_problem_on_the_last_row_after_full_batches_leaves_nothing(triage, tmp_path):
    rows = triage.rows(10)
    rows[-1][2] = "不存在的分类"
    audits = AuditEvent.objects.count()
    with pytest.raises(importer.ImportRejected):
        commit(triage, write_csv(tmp_path / "orders.csv", rows))
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert not CaseDay.objects.exists() and not CaseFact.objects.exists()
    assert AuditEvent.objects.count() == audits
    assert not CaseCounter.objects.filter(last__gt=0).exists()


def test_the_same_file_again_changes_nothing_and_a_changed_category_moves_the_figures(
    triage, tmp_path, django_capture_on_commit_callbacks
):
    rows = triage.rows(9)
    with django_capture_on_commit_callbacks(execute=True):  # and the worker after the commit
        commit(triage, write_csv(tmp_path / "v1.csv", rows))
    audits, figures = AuditEvent.objects.count(), list(CaseDay.objects.values())
    assert figures
    with django_capture_on_commit_callbacks(execute=True):
        again = commit(triage, write_csv(tmp_path / "v1.csv", rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 9)
    assert AuditEvent.objects.count() == audits and list(CaseDay.objects.values()) == figures

    rows[4][2] = "物业服务"  # another category, of another group and department
    rows.append(triage.row(10))
    with django_capture_on_commit_callbacks(execute=True):
        result = commit(triage, write_csv(tmp_path / "v2.csv", rows))
    assert (result.created, result.updated, result.unchanged) == (1, 1, 8)
    case = Case.objects.get(external_ref="SH12345-2026-000005")
    assert case.category == triage.property
    change = AuditEvent.objects.get(object_id=str(case.pk), action="update")
    assert change.changes["category_id"] == {
        "before": triage.garbage.pk,
        "after": triage.property.pk,
    }
    assert aggregates.verify().differ == 0


def test_the_bulk_inserts_values_are_those_the_fields_own_conversion_gives(triage):
    """The bulk INSERT's short cuts (moments with a zone, foreign keys and e-mail as plain
    values) give every column of a new case, its timeline row and its audit row the value
    the field's own conversion gives."""
    from django.db import connection
    from django.utils import timezone

    from gongzhi.cases import bulk, intake
    from gongzhi.cases.services import new_case
    from gongzhi.core import rows as core_rows

    checked = intake.check(
        actor=triage.world.operator,
        channel=triage.profile.channel,
        type="complaint",
        category=triage.garbage,
        description="兰溪路1号门口垃圾堆积",
        title="垃圾堆积",
        reporter_email="a@example.org",
        reporter_phone="13812345678",
        external_ref="SH12345-2026-000001",
        received_at=timezone.now(),
        lat=triage.point("b2")[0],
        lng=triage.point("b2")[1],
    )
    case, event, created = new_case(checked, actor=triage.world.operator, reporter_user=None)
    case.due_at = case.received_at
    for obj in (case, event, created):
        _, fields = core_rows._table(type(obj), connection.vendor)
        for f, prep in zip(fields, bulk._preparers(fields), strict=True):
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                continue
            expected = f.get_db_prep_save(f.pre_save(obj, True), connection)
            # PostgreSQL's JSON values come wrapped (psycopg's Jsonb): compare what they wrap.
            assert _unwrapped(prep(obj)) == _unwrapped(expected), f.name


def _unwrapped(value):
    return getattr(value, "obj", value)


def _filed() -> list[tuple]:
    return sorted(
        Case.objects.values_list(
            "external_ref",
            "category_id",
            "title",
            "description",
            "received_at",
            "lat",
            "lng",
            "grid_id",
            "reporter_phone",
            "urgency",
            "due_at",
            "subdistrict_id",
        )
    )


def test_the_commit_reads_the_dry_runs_rows_and_files_what_the_file_gives(triage, tmp_path):
    """With a spool, the dry run leaves the file's mapped rows and the commit reads them, not
    the file: the cases are those a commit reading the file files (rolled back to compare)."""
    from django.db import transaction

    path = write_xlsx(tmp_path / "orders.xlsx", triage.rows(9))
    spool = tmp_path / "orders.rows"
    check = importer.check_file(
        profile=triage.profile,
        path=path,
        name=path.name,
        actor=triage.world.operator,
        spool=spool,
    )
    assert check.ok and spool.exists() and not (tmp_path / "orders.rows.part").exists()

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            commit(triage, path)
            from_file = _filed()
            raise Rollback
    except Rollback:
        pass
    reads = []
    real = importer.read_rows
    importer.read_rows = lambda **kw: reads.append(1) or real(**kw)  # type: ignore[assignment]
    try:
        result = commit(triage, path, spool=spool)
    finally:
        importer.read_rows = real  # type: ignore[assignment]
    assert not reads, "the file was read again"
    assert result.created == 9 and _filed() == from_file


def test_a_stale_or_missing_spool_is_not_used(triage, tmp_path):
    rows = triage.rows(5)
    path = write_csv(tmp_path / "orders.csv", rows)
    spool = tmp_path / "orders.rows"
    kw = {"profile": triage.profile, "name": path.name, "actor": triage.world.operator}
    assert importer.check_file(path=path, spool=spool, **kw).ok
    # The file changed after its dry run: the commit reads the file as it is now.
    rows[2][2] = "不存在的分类"
    write_csv(path, rows)
    with pytest.raises(importer.ImportRejected):
        commit(triage, path, spool=spool)
    assert not Case.objects.exists()
    # A dry run with a problem leaves no spool.
    assert not importer.check_file(path=path, spool=spool, **kw).ok
    assert not spool.exists()
    # The profile changed after the dry run: the spool is stale.
    rows[2][2] = "暴露垃圾"
    write_csv(path, rows)
    assert importer.check_file(path=path, spool=spool, **kw).ok
    triage.profile.default_category = "XX"
    assert importer.Spool.rows(spool, source=path, profile=triage.profile, actor=None) is None
