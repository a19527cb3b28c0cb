"""Thin pages of triage: imports (upload, preview with the row-by-row report, commit,
progress), exports, suggestions, the classifier's evaluations and the hot spots."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.cases import measures
from gongzhi.cases import selectors as case_selectors
from gongzhi.cases.forms import QueueFilterForm
from gongzhi.cases.models import Category
from gongzhi.core import permissions as perms
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Role, access_for

from . import export, selectors, services
from .forms import UploadForm
from .models import ImportBatch, Suggestion
from .permissions import may_export, may_import, may_see_hot_spots

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_PROBLEMS = 200


def _require(request: HttpRequest, allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not open this page."))


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    """The list of imports and the upload form."""
    _require(request, may_import(access_for(request.user)))
    profiles = selectors.profiles(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, profiles=profiles)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_upload(
                actor=request.user,
                profile=form.cleaned_data["profile"],
                upload=form.cleaned_data["file"],
            )
        except ServiceError as exc:
            form.add_error("file", str(exc.message))
        else:
            return redirect("triage:batch", pk=batch.pk)
    context = {
        "form": form,
        "batches": selectors.batches(request.user)[:30],
        "pending": selectors.pending_suggestions(request.user).count(),
        "active_nav": "triage_imports",
    }
    return render(request, "triage/imports.html", context, status=400 if form.errors else 200)


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    return perms.get_visible_or_404(request.user, selectors.batches(request.user), pk=pk)


@require_GET
@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its progress while it runs, its preview (the problems) once checked."""
    b = _batch(request, pk)
    return render(
        request,
        "triage/batch.html",
        {
            "batch": b,
            "problems": b.problems[:PAGE_PROBLEMS],
            "more": max(0, len(b.problems) - PAGE_PROBLEMS),
            "may_commit": perms.can(request.user, "commit", b),
            "active_nav": "triage_imports",
        },
    )


@require_GET
@login_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls; when the task is over it tells the page to reload."""
    b = _batch(request, pk)
    response = render(request, "triage/_progress.html", {"batch": b})
    if not b.running:
        response["HX-Refresh"] = "true"
    return response


@require_GET
@login_required
def batch_report(request: HttpRequest, pk: int) -> HttpResponse:
    b = _batch(request, pk)
    return _xlsx(export.report_workbook(b), f"import-{b.pk}-report.xlsx")


@require_POST
@login_required
def batch_commit(request: HttpRequest, pk: int) -> HttpResponse:
    b = _batch(request, pk)
    try:
        services.batch_commit(actor=request.user, batch=b)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("triage:batch", pk=b.pk)


@require_GET
@login_required
def export_cases(request: HttpRequest) -> HttpResponse:
    """The case queue as .xlsx, with the queue's filters (the same query string) and scope."""
    _require(request, may_export(access_for(request.user)))
    filters = QueueFilterForm(
        request.GET or None, subdistrict_ids=access_for(request.user).subdistrict_ids
    ).filters()
    qs = case_selectors.queue_queryset(request.user, filters, timezone.now()).order_by(
        "-received_at", "-id"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(export.cases_workbook(qs), f"cases-{stamp}.xlsx")


def _date(value: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return default


@require_GET
@login_required
def export_indicators(request: HttpRequest) -> HttpResponse:
    """The indicators (cases.measures) per group, for a period, as .xlsx."""
    _require(request, may_export(access_for(request.user)))
    today = timezone.localdate()
    date_to = _date(request.GET.get("to", ""), today)
    date_from = _date(request.GET.get("from", ""), date_to.replace(day=1))
    group_by = request.GET.get("group", "department")
    try:
        table = measures.measure_table(
            user=request.user, group_by=group_by, date_from=date_from, date_to=date_to
        )
    except ServiceError as exc:
        return HttpResponse(str(exc.message), status=400)
    return _xlsx(export.measures_workbook(table), f"indicators-{date_from}-{date_to}.xlsx")


@login_required
def suggestions(request: HttpRequest) -> HttpResponse:
    """Cases waiting for the operator's verdict on their suggested category."""
    _require(request, may_import(access_for(request.user)))
    rows = selectors.pending_suggestions(request.user)[:100]
    return render(
        request,
        "triage/suggestions.html",
        {
            "rows": rows,
            "categories": case_selectors.leaf_categories(),
            "active_nav": "triage_imports",
        },
    )


@require_POST
@login_required
def suggestion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_visible_or_404(request.user, Suggestion.objects.all(), pk=pk)
    category = None
    raw = request.POST.get("category", "")
    if raw:
        category = Category.objects.filter(pk=raw if raw.isdigit() else 0).first()
        if category is None:
            messages.error(request, _("Unknown category."))
            return redirect("triage:suggestions")
    try:
        services.suggestion_decide(actor=request.user, suggestion=s, category=category)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("triage:suggestions")


@require_GET
@login_required
def classifier(request: HttpRequest) -> HttpResponse:
    """Administrators: each model version with its evaluation report."""
    _require(request, access_for(request.user).has(Role.ADMIN))
    versions = list(selectors.classifier_versions(request.user)[:20])
    for v in versions:
        m = v.metrics or {}
        labels = m.get("labels", [])
        names = {
            str(c.pk): c.name
            for c in Category.objects.filter(pk__in=[x for x in labels if x.isdigit()])
        }
        v.rows = [  # type: ignore[attr-defined]
            (names.get(lab, lab), m["per_class"][lab], m["confusion"][i])
            for i, lab in enumerate(labels)
        ]
        v.names = [names.get(lab, lab) for lab in labels]  # type: ignore[attr-defined]
    return render(
        request, "triage/classifier.html", {"versions": versions, "active_nav": "triage_imports"}
    )


@require_GET
@login_required
def hot_spots(request: HttpRequest) -> HttpResponse:
    """Leaders and the centre: the hottest groups of cases about one problem at one place."""
    _require(request, may_see_hot_spots(access_for(request.user)))
    today = timezone.localdate()
    until = _date(request.GET.get("until", ""), today)
    since = _date(request.GET.get("since", ""), until - dt.timedelta(days=90))
    if since > until:
        raise Http404
    spots = selectors.hot_spots(request.user, since=since, until=until)
    return render(
        request,
        "triage/hot_spots.html",
        {"spots": spots, "since": since, "until": until, "active_nav": "triage_hot_spots"},
    )
