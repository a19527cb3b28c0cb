"""`manage.py summary --json`: the counts an administrator checks a deployment against.

Each domain app contributes its counts by registering a provider in its AppConfig.ready():

    from gongzhi.core.summary import register
    register("cases", cases_summary)    # a function returning a JSON-safe dict or number

A provider registered under a key starting with "_" returns a dict whose keys are merged into
the top level (places and org do that: "residential_areas", "party_members" …). Counts are of
active (non-archived) rows. Each app also registers the human labels of its keys for the table:

    register_labels({"grids": _("grids"), …})    # label_for("grids") → "网格"

`label_for()` falls back to the key with spaces for a key nobody labelled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

_providers: dict[str, Callable[[], Any]] = {}

# Human labels of the keys: each app registers its own with `register_labels`.
_labels: dict[str, Any] = {"users": _("users")}


def register(key: str, provider: Callable[[], Any]) -> None:
    _providers[key] = provider


def register_labels(labels: dict[str, Any]) -> None:
    _labels.update(labels)


def label_for(key: str) -> str:
    return str(_labels.get(key, key.replace("_", " ")))


def counts_by(qs: QuerySet[Any], field: str) -> dict[Any, int]:
    """How many rows of `qs` there are of each value of `field` (one GROUP BY)."""
    return dict(qs.order_by().values_list(field).annotate(n=Count("id")).values_list(field, "n"))


def subdistrict_summary() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, provider in _providers.items():
        value = provider()
        if isinstance(value, dict) and key.startswith("_"):
            out.update(value)
        else:
            out[key] = value
    out.update(_users())
    return out


def _users() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    return {"users": get_user_model()._default_manager.filter(is_active=True).count()}
