"""Masking of personal data (PIPL). Values are stored once and shown masked to everyone; roles
that need the full value use an explicit, logged reveal (gongzhi.org.services.person_reveal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload


def _keep_ends(value: str | None, *, full_length: int) -> str:
    """Stars for the middle: keeps the first 3 and last 4 characters of a value at least
    `full_length` long, only the last 4 of a shorter one of 8 or more, nothing of a shorter one."""
    if not value:
        return ""
    v = value.strip()
    if len(v) >= full_length:
        return f"{v[:3]}{'*' * (len(v) - 7)}{v[-4:]}"
    if len(v) >= 8:
        return f"{'*' * (len(v) - 4)}{v[-4:]}"
    return "*" * len(v)


def mask_phone(value: str | None) -> str:
    """138****1234 for mainland mobiles; keeps the first 3 and last 4 digits of longer numbers,
    only the last four digits of landlines."""
    return _keep_ends(value, full_length=11)


def mask_id_number(value: str | None) -> str:
    """310***********1234: keeps the first 3 (province and city) and the last 4 characters."""
    return _keep_ends(value, full_length=15)


def mask_name(value: str | None) -> str:
    """张*明 / 王* : the family name and, for three or more characters, the last character."""
    if not value:
        return ""
    if len(value) <= 2:
        return value[0] + "*" * (len(value) - 1)
    return value[0] + "*" * (len(value) - 2) + value[-1]


class Masked:
    """A model's read-only attribute showing one of its fields masked, for pages and lists:
    `mobile_masked = Masked("mobile", mask_phone)`."""

    def __init__(self, field: str, mask: Callable[[str | None], str]) -> None:
        self.field = field
        self.mask = mask

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> Masked: ...
    @overload
    def __get__(self, obj: object, owner: type[Any] | None = None) -> str: ...
    def __get__(self, obj: object | None, owner: type[Any] | None = None) -> Masked | str:
        if obj is None:
            return self
        return self.mask(getattr(obj, self.field))
