"""Faults that kill real processes: a worker (`manage.py run_worker`, a separate process on the
same database) is killed with SIGKILL in the middle of a job. Nothing the job wrote may be left
half-done, and a new worker must take the job over once its lease ran out
(settings.TASKS_LEASE_SECONDS) and finish it exactly once.

The jobs are a table: a new background job that must survive a crash is one more line in JOBS
(its `Job`: how to queue it, how to know it started, what "nothing half-done" and "done once"
mean for it).

On PostgreSQL the worker uses the test database itself; on SQLite the test's in-memory database
is copied to a file the worker opens, and the checks read that file.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from gongzhi.core.models import Task

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
LEASE_SECONDS = 3


class Database:
    """The database the worker process uses, read with plain SQL (the same on both engines)."""

    def __init__(self, tmp: Path) -> None:
        self.file: Path | None = None
        if connection.vendor == "sqlite":
            self.file = tmp / "worker.sqlite3"
        self.tmp = tmp

    def hand_over(self) -> str:
        """Make what the test wrote visible to a worker process; its DATABASE_URL."""
        if self.file is None:
            s = connection.settings_dict
            host = s.get("HOST") or "127.0.0.1"
            auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
            return f"postgres://{auth}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"
        connection.ensure_connection()
        target = sqlite3.connect(self.file)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{self.file}"

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if self.file is None:
            with connection.cursor() as cur:
                cur.execute(sql.replace("?", "%s"), params)
                return cur.fetchone()
        con = sqlite3.connect(self.file, timeout=30)
        try:
            return con.execute(sql, params).fetchone()
        finally:
            con.close()

    def count(self, table: str, where: str = "1=1", params: tuple[Any, ...] = ()) -> int:
        return int(self.one(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)[0])  # noqa: S608

    def task(self, pk: int) -> dict[str, Any]:
        cols = ("status", "progress", "attempts", "lost_count", "locked_by", "result")
        row = self.one(f"SELECT {', '.join(cols)} FROM core_task WHERE id = ?", (pk,))  # noqa: S608
        return dict(zip(cols, row, strict=True))


class Worker:
    """`manage.py run_worker` in its own process."""

    def __init__(self, db_url: str, tmp: Path, name: str) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
            "DATABASE_URL": db_url,
            "TASKS_BACKEND": "database",
            "TASKS_LEASE_SECONDS": str(LEASE_SECONDS),
            "GONGZHI_TESTING": "1",
            "GONGZHI_VAR_DIR": str(tmp / "var"),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SECRET_KEY": "fault-tests-only",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.log = tmp / f"{name}.log"
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), "run_worker", "--sleep", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def wait_for(what: str, ok: Callable[[], bool], worker: Worker, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ok():
            return
        if worker.proc.poll() is not None:
            pytest.fail(f"the worker ended before {what}:\n{worker.output()}")
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}:\n{worker.output()}")


@dataclass
class Job:
    """One kind of background job under a crash.

    queue(world, tmp)       builds the data, queues the task; returns its Task id and a note
                            (anything the checks need)
    started(db, note)       the job has written something it has not committed yet
    intact(db, note)        after the kill: nothing half-done (an AssertionError says what)
    done_once(db, note)     after the new worker: done, and done once
    """

    queue: Callable[[Any, Path], tuple[int, Any]]
    started: Callable[[Database, int, Any], bool]
    intact: Callable[[Database, Any], None]
    done_once: Callable[[Database, Any], None]
    postgres_only: str = ""  # why the job can only be watched on PostgreSQL


def _progress_between(db: Database, task_id: int, _: Any) -> bool:
    t = db.task(task_id)
    return t["status"] == "running" and 0 < t["progress"] < 100


# --- the import of a hotline file (all or nothing) --------------------------------------------

IMPORT_ROWS = 1000


def _queue_import(world: Any, tmp: Path) -> tuple[int, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.cases.models import Case
    from gongzhi.triage import services
    from gongzhi.triage.models import ImportBatch
    from gongzhi.triage.tests.conftest import Triage, write_csv

    t = Triage(world)
    path = write_csv(tmp / "work-orders.csv", t.rows(IMPORT_ROWS))
    upload = SimpleUploadedFile("work-orders.csv", path.read_bytes(), content_type="text/csv")
    batch = services.batch_upload(actor=world.operator, profile=t.profile, upload=upload)
    # The rows are good by construction: the file counts as checked without its dry run (the
    # import checks every row again anyway, and refuses the whole file for one bad row).
    ImportBatch.objects.filter(pk=batch.pk).update(
        task=None, state=ImportBatch.State.CHECKED, rows=IMPORT_ROWS, problem_count=0
    )
    Task.objects.filter(pk=batch.task_id).delete()
    batch.refresh_from_db()
    batch = services.batch_commit(actor=world.operator, batch=batch)
    return batch.task_id, {"batch": batch.pk, "cases_before": Case.objects.count()}


def _import_intact(db: Database, note: Any) -> None:
    assert db.count("cases_case") == note["cases_before"], "a killed import left cases behind"
    assert db.one("SELECT state FROM triage_importbatch WHERE id = ?", (note["batch"],))[0] in (
        "importing",
    )


def _import_done_once(db: Database, note: Any) -> None:
    state, created = db.one(
        "SELECT state, created_count FROM triage_importbatch WHERE id = ?", (note["batch"],)
    )
    assert (state, created) == ("done", IMPORT_ROWS)
    assert db.count("cases_case") == note["cases_before"] + IMPORT_ROWS
    distinct = db.one("SELECT COUNT(DISTINCT external_ref) FROM cases_case")[0]
    assert distinct == db.count("cases_case", "external_ref <> ''") == IMPORT_ROWS


# --- the deadline sweep over many overdue cases (each batch whole, resumable) -----------------

SWEEP_CASES = 12000


def _queue_sweep(world: Any, tmp: Path) -> tuple[int, Any]:
    from gongzhi.cases import sweep
    from gongzhi.cases.models import Case
    from gongzhi.core import tasks

    ids = _overdue_cases(world, SWEEP_CASES)
    assert SWEEP_CASES > 2 * sweep.BATCH  # the kill falls between or inside batches
    row = tasks.enqueue("cases.sweep")
    assert row is not None
    assert Case.objects.filter(pk__in=ids, overdue_for_due__isnull=True).count() == SWEEP_CASES
    return row.pk, {"cases": SWEEP_CASES}


def _sweep_intact(db: Database, note: Any) -> None:
    flagged = db.count("cases_case", "overdue_for_due IS NOT NULL")
    events = db.count("cases_caseevent", "action = 'overdue'")
    audited = db.count("audit_auditevent", "note = 'overdue'")
    assert flagged == events == audited, (flagged, events, audited)
    assert flagged < note["cases"], "the worker was killed after the sweep ended"


def _sweep_done_once(db: Database, note: Any) -> None:
    assert db.count("cases_case", "overdue_for_due IS NOT NULL") == note["cases"]
    assert db.count("cases_caseevent", "action = 'overdue'") == note["cases"]
    per_case = db.one(
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM cases_caseevent"
        " WHERE action = 'overdue' GROUP BY case_id) AS t"
    )[0]
    assert per_case == 1, "a case was flagged twice"


def _overdue_cases(world: Any, n: int) -> list[int]:
    """`n` accepted cases of 城管中队 in grid a1, two hours past their deadline, written in one
    INSERT … SELECT (the fields a row needs; the rest take their defaults)."""
    from django.utils import timezone

    from gongzhi.cases.models import Case
    from gongzhi.cases.tests.conftest import make_centre

    centre = make_centre(world)
    now = timezone.now()
    qn = connection.ops.quote_name
    values = {
        "created_at": now,
        "updated_at": now,
        "received_at": now - dt.timedelta(days=3),
        "category_id": centre.garbage.pk,
        "department_id": world.orgs["chengguan"].pk,
        "grid_id": world.grids["a1"].pk,
        "station_id": world.station_a.pk,
        "residential_area_id": world.area_a.pk,
        "subdistrict_id": world.subdistrict.pk,
        "description": "暴露垃圾无人清运",
        "title": "暴露垃圾",
        "channel": "inspector",
        "type": "event",
        "state": "accepted",
        "due_at": now - dt.timedelta(hours=2),
    }
    cols, exprs, params = [], [], []
    for f in Case._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(qn(f.column))
        if f.column == "number":
            exprs.append("'FT-' || CAST(g AS VARCHAR(20))")
        elif f.column == "tracking_code":
            exprs.append("'FT' || CAST(g AS VARCHAR(20))")
        elif f.attname in values:
            exprs.append("%s")
            params.append(f.get_db_prep_save(values[f.attname], connection))
        elif f.has_default():
            exprs.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
        elif not f.null and f.get_internal_type() in ("CharField", "TextField"):
            exprs.append("''")
        else:
            exprs.append("NULL")
    series = (
        "generate_series(1, %s) AS g"
        if connection.vendor == "postgresql"
        else "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %s)"
        " SELECT g FROM s)"
    )
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {qn(Case._meta.db_table)} ({', '.join(cols)})"  # noqa: S608
            f" SELECT {', '.join(exprs)} FROM {series}",
            [*params, n],
        )
    return list(Case.objects.filter(number__startswith="FT-").values_list("pk", flat=True))


def _no_periodic_tasks_for_a_while() -> None:
    """The workers run only the job under test: every periodic task counts as just queued."""
    from django.utils import timezone

    from gongzhi.core import tasks
    from gongzhi.core.models import Schedule

    tasks.autodiscover()
    for d in tasks.REGISTRY.values():
        if d.periodic_seconds:
            Schedule.objects.update_or_create(
                name=d.name, defaults={"last_enqueued_at": timezone.now()}
            )


JOBS: dict[str, Job] = {
    "import": Job(
        _queue_import,
        _progress_between,
        _import_intact,
        _import_done_once,
        postgres_only="SQLite shows an import's progress only when it commits",
    ),
    "sweep": Job(_queue_sweep, _progress_between, _sweep_intact, _sweep_done_once),
    # "report": Job(_queue_report, _progress_between, _report_intact, _report_done_once),
}


@pytest.mark.parametrize("job_name", sorted(JOBS))
def test_a_worker_killed_mid_job_leaves_nothing_half_done_and_the_job_is_taken_over_once(
    world, tmp_path, settings, job_name
):
    job = JOBS[job_name]
    if job.postgres_only and connection.vendor != "postgresql":
        pytest.skip(job.postgres_only)
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(TASKS_BACKEND="database"):
        task_id, note = job.queue(world, tmp_path)
    _no_periodic_tasks_for_a_while()
    db = Database(tmp_path)
    url = db.hand_over()

    first = Worker(url, tmp_path, "first")
    try:
        wait_for(f"{job_name} to start", lambda: job.started(db, task_id, note), first)
        first.kill9()
    finally:
        first.stop()
    assert db.task(task_id)["status"] == "running", "the killed worker's claim stays"
    job.intact(db, note)

    second = Worker(url, tmp_path, "second")
    try:
        wait_for(
            f"{job_name} to be taken over and done",
            lambda: db.task(task_id)["status"] in ("done", "failed"),
            second,
            timeout=300,
        )
    finally:
        second.stop()
    task = db.task(task_id)
    assert task["status"] == "done", second.output()
    assert task["lost_count"] == 1 and task["locked_by"] != "", task
    job.done_once(db, note)
