"""Which messages exist: each domain registers its own, from its own app.

Notifications knows no domain. A domain (cases, duty, alliance …) registers the messages it sends
in its AppConfig.ready(), with their wording in every language of the site, a label for the back
office and a sample context:

    from gongzhi.notifications import registry

    registry.register_messages(
        "cases",
        {"case_filed": {"zh-hans": Wording(...), "en": Wording(...)}, ...},
        labels={"case_filed": _("Reporter: case filed"), ...},
        sample_context={"number": "CY2026-000123", ...},
        prepare=prepare_context,             # optional
    )
    registry.register_target(Case, open_label=lambda case: ...)   # optional

- The **sample context** names the variables the domain's messages may use (an edited template
  that uses another one is refused) with realistic values: the back office validates and
  previews edited templates with it, and the tests measure every SMS with it. `signature` (the
  subdistrict, as the SMS gateway signs) and `link` (the page to open) are there for every
  message.
- **prepare(context, target)** (optional) completes the context of one message just before it is
  rendered, in the recipient's language (translation is active), with the object the notice is
  about (None for a preview): defaults derived from other variables, labels to translate.
- **register_target(model, open_label=…)** (optional) says how the inbox's button names the
  object a notice is about ("Open case CY2026-000123"); without it the button says "Open".

A key names one message across the whole product (it is stored on every notice and on every
edited template), so two domains cannot register the same key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from .defaults import ZH, Wording

Prepare = Callable[[dict[str, Any], Any], dict[str, Any]]
OpenLabel = Callable[[Any], str]

# Variables every message has, whatever its domain (filled in by notifications itself).
GENERIC_VARIABLES: dict[str, object] = {
    "signature": "曹杨新村街道",
    "link": "/",
}


@dataclass(frozen=True)
class Domain:
    name: str
    sample_context: Mapping[str, object]
    prepare: Prepare | None = None
    keys: list[str] = field(default_factory=list)

    @property
    def verbose_name(self) -> object:
        """The app's name when the domain is an app label, else the domain's own name."""
        if apps.apps_ready:
            for config in apps.get_app_configs():
                if config.label == self.name:
                    return config.verbose_name
        return self.name


@dataclass(frozen=True)
class Message:
    key: str
    domain: str
    wordings: Mapping[str, Wording]
    label: object


_domains: dict[str, Domain] = {}
_messages: dict[str, Message] = {}
_open_labels: dict[str, OpenLabel] = {}


def register_messages(
    domain: str,
    messages: Mapping[str, Mapping[str, Wording]],
    *,
    labels: Mapping[str, object] | None = None,
    sample_context: Mapping[str, object],
    prepare: Prepare | None = None,
) -> None:
    """Register (or register again, replacing) the messages of `domain`. Raises
    ImproperlyConfigured for a key another domain has, or a wording that is not a Wording."""
    labels = labels or {}
    for key, wordings in messages.items():
        owner = _messages.get(key)
        if owner is not None and owner.domain != domain:
            raise ImproperlyConfigured(
                f"Message {key!r} of {domain!r} is already registered by {owner.domain!r}."
            )
        bad = [lang for lang, wording in wordings.items() if not isinstance(wording, Wording)]
        if bad:
            raise ImproperlyConfigured(f"Message {key!r}: {', '.join(bad)} is not a Wording.")
    unknown = sorted(set(labels) - set(messages))
    if unknown:
        raise ImproperlyConfigured(f"{domain!r} labels messages it does not register: {unknown}.")
    unregister_messages(domain)
    _domains[domain] = Domain(
        name=domain, sample_context=dict(sample_context), prepare=prepare, keys=list(messages)
    )
    for key, wordings in messages.items():
        _messages[key] = Message(
            key=key, domain=domain, wordings=dict(wordings), label=labels.get(key, key)
        )


def unregister_messages(domain: str) -> None:
    """Forget a domain's messages (a test's made-up domain cleans up after itself)."""
    found = _domains.pop(domain, None)
    for key in found.keys if found else ():
        _messages.pop(key, None)


def register_target(model: Any, *, open_label: OpenLabel) -> None:
    """How the inbox's button names an object of `model` a notice is about."""
    _open_labels[model._meta.label_lower] = open_label


def unregister_target(model: Any) -> None:
    _open_labels.pop(model._meta.label_lower, None)


# --- Reading the registry ----------------------------------------------------------------------


def domains() -> list[Domain]:
    return list(_domains.values())


def keys(domain: str | None = None) -> list[str]:
    """Every registered key (of one domain), in the order registered."""
    if domain is not None:
        found = _domains.get(domain)
        return list(found.keys) if found else []
    return list(_messages)


def message(key: str) -> Message | None:
    return _messages.get(key)


def domain_of(key: str) -> Domain | None:
    found = _messages.get(key)
    return _domains.get(found.domain) if found else None


def wordings(key: str) -> Mapping[str, Wording]:
    found = _messages.get(key)
    return found.wordings if found else {}


def wording(key: str, language: str) -> Wording | None:
    """The wording in code for this key and language (Chinese when the language has none)."""
    by_language = wordings(key)
    return by_language.get(language) or by_language.get(ZH)


def label(key: str) -> object:
    found = _messages.get(key)
    return found.label if found else key


def sample_context(key: str) -> dict[str, object]:
    """The sample values of the key's domain, plus the variables every message has."""
    found = domain_of(key)
    return {**GENERIC_VARIABLES, **(found.sample_context if found else {})}


def variables(key: str) -> list[str]:
    """The names an edited template for this key may use."""
    return sorted(sample_context(key))


def prepare(key: str, context: dict[str, Any], target: Any = None) -> dict[str, Any]:
    """The key's domain completes the context (see the module's docstring)."""
    found = domain_of(key)
    if found is None or found.prepare is None:
        return context
    return found.prepare(context, target)


def choices() -> list[tuple[object, list[tuple[str, str]]]]:
    """The back office's choice of message: grouped by domain, "key · label"."""
    return [
        (domain.verbose_name, [(key, f"{key} · {label(key)}") for key in domain.keys])
        for domain in _domains.values()
        if domain.keys
    ]


def open_label(target: Any) -> str:
    """The inbox button's text for the object a notice is about ("" for the plain "Open")."""
    if target is None:
        return ""
    found = _open_labels.get(target._meta.label_lower)
    return str(found(target)) if found else ""


def check_languages(languages: Iterable[str]) -> list[tuple[str, list[str]]]:
    """(key, missing languages) for every message without a wording in some language."""
    codes = list(languages)
    out = []
    for key, found in _messages.items():
        missing = [code for code in codes if code not in found.wordings]
        if missing:
            out.append((key, missing))
    return out
