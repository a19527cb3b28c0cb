"""Category suggestions for the intake adapters (web form, API, Open311).

The case domain knows no classifier: an app above it (triage) registers a provider from its
`AppConfig.ready()`, and the adapters ask `suggest()` for the text a report has. With no
provider registered, or when the provider fails, there is no suggestion and intake goes on as
before: a suggestion never stops a report.

The provider may also register a recorder: when a form showed a suggestion while the report was
being written, the adapter tells it, in the filing's transaction, which suggestion it showed;
the recorder keeps the operator's final choice against it (accepted or corrected: training
data). The form sends the suggestion back as it showed it (`Shown.token`, signed, naming the
text it was made for), so the recorder need not ask the model again when the text was not
changed since.
"""

from __future__ import annotations

import hashlib
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
    model_id: int | None = None  # the provider's model (version) that made it, if it says


Provider = Callable[[str], "CategorySuggestion | None"]
# recorder(actor=…, case_id=…, shown_category_id=…, shown=…): the verdict on a suggestion a form
# showed; `shown` is that suggestion when the form showed it for the text filed, else None.
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


def record_verdict(
    *,
    actor: Any,
    case_id: int,
    shown_category_id: int | None,
    shown: CategorySuggestion | None = None,
) -> None:
    """The case was filed from a form that showed a suggestion for `shown_category_id` (`shown`:
    the suggestion itself, when the form showed it for the text that was filed): keep the
    operator's choice against the suggestion. Called in the filing's transaction; never raises
    (a failing recorder's writes are its own savepoint's)."""
    if shown is not None:
        shown_category_id = shown.category_id
    if not _recorder or shown_category_id is None:
        return
    try:
        _recorder[0](actor=actor, case_id=case_id, shown_category_id=shown_category_id, shown=shown)
    except Exception:
        log.exception("recording the verdict on a category suggestion failed")


MAX_TEXT = 4000  # what the intake form's description holds; more is cut, never refused
SIGNING_NAMESPACE = "gongzhi.cases.suggestions.shown"  # the signature's salt


def _text(title: Any, description: Any) -> str:
    """The text a report's suggestion is made from (as typed; long texts cut)."""
    return f"{str(title or '')[:200]}\n{str(description or '')[:MAX_TEXT]}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Shown:
    """A suggestion as the intake form shows it: the category and department themselves."""

    suggestion: CategorySuggestion
    category: Any
    department: Any
    digest: str = ""  # of the text it was made for

    @property
    def percent(self) -> int:
        return round(self.suggestion.confidence * 100)

    @property
    def uncertain(self) -> bool:
        return self.suggestion.uncertain

    @property
    def token(self) -> str:
        """The suggestion as shown, signed, with the digest of the text it was made for: the
        form sends it back with the report (`shown_for`)."""
        from django.core import signing

        s = self.suggestion
        return signing.dumps(
            {
                "c": s.category_id,
                "p": round(s.confidence, 4),
                "u": s.uncertain,
                "m": s.model_id,
                "h": self.digest,
            },
            salt=SIGNING_NAMESPACE,
            compress=False,
        )


def shown_for(token: Any, title: Any, description: Any) -> CategorySuggestion | None:
    """The suggestion a form showed (its `Shown.token`) if it was made for this text (title and
    description as filed); None when there is no token, it is not ours, or the text changed
    since the form showed it."""
    from django.core import signing

    if not token or not isinstance(token, str) or len(token) > 500:
        return None
    try:
        raw = signing.loads(token, salt=SIGNING_NAMESPACE)
        if raw.get("h") != _digest(_text(title, description)):
            return None
        return CategorySuggestion(
            category_id=int(raw["c"]),
            confidence=float(raw["p"]),
            uncertain=bool(raw["u"]),
            model_id=int(raw["m"]) if raw.get("m") is not None else None,
        )
    except (signing.BadSignature, AttributeError, KeyError, TypeError, ValueError):
        return None


def for_report(title: str, description: str) -> Shown | None:
    """The suggestion for a report being written (title and description as typed), with its
    category and department read from the catalogue; None when there is none to show."""
    from gongzhi.org.models import Organisation

    from . import sla

    text = _text(title, description)
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
    return Shown(found, category, department, digest=_digest(text))
