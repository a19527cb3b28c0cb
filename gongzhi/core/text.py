"""Free text from users: HTML tags removed, white space trimmed, length and presence checked
with a message in the user's language (the same everywhere a user types text)."""

from __future__ import annotations

from typing import Any

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from .errors import ServiceError


def clean_text(
    value: Any, *, field: str, max_length: int, required: bool = False, missing: Any = None
) -> str:
    """The text without tags; `missing` is the message when a required text is empty."""
    text = strip_tags(str(value or "")).strip()
    if required and not text:
        raise ServiceError(
            missing or _("Please describe the problem."),
            field_errors={field: [_("This field is required.")]},
        )
    if len(text) > max_length:
        raise ServiceError(
            _("The text is too long (at most %(n)d characters).") % {"n": max_length},
            field_errors={field: [_("At most %(n)d characters.") % {"n": max_length}]},
        )
    return text


SENTENCE_ENDS = "。．.！!？?；;，,、 \u3000\n\t"


def as_clause(text: str) -> str:
    """A person's sentence to set inside a message's own ("理由：{{ note }}。"): without its
    closing punctuation, so that the message does not end "答复。。"."""
    return (text or "").rstrip(SENTENCE_ENDS)
