"""The routes of the site, walked from the URL configuration, and the objects the permission
matrix (test_permissions_matrix.py) requests them with.

`every_route()` lists every page and API operation the resolver knows, the django-ninja API's
operations one by one with their HTTP method, Open311's endpoints and the admin site's. A route
is known by its name (`namespace:name`); a pattern without a name by its path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the pattern's path when it has no name
    pattern: Any  # the URLPattern
    path: str  # the full pattern, for messages
    methods: tuple[str, ...] | None  # an API operation's methods; None for a page

    @property
    def is_api(self) -> bool:
        return self.methods is not None


def _api_methods() -> dict[str, tuple[str, ...]]:
    """The HTTP methods of each django-ninja operation, by its URL name."""
    from gongzhi.api.api import api

    out: dict[str, tuple[str, ...]] = {}
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for op in path_view.operations:
                name = getattr(op, "url_name", "") or api.get_operation_url_name(
                    op, router=bound.template
                )
                if bound.url_name_prefix and name and not getattr(op, "url_name", ""):
                    name = f"{bound.url_name_prefix}_{name}"
                out[name] = tuple(op.methods)
    return out


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, URLPattern, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        else:
            full = prefix + str(p.pattern)
            if p.name:
                key = f"{namespace}:{p.name}" if namespace else p.name
            else:
                key = full
            yield key, p, full


def every_route() -> list[Route]:
    api_methods = _api_methods()
    routes: list[Route] = []
    for key, pattern, full in _walk(get_resolver().url_patterns):
        methods = None
        if key.startswith("api-v1:"):
            methods = api_methods.get(key.split(":", 1)[1])
        routes.append(Route(key, pattern, full, methods))
    return routes


# --- the objects routes are requested with ----------------------------------------------------

MISSING = 987654  # a primary key no row has

# A value for each URL argument that is not an object's key.
ARGUMENTS: dict[str, Any] = {
    "action": "accept",
    "kind": "thumb",
    "size": "thumb",
    "op": "rsvp",
    "fmt": "json",
    "year": 2026,
    "request_id": "1",
    "token": "x",
    "rest": "nothing",
    "app_label": "cases",
    "url": "nothing/",
    "object_id": "1",
    "path": "cases/public/none.jpg",
}
