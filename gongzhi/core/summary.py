"""`manage.py summary --json`: the counts an administrator checks a deployment against.

Each domain app contributes its counts by registering a provider in its AppConfig.ready():

    from gongzhi.core.summary import register
    register("cases", cases_summary)    # a function returning a JSON-safe dict or number

A provider registered under a key starting with "_" returns a dict whose keys are merged into
the top level (places and org do that: "residential_areas", "party_members" …). Counts are of
active (non-archived) rows. `label_for()` gives each key its human label for the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

_providers: dict[str, Callable[[], Any]] = {}

# Human labels of the keys (apps may add theirs with `register_label`).
_labels: dict[str, Any] = {
    "subdistrict": _("subdistrict"),
    "code": _("official code"),
    "name": _("name"),
    "district": _("district"),
    "area_km2": _("official area (km²)"),
    "outline_area_km2": _("area of the outline (km²)"),
    "registered_population": _("registered population"),
    "resident_population": _("resident population"),
    "residential_areas": _("residential areas"),
    "estates": _("estates"),
    "households": _("households"),
    "grid_stations": _("grid stations"),
    "grids": _("grids"),
    "estate_grids": _("estate grids"),
    "road_grids": _("road grids"),
    "buildings": _("buildings and parks"),
    "organisations": _("organisations"),
    "party_organisations": _("Party organisations"),
    "party_members": _("Party members"),
    "in_work_party_members": _("in-work Party members"),
    "dual_registrations": _("dual registrations"),
    "alliance_member_units": _("alliance member units"),
    "part_time_committee_members": _("part-time committee members"),
    "general_branches": _("general branches"),
    "departments": _("departments"),
    "property_companies": _("property companies"),
    "resident_units": _("resident units"),
    "people": _("people"),
    "users": _("users"),
}


def register(key: str, provider: Callable[[], Any]) -> None:
    _providers[key] = provider


def register_label(key: str, label: Any) -> None:
    _labels[key] = label


def label_for(key: str) -> str:
    return str(_labels.get(key, key.replace("_", " ")))


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
