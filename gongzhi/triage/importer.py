"""From a spreadsheet to cases, through the one intake contract.

`check_file()` is the dry run: it reads the file row by row (constant memory), maps each row
with its profile and asks `cases.intake.check` about it, and returns every row's problems
(row, column, message in the user's language). `commit_file()` reads the file again inside one
transaction and files its rows a batch at a time with `cases.bulk.case_intake_many` (the
rules of `case_intake`, written in batches; idempotent by the external number: a row whose case
exists and is unchanged changes nothing; a changed row updates its case, audited); the first
problem rolls everything back.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.cases import intake, sla
from gongzhi.cases import suggestions as case_suggestions
from gongzhi.cases.bulk import case_intake_many
from gongzhi.cases.models import Case, Category
from gongzhi.core import events
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.pii import mask_phone
from gongzhi.core.roles import access_for

from . import readers, values
from .models import REQUIRED, ImportProfile

MAX_KEPT_PROBLEMS = 5000
Progress = Callable[[int, int], None]
# Set while an import files its rows: the case listener then records no suggestion (the
# file said the category).
importing: contextvars.ContextVar[bool] = contextvars.ContextVar("triage_importing", default=False)

# Fields a changed row may change on its existing case (the place and the time received
# decide the routing and the deadlines, and stay as first filed).
# Work-order types and urgencies as the 12345 platform words them.
TYPE_WORDS = {
    "咨询": "consult",
    "求助": "help",
    "投诉": "complaint",
    "举报": "report",
    "建议": "suggestion",
}
URGENCY_WORDS = {
    "紧急": "urgent",
    "特急": "urgent",
    "加急": "urgent",
    "一般": "normal",
    "普通": "normal",
}

UPDATABLE = ("title", "description", "address", "reporter_name", "reporter_phone", "urgency")


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def as_list(self) -> list[Any]:
        return [self.row, self.column, self.message]


@dataclass
class CheckResult:
    rows: int = 0
    bad_rows: int = 0
    problem_count: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problems: list[RowProblem]) -> None:
        if not problems:
            return
        self.bad_rows += 1
        self.problem_count += len(problems)
        room = MAX_KEPT_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])


class ImportRejected(ServiceError):
    """The file has problems; nothing was imported. `result` holds them."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(
            _("%(rows)d rows have problems; nothing was imported.") % {"rows": result.bad_rows}
        )
        self.result = result


@dataclass
class Mapping:
    """Where each field of a report is in the file's columns."""

    columns: dict[str, int]
    join: list[int]
    header: list[str]

    def heading(self, field_name: str) -> str:
        if field_name == "description" and self.join:
            return " + ".join(self.header[i] for i in self.join)
        i = self.columns.get(field_name)
        return self.header[i] if i is not None else field_name


def _norm(heading: str) -> str:
    return "".join(heading.split()).lower()


def mapping_for(profile: ImportProfile, header: list[str]) -> tuple[Mapping, list[RowProblem]]:
    """The profile's columns found in the header, and a problem for each required one that is
    missing (row 0 stands for the heading rows)."""
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(_norm(h), i)
        # "反映人/姓名" is found by "姓名" too (merged group headings).
        index.setdefault(_norm(h.rsplit("/", 1)[-1]), i)
    columns: dict[str, int] = {}
    for name, candidates in (profile.columns or {}).items():
        names = [candidates] if isinstance(candidates, str) else list(candidates)
        for candidate in names:
            if _norm(candidate) in index:
                columns[name] = index[_norm(candidate)]
                break
    join = [index[_norm(c)] for c in profile.join or [] if _norm(c) in index]
    problems = []
    for name in REQUIRED:
        if name in columns or (name == "description" and join):
            continue
        wanted = profile.columns.get(name) or (profile.join if name == "description" else [])
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        problems.append(
            RowProblem(
                0,
                " / ".join(wanted) or name,
                _("Missing column: the file has no column %(names)s.")
                % {"names": _(" or ").join(f"“{w}”" for w in wanted) or name},
            )
        )
    return Mapping(columns, join, header), problems


class _Categories:
    """A file's category labels to catalogue categories: the profile's map, then a code, then
    a leaf's exact name."""

    def __init__(self, profile: ImportProfile) -> None:
        cat = sla.catalogue()
        self.by_code = {c.code: c for c in cat.objects.values() if c.archived_at is None}
        self.by_name: dict[str, Category] = {}
        for c in cat.objects.values():
            if c.archived_at is None and sla.is_leaf(c.pk):
                self.by_name.setdefault(c.name, c)
        self.map = {str(k).strip(): str(v).strip() for k, v in (profile.category_map or {}).items()}
        self.default = self.by_code.get(profile.default_category.strip())
        # Without a served classifier there is nothing to suggest: asked once per file, not
        # once per row without a category (each asking reads which model is served).
        self.use_suggestions = profile.use_suggestions and _classifier_served()

    def resolve(self, label: str) -> Category | None:
        code = self.map.get(label, label)
        return self.by_code.get(code) or self.by_name.get(label)


def _classifier_served() -> bool:
    from .classifier import served_model

    return served_model()[1] is not None


@dataclass
class Row:
    number: int
    report: dict[str, Any]
    problems: list[RowProblem]
    checked: intake.Checked | None = None


def read_rows(
    *,
    profile: ImportProfile,
    path: str | Path,
    name: str,
    actor: Any,
    progress: Progress | None = None,
    total: int = 0,
) -> Iterator[Row]:
    """Each row of the file mapped and checked. A missing required column yields one row 0
    with the problem and stops."""
    sheet = readers.open_rows(path, header_rows=profile.header_rows or 1, name=name)
    try:
        mapping, missing = mapping_for(profile, sheet.header)
        if missing:
            yield Row(0, {}, missing)
            return
        cats = _Categories(profile)
        seen: dict[str, int] = {}
        for i, cells in enumerate(sheet.rows):
            number = sheet.first_row + i
            if not any(values.text(c) for c in cells):
                continue  # blank lines at the end of sheets
            yield _row(number, cells, mapping, profile, cats, seen, actor)
            if progress is not None and i % 200 == 0:
                frac = sheet.fraction()
                progress(i, total or (int(i / frac) if frac else i + 1))
        if progress is not None:
            progress(1, 1)
    finally:
        if sheet.close is not None:
            sheet.close()


def _row(
    number: int,
    cells: list[Any],
    m: Mapping,
    profile: ImportProfile,
    cats: _Categories,
    seen: dict[str, int],
    actor: Any,
) -> Row:
    problems: list[RowProblem] = []

    def cell(name: str) -> Any:
        i = m.columns.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    def problem(name: str, message: str) -> None:
        problems.append(RowProblem(number, m.heading(name), message))

    ref = values.text(cell("external_ref"))
    if not ref:
        problem("external_ref", _("The work-order number is empty."))
    elif ref in seen:
        problem(
            "external_ref",
            _("Work-order number %(ref)s is also on row %(row)d of this file.")
            % {"ref": ref, "row": seen[ref]},
        )
    else:
        seen[ref] = number
    received = None
    raw = cell("received_at")
    if values.text(raw):
        received = values.parse_datetime(raw, profile.date_formats or ())
        if received is None:
            problem(
                "received_at",
                _("“%(value)s” is not a date (e.g. 2026-09-30 16:00, 2026/9/30, 2026年9月30日).")
                % {"value": values.text(raw)[:40]},
            )
    if m.join:
        parts = [values.text(cells[i]) for i in m.join if i < len(cells)]
        description = "\n\n".join(p for p in parts if p)
    else:
        description = values.text(cell("description"))
    title = values.text(cell("title"))
    label = values.text(cell("category"))
    category: Category | None = None
    if label:
        category = cats.resolve(label)
        if category is None:
            problem(
                "category",
                _("Unknown category “%(value)s”: add it to the profile's category map.")
                % {"value": label[:40]},
            )
    else:
        if cats.use_suggestions and description:
            s = case_suggestions.suggest(f"{title}\n{description}")
            if s is not None and not s.uncertain:
                category = sla.catalogue().objects.get(s.category_id)
        category = category or cats.default
        if category is None:
            problem("category", _("The category is empty."))
    coords: dict[str, Any] = {}
    for name in ("lat", "lng"):
        raw = cell(name)
        try:
            coords[name] = values.parse_float(raw)
        except ValueError:
            problem(name, _("“%(value)s” is not a number.") % {"value": values.text(raw)[:20]})
            coords[name] = None
    if coords["lat"] == 0 and coords["lng"] == 0:  # exports write 0,0 for "no place"
        coords = {"lat": None, "lng": None}
    report = {
        "channel": profile.channel,
        "type": _word_value(values.text(cell("type")), TYPE_WORDS) or profile.case_type,
        "category": category,
        "description": description,
        "title": title[: intake.MAX_TITLE],
        "address": values.text(cell("address"))[: intake.MAX_ADDRESS],
        "reporter_name": values.text(cell("reporter_name")),
        "reporter_phone": values.text(cell("reporter_phone")),
        "urgency": _word_value(values.text(cell("urgency")), URGENCY_WORDS) or Case.Urgency.NORMAL,
        "external_ref": ref,
        "received_at": received,
        **coords,
    }
    if category is None:
        return Row(number, report, problems)
    row = _checked_row(number, report, actor, lambda field: _column(m, field))
    return Row(number, report, problems + row.problems, row.checked if not problems else None)


def _checked_row(
    number: int, report: dict[str, Any], actor: Any, column: Callable[[str], str]
) -> Row:
    """A mapped row checked by the intake contract (`column` names the file's column of an
    intake field, for the problems)."""
    problems: list[RowProblem] = []
    checked = None
    try:
        checked = intake.check(actor=actor, **report)
    except intake.IntakeError as exc:
        for p in exc.problems:
            problems.append(RowProblem(number, column(p.field), _word(p)))
    except NotAllowed as exc:
        problems.append(RowProblem(number, "", str(exc)))
    return Row(number, report, problems, checked if not problems else None)


def _word_value(value: str, words: dict[str, str]) -> str:
    return words.get(value, value.lower())


def _column(m: Mapping, intake_field: str) -> str:
    if intake_field == "location":
        if "lat" in m.columns and "lng" in m.columns:
            return f"{m.heading('lat')}, {m.heading('lng')}"
        return m.heading("address")
    return m.heading(intake_field)


def _word(p: intake.Problem) -> str:
    if p.field == "location" and p.code == "outside":
        return _("The coordinates lie outside the subdistrict.")
    return p.message


def check_file(
    *,
    profile: ImportProfile,
    path: str | Path,
    name: str,
    actor: Any,
    progress: Progress | None = None,
    spool: str | Path | None = None,
) -> CheckResult:
    """The dry run: every row's problems; nothing is written. With `spool`, a file without
    problems leaves its mapped rows there (`Spool`) for the commit, which then need not read
    and map the file again."""
    result = CheckResult()
    out = Spool(spool, path, profile) if spool is not None else None
    try:
        for row in read_rows(profile=profile, path=path, name=name, actor=actor, progress=progress):
            if row.number:
                result.rows += 1
            result.add(row.problems)
            if out is not None and not result.problem_count:
                out.write(row)
    except BaseException:
        if out is not None:
            out.discard()
        raise
    if out is not None:
        if result.ok:
            out.finish(result.rows)
        else:
            out.discard()
    return result


class Spool:
    """The dry run's rows, mapped from the file's cells by the profile (before the intake
    contract's check), one JSON line each after a first line that says which file and which
    profile they came from. Written beside the upload under a temporary name and renamed when
    the whole file was read without a problem: a spool that exists is complete. The commit
    reads it instead of the file (`rows()`), and checks every row with the contract again."""

    def __init__(self, spool: str | Path, source: str | Path, profile: ImportProfile) -> None:
        self.path = Path(spool)
        self.tmp = self.path.with_name(self.path.name + ".part")
        self.head = self.fingerprint(source, profile)
        self.file: Any = None

    @staticmethod
    def fingerprint(source: str | Path, profile: ImportProfile) -> dict[str, Any]:
        st = os.stat(source)
        return {
            "source": [st.st_size, st.st_mtime_ns],
            "profile": [profile.pk, _profile_version(profile)],
        }

    def write(self, row: Row) -> None:
        if not row.number:
            return
        if self.file is None:
            self.file = open(self.tmp, "w", encoding="utf-8")  # noqa: SIM115
            self.file.write(json.dumps(self.head) + "\n")
        r = row.report
        category = r["category"]
        received = r["received_at"]
        self.file.write(
            json.dumps(
                [
                    row.number,
                    {
                        **r,
                        "category": category.pk if category is not None else None,
                        "received_at": received.isoformat() if received is not None else None,
                    },
                ],
                ensure_ascii=False,
            )
            + "\n"
        )

    def finish(self, rows: int) -> None:
        if self.file is None:  # a file without rows
            self.file = open(self.tmp, "w", encoding="utf-8")  # noqa: SIM115
            self.file.write(json.dumps(self.head) + "\n")
        self.file.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()
        self.tmp.unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)

    @classmethod
    def rows(
        cls,
        spool: str | Path | None,
        *,
        source: str | Path,
        profile: ImportProfile,
        actor: Any,
        progress: Progress | None = None,
        total: int = 0,
    ) -> Iterator[Row] | None:
        """The spooled rows, each checked by the contract now; None when there is no spool
        for this file as it is now and this profile (the commit then reads the file)."""
        if spool is None or not Path(spool).exists():
            return None
        f = open(spool, encoding="utf-8")  # noqa: SIM115
        try:
            head = json.loads(f.readline() or "null")
        except ValueError:
            head = None
        if head != cls.fingerprint(source, profile):
            f.close()
            return None
        return cls._checked(f, actor, progress, total)

    @staticmethod
    def _checked(f: Any, actor: Any, progress: Progress | None, total: int) -> Iterator[Row]:
        with f:
            for i, line in enumerate(f):
                number, report = json.loads(line)
                if report["received_at"] is not None:
                    report["received_at"] = dt.datetime.fromisoformat(report["received_at"])
                yield _checked_row(number, report, actor, lambda field: field)
                if progress is not None and i % 200 == 0:
                    progress(i, total or i + 1)
        if progress is not None:
            progress(1, 1)


def _profile_version(profile: ImportProfile) -> str:
    """What the profile's mapping is now (a profile edited between the dry run and the commit
    makes the spool stale)."""
    fields = (
        *("columns", "join", "category_map", "default_category", "channel", "case_type"),
        *("header_rows", "date_formats", "use_suggestions"),
    )
    return json.dumps([getattr(profile, f, None) for f in fields], sort_keys=True, default=str)


def commit_file(
    *,
    profile: ImportProfile,
    path: str | Path,
    name: str,
    actor: Any,
    progress: Progress | None = None,
    total: int = 0,
    subdistrict_id: int | None = None,
    spool: str | Path | None = None,
) -> CheckResult:
    """File every row in one transaction, BATCH_SIZE rows at a time through the bulk intake
    (`cases.bulk.case_intake_many`: the rules of `case_intake`, written in batches);
    ImportRejected (nothing kept) when a row has a problem. `spool`: the dry run's rows of this
    file (`check_file(spool=…)`), read instead of the file when they are there and still
    this file's and profile's; each row is checked by the contract again either way."""
    result = CheckResult()
    token = importing.set(True)
    try:
        with transaction.atomic():
            pending: list[intake.Checked] = []
            spooled = Spool.rows(
                spool, source=path, profile=profile, actor=actor, progress=progress, total=total
            )
            for row in spooled or read_rows(
                profile=profile, path=path, name=name, actor=actor, progress=progress, total=total
            ):
                if row.number:
                    result.rows += 1
                if row.problems or row.checked is None:
                    result.add(row.problems)
                    pending = []
                    continue
                if result.problem_count:
                    continue  # keep checking, to report every problem; write nothing more
                if row.checked.subdistrict_id is None:  # the batch's, where no grid decides
                    row.checked.subdistrict_id = subdistrict_id
                pending.append(row.checked)
                if len(pending) >= BATCH_SIZE:
                    _file_rows(pending, actor, result)
                    pending = []
            if result.problem_count:
                raise ImportRejected(result)
            _file_rows(pending, actor, result)
    finally:
        importing.reset(token)
    return result


BATCH_SIZE = 1000


def _file_rows(rows: list[intake.Checked], actor: Any, result: CheckResult) -> None:
    """A batch of checked rows: new work orders filed, existing ones updated when changed."""
    if not rows:
        return
    for c, filed in zip(rows, case_intake_many(actor=actor, checked=rows), strict=True):
        if filed.created:
            result.created += 1
        else:
            _update(filed.case, c, actor, result)


def _update(existing: Case, c: intake.Checked, actor: Any, result: CheckResult) -> None:
    if not access_for(actor).in_subdistrict(existing.subdistrict_id):
        raise ServiceError(
            _("Work order %(ref)s is a case of another subdistrict; it is not changed here.")
            % {"ref": existing.external_ref}
        )
    new = {name: getattr(c, name) for name in UPDATABLE}
    if existing.state == Case.State.RECEIVED:
        new["category_id"] = c.category.pk
    changes = {
        name: {"before": getattr(existing, name), "after": value}
        for name, value in new.items()
        if getattr(existing, name) != value
    }
    shown = {  # personal data enters the audit trail masked, as on screen
        name: {k: mask_phone(v) for k, v in ch.items()} if name == "reporter_phone" else ch
        for name, ch in changes.items()
    }
    if not changes:
        result.unchanged += 1
        return
    won = Case.objects.filter(pk=existing.pk, version=existing.version).update(
        **{name: ch["after"] for name, ch in changes.items()}, version=existing.version + 1
    )
    if won != 1:
        raise ServiceError(
            _("Case %(number)s changed while it was being imported; try again.")
            % {"number": existing.number}
        )
    for name, ch in changes.items():
        setattr(existing, name, ch["after"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=existing,
        changes=shown,
        note=_("changed by an import"),
    )
    # The cockpit's figures follow a changed category (its group is one of their keys).
    events.publish("case.changed", actor=actor, case_id=existing.pk, action="import_update")
    result.updated += 1
