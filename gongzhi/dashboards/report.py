"""The monthly (quarterly, yearly) report: what it says, section by section.

The figures are the cockpit's: the report reads `selectors.cockpit()` (and its measure tables)
for the period, as a viewer of the report's scope would see the cockpit — a leader for the
subdistrict, a residential-area secretary for an area, a department for its own work. So a
report and the dashboard of the same period and scope show the same numbers
(tests/test_report.py checks it).

A report is a list of sections. Each `Section` builds its `Content` (paragraphs, charts,
tables) from the `ReportData`; the PDF (report_pdf) and the spreadsheet (report_xlsx) draw any
content, so a new section is one builder and one `register_section()` call, e.g. from the
accountability module:

    from gongzhi.dashboards.report import Content, Section, register_section
    register_section(Section("accountability", gettext_lazy("Accountability"), build, 70))

A builder returns None when it has nothing for this scope; the section is then left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from gongzhi.cases import measures as cm
from gongzhi.core.errors import ServiceError
from gongzhi.core.measures import Reading
from gongzhi.core.registry import add_once
from gongzhi.core.roles import Access, Role

from . import selectors
from .periods import Period

Progress = Callable[[int, int, str], None]

# Cell kinds: how a PDF shows a value and how the spreadsheet stores it.
TEXT, COUNT, RATE, HOURS, DELTA = "text", "count", "rate", "hours", "delta"
HIGHLIGHTS = 8


# --- Who the report reads as --------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """A subdistrict, one residential area or one department (the cockpit's scopes, each of
    one subdistrict: `subdistrict_id`), or the whole district (every subdistrict)."""

    kind: str  # "district", "subdistrict", "area", "department"
    area_id: int | None = None
    department_id: int | None = None
    label: str = ""
    subdistrict_id: int | None = None
    # The subdistrict's code in file names, where the installation serves several.
    code: str = ""

    @property
    def slug(self) -> str:
        if self.kind == "area":
            return f"area-{self.area_id}"
        if self.kind == "department":
            return f"department-{self.department_id}"
        if self.kind == "district":
            return "district"
        return f"subdistrict-{self.code}" if self.code else "subdistrict"

    def access(self) -> Access:
        """The Access of a viewer of this scope. user_id 0: someone reads, but no stored user
        (the figures' sources show themselves to readers only). Narrowed to the scope's
        subdistrict where the installation serves several (`code` is set then)."""
        mine = frozenset({self.subdistrict_id}) if self.code and self.subdistrict_id else None
        if self.kind == "area" and self.area_id:
            return Access(
                user_id=0,
                roles=frozenset({Role.AREA}),
                area_ids=frozenset({self.area_id}),
                subdistrict_ids=mine,
            )
        if self.kind == "department" and self.department_id:
            ids = frozenset({self.department_id})
            return Access(
                user_id=0,
                roles=frozenset({Role.DEPARTMENT}),
                department_ids=ids,
                org_ids=ids,
                subdistrict_ids=mine,
            )
        if self.kind == "district":
            return Access(user_id=0, roles=frozenset({Role.LEADER}))
        return Access(user_id=0, roles=frozenset({Role.LEADER}), subdistrict_ids=mine)


class Reader:
    """A stand-in user for the selectors: authenticated, with the scope's Access (read by
    `access_for`). It is never saved or written anywhere."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None
    person_id = None
    username = "report"

    def __init__(self, access: Access) -> None:
        self._gongzhi_access = access

    def __str__(self) -> str:
        return self.username


# --- What the sections are made of ----------------------------------------------------------


@dataclass
class Table:
    title: str
    headings: list[str]
    kinds: list[str]  # one cell kind per column
    rows: list[list[Any]]
    widths: list[int] = field(default_factory=list)  # relative widths (PDF) / characters (xlsx)


@dataclass
class Chart:
    kind: str  # "bar" or "line"
    title: str
    labels: list[str]
    series: list[tuple[str, list[float | None]]]
    unit: str = ""


@dataclass
class Content:
    paragraphs: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class ReportData:
    period: Period
    scope: ReportScope
    as_of: dt.datetime
    reader: Reader
    cockpit: selectors.Cockpit
    departments: cm.Table
    grids: cm.Table

    def reading(self, key: str) -> Any:
        return self.cockpit.readings.get(key)


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    build: Callable[[ReportData], Content | None]
    position: int = 100


SECTIONS: list[Section] = []


def register_section(*sections: Section) -> None:
    add_once(SECTIONS, *sections)


def collect(period: Period, scope: ReportScope, as_of: dt.datetime) -> ReportData:
    """Everything the sections read, through the cockpit's selectors."""
    if period.kind not in ("month", "quarter", "year"):
        raise ServiceError(_("A report covers a month, a quarter or a year."))
    reader = Reader(scope.access())
    cockpit = selectors.cockpit(reader, period, {}, as_of=as_of)

    def table(group_by: str) -> cm.Table:
        return selectors.measure_table(
            user=reader,
            group_by=group_by,
            date_from=period.date_from,
            date_to=period.date_to,
            filters={},
            as_of=as_of,
        )

    return ReportData(
        period=period,
        scope=scope,
        as_of=as_of,
        reader=reader,
        cockpit=cockpit,
        departments=table("department"),
        grids=table("grid"),
    )


def build(data: ReportData, progress: Progress | None = None) -> list[tuple[Section, Content]]:
    out = []
    for i, section in enumerate(SECTIONS):
        if progress:
            progress(i, len(SECTIONS), str(section.title))
        content = section.build(data)
        if content is not None:
            out.append((section, content))
    return out


# --- How a cell is shown (PDF) and stored (spreadsheet) --------------------------------------


def shown(kind: str, value: Any) -> str:
    """A cell as the PDF shows it: rates in percent, hours with one decimal, "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, cm.Value | Reading):
        return value.display
    if kind == DELTA:
        return f"{value:+.1f}"
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == RATE:
        return f"{value * 100:.1f}%"
    if kind == HOURS:
        return f"{value:.1f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def stored(kind: str, value: Any) -> Any:
    """A cell as the spreadsheet stores it: a number where the PDF shows one (rates in
    percent, rounded as shown to two places), None for "—"."""
    if value is None:
        return None
    if isinstance(value, cm.Value):
        return value.percent
    if isinstance(value, Reading):
        if value.value is None:
            return None
        return round(value.value * 100, 2) if value.unit == "rate" else value.value
    if kind == RATE:
        return round(value * 100, 2)
    return value


def local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


# --- The sections ---------------------------------------------------------------------------


def _kind_of(measure: cm.Measure) -> str:
    return RATE if measure.is_rate else HOURS


def _summary(data: ReportData) -> Content:
    c = data.cockpit
    figures = []
    for key in ("cases.received", "cases.filed", "cases.open", "cases.overdue"):
        r = data.reading(key)
        if r is not None:
            figures.append([str(r.label), r.value])
    lines = [
        _("Period: %(period)s (%(start)s to %(end)s). Scope: %(scope)s.")
        % {
            "period": data.period.label,
            "start": data.period.date_from.isoformat(),
            "end": data.period.date_to.isoformat(),
            "scope": data.scope.label,
        },
        _(
            "The figures are the cockpit's for the same period and scope, as of %(as_of)s; "
            "open and overdue cases are counted at that moment."
        )
        % {"as_of": f"{timezone.localtime(data.as_of):%Y-%m-%d %H:%M}"},
    ]
    indicators = Table(
        _("Indicators compared"),
        [
            pgettext("report", "indicator"),
            data.period.label,
            _("previous period"),
            pgettext("report", "change"),
            _("same period a year earlier"),
            pgettext("report", "change"),
        ],
        [TEXT, "value", "value", DELTA, "value", DELTA],
        [
            [str(i.measure.name), i.now, i.previous, i.vs_previous, i.year_before, i.vs_year_before]
            for i in c.indicators
        ],
        [34, 16, 16, 12, 20, 12],
    )
    counts = Table(
        _("Cases"),
        [pgettext("report", "figure"), pgettext("report", "count")],
        [TEXT, COUNT],
        figures,
        [50, 20],
    )
    return Content(paragraphs=lines, tables=[counts, indicators])


def _trend(data: ReportData) -> Content:
    t = data.cockpit.trend
    if not t["labels"]:
        return Content(paragraphs=[_("No cases in the twelve months.")])
    labels = [str(x) for x in t["labels"]]
    charts = [
        Chart("bar", t["filed_name"], labels, [(t["filed_name"], t["filed"])]),
        Chart(
            "line",
            _("Rates (%)"),
            labels,
            [(s["name"], s["data"]) for s in t["series"]],
            unit="%",
        ),
    ]
    headings = [_("month"), t["filed_name"], *(s["name"] + " (%)" for s in t["series"])]
    headings.append(t["hours"]["name"])
    rows = []
    for i, label in enumerate(labels):
        row: list[Any] = [label, t["filed"][i]]
        row += [s["data"][i] for s in t["series"]]
        row.append(t["hours"]["data"][i])
        rows.append(row)
    kinds = [TEXT, COUNT, *("percent" for _s in t["series"]), HOURS]
    table = Table(_("Twelve months"), headings, kinds, rows, [14, 12] + [14] * (len(kinds) - 2))
    return Content(charts=charts, tables=[table])


def _by_group(title: str, label: str, table: cm.Table) -> Table:
    measures = [cm.MEASURES[k] for k in cm.STANDARD]
    headings = [label, str(cm.FIGURES["filed"].name), *(str(m.name) for m in measures)]
    kinds = [TEXT, COUNT, *(_kind_of(m) for m in measures)]
    rows: list[list[Any]] = [
        [r.label, int(r.figures["filed"]), *(r.values[m.key] for m in measures)] for r in table.rows
    ]
    # In the cockpit's order: best on-time closure rate first, "(not set)" last.
    rows.sort(
        key=lambda row: (
            row[0] == str(_("(not set)")),
            row[2].value is None,
            -(row[2].value or 0),
            -row[1],
            row[0],
        )
    )
    total = table.total
    rows.append(
        [
            pgettext("report", "total"),
            int(total.figures["filed"]),
            *(total.values[m.key] for m in measures),
        ]
    )
    return Table(title, headings, kinds, rows, [30, 10] + [14] * len(measures))


def _departments(data: ReportData) -> Content | None:
    if not data.departments.rows:
        return None
    return Content(
        tables=[_by_group(_("Indicators by department"), _("department"), data.departments)]
    )


def _grids(data: ReportData) -> Content | None:
    if not data.grids.rows:
        return None
    return Content(tables=[_by_group(_("Indicators by grid"), _("grid"), data.grids)])


def _hot_spots(data: ReportData) -> Content | None:
    hot = data.cockpit.hot_spots
    if not hot:
        return None
    filed = str(cm.FIGURES["filed"].name)
    rate = str(cm.MEASURES[selectors.RANK_MEASURE].name)
    return Content(
        charts=[
            Chart("bar", _("Hot spots"), [h.label for h in hot], [(filed, [h.filed for h in hot])])
        ],
        tables=[
            Table(
                _("Hot spots"),
                [_("category group"), filed, rate],
                [TEXT, COUNT, RATE],
                [[h.label, h.filed, h.value] for h in hot],
                [40, 14, 18],
            )
        ],
    )


def _source_table(data: ReportData, source_key: str, title: str) -> Table | None:
    for source, readings in data.cockpit.sections:
        if source.key == source_key:
            return Table(
                title,
                [pgettext("report", "figure"), pgettext("report", "value")],
                [TEXT, "reading"],
                [[str(r.label), r] for r in readings],
                [50, 20],
            )
    return None


def _alliance(data: ReportData) -> Content | None:
    from gongzhi.alliance import measures as am

    figures = _source_table(data, "alliance", _("Alliance figures"))
    if figures is None:
        return None
    projects = (
        am.active_in_period(data.cockpit.scope)
        .select_related("residential_area")
        .order_by("-completed_at", "-started_at", "pk")[:HIGHLIGHTS]
    )
    rows = [
        [
            p.title,
            p.get_state_display(),
            str(p.residential_area) if p.residential_area_id else "",
            local_date(p.started_at),
        ]
        for p in projects
    ]
    tables = [figures]
    if rows:
        tables.append(
            Table(
                _("Projects under way"),
                [_("project"), _("state"), _("residential area"), pgettext("report", "started")],
                [TEXT, TEXT, TEXT, "date"],
                rows,
                [50, 14, 20, 16],
            )
        )
    return Content(tables=tables)


def _service(data: ReportData) -> Content | None:
    from django.db.models import Count, Q

    from gongzhi.servicecentre import measures as sm
    from gongzhi.servicecentre.models import Registration

    figures = _source_table(data, "service", _("Service figures"))
    if figures is None:
        return None
    tables = [figures]
    scope = data.cockpit.scope
    if any(r[1].key == "service.deliveries" for r in figures.rows):
        events = (
            sm.deliveries(scope)
            .annotate(
                attended=Count(
                    "registrations", filter=Q(registrations__state=Registration.State.ATTENDED)
                )
            )
            .order_by("-attended", "starts_at", "pk")[:HIGHLIGHTS]
        )
        rows = [[e.title, local_date(e.starts_at), e.attended] for e in events]
        if rows:
            tables.append(
                Table(
                    _("Best attended services"),
                    [pgettext("report", "service"), _("date"), _("attendance")],
                    [TEXT, "date", COUNT],
                    rows,
                    [50, 16, 14],
                )
            )
    return Content(tables=tables)


def _accountability(data: ReportData) -> Content | None:
    """The period's accountability warnings the report's scope may see, and whether each has
    been acknowledged by the person who answers for it."""
    from .accountability import warnings_for

    warnings = list(
        warnings_for(data.period.date_from, data.period.date_to, data.cockpit.scope)
        .select_related("rule")
        .order_by("subject_kind", "subject_label", "pk")
    )
    if not warnings:
        return None
    rows = [
        [
            w.get_subject_kind_display(),
            w.subject_label,
            w.rule.get_measure_display(),
            w.count,
            w.threshold,
            f"{local_date(w.acknowledged_at):%Y-%m-%d}" if w.acknowledged_at else _("not yet"),
        ]
        for w in warnings
    ]
    return Content(
        paragraphs=[
            _("%(n)d warnings were raised in this period; %(open)d are not yet acknowledged.")
            % {"n": len(warnings), "open": sum(1 for w in warnings if w.acknowledged_at is None)}
        ],
        tables=[
            Table(
                _("Accountability warnings"),
                [_("whom it concerns"), _("name"), _("measure"), pgettext("report", "count")]
                + [_("threshold"), _("acknowledged")],
                [TEXT, TEXT, TEXT, COUNT, COUNT, TEXT],
                rows,
                [14, 30, 20, 10, 10, 16],
            )
        ],
    )


register_section(
    Section("summary", pgettext_lazy("report", "Summary"), _summary, 10),
    Section("trend", gettext_lazy("Twelve-month trend"), _trend, 20),
    Section("departments", gettext_lazy("Departments"), _departments, 30),
    Section("grids", gettext_lazy("Grids"), _grids, 35),
    Section("hot_spots", gettext_lazy("Hot spots"), _hot_spots, 40),
    Section("alliance", gettext_lazy("Alliance highlights"), _alliance, 50),
    Section("service", gettext_lazy("Service highlights"), _service, 60),
    Section("accountability", gettext_lazy("Accountability"), _accountability, 70),
)
