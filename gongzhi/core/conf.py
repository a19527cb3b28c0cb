"""Product settings (settings.GONGZHI) with their defaults, read at call time (never at import)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def product_setting(name: str, default: Any = None) -> Any:
    return getattr(settings, "GONGZHI", {}).get(name, default)
