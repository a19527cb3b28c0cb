"""Masking of personal data (PIPL). Values are stored once and shown masked to everyone; roles
that need the full value use an explicit, logged reveal (gongzhi.org.services.person_reveal)."""

from __future__ import annotations


def mask_phone(value: str | None) -> str:
    """138****1234 for mainland mobiles; keeps the first 3 and last 4 digits of longer numbers."""
    if not value:
        return ""
    v = value.strip()
    if len(v) >= 11:
        return f"{v[:3]}{'*' * (len(v) - 7)}{v[-4:]}"
    if len(v) >= 8:  # landlines: keep only the last four digits
        return f"{'*' * (len(v) - 4)}{v[-4:]}"
    return "*" * len(v)


def mask_id_number(value: str | None) -> str:
    """310***********1234: keeps the first 3 (province and city) and the last 4 characters."""
    if not value:
        return ""
    v = value.strip()
    if len(v) >= 15:
        return f"{v[:3]}{'*' * (len(v) - 7)}{v[-4:]}"
    if len(v) >= 8:
        return f"{'*' * (len(v) - 4)}{v[-4:]}"
    return "*" * len(v)


def mask_name(value: str | None) -> str:
    """张*明 / 王* : the family name and, for three or more characters, the last character."""
    if not value:
        return ""
    if len(value) <= 2:
        return value[0] + "*" * (len(value) - 1)
    return value[0] + "*" * (len(value) - 2) + value[-1]
