"""The reports' rules: who may ask for and read which report, asking for one (a background task
generates it, with progress), generating it, downloading it (audited), and the schedule —
on the first working day of each month (China's calendar, gongzhi.worktime) at 07:00, the
previous month's report; on the first working day of a quarter and of a year, also the
previous quarter's and year's.

Permissions: leaders and the centre (the cockpit's subdistrict viewers) ask for and read every
report of their subdistrict(s) — the whole district's only at the district level; a
residential-area secretary only their area's; a department only its own."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import tasks
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.permissions import Policy, register
from gongzhi.core.roles import Access, access_for
from gongzhi.org.models import Organisation
from gongzhi.places.models import ResidentialArea, Subdistrict
from gongzhi.places.selectors import default_subdistrict_id, serves_one_subdistrict
from gongzhi.worktime.calendar import get_calendar

from . import periods, report, report_pdf, report_xlsx, selectors
from .models import Report
from .periods import Period

log = logging.getLogger("gongzhi.reports")

SCHEDULE_AT = dt.time(7, 0)
DEPARTMENT_KINDS = (Organisation.Kind.DEPARTMENT, Organisation.Kind.PROPERTY_COMPANY)


# --- Who may see what -------------------------------------------------------------------------


def may_use(access: Access) -> bool:
    """The report pages are for whoever has a cockpit."""
    return selectors.may_view(access)


def may_read_scope(access: Access, scope: report.ReportScope) -> bool:
    if not may_use(access):
        return False
    if scope.kind == "district":
        return access.whole_subdistrict and access.every_subdistrict
    if access.subdistrict_ids is not None and scope.subdistrict_id not in access.subdistrict_ids:
        return False
    if access.whole_subdistrict:
        return True
    if scope.kind == "area":
        return scope.area_id in access.area_ids
    if scope.kind == "department":
        return scope.department_id in access.department_ids
    return False


@register(Report)
class ReportPolicy(Policy):
    subdistrict_path = "subdistrict"

    def subdistrict_q(self, access: Access) -> Q | None:
        """A report of no subdistrict is the whole district's: for the district level only."""
        if access.subdistrict_ids is None:
            return None
        return Q(subdistrict_id__in=access.subdistrict_ids)

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not may_use(access):
            return qs.none()
        if access.whole_subdistrict:
            return qs
        return qs.filter(
            Q(scope_kind=Report.ScopeKind.AREA, residential_area_id__in=access.area_ids)
            | Q(scope_kind=Report.ScopeKind.DEPARTMENT, department_id__in=access.department_ids)
        )


def visible(user: Any) -> QuerySet[Report]:
    from gongzhi.core import permissions as perms

    return perms.visible(user, Report.objects.select_related("residential_area", "department"))


def default_scope(access: Access) -> report.ReportScope:
    """A viewer's own scope: the subdistrict, else their (first) area, else their department."""
    if access.whole_subdistrict:
        mine = sorted(access.subdistrict_ids or ())
        return scope_of("subdistrict", subdistrict_id=mine[0] if mine else None)
    if access.area_ids:
        return scope_of("area", area_id=min(access.area_ids))
    return scope_of("department", department_id=min(access.department_ids))


def _code(subdistrict_id: int | None) -> str:
    """The subdistrict's code for file names, where the installation serves several."""
    if subdistrict_id is None or serves_one_subdistrict():
        return ""
    return str(
        Subdistrict.objects.filter(pk=subdistrict_id).values_list("code", flat=True).first() or ""
    )


def scope_of(
    kind: str,
    *,
    area_id: int | None = None,
    department_id: int | None = None,
    subdistrict_id: int | None = None,
) -> report.ReportScope:
    """The scope, checked: the subdistrict, area or department must exist. A subdistrict's
    scope without one named is the installation's (default) subdistrict."""
    if kind == "district":
        return report.ReportScope("district", label=_("whole district"))
    if kind == "subdistrict":
        sd = (
            Subdistrict.objects.filter(pk=subdistrict_id).first()
            if subdistrict_id
            else Subdistrict.objects.filter(pk=default_subdistrict_id() or 0).first()
            or Subdistrict.objects.active().order_by("pk").first()
        )
        if sd is None and subdistrict_id:
            raise ServiceError(_("Choose a subdistrict."))
        if sd is None:
            return report.ReportScope("subdistrict", label=_("subdistrict"))
        return report.ReportScope(
            "subdistrict", label=sd.name, subdistrict_id=sd.pk, code=_code(sd.pk)
        )
    if kind == "area":
        area = ResidentialArea.objects.filter(pk=area_id).first() if area_id else None
        return _scope_of_row(kind, area, _("Choose a residential area."))
    if kind == "department":
        dept = (
            Organisation.objects.filter(pk=department_id, kind__in=DEPARTMENT_KINDS).first()
            if department_id
            else None
        )
        return _scope_of_row(kind, dept, _("Choose a department."))
    raise ServiceError(
        _("Unknown scope: choose the subdistrict, a residential area or a department.")
    )


def _scope_of_row(kind: str, row: Any, missing: str) -> report.ReportScope:
    """The scope of one area or department (`row`, with its `kind_id`): `missing` without one."""
    if row is None:
        raise ServiceError(missing)
    return report.ReportScope(
        kind,
        label=row.name,
        subdistrict_id=row.subdistrict_id,
        code=_code(row.subdistrict_id),
        **{f"{kind}_id": row.pk},
    )


def _same_report(period: Period, scope: report.ReportScope) -> dict[str, Any]:
    """The lookup of the reports of the period and the scope (of the scope's subdistrict; of
    none: the whole district's)."""
    if scope.subdistrict_id is None:
        subdistrict: dict[str, Any] = {"subdistrict__isnull": True}
    else:
        subdistrict = {"subdistrict_id": scope.subdistrict_id}
    return {
        "period_kind": period.kind,
        "period_start": period.date_from,
        "scope_kind": scope.kind,
        **subdistrict,
        "residential_area_id": scope.area_id,
        "department_id": scope.department_id,
    }


def scope_of_report(r: Report) -> report.ReportScope:
    return scope_of(
        r.scope_kind,
        area_id=r.residential_area_id,
        department_id=r.department_id,
        subdistrict_id=r.subdistrict_id,
    )


def period_of(r: Report) -> Period:
    return periods.parse(r.period_key)


def parse_period(key: str | None, *, today: dt.date | None = None) -> Period:
    """A month (2026-11), a quarter (2026-Q4) or a year (2026) that has begun; anything else is
    refused with a message."""
    key = (key or "").strip()
    if not key:
        raise ServiceError(_("Choose the period of the report."))
    period = periods.parse(key)
    if period.kind not in ("month", "quarter", "year"):
        raise ServiceError(_("A report covers a month, a quarter or a year."))
    if period.date_from > (today or timezone.localdate()):
        raise ServiceError(_("The period %(period)s has not begun yet.") % {"period": period.label})
    return period


# --- Asking for a report ----------------------------------------------------------------------


def report_request(
    *,
    actor: Any,
    period: Period,
    scope: report.ReportScope,
    scheduled: bool = False,
    run_after: dt.datetime | None = None,
    queue: bool = True,
) -> Report:
    """Ask for one report: its row, and the task that generates it (`queue=False`: the caller
    generates it itself, as `manage.py report` does). The actor None is the schedule."""
    if actor is not None and not may_read_scope(access_for(actor), scope):
        raise NotAllowed(_("You may ask only for the reports of your own scope."))
    with transaction.atomic():
        _settle_abandoned()
        busy = Report.objects.select_for_update().filter(
            **_same_report(period, scope),
            status__in=(Report.Status.QUEUED, Report.Status.RUNNING),
        )
        if busy.exists():
            raise ServiceError(_("This report is already being generated."))
        r = Report.objects.create(
            period_kind=period.kind,
            period_start=period.date_from,
            scope_kind=scope.kind,
            subdistrict_id=scope.subdistrict_id,
            residential_area_id=scope.area_id,
            department_id=scope.department_id,
            scheduled=scheduled,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record_created(actor=actor, obj=r)
        if queue:
            r.task = tasks.enqueue(
                "dashboards.generate_report",
                report_id=r.pk,
                requested_by=actor,
                run_after=run_after,
            )
            if r.task is not None:
                r.save(update_fields=["task"])
    return r


def _settle_abandoned() -> None:
    """A report whose task is over but which never finished (its worker was killed, every
    attempt failed) is marked failed, so that it can be asked for again."""
    from gongzhi.core.models import Task

    Report.objects.filter(
        status__in=(Report.Status.QUEUED, Report.Status.RUNNING),
        task__status__in=(Task.Status.DONE, Task.Status.FAILED),
    ).update(status=Report.Status.FAILED, error=_("The report could not be generated."))


# --- Generating it ----------------------------------------------------------------------------


def title_of(period: Period, scope: report.ReportScope) -> str:
    kind = {
        "month": _("Monthly report"),
        "quarter": _("Quarterly report"),
        "year": _("Annual report"),
    }[period.kind]
    return _("%(scope)s %(period)s %(kind)s") % {
        "scope": scope.label,
        "period": period.label,
        "kind": kind,
    }


def _set_progress(report_id: int, pct: int, note: str) -> None:
    Report.objects.filter(pk=report_id).update(progress=pct, progress_note=note[:200])
    tasks.progress(pct, 100, note)


def generate(
    *,
    report_id: int,
    as_of: dt.datetime | None = None,
    progress: Callable[[int, str], None] | None = None,
    resume: bool = False,
) -> Report:
    """Generate one queued report: its figures through the cockpit, its PDF and spreadsheet,
    kept in media. A failure leaves the report marked failed with the reason, nothing half
    written. A report is claimed once; its own task may take it again (`resume`) when the
    worker that ran it was killed and the task is run again."""
    states = (Report.Status.QUEUED, Report.Status.RUNNING) if resume else (Report.Status.QUEUED,)
    claimed = Report.objects.filter(pk=report_id, status__in=states).update(
        status=Report.Status.RUNNING, progress=0, progress_note=""
    )
    r = Report.objects.get(pk=report_id)
    if not claimed:
        return r

    def step(pct: int, note: str) -> None:
        _set_progress(report_id, pct, note)
        if progress:
            progress(pct, note)

    try:
        with translation.override(settings.LANGUAGE_CODE):
            period = period_of(r)
            scope = scope_of_report(r)
            as_of = as_of or timezone.now()
            step(5, _("Reading the cockpit's figures"))
            data = report.collect(period, scope, as_of)
            step(40, _("Writing the sections"))
            sections = report.build(
                data, lambda i, n, note: step(40 + int(30 * i / max(n, 1)), note)
            )
            title = title_of(period, scope)
            subtitle = _("%(start)s to %(end)s · figures as of %(as_of)s") % {
                "start": period.date_from.isoformat(),
                "end": period.date_to.isoformat(),
                "as_of": f"{timezone.localtime(as_of):%Y-%m-%d %H:%M}",
            }
            step(70, _("Drawing the PDF"))
            pdf = report_pdf.render(
                title=title, subtitle=subtitle, author=scope.label, sections=sections
            )
            step(90, _("Writing the spreadsheet"))
            xlsx = report_xlsx.render(title=title, data=data, sections=sections)
    except Exception as exc:
        log.exception("report %s failed", report_id)
        message = str(getattr(exc, "message", "")) or _("The report could not be generated.")
        with transaction.atomic():
            Report.objects.filter(pk=report_id).update(status=Report.Status.FAILED, error=message)
            audit.record_change(
                actor=None, obj=r, field="status", before=r.status, after=Report.Status.FAILED
            )
        r.refresh_from_db()
        return r
    token = secrets.token_hex(6)
    stem = f"gongzhi-report-{r.period_key}-{scope.slug}-{token}"
    with transaction.atomic():
        r.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        r.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        r.status = Report.Status.DONE
        r.progress = 100
        r.progress_note = ""
        r.generated_at = as_of
        r.error = ""
        r.save(
            update_fields=[
                "pdf",
                "xlsx",
                "status",
                "progress",
                "progress_note",
                "generated_at",
                "error",
            ]
        )
        audit.record_change(
            actor=None, obj=r, field="status", before=Report.Status.RUNNING, after=r.status
        )
    return r


# --- Downloading it ---------------------------------------------------------------------------

FORMATS = {
    "pdf": ("pdf", "application/pdf"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def download(*, actor: Any, r: Report, fmt: str) -> tuple[Any, str, str]:
    """The file, its download name and its type; the download is audited."""
    if fmt not in FORMATS:
        raise ServiceError(_("Unknown format: PDF or xlsx."))
    if not visible(actor).filter(pk=r.pk).exists():
        raise NotAllowed(_("You may read only the reports of your own scope."))
    field_name, content_type = FORMATS[fmt]
    f = getattr(r, field_name)
    if r.status != Report.Status.DONE or not f:
        raise ServiceError(_("This report is not ready."))
    slug = scope_of_report(r).slug
    audit.record(actor=actor, action=AuditEvent.Action.EXPORT, obj=r, note=f"download {fmt}")
    return f.open("rb"), f"gongzhi-report-{r.period_key}-{slug}.{fmt}", content_type


# --- The schedule -----------------------------------------------------------------------------


def first_working_day(first: dt.date) -> dt.date:
    """The first working day on or after `first` (statutory holidays and make-up days count)."""
    cal = get_calendar()
    return dt.date.fromordinal(cal.nth(first.toordinal(), 0))


def due_periods(today: dt.date) -> list[Period]:
    """The periods whose reports are due today: the previous month on the month's first
    working day, and the previous quarter / year on the first working day of a quarter / year."""
    first = today.replace(day=1)
    if first_working_day(first) != today:
        return []
    previous = periods.month(first - dt.timedelta(days=1))
    out = [previous]
    if first.month in (1, 4, 7, 10):
        out.append(periods.quarter(previous.date_from))
    if first.month == 1:
        out.append(periods.year(first.year - 1))
    return out


def scheduled_scopes() -> list[report.ReportScope]:
    """Each subdistrict and each residential area; the whole district too where the
    installation serves several subdistricts."""
    if serves_one_subdistrict():
        out = [scope_of("subdistrict")]
    else:
        out = [scope_of("district")]
        out += [
            scope_of("subdistrict", subdistrict_id=pk)
            for pk in Subdistrict.objects.active().order_by("code").values_list("pk", flat=True)
        ]
    for area in ResidentialArea.objects.active().order_by("code"):
        out.append(
            report.ReportScope(
                "area",
                area_id=area.pk,
                label=area.name,
                subdistrict_id=area.subdistrict_id,
                code=_code(area.subdistrict_id),
            )
        )
    return out


def schedule_due(now: dt.datetime | None = None) -> list[Report]:
    """Queue today's due reports (once: a report kept or under way is not asked again), to run
    at 07:00 local time."""
    now = timezone.localtime(now or timezone.now())
    due = due_periods(now.date())
    if not due:
        return []
    run_after = max(now, dt.datetime.combine(now.date(), SCHEDULE_AT, tzinfo=now.tzinfo))
    queued = []
    for period in due:
        for scope in scheduled_scopes():
            exists = Report.objects.filter(**_same_report(period, scope), scheduled=True).exclude(
                status=Report.Status.FAILED
            )
            if exists.exists():
                continue
            queued.append(
                report_request(
                    actor=None, period=period, scope=scope, scheduled=True, run_after=run_after
                )
            )
    return queued
