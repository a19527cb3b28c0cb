"""The category catalogue that ships with the product, and how it is loaded.

The catalogue is data: `gongzhi/cases/data/catalogue.json`, one row per category, written by
this project. It holds

- the digital urban-management component classes (部件, codes B01–B07) and event classes (事件,
  E01–E06) with their sub-classes, coded as in the practice of CJJ/T 106 and GB/T 30428.2
  (CJ/T 214's lists as cities implement them): B0101 上水井盖, E0102 暴露垃圾; 99 = 其他. B07
  and E06 are local extension classes (the standard adds local classes this way); rows whose
  code differs between the lists in use say so in their `note`;
- the 12345 work-order categories a Shanghai subdistrict handles, in three levels written for
  this product (H01 城市管理, H01-02 占道经营, H01-02-03 夜间排档占道; 99 = 其他);
- for every row, optionally: `route` (a department key of the file's `departments`, or
  `district`: escalated to the district, or `manual`: dispatched case by case), `limits`
  (handling and other time limits per stage and urgency: "4WH" working hours, "2CH"
  continuous hours, "1WD" working days, "type": by the 12345 work-order type, see
  gongzhi.cases.sla) and `public` (residents may report it). A row without them takes its
  parent's. Every leaf ends up with a route and a handling limit (checked on reading).

`load_catalogue()` reads the file, checks all of it, then writes in one transaction: codes are
the natural keys. The file owns the tree (names, places, order): a changed row is updated. The
deployment owns the settings: routing, time limits, descriptions and `public` are written
where the category has none yet (a new category, an empty department, a stage and urgency that
never had a limit), so what the back office changed stays. Routing goes to the deployment's
organisations, matched by the department's names (short name or full name, exactly, then as
an ending, among departments and property companies); a key that matches none, or several, is
left empty and reported. Each department sits on the highest category all of whose leaves go
to it, so escalated leaves never inherit one. Loading the same file again changes nothing and
writes no audit row; a run that changed something writes one import event listing the changes.

`read_taxonomy()` and `taxonomy_entries()` import an optional third-party three-level taxonomy
(a CSV with 一级分类, 二级分类, 三级分类, such as the TipDM 12345 data set in ../shared/data) under
its own codes (T01, T01-02, T01-02-03), beside the shipped ones and without routing.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import ServiceError
from gongzhi.org.models import Organisation
from gongzhi.worktime.models import Unit

from . import sla
from .models import Category, TimeLimit
from .workflow import DEPARTMENT_KINDS

SHIPPED = Path(__file__).parent / "data" / "catalogue.json"
FORMAT = "gongzhi-catalogue/1"
CODE = re.compile(r"^(?:[BE]\d{2}(?:\d{2})?|H\d{2}(?:-\d{2}){0,2})$")
KIND_OF = {"B": Category.Kind.COMPONENT, "E": Category.Kind.EVENT, "H": Category.Kind.HOTLINE}
DURATION = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?)(WD|WH|CH)$")
UNITS = {"WD": Unit.WORKING_DAYS, "WH": Unit.WORKING_HOURS, "CH": Unit.CONTINUOUS_HOURS}
BY_TYPE = "type"  # the handling limit follows the 12345 work-order type (sla.HANDLE_BY_TYPE)
ESCALATE, MANUAL = "escalate", "manual"  # the two `special` routes
STAGES = tuple(TimeLimit.Stage.values)
URGENCIES = ("normal", "urgent")
ROW_FIELDS = {"code", "name", "route", "limits", "public", "description", "note"}
DEPARTMENT_FIELDS = {"key", "name", "match", "handles", "special", "description"}
TAXONOMY_PREFIX = "T"
TREE_FIELDS = ("name", "kind", "parent", "level", "group", "sort_order")

Limit = tuple[Decimal, str]
LimitValue = Limit | str  # a limit, or BY_TYPE


class CatalogueError(ServiceError):
    """The catalogue can't be loaded; nothing was changed."""

    def __init__(self, message: Any) -> None:
        super().__init__(message, code="catalogue")


@dataclass(frozen=True)
class Department:
    key: str
    name: str
    match: tuple[str, ...] = ()
    special: str = ""  # ESCALATE, MANUAL or "" for a department of the subdistrict
    description: str = ""


@dataclass(frozen=True)
class Entry:
    """One row of the catalogue, with only what the row itself says (see Catalogue.effective)."""

    code: str
    name: str
    kind: str
    parent: str | None
    level: int
    order: int
    route: str | None = None
    limits: tuple[tuple[tuple[str, str], LimitValue], ...] = ()  # ((stage, urgency), value)
    public: bool | None = None
    description: str = ""


@dataclass(frozen=True)
class Effective:
    """A row's settings after inheritance from its parents."""

    route: str | None
    limits: dict[tuple[str, str], LimitValue]
    public: bool


@dataclass
class Catalogue:
    source: str
    departments: dict[str, Department]
    entries: list[Entry]
    effective: dict[str, Effective] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.effective:
            self.effective = _inherit(self.entries)

    @property
    def leaves(self) -> list[Entry]:
        parents = {e.parent for e in self.entries}
        return [e for e in self.entries if e.code not in parents]


def _inherit(entries: list[Entry]) -> dict[str, Effective]:
    out: dict[str, Effective] = {}
    for e in entries:  # parents come first
        up = out.get(e.parent) if e.parent else None
        limits = dict(up.limits) if up else {}
        limits.update(dict(e.limits))
        out[e.code] = Effective(
            route=e.route or (up.route if up else None),
            limits=limits,
            public=e.public if e.public is not None else (up.public if up else True),
        )
    return out


# --- Reading and checking the file ---------------------------------------------------------


def read_catalogue(path: Path = SHIPPED) -> Catalogue:
    """The catalogue file, read and checked. Raises CatalogueError on the first problem."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CatalogueError(
            _("The catalogue file %(path)s can't be read: %(error)s")
            % {"path": path, "error": exc.strerror}
        ) from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CatalogueError(
            _("%(path)s is not valid JSON: %(error)s") % {"path": path, "error": exc}
        ) from exc
    return parse_catalogue(data, source=str(path))


def _row_error(source: str, section: str, index: int, code: Any, reason: str) -> CatalogueError:
    label = f" ({code})" if isinstance(code, str) and code else ""
    return CatalogueError(
        _("%(source)s, %(section)s[%(index)d]%(label)s: %(reason)s")
        % {"source": source, "section": section, "index": index, "label": label, "reason": reason}
    )


def parse_catalogue(data: Any, *, source: str = "catalogue") -> Catalogue:
    """Check the parsed JSON of a catalogue file and build the Catalogue."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CatalogueError(
            _("%(source)s is not a catalogue file (its format must be %(format)s).")
            % {"source": source, "format": FORMAT}
        )
    departments = _departments(data.get("departments"), source)
    rows = data.get("categories")
    if not isinstance(rows, list) or not rows:
        raise CatalogueError(_("%(source)s lists no categories.") % {"source": source})
    known: dict[str, tuple[int, Entry]] = {}
    children: Counter[str | None] = Counter()
    for i, row in enumerate(rows):
        entry = _entry(row, i, known, children, departments, source)
        known[entry.code] = (i, entry)
    catalogue = Catalogue(source, departments, [e for _i, e in known.values()])
    for leaf in catalogue.leaves:
        eff = catalogue.effective[leaf.code]
        problem = ""
        if eff.route is None:
            problem = _("the leaf has neither a department nor an escalation (route)")
        elif ("handle", "normal") not in eff.limits:
            problem = _("the leaf has no handling time limit (limits.handle.normal)")
        if problem:
            raise _row_error(source, "categories", known[leaf.code][0], leaf.code, problem)
    return catalogue


def _departments(value: Any, source: str) -> dict[str, Department]:
    if not isinstance(value, list):
        raise CatalogueError(_("%(source)s lists no departments.") % {"source": source})
    out: dict[str, Department] = {}
    for i, d in enumerate(value):
        key = d.get("key") if isinstance(d, dict) else None
        reason = ""
        if not isinstance(d, dict) or not isinstance(key, str) or not re.fullmatch(r"[a-z_]+", key):
            reason = _("a department needs a key of lower-case letters")
        elif key in out:
            reason = _("the key appears twice")
        elif set(d) - DEPARTMENT_FIELDS:
            reason = _("unknown field %(field)s") % {"field": sorted(set(d) - DEPARTMENT_FIELDS)[0]}
        elif not isinstance(d.get("name"), str) or not d["name"].strip():
            reason = _("the name is missing")
        elif d.get("special", "") not in ("", ESCALATE, MANUAL):
            reason = _("special must be %(values)s") % {"values": f"{ESCALATE}, {MANUAL}"}
        elif not d.get("special") and not (
            isinstance(d.get("match"), list)
            and d["match"]
            and all(isinstance(m, str) and m.strip() for m in d["match"])
        ):
            reason = _("match must list the names the department goes by")
        if reason or not isinstance(key, str):
            raise _row_error(source, "departments", i, key, reason)
        out[key] = Department(
            key=key,
            name=d["name"].strip(),
            match=tuple(m.strip() for m in d.get("match") or ()),
            special=d.get("special", ""),
            description=str(d.get("description", "")).strip(),
        )
    return out


def _parent_code(code: str) -> str | None:
    if code.startswith("H"):
        return code.rsplit("-", 1)[0] if "-" in code else None
    return code[:3] if len(code) == 5 else None


def _entry(
    row: Any,
    i: int,
    known: dict[str, tuple[int, Entry]],
    children: Counter[str | None],
    departments: dict[str, Department],
    source: str,
) -> Entry:
    code = row.get("code") if isinstance(row, dict) else None

    def bad(reason: str) -> CatalogueError:
        return _row_error(source, "categories", i, code, reason)

    if not isinstance(row, dict):
        raise bad(_("a category must be an object"))
    if set(row) - ROW_FIELDS:
        raise bad(_("unknown field %(field)s") % {"field": sorted(set(row) - ROW_FIELDS)[0]})
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise bad(_("the code is not well-formed (B0101, E0102, H01-02-03)"))
    if code in known:
        raise bad(_("the code appears twice (also row %(other)d)") % {"other": known[code][0]})
    parent = _parent_code(code)
    if parent is not None and parent not in known:
        raise bad(_("its parent %(parent)s is not listed before it") % {"parent": parent})
    name = row.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
        raise bad(_("the name is empty or longer than 100 characters"))
    route = row.get("route")
    if route is not None and route not in departments:
        raise bad(_("unknown department key %(key)s") % {"key": route})
    public = row.get("public")
    if public is not None and not isinstance(public, bool):
        raise bad(_("public must be true or false"))
    description = row.get("description", "")
    if not isinstance(description, str) or not isinstance(row.get("note", ""), str):
        raise bad(_("description and note must be text"))
    limits = _limits(row.get("limits"), bad)
    children[parent] += 1
    return Entry(
        code=code,
        name=name.strip(),
        kind=KIND_OF[code[0]],
        parent=parent,
        level=1 if parent is None else known[parent][1].level + 1,
        order=children[parent],
        route=route,
        limits=limits,
        public=public,
        description=description.strip(),
    )


def _limits(value: Any, bad: Any) -> tuple[tuple[tuple[str, str], LimitValue], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise bad(_("limits must map stages to urgencies"))
    out: list[tuple[tuple[str, str], LimitValue]] = []
    for stage, per in value.items():
        if stage not in STAGES or not isinstance(per, dict) or not per:
            raise bad(_("unknown stage %(stage)s") % {"stage": stage})
        for urgency, text in per.items():
            if urgency not in URGENCIES:
                raise bad(_("unknown urgency %(urgency)s") % {"urgency": urgency})
            if text == BY_TYPE and (stage, urgency) == ("handle", "normal"):
                out.append(((stage, urgency), BY_TYPE))
                continue
            m = DURATION.fullmatch(text) if isinstance(text, str) else None
            if m is None or Decimal(m[1]) <= 0:
                raise bad(_("bad time limit %(value)s (e.g. 4WH, 2CH, 1WD)") % {"value": text})
            out.append(((stage, urgency), (Decimal(m[1]), UNITS[m[2]])))
    return tuple(out)


# --- The optional third-party taxonomy ------------------------------------------------------


def read_taxonomy(path: Path) -> list[list[str]]:
    """Rows of a CSV with the columns 一级分类, 二级分类, 三级分类 (a header and # lines are
    skipped)."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as f:
            lines = [line for line in f if not line.startswith("#")]
    except OSError as exc:
        raise CatalogueError(
            _("The taxonomy file %(path)s can't be read: %(error)s")
            % {"path": path, "error": exc.strerror}
        ) from exc
    rows = list(csv.reader(lines))
    return rows[1:] if rows and rows[0][:1] == ["一级分类"] else rows


def taxonomy_entries(rows: Iterable[list[str]], *, prefix: str = TAXONOMY_PREFIX) -> list[Entry]:
    """A three-level taxonomy as catalogue entries: T01, T01-02, T01-02-03 in order of first
    appearance. Incomplete rows are skipped. No routing and no limits (12345 defaults)."""
    out: list[Entry] = []
    codes: dict[tuple[str, ...], str] = {}
    counters: Counter[str] = Counter()
    for row in rows:
        if len(row) < 3 or not all(c.strip() for c in row[:3]):
            continue
        names = [x.strip()[:100] for x in row[:3]]
        parent: str | None = None
        for level in (1, 2, 3):
            path = tuple(names[:level])
            if path not in codes:
                counters[parent or ""] += 1
                n = counters[parent or ""]
                codes[path] = f"{prefix}{n:02d}" if parent is None else f"{parent}-{n:02d}"
                out.append(
                    Entry(codes[path], names[level - 1], Category.Kind.HOTLINE, parent, level, n)
                )
            parent = codes[path]
    return out


# --- Loading --------------------------------------------------------------------------------


@dataclass
class DepartmentMatch:
    department: Department
    organisation: Organisation | None = None
    candidates: list[str] = field(default_factory=list)  # when several organisations match
    leaves: int = 0


@dataclass
class LoadResult:
    source: str
    dry_run: bool = False
    created: Counter[str] = field(default_factory=Counter)  # by kind
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    leaves: Counter[str] = field(default_factory=Counter)
    routed: int = 0  # categories given their department in this run
    described: int = 0
    limits_created: int = 0
    departments: list[DepartmentMatch] = field(default_factory=list)
    special: Counter[str] = field(default_factory=Counter)  # leaves escalated / manual
    conflicts: list[str] = field(default_factory=list)
    archived: int = 0  # categories of the file archived in this deployment (left so)
    others: int = 0  # categories of the deployment not in the file (left as they are)
    imported: int = 0  # rows of the optional taxonomy
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return (
            sum(self.created.values()) + sum(self.updated.values()) + sum(self.unchanged.values())
        )

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.routed or self.described or self.limits_created
        )

    def counts(self) -> dict[str, int]:
        return {
            "total": self.total,
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "routed": self.routed,
            "described": self.described,
            "time_limits": self.limits_created,
        }


def resolve_departments(
    catalogue: Catalogue, overrides: dict[str, str] | None = None
) -> dict[str, DepartmentMatch]:
    """The deployment's organisation for each department key of the catalogue: the one
    department or property company whose short name or name is one of the key's names, else
    whose short name or name ends with one; `overrides` name it directly (key → name)."""
    overrides = overrides or {}
    orgs = list(
        Organisation.objects.active()
        .filter(kind__in=DEPARTMENT_KINDS)
        .order_by("sort_order", "pk")
        .only("pk", "name", "short_name", "kind")
    )
    out: dict[str, DepartmentMatch] = {}
    for key in overrides:
        dept = catalogue.departments.get(key)
        if dept is None or dept.special:
            raise CatalogueError(_("unknown department key %(key)s") % {"key": key})
    for key, dept in catalogue.departments.items():
        match = DepartmentMatch(dept)
        out[key] = match
        if dept.special:
            continue
        if key in overrides:
            wanted = overrides[key]
            hits = [o for o in orgs if wanted in (o.name, o.short_name)]
            if len(hits) != 1:
                raise CatalogueError(
                    _("No single department or property company is named %(name)s.")
                    % {"name": wanted}
                )
        else:
            names = set(dept.match)
            hits = [o for o in orgs if o.short_name in names or o.name in names]
            if not hits:
                hits = [
                    o
                    for o in orgs
                    if any((o.short_name and o.short_name.endswith(n)) or o.name.endswith(n)
                           for n in names)
                ]  # fmt: skip
        if len(hits) == 1:
            match.organisation = hits[0]
        else:
            match.candidates = [str(o) for o in hits]
    return out


def load_catalogue(
    *,
    actor: Any = None,
    path: Path | None = None,
    catalogue: Catalogue | None = None,
    taxonomy: Path | None = None,
    departments: dict[str, str] | None = None,
    dry_run: bool = False,
) -> LoadResult:
    """Create or update the catalogue (the shipped file unless `path` or `catalogue` is given),
    plus the optional `taxonomy` CSV, in one transaction; with `dry_run` everything is done,
    counted and rolled back. Raises CatalogueError (and changes nothing) on a bad file."""
    cat = catalogue or read_catalogue(path or SHIPPED)
    extra = taxonomy_entries(read_taxonomy(taxonomy)) if taxonomy is not None else []
    result = LoadResult(source=cat.source, dry_run=dry_run, imported=len(extra))
    with transaction.atomic():
        matches = resolve_departments(cat, departments)
        result.departments = list(matches.values())
        by_code = _write_tree(cat.entries + extra, cat, result)
        _write_routing(cat, by_code, matches, result)
        _write_limits(cat, by_code, result)
        known = {e.code for e in cat.entries} | {e.code for e in extra}
        result.others = Category.objects.exclude(code__in=known).count()
        if result.changed:
            counts = result.counts()
            changes: dict[str, dict[str, Any]] = {
                k: {"before": None, "after": v} for k, v in counts.items() if v
            }
            changes.update(result.changes)
            audit.record(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                object_repr="category catalogue",
                note=_(
                    "%(source)s: %(created)d created, %(updated)d updated, %(routed)d routed, "
                    "%(time_limits)d time limits"
                )
                % {"source": Path(cat.source).name, **counts},
                changes=changes,
            )
        if dry_run:
            transaction.set_rollback(True)
    sla.invalidate()
    return result


MAX_LISTED_CHANGES = 200


def _write_tree(entries: list[Entry], cat: Catalogue, result: LoadResult) -> dict[str, Category]:
    existing = {c.code: c for c in Category.objects.all()}
    now = timezone.now()
    by_code: dict[str, Category] = {}
    changed: list[Category] = []
    parents = {e.parent for e in entries}
    for level in sorted({e.level for e in entries}):
        new: list[Category] = []
        for e in (e for e in entries if e.level == level):
            parent = by_code[e.parent] if e.parent else None
            group = by_code[e.code[:3]] if parent is not None else None  # the top-level class
            if e.code not in parents:
                result.leaves[e.kind] += 1
            current = existing.get(e.code)
            if current is None:
                eff = cat.effective.get(e.code)
                new.append(
                    Category(
                        code=e.code,
                        name=e.name,
                        kind=e.kind,
                        parent=parent,
                        level=e.level,
                        group=group,
                        sort_order=e.order,
                        public=eff.public if eff else True,
                    )
                )
                result.created[e.kind] += 1
                continue
            before = {f: _value(current, f) for f in TREE_FIELDS}
            current.name, current.kind, current.level, current.sort_order = (
                e.name, e.kind, e.level, e.order
            )  # fmt: skip
            current.parent, current.group = parent, group
            diff = audit.diff(before, {f: _value(current, f) for f in TREE_FIELDS})
            if diff:
                current.updated_at = now
                changed.append(current)
                result.updated[e.kind] += 1
                for name, change in diff.items():
                    if len(result.changes) < MAX_LISTED_CHANGES:
                        result.changes[f"{e.code}.{name}"] = change
            else:
                result.unchanged[e.kind] += 1
            if current.archived_at is not None:
                result.archived += 1
            by_code[e.code] = current
        Category.objects.bulk_create(new, batch_size=500)
        by_code.update({c.code: c for c in new})
    if changed:
        Category.objects.bulk_update(changed, [*TREE_FIELDS, "updated_at"], batch_size=500)
    return by_code


def _value(cat: Category, name: str) -> Any:
    return getattr(cat, f"{name}_id") if name in ("parent", "group") else getattr(cat, name)


def _write_routing(
    cat: Catalogue,
    by_code: dict[str, Category],
    matches: dict[str, DepartmentMatch],
    result: LoadResult,
) -> None:
    """Departments on the highest categories whose leaves all go to them; descriptions of
    escalated and case-by-case leaves. Only where the category has none yet."""
    leaf_dept: dict[str, int | None] = {}
    for leaf in cat.leaves:
        route = cat.effective[leaf.code].route or ""
        match = matches[route]
        match.leaves += 1
        if match.department.special:
            result.special[match.department.special] += 1
        org = match.organisation
        leaf_dept[leaf.code] = org.pk if org is not None else None
    # The department all leaves under a category share (None if they differ or lack one).
    kids: dict[str, list[str]] = {}
    for e in cat.entries:
        if e.parent:
            kids.setdefault(e.parent, []).append(e.code)
    shared: dict[str, int | None] = dict(leaf_dept)
    for e in reversed(cat.entries):  # children before their parents
        if e.code not in leaf_dept:
            below = {shared[k] for k in kids[e.code]}
            shared[e.code] = below.pop() if len(below) == 1 else None
    now = timezone.now()
    changed: dict[str, Category] = {}
    for e in cat.entries:
        c = by_code[e.code]
        if c.archived_at is not None:
            continue
        dept = shared[e.code]
        above = shared.get(e.parent) if e.parent else None
        if dept is not None and dept != above and c.department_id is None:
            c.department_id = dept
            changed[e.code] = c
            result.routed += 1
        if e.code in leaf_dept and not c.description:
            special = matches[cat.effective[e.code].route or ""].department
            text = e.description or (special.description if special.special else "")
            if text:
                c.description = text
                changed[e.code] = c
                result.described += 1
        elif e.description and not c.description:
            c.description = e.description
            changed[e.code] = c
            result.described += 1
    for c in changed.values():
        c.updated_at = now
    Category.objects.bulk_update(
        list(changed.values()), ["department", "description", "updated_at"], batch_size=500
    )
    # An escalated leaf that inherits a department set earlier in the back office.
    parent_of = {e.code: e.parent for e in cat.entries}
    for leaf in cat.leaves:
        route = cat.effective[leaf.code].route or ""
        if not matches[route].department.special:
            continue
        code: str | None = leaf.code
        while code is not None and by_code[code].department_id is None:
            code = parent_of[code]
        if code is not None:
            result.conflicts.append(leaf.code)


def _write_limits(cat: Catalogue, by_code: dict[str, Category], result: LoadResult) -> None:
    """The file's limits, for stages and urgencies that never had one (active or archived)."""
    had = set(TimeLimit.objects.values_list("category_id", "urgency", "stage"))
    new: list[TimeLimit] = []
    for e in cat.entries:
        c = by_code[e.code]
        for (stage, urgency), value in e.limits:
            if isinstance(value, str) or (c.pk, urgency, stage) in had:
                continue
            amount, unit = value
            new.append(TimeLimit(category=c, urgency=urgency, stage=stage, amount=amount,
                                 unit=unit))  # fmt: skip
    TimeLimit.objects.bulk_create(new, batch_size=500)
    result.limits_created = len(new)
