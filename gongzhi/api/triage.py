"""Work-order triage (gongzhi.triage): the category suggested for a report's text, the
spreadsheet imports' status and the hot spots, read-only beside the suggestion. Thin, like the
pages: the same permissions (gongzhi.triage.permissions), the same reads
(gongzhi.triage.selectors), the same suggestion (gongzhi.cases.suggestions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from gongzhi.cases import suggestions
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed
from gongzhi.core.roles import Role, access_for
from gongzhi.triage import classifier, selectors
from gongzhi.triage.models import ImportBatch
from gongzhi.triage.permissions import may_import, may_see_hot_spots

from . import schemas as s
from .errors import ApiError, ErrorOut
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, page

router = Router(tags=["triage"])

READ_ERRORS: dict[Any, Any] = {frozenset({400, 401, 403, 404, 422, 429}): ErrorOut}
SUGGEST_ERRORS: dict[Any, Any] = {frozenset({400, 401, 403, 422, 429}): ErrorOut}
MAX_PROBLEMS = 200  # as the import's page shows them
MAX_DAYS = 366


# --- the suggestion -------------------------------------------------------------------------


class SuggestIn(s.InputSchema):
    title: str = Field("", max_length=200, description="The report's summary, if any.")
    description: str = Field(
        "", max_length=suggestions.MAX_TEXT, description="What the reporter said."
    )


class SuggestionOut(Schema):
    category: s.CodeRef
    department: s.Ref | None = Field(None, description="The department the category's cases go to.")
    confidence: float = Field(description="0 … 1.")
    uncertain: bool = Field(
        description="Below `threshold`: show it as uncertain and fill nothing in."
    )


class SuggestOut(Schema):
    suggestion: SuggestionOut | None = Field(
        description="Null when no model is served or the text says too little."
    )
    threshold: float


@router.post(
    "/triage/suggest",
    response={200: SuggestOut, **SUGGEST_ERRORS},
    url_name="triage_suggest",
)
def suggest(request: HttpRequest, payload: SuggestIn) -> Any:
    """The category (and through it the department) suggested for a report's text, with the
    classifier's confidence. Below the threshold the suggestion is `uncertain`: an intake form
    shows it as such and pre-fills nothing. For the grid centre, as on the intake page.
    Nothing is stored: the suggestion kept beside a case is made when the case is filed."""
    user = request.auth  # type: ignore[attr-defined]
    if not may_import(access_for(user)):
        raise NotAllowed(_("Only the grid centre's operators can do this."))
    if not (payload.title.strip() or payload.description.strip()):
        raise ApiError(
            400,
            "invalid",
            _("Send the report's text."),
            [("description", _("This field is required."))],
        )
    shown = suggestions.for_report(payload.title, payload.description)
    out = None
    if shown is not None:
        out = {
            "category": s.code_ref(shown.category),
            "department": s.ref(shown.department),
            "confidence": round(shown.suggestion.confidence, 4),
            "uncertain": shown.uncertain,
        }
    return {"suggestion": out, "threshold": classifier.THRESHOLD}


# --- imports --------------------------------------------------------------------------------


class ImportOut(Schema):
    id: int
    filename: str
    profile: s.Ref
    state: str
    state_label: str
    progress: int = Field(description="Percent done of the running check or import.")
    rows: int
    bad_rows: int
    problem_count: int
    created: int
    updated: int
    unchanged: int
    error: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ProblemOut(Schema):
    row: int | None
    column: str
    message: str


class ImportDetailOut(ImportOut):
    problems: list[ProblemOut] = Field(description=f"The first {MAX_PROBLEMS} problems.")


class ImportPage(s.PageMeta):
    items: list[ImportOut]


class ImportFilters(s.InputSchema):
    state: str | None = Field(None, pattern="^(checking|checked|importing|done|failed)$")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _may_read_imports(user: Any) -> None:
    access = access_for(user)
    if not (may_import(access) or access.has(Role.AUDITOR)):
        raise NotAllowed(_("You may not open this page."))


def _import(b: ImportBatch) -> dict[str, Any]:
    task = b.task
    progress = 100 if not b.running else task.progress if task is not None else 0
    return {
        "id": b.pk,
        "filename": b.filename,
        "profile": s.ref(b.profile),
        "state": b.state,
        "state_label": b.get_state_display(),
        "progress": progress,
        "rows": b.rows,
        "bad_rows": b.bad_rows,
        "problem_count": b.problem_count,
        "created": b.created_count,
        "updated": b.updated_count,
        "unchanged": b.unchanged_count,
        "error": b.error,
        "created_at": s.local(b.created_at),
        "updated_at": s.local(b.updated_at),
    }


def _problem(p: Any) -> dict[str, Any]:
    row, column, message = (list(p) + [None, "", ""])[:3]
    return {
        "row": row if isinstance(row, int) else None,
        "column": str(column or ""),
        "message": str(message or ""),
    }


@router.get("/triage/imports", response={200: ImportPage, **READ_ERRORS}, url_name="import_list")
def import_list(request: HttpRequest, filters: Query[ImportFilters]) -> Any:
    """The spreadsheet imports of work orders, newest first, with their state and progress
    (the grid centre and auditors, as on the imports page)."""
    user = request.auth  # type: ignore[attr-defined]
    _may_read_imports(user)
    qs = selectors.batches(user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    return page(qs, ("-created_at", "-id"), filters, _import)


@router.get(
    "/triage/imports/{import_id}",
    response={200: ImportDetailOut, **READ_ERRORS},
    url_name="import_detail",
)
def import_detail(request: HttpRequest, import_id: int = Path(..., ge=1, le=s.MAX_ID)) -> Any:
    """One import: its state and progress while it runs, its row-by-row problems once
    checked, what it created once imported."""
    user = request.auth  # type: ignore[attr-defined]
    _may_read_imports(user)
    b = perms.get_visible_or_404(user, selectors.batches(user), pk=import_id)
    return {**_import(b), "problems": [_problem(p) for p in (b.problems or [])[:MAX_PROBLEMS]]}


# --- hot spots ------------------------------------------------------------------------------


FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


class HotSpotFilters(s.InputSchema):
    since: dt.date | None = Field(
        None, ge=FIRST_DAY, le=LAST_DAY, description="Default: 90 days before `until`."
    )
    until: dt.date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY, description="Default: today.")
    top: int = Field(20, ge=1, le=100)


class HotSpotCaseOut(Schema):
    number: str
    received_at: dt.datetime
    text: str


class HotSpotOut(Schema):
    label: str
    place: str
    start: dt.datetime
    end: dt.datetime
    heat: float
    cases: int
    reporters: int
    growth: float
    items: list[HotSpotCaseOut]


@router.get(
    "/triage/hot-spots", response={200: list[HotSpotOut], **READ_ERRORS}, url_name="hot_spots"
)
def hot_spots(request: HttpRequest, filters: Query[HotSpotFilters]) -> Any:
    """The hot spots (热点问题) among the cases the user may see: one problem reported again and
    again at one place, the hottest first (the centre, leaders, administrators and auditors,
    as on the hot spots page). No reporter's name or phone."""
    user = request.auth  # type: ignore[attr-defined]
    if not may_see_hot_spots(access_for(user)):
        raise NotAllowed(_("You may not open this page."))
    until = filters.until or timezone.localdate()
    since = filters.since or until - dt.timedelta(days=90)
    if since > until:
        raise ApiError(
            400,
            "invalid",
            _("The start is after the end."),
            [("since", _("The start is after the end."))],
        )
    if (until - since).days > MAX_DAYS:
        raise ApiError(
            400,
            "invalid",
            _("Ask for at most a year at a time."),
            [("since", _("Ask for at most a year at a time."))],
        )
    spots = selectors.hot_spots(user, since=since, until=until, top=filters.top)
    return [
        {
            "label": h.label,
            "place": h.place,
            "start": s.local(h.start),
            "end": s.local(h.end),
            "heat": round(h.heat, 2),
            "cases": h.size,
            "reporters": h.reporters,
            "growth": round(h.growth, 2),
            "items": [
                {"number": str(i.id), "received_at": s.local(i.at), "text": i.text[:80]}
                for i in h.items
            ],
        }
        for h in spots
    ]
