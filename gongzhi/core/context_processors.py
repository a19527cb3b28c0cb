from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from gongzhi.core.roles import access_for

from .banners import banners_for
from .navigation import items_for


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    access = access_for(user)
    return {
        "access": access,
        "nav_items": items_for(access, user),
        "banners": banners_for(access),
        "map_settings": {
            "tile_url": settings.GONGZHI["MAP_TILE_URL"],
            "tile_attribution": settings.GONGZHI["MAP_TILE_ATTRIBUTION"],
        },
        "LANGUAGES": settings.LANGUAGES,
    }
