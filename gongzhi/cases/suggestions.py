"""Category suggestions for the intake adapters (web form, API, Open311).

The case domain knows no classifier: an app above it (triage) registers a provider from its
`AppConfig.ready()`, and the adapters ask `suggest()` for the text a report has. With no
provider registered, or when the provider fails, there is no suggestion and intake goes on as
before: a suggestion never stops a report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CategorySuggestion:
    category_id: int
    confidence: float  # 0 … 1
    uncertain: bool  # below the provider's threshold: shown as such, nothing pre-filled
    department_id: int | None = None
    label: str = ""


Provider = Callable[[str], "CategorySuggestion | None"]
_provider: list[Provider] = []


def register(provider: Provider) -> None:
    """Install the provider (the last registration wins: ready() may run more than once)."""
    _provider[:] = [provider]


def suggest(text: str) -> CategorySuggestion | None:
    if not _provider or not text.strip():
        return None
    try:
        return _provider[0](text)
    except Exception:  # a broken model must not stop a report
        log.exception("category suggestion failed")
        return None
