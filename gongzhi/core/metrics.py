"""Prometheus metrics at /metrics (text format 0.0.4), for the monitoring an operations team
already runs. Apps register gauges: a name, a help text and a function giving the value or
{labels: value}. Reading them costs a few COUNTs; scrape once a minute.

The endpoint answers only addresses in METRICS_ALLOWED_NETWORKS (default: the machine itself)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

log = logging.getLogger("gongzhi.metrics")
Labels = tuple[tuple[str, str], ...]
Value = float | int | dict[Labels, int] | dict[Labels, float]


@dataclass(frozen=True)
class Gauge:
    name: str
    help: str
    read: Callable[[], Value]


GAUGES: dict[str, Gauge] = {}


def register(name: str, help: str, read: Callable[[], Value]) -> None:  # noqa: A002
    GAUGES[name] = Gauge(name, help, read)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render() -> str:
    lines: list[str] = []
    for gauge in GAUGES.values():
        try:
            value = gauge.read()
        except Exception:  # one broken gauge must not hide the others
            log.exception("metric %s could not be read", gauge.name)
            continue
        lines.append(f"# HELP {gauge.name} {gauge.help}")
        lines.append(f"# TYPE {gauge.name} gauge")
        if isinstance(value, dict):
            for labels, v in sorted(value.items()):
                text = ",".join(f'{k}="{_escape(str(lv))}"' for k, lv in labels)
                lines.append(f"{gauge.name}{{{text}}} {v}")
        else:
            lines.append(f"{gauge.name} {value}")
    return "\n".join(lines) + "\n"


def allowed(address: str | None) -> bool:
    if not address:
        return False
    networks = getattr(settings, "METRICS_ALLOWED_NETWORKS", None) or ["127.0.0.1/32", "::1/128"]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def _tasks_by_state() -> dict[tuple[tuple[str, str], ...], int]:
    from .models import Task

    counts = dict(Task.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {(("status", s),): int(counts.get(s, 0)) for s in Task.Status.values}


def _oldest_queued_seconds() -> float:
    from .models import Task

    oldest = Task.objects.filter(
        status=Task.Status.QUEUED, run_after__lte=timezone.now()
    ).aggregate(at=Min("run_after"))["at"]
    return round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0.0


def _now() -> float:
    return dt.datetime.now(dt.UTC).timestamp()


register("gongzhi_up", "1 when the application answers and reads its database.", lambda: 1)
register("gongzhi_tasks", "Background tasks by status.", _tasks_by_state)
register(
    "gongzhi_task_queue_delay_seconds",
    "How long the oldest due task has waited (a stopped worker makes it grow).",
    _oldest_queued_seconds,
)
register("gongzhi_scrape_timestamp_seconds", "When these figures were read.", _now)


def value_of(name: str) -> Any:
    return GAUGES[name].read()
