"""`manage.py summary --json`: the counts an administrator checks a deployment against.

Each domain app contributes its counts by registering a provider in its AppConfig.ready():

    from gongzhi.core.summary import register
    register("cases", cases_summary)    # a function returning a JSON-safe dict or number
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_providers: dict[str, Callable[[], Any]] = {}


def register(key: str, provider: Callable[[], Any]) -> None:
    _providers[key] = provider


def subdistrict_summary() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, provider in _providers.items():
        value = provider()
        if isinstance(value, dict) and key.startswith("_"):
            out.update(value)
        else:
            out[key] = value
    return out
