"""Category suggestions for the intake adapters (web form, API, Open311).

The case domain knows no classifier: an app above it (triage) registers a provider from its
`AppConfig.ready()`, and the adapters ask `suggest()` for the text a report has. With no
provider registered, or when the provider fails, there is no suggestion and intake goes on as
before: a suggestion never stops a report.

The provider may also register a recorder: when a form showed a suggestion while the report was
being written, the adapter tells it, once the case is filed, which category was suggested; the
recorder keeps the operator's final choice against it (accepted or corrected: training data).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CategorySuggestion:
    category_id: int
    confidence: float  # 0 … 1
    uncertain: bool  # below the provider's threshold: shown as such, nothing pre-filled
    department_id: int | None = None
    label: str = ""


Provider = Callable[[str], "CategorySuggestion | None"]
# recorder(actor=…, case_id=…, shown_category_id=…): the verdict on a suggestion a form showed.
Recorder = Callable[..., None]
_provider: list[Provider] = []
_recorder: list[Recorder] = []


def register(provider: Provider, *, recorder: Recorder | None = None) -> None:
    """Install the provider (the last registration wins: ready() may run more than once)."""
    _provider[:] = [provider]
    _recorder[:] = [recorder] if recorder is not None else []


def suggest(text: str) -> CategorySuggestion | None:
    if not _provider or not text.strip():
        return None
    try:
        return _provider[0](text)
    except Exception:  # a broken model must not stop a report
        log.exception("category suggestion failed")
        return None


def record_verdict(*, actor: Any, case_id: int, shown_category_id: int | None) -> None:
    """The case was filed from a form that showed a suggestion for `shown_category_id`: keep the
    operator's choice against the suggestion. Never raises: the case is filed already."""
    if not _recorder or shown_category_id is None:
        return
    try:
        _recorder[0](actor=actor, case_id=case_id, shown_category_id=shown_category_id)
    except Exception:
        log.exception("recording the verdict on a category suggestion failed")


MAX_TEXT = 4000  # what the intake form's description holds; more is cut, never refused


@dataclass(frozen=True)
class Shown:
    """A suggestion as the intake form shows it: the category and department themselves."""

    suggestion: CategorySuggestion
    category: Any
    department: Any

    @property
    def percent(self) -> int:
        return round(self.suggestion.confidence * 100)

    @property
    def uncertain(self) -> bool:
        return self.suggestion.uncertain


def for_report(title: str, description: str) -> Shown | None:
    """The suggestion for a report being written (title and description as typed), with its
    category and department read from the catalogue; None when there is none to show."""
    from gongzhi.org.models import Organisation

    from . import sla

    text = f"{str(title or '')[:200]}\n{str(description or '')[:MAX_TEXT]}"
    found = suggest(text) if (title or description) else None
    if found is None:
        return None
    category = sla.catalogue().objects.get(found.category_id)
    if category is None or category.archived_at is not None:
        return None
    department = (
        Organisation.objects.filter(pk=found.department_id).only("pk", "name").first()
        if found.department_id
        else None
    )
    return Shown(found, category, department)
