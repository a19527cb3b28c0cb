"""Small filters for the cockpit's templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`readings|get_item:"cases.open"`: a figure by its key, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def split(value: str) -> list[str]:
    return value.split()
