"""The leaders' statistics page: the measures (gongzhi.cases.measures) per group and period,
charts, and a CSV export of the table (audited).

Leaders, duty chiefs and operators see the whole subdistrict; a department handler sees only
its own department's numbers; everyone else gets 403.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import access_for
from gongzhi.org.models import Organisation
from gongzhi.places.models import GridStation

from . import measures
from .forms import category_group_field, category_groups, channel_field, handling_bodies

# Groupings offered on the page (all of measures.GROUPINGS).
# capfirst() keeps a lazy translation lazy (keep_lazy_text); the cast is for the type checker.
GROUP_CHOICES = [(g.key, capfirst(cast(str, g.name))) for g in measures.GROUPINGS.values()]
MAX_DAYS = 366 * 5


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year
    if month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1), today


class StatsFilterForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(label=gettext_lazy("Group by"), choices=GROUP_CHOICES)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Organisation.objects.none(), required=False
    )
    station = forms.ModelChoiceField(
        label=gettext_lazy("Grid station"), queryset=GridStation.objects.none(), required=False
    )
    category = category_group_field()
    channel = channel_field()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        access = access_for(user)
        departments = handling_bodies(access)
        stations = GridStation.objects.filter(archived_at__isnull=True).order_by("number")
        if access.subdistrict_ids is not None:  # their subdistrict(s)' stations
            stations = stations.filter(subdistrict_id__in=access.subdistrict_ids)
        if not access.whole_subdistrict:
            departments = departments.filter(pk__in=access.department_ids)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
        self.fields["category"].queryset = category_groups()  # type: ignore[attr-defined]
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", f"{css} form-control-sm")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must not be after the end date."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose a period of at most five years."))
        return data

    def params(self) -> dict[str, Any]:
        d = self.cleaned_data
        filters = {
            "department": d["department"].pk if d.get("department") else None,
            "station": d["station"].pk if d.get("station") else None,
            "category": d["category"].pk if d.get("category") else None,
            "channel": d.get("channel") or None,
        }
        return {
            "group_by": d["group_by"],
            "date_from": d["date_from"],
            "date_to": d["date_to"],
            "filters": {k: v for k, v in filters.items() if v is not None},
        }


def _require_reader(request: HttpRequest) -> None:
    if not measures.may_read(request.user):
        raise NotAllowed(_("The statistics are for the centre, leaders and departments."))


def _bound_form(request: HttpRequest) -> StatsFilterForm:
    start, end = default_period()
    data: dict[str, str] = {
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
        "group_by": "department",
    }
    for key in request.GET:
        value = request.GET.get(key, "")
        if value != "" or key not in data:
            data[key] = value
    return StatsFilterForm(data, user=request.user)


def _form_errors(form: StatsFilterForm) -> list[str]:
    errors = [str(e) for e in form.non_field_errors()]
    for name, field in form.fields.items():
        for e in form.errors.get(name, []):
            errors.append(f"{field.label}: {e}")
    return errors


# Groupings the queue can filter by: grouping → the queue's parameter.
DRILL = {"department": "department", "grid": "grid", "category": "category"}
DRILL |= {"category_group": "category", "channel": "channel"}


def drill_url(params: dict[str, Any], row: measures.Row, grouping: str) -> str | None:
    """The queue listing the cases behind a row, with the page's period and filters; None
    where the queue cannot narrow to the row (station, area, person)."""
    query: dict[str, Any] = {"state": "all", "filed": "on"}
    start, end = params["date_from"], params["date_to"]
    for name in ("department", "category", "channel"):
        if name in params["filters"]:
            query[name] = params["filters"][name]
    if "station" in params["filters"]:
        return None
    if grouping in ("month", "week") and row.key is not None:
        first = row.key.date() if hasattr(row.key, "date") else row.key
        last = (
            (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            if grouping == "month"
            else first + dt.timedelta(days=6)
        )
        start, end = max(start, first), min(end, last)
    elif grouping in DRILL:
        if row.key is None:
            return None
        query[DRILL[grouping]] = row.key
    elif grouping != "total":
        return None
    query.update(since=start.isoformat(), until=end.isoformat())
    return f"{reverse('cases:queue')}?{urlencode(query)}"


def _chart_data(table: measures.Table, trend: measures.Table | None) -> dict[str, Any]:
    keys = ["on_time_closure_rate", "closure_rate", "on_time_handling_rate"]

    this_month = timezone.localdate().replace(day=1)

    def label(t: measures.Table, r: measures.Row) -> str:
        key = r.key.date() if hasattr(r.key, "date") else r.key
        if t.grouping.key == "month" and key == this_month:
            return _("%(month)s (so far)") % {"month": r.label}
        return str(r.label)

    def series(t: measures.Table) -> dict[str, Any]:
        return {
            "labels": [label(t, r) for r in t.rows],
            "series": [
                {
                    "name": str(measures.MEASURES[k].name),
                    "data": [r.values[k].percent for r in t.rows],
                }
                for k in keys
            ],
        }

    return {
        "groups": series(table),
        "groups_title": str(table.grouping.name),
        "trend": series(trend) if trend is not None else None,
        "percent": "%",
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = _bound_form(request)
    table = trend = None
    errors: list[str] = []
    if form.is_valid():
        params = form.params()
        try:
            table = measures.measure_table(user=request.user, **params)
            if params["group_by"] == "month":
                trend = table
            else:
                trend = measures.measure_table(user=request.user, **{**params, "group_by": "month"})
        except ServiceError as exc:
            errors.append(str(exc.message))
            table = trend = None
    else:
        errors = _form_errors(form)
    if table is not None:
        # Every figure leads to the cases behind it (the queue, with the same period and
        # filters) where the queue can narrow to the row.
        for row in table.rows:
            row.drill = drill_url(params, row, table.grouping.key)  # type: ignore[attr-defined]
        table.total.drill = drill_url(params, table.total, "total")  # type: ignore[attr-defined]
    query = request.GET.copy()
    context = {
        "form": form,
        "table": table,
        "errors": errors,
        "chart_data": _chart_data(table, trend) if table is not None else None,
        "query": query.urlencode(),
        "active_nav": "stats",
        "measures_list": list(measures.MEASURES.values()),
        "whole_subdistrict": access_for(request.user).whole_subdistrict,
    }
    template = "cases/stats_results.html" if getattr(request, "htmx", False) else "cases/stats.html"
    return render(request, template, context)


def _csv_cell(value: Any) -> Any:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = _bound_form(request)
    if not form.is_valid():
        return render(
            request,
            "cases/stats.html",
            {
                "form": form,
                "table": None,
                "errors": _form_errors(form),
                "active_nav": "stats",
                "query": request.GET.urlencode(),
            },
            status=400,
        )
    params = form.params()
    try:
        table = measures.measure_table(user=request.user, **params)
    except ServiceError as exc:
        return render(
            request,
            "cases/stats.html",
            {
                "form": form,
                "table": None,
                "errors": [str(exc.message)],
                "active_nav": "stats",
                "query": request.GET.urlencode(),
            },
            status=400,
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"measures-{table.grouping.key}-{table.date_from:%Y%m%d}-{table.date_to:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so that spreadsheet programs read the Chinese as UTF-8
    writer = csv.writer(response)
    figures = measures.FIGURES
    header = [str(table.grouping.name), str(figures["filed"].name)]
    for m in table.measures:
        unit = "%" if m.is_rate else _("hours")
        header += [
            f"{m.name} ({unit})",
            str(figures[m.numerator].name),
            str(figures[m.denominator].name),
        ]
    writer.writerow(header)
    for row in [*table.rows, table.total]:
        line: list[Any] = [_csv_cell(row.label), int(row.figures["filed"])]
        for m in table.measures:
            v = row.values[m.key]
            line += [_csv_number(v.percent), _csv_number(v.numerator), v.denominator]
        writer.writerow(line)
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            object_repr=_("measures (CSV)"),
            note=(
                f"group_by={table.grouping.key}; from={table.date_from}; to={table.date_to}; "
                f"filters={params['filters']}; rows={len(table.rows)}"
            ),
        )
    return response
