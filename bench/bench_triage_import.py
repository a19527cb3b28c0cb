"""A 100,000-row work-order import (gongzhi.triage.importer), against only reading the file.

    .venv/bin/python bench/bench_triage_import.py [-n 100000] [--format xlsx|csv] [--no-commit]

Builds a spreadsheet of `-n` rows by repeating the real messages of
../shared/data/hotline_messages (labelled.csv and unlabelled.csv, 3,764 messages; the few
longer than the intake contract's 4,000 characters left out) with new work-order numbers, and
imports it with the `hotline-messages` profile (shipped catalogue loaded): first the dry run
(read, map, check every row through `cases.intake.check`; the rows it mapped are left in a
spool beside the file), then the commit (the spooled rows, each checked again through
`cases.intake.check`, and the bulk intake `cases.bulk.case_intake_many` a thousand rows at a
time: numbers, cases, timeline rows, audit rows, the "case.received" events, all in one
transaction), then what the commit queued for the worker (one task a batch: the cockpit's
daily figures, facts and open-case snapshot), then the same file again, read from the file
(every row found by its work-order number, nothing changed), and `manage.py cockpit verify`'s
check of the daily figures against the cases.
`--profile FILE` writes the commit's and the worker's cProfile statistics to FILE.
Baseline: only reading the same file with the same library (openpyxl read-only, or csv).
Peak memory: the process's maximum resident set after each phase (it must stream: a 100,000-row
file is never held whole). Each phase is timed by the clock and by the process's CPU time
(`time.process_time`): on a shared machine the clock's ratios move with the others' load, the
CPU time's much less (on PostgreSQL the server's own CPU time is not in it)."""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import time
from pathlib import Path

from _setup import ROOT, Timer, machine, setup_django

DATA = ROOT.parent / "shared" / "data" / "hotline_messages"
HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级标签"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Cpu:
    """`with Cpu() as c:` the process's CPU seconds spent in the block (c.seconds)."""

    def __enter__(self) -> Cpu:
        self.start = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.process_time() - self.start


def messages() -> list[list[str]]:
    out = []
    for name in ("labelled.csv", "unlabelled.csv"):
        with open(DATA / name, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                body = " ".join(row["留言详情"].split())
                if not body or len(body) > 4000:
                    continue
                label = row.get("一级标签") or ""
                out.append(["", row["留言用户"], row["留言主题"], row["留言时间"], body, label])
    return out


def build(path: Path, n: int, fmt: str) -> None:
    rows = messages()
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            for i in range(n):
                r = rows[i % len(rows)]
                w.writerow([f"B{i + 1:07d}", *r[1:]])
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADER)
    for i in range(n):
        r = rows[i % len(rows)]
        ws.append([f"B{i + 1:07d}", *r[1:]])
    wb.save(path)


def read_only(path: Path, fmt: str) -> int:
    count = 0
    if fmt == "csv":
        with open(path, encoding="utf-8", newline="") as f:
            for _ in csv.reader(f):
                count += 1
        return count - 1
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for _ in wb.worksheets[0].iter_rows(values_only=True):
        count += 1
    wb.close()
    return count - 1


def run_queued() -> int:
    """Run every queued task as the worker would (the events' deliveries), in order; the
    number run. A task that fails stops the benchmark."""
    from gongzhi.core import tasks
    from gongzhi.core.models import Task

    ran = 0
    while (row := tasks.claim_next("bench")) is not None:
        assert tasks.run_row(row), Task.objects.get(pk=row.pk).last_error
        ran += 1
    return ran


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--no-commit", action="store_true")
    parser.add_argument("--profile", help="write the commit's cProfile statistics here")
    parser.add_argument(
        "--tag", default="", help="added to the file's name (two runs at once, one file each)"
    )
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} is not here: the real messages are needed to build the file")
    vendor = setup_django()
    from gongzhi.cases.catalogue import load_catalogue
    from gongzhi.cases.models import Case
    from gongzhi.triage import importer
    from gongzhi.triage.models import ImportProfile

    load_catalogue()
    # The subdistrict the rows are filed in (the file's rows have no place of their own).
    from gongzhi.places.tests.factories import SubdistrictFactory

    SubdistrictFactory()
    profile = ImportProfile.objects.get(key="hotline-messages")
    path = ROOT / "var" / f"bench-import-{vendor}{args.tag}.{args.format}"
    spool = path.with_name(path.name + ".rows")  # the dry run's rows, for the commit
    build(path, args.n, args.format)
    size_mb = path.stat().st_size / 1e6
    base_rss = rss_mb()
    load = os.getloadavg()
    with Timer() as read, Cpu() as read_cpu:
        rows = read_only(path, args.format)
    read_rss = rss_mb()
    with Timer() as check, Cpu() as check_cpu:
        result = importer.check_file(
            profile=profile, path=path, name=path.name, actor=None, spool=spool
        )
    check_rss = rss_mb()
    assert result.ok and result.rows == rows == args.n, result.problems[:5]
    print(f"{machine()}, {vendor}; {args.n:,} rows, {args.format} {size_mb:.1f} MB")
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in load)}")
    print(
        f"read only (baseline): {read.seconds:7.2f} s  {rows / read.seconds:9,.0f} rows/s"
        f"  CPU {read_cpu.seconds:7.2f} s"
    )
    print(
        f"dry run (check):      {check.seconds:7.2f} s  {rows / check.seconds:9,.0f} rows/s"
        f"  {check.seconds / read.seconds:5.2f}× the read; CPU {check_cpu.seconds:7.2f} s"
        f"  {check_cpu.seconds / read_cpu.seconds:5.2f}× the read's"
    )
    if not args.no_commit:
        import cProfile

        from gongzhi.dashboards import aggregates

        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        with Timer() as commit, Cpu() as commit_cpu:
            done = importer.commit_file(
                profile=profile, path=path, name=path.name, actor=None, total=rows, spool=spool
            )
        # What the commit left for after it (the cockpit's pre-aggregates: one queued task a
        # batch), run here as the worker runs it.
        with Timer() as worker, Cpu() as worker_cpu:
            ran = run_queued()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        assert done.created == args.n and Case.objects.count() == args.n
        total_s, total_cpu = (
            commit.seconds + worker.seconds,
            commit_cpu.seconds + worker_cpu.seconds,
        )
        print(
            f"commit (import):      {commit.seconds:7.2f} s  {rows / commit.seconds:9,.0f} rows/s"
            f"  {commit.seconds / read.seconds:5.2f}× the read; CPU {commit_cpu.seconds:7.2f} s"
            f"  {commit_cpu.seconds / read_cpu.seconds:5.2f}× the read's"
        )
        print(
            f"worker after it:      {worker.seconds:7.2f} s  ({ran} tasks: the cockpit's figures)"
            f"  CPU {worker_cpu.seconds:7.2f} s"
        )
        print(
            f"commit + worker:      {total_s:7.2f} s  {rows / total_s:9,.0f} rows/s"
            f"  {total_s / read.seconds:5.2f}× the read; CPU {total_cpu:7.2f} s"
            f" = {total_cpu / rows * 1000:.3f} ms a row"
            f"  {total_cpu / read_cpu.seconds:5.2f}× the read's"
        )
        commit_rss = rss_mb()
        with Timer() as again, Cpu() as again_cpu:
            redone = importer.commit_file(
                profile=profile, path=path, name=path.name, actor=None, total=rows
            )
        run_queued()
        assert redone.unchanged == args.n and Case.objects.count() == args.n
        print(
            f"same file again:      {again.seconds:7.2f} s  {rows / again.seconds:9,.0f} rows/s"
            f"  {again.seconds / read.seconds:5.2f}× the read; CPU {again_cpu.seconds:7.2f} s"
            f"  {again_cpu.seconds / read_cpu.seconds:5.2f}× the read's (read from the file; nothing changed)"
        )
        check = aggregates.verify()
        print(f"load average after the commit: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"cockpit verify: {check.differ} differences in {check.checked:,} figures")
        print(f"peak resident memory after the commit: {commit_rss:.0f} MB")
    print(
        f"peak resident memory: {base_rss:.0f} MB before, {read_rss:.0f} MB after the read, "
        f"{check_rss:.0f} MB after the check, {rss_mb():.0f} MB at the end"
    )


if __name__ == "__main__":
    main()
