"""The grid centre's panels on each role's home page (gongzhi.core.home): what waits for the
person now, every figure a link to the cases behind it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import permissions as perms
from gongzhi.core.home import Panel, register
from gongzhi.core.roles import Access, Role

from . import measures
from .models import Case, ExtensionRequest
from .selectors import INBOX_TABS, inbox_tab_labels
from .workflow import OPEN_STATES, TIMED_STATES

S = Case.State
LIST_LENGTH = 8


def _queue(**query: Any) -> str:
    url = reverse("cases:queue")
    return f"{url}?{urlencode(query)}" if query else url


def _today_ends() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)


def _fig(key: str, label: str, count: int, url: str, *, alarm: bool = False) -> dict[str, Any]:
    return {"key": key, "label": label, "count": count, "url": url, "alarm": alarm and count > 0}


def _visible(user: Any) -> Any:
    return perms.visible(user, Case.objects.all())


def centre(user: Any, access: Access) -> dict[str, Any]:
    """Operators and duty chiefs: new reports to file, cases to dispatch, what falls due today,
    what is overdue; the newest reports listed."""
    now = timezone.now()
    qs = _visible(user)
    counts = qs.filter(state__in=OPEN_STATES).aggregate(
        new=Count("pk", filter=Q(state=S.RECEIVED)),
        to_dispatch=Count("pk", filter=Q(state__in=(S.FILED, S.RETURNED))),
        due_today=Count(
            "pk",
            filter=Q(state__in=TIMED_STATES, due_at__gte=now, due_at__lt=_today_ends()),
        ),
        # The one definition of overdue (measures.overdue), as the queue's overdue tab uses.
        overdue=Count("pk", filter=measures.overdue(now)),
    )
    newest = list(
        qs.filter(state=S.RECEIVED)
        .select_related("category")
        .order_by("-received_at", "-pk")[:LIST_LENGTH]
    )
    figures = [
        _fig("new", _("New reports to file"), counts["new"], _queue(state=S.RECEIVED)),
        _fig("to_dispatch", _("To dispatch"), counts["to_dispatch"], _queue(state=S.FILED)),
        _fig("due_today", _("Due today"), counts["due_today"], _queue(due="today")),
        _fig("overdue", _("Overdue"), counts["overdue"], _queue(overdue="on"), alarm=True),
    ]
    return {"figures": figures, "newest": newest, "queue_url": _queue()}


def duty_chief(user: Any, access: Access) -> dict[str, Any] | None:
    """Duty chiefs: the extensions waiting for their decision."""
    pending = list(
        ExtensionRequest.objects.filter(
            status=ExtensionRequest.Status.PENDING, case__in=_visible(user)
        )
        .select_related("case", "requested_by")
        .order_by("created_at")[: LIST_LENGTH + 1]
    )
    return {"pending": pending[:LIST_LENGTH], "more": len(pending) > LIST_LENGTH}


def department(user: Any, access: Access) -> dict[str, Any]:
    """A department's handlers: their inbox's tabs, and what of it is overdue."""
    now = timezone.now()
    qs = _visible(user).filter(department_id__in=access.department_ids)
    shown = {key: states for key, states in INBOX_TABS.items() if key != "done"}
    by_state = dict(
        qs.filter(state__in=[s for states in shown.values() for s in states])
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    labels = inbox_tab_labels()
    inbox = reverse("cases:inbox")
    figures = [
        _fig(key, labels[key], sum(by_state.get(s, 0) for s in states), f"{inbox}?tab={key}")
        for key, states in shown.items()
    ]
    overdue = qs.filter(state__in=(S.DISPATCHED, S.ACCEPTED), due_at__lt=now).count()
    figures.append(_fig("overdue", _("Overdue"), overdue, f"{inbox}?tab=in_hand", alarm=True))
    return {"figures": figures}


def inspector(user: Any, access: Access) -> dict[str, Any]:
    scope = Q(station_id__in=access.station_ids)
    if access.person_id:
        scope |= Q(inspector_id=access.person_id)
    now = timezone.now()
    tasks = _visible(user).filter(scope, state=S.HANDLED)
    url = reverse("cases:tasks")
    return {
        "figures": [
            _fig("tasks", _("To verify on site"), tasks.count(), url),
            _fig("overdue", _("Overdue"), tasks.filter(due_at__lt=now).count(), url, alarm=True),
        ],
        "report_url": reverse("cases:inspector_report"),
    }


def _scope_figures(qs: Any, open_label: str, *, closed: bool = False) -> list[dict[str, Any]]:
    """Open, overdue and this month's cases of a scope (and, `closed`, those closed this
    month), each a link to them."""
    now = timezone.now()
    month = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    counted = {
        "open": Count("pk", filter=Q(state__in=OPEN_STATES)),
        "overdue": Count("pk", filter=measures.overdue(now)),
        "month": Count("pk", filter=Q(received_at__gte=month)),
    }
    if closed:
        counted["closed"] = Count("pk", filter=Q(closed_at__gte=month))
    counts = qs.aggregate(**counted)
    this_month = _queue(state="all", since=month.date().isoformat())
    figures = [
        _fig("open", open_label, counts["open"], _queue()),
        _fig("overdue", _("Overdue"), counts["overdue"], _queue(overdue="on"), alarm=True),
        _fig("month", _("Reported this month"), counts["month"], this_month),
    ]
    if closed:
        stats = reverse("cases_stats:index")
        figures.append(_fig("closed", _("Closed this month"), counts["closed"], stats))
    return figures


def area(user: Any, access: Access) -> dict[str, Any]:
    """Residential-area secretaries and members: their area's open cases and this month's."""
    qs = _visible(user).filter(residential_area_id__in=access.area_ids)
    return {
        "figures": _scope_figures(qs, _("Open cases in your area")),
        "queue_url": _queue(),
        "latest": list(
            qs.filter(state__in=OPEN_STATES)
            .select_related("category")
            .order_by("-received_at")[:LIST_LENGTH]
        ),
    }


def resident(user: Any, access: Access) -> dict[str, Any]:
    """Everyone with an account: the reports they made, with where each stands."""
    mine = list(
        Case.objects.filter(reporter_user=user)
        .select_related("category")
        .order_by("-received_at", "-pk")[: LIST_LENGTH * 2]
    )
    return {"mine": mine, "report_url": reverse("cases:report")}


def leader(user: Any, access: Access) -> dict[str, Any]:
    """Leaders: the key figures until the cockpit replaces them."""
    return {
        "figures": _scope_figures(_visible(user), _("Open cases"), closed=True),
        "stats_url": reverse("cases_stats:index"),
    }


def _centre_role(a: Access) -> bool:
    return a.has(Role.OPERATOR, Role.DUTY_CHIEF) and not a.is_superuser


# key (also its template, cases/home/<key>.html), position, who sees it, what it shows
PANELS: tuple[tuple[str, int, Any, Any], ...] = (
    ("centre", 10, _centre_role, centre),
    ("extensions", 20, lambda a: Role.DUTY_CHIEF in a.roles, duty_chief),
    ("department", 30, lambda a: Role.DEPARTMENT in a.roles and bool(a.department_ids), department),
    ("inspector", 40, lambda a: Role.INSPECTOR in a.roles, inspector),
    ("area", 50, lambda a: Role.AREA in a.roles and bool(a.area_ids), area),
    ("leader", 60, lambda a: Role.LEADER in a.roles, leader),
    ("my_reports", 70, lambda a: not a.is_staff_member and a.user_id is not None, resident),
)


def register_panels() -> None:
    register(
        *(
            Panel(key, f"cases/home/{key}.html", show, build, position=position)
            for key, position, show, build in PANELS
        )
    )
