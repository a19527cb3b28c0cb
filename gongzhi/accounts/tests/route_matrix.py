"""The routes of the site, walked from the URL configuration, and the objects the permission
matrix (test_permissions_matrix.py) requests them with.

`every_route()` lists every page and API operation the resolver knows, the django-ninja API's
operations one by one with their HTTP method, Open311's endpoints and the admin site's. A route
is known by its name (`namespace:name`); a pattern without a name by its path.
`checked_routes()` is what the matrix requests (the admin site by its index and app pages).

For tests that walk the routes as the personas: `ROLE_PERSONAS` / `MATRIX_PERSONAS` (one persona
of the world fixture per role, and "anonymous"), `build_scene(world)` (a case, area, grid, …
in and out of the scoped personas' scope, `Scene.value(kind, "in"|"out", persona)`),
`signed_in(world, persona)` (a test client logged in as the persona, and an API token), and
`openapi_schema_once()` (the API's schema built once while it is active, not per request).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gongzhi.org.models import Position

R = Position.Role


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


def checked_routes() -> list[Route]:
    """The routes the matrix requests: all but the admin site's, of which the index and the
    app pages are (every admin page passes the same site-wide check)."""
    out = []
    for route in every_route():
        if route.key.startswith("admin:") or route.path.startswith("admin/"):
            if route.key not in ("admin:index", "admin:app_list"):
                continue
        out.append(route)
    return out


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


# One persona for each role of gongzhi.core.roles.Role, and an anonymous visitor.
ROLE_PERSONAS = {
    "operator": "operator",
    "duty_chief": "duty_chief",
    "department": "handler",
    "inspector": "inspector",
    "area": "secretary",
    "liaison": "liaison",
    "service_staff": "service_staff",
    "resident": "resident",
    "leader": "leader",
    "auditor": "auditor",
    "admin": "admin",
    "station": "cadre",
}
MATRIX_PERSONAS = [*ROLE_PERSONAS.values(), "anonymous"]


@dataclass
class Scene:
    """The objects of the world routes are asked about: for each kind, one in the scope of the
    scoped personas (area A, grid station 1, 城管中队) and one out of it (area B, 房管办)."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)

    def value(self, kind: str, variant: str, persona: str) -> Any:
        v = self.objects[kind][variant]
        return v(persona) if callable(v) else v


def build_scene(world) -> Scene:
    from gongzhi.api import services as api_services
    from gongzhi.audit.models import AuditEvent
    from gongzhi.cases.tests.conftest import advance, make_centre
    from gongzhi.notifications.tests.factories import NotificationFactory

    c = make_centre(world)
    if "cadre" not in world.users:
        # 机关干部 at grid station 1 (Role.STATION): only the matrix needs this persona.
        from gongzhi.accounts.tests.factories import UserFactory
        from gongzhi.org.tests.factories import PersonFactory, PositionFactory

        person = PersonFactory(name="蒋干部")
        PositionFactory(person=person, organisation=world.orgs["station_a"], role=R.CADRE)
        world.users["cadre"] = UserFactory(username="cadre", person=person)
    case_a = advance(c.intake(grid="a1", category=c.garbage), "dispatched", c)
    case_b = advance(c.intake(grid="b1", category=c.manhole), "dispatched", c)
    users = dict(world.users)
    tokens = {
        p: api_services.token_create(actor=u, user=u, name="matrix").token.pk
        for p, u in users.items()
    }
    notes = {p: NotificationFactory(recipient=u).pk for p, u in users.items()}

    def mine(table: dict[str, int]) -> Any:
        return lambda persona: table.get(persona, MISSING)

    def someone_elses(table: dict[str, int]) -> Any:
        return lambda persona: table["other_handler"]

    audit_a = AuditEvent.objects.filter(object_id=str(case_a.pk)).order_by("pk").first()
    audit_b = AuditEvent.objects.filter(object_id=str(case_b.pk)).order_by("pk").first()
    return Scene(
        {
            "case": {"in": case_a.pk, "out": case_b.pk},
            "tracking": {"in": case_a.tracking_code, "out": case_b.tracking_code},
            "area": {"in": world.area_a.pk, "out": world.area_b.pk},
            "grid": {"in": world.grids["a1"].pk, "out": world.grids["b1"].pk},
            "station": {"in": world.station_a.pk, "out": world.station_b.pk},
            "organisation": {"in": world.orgs["branch_a"].pk, "out": world.orgs["branch_b"].pk},
            "person": {"in": world.secretary.person_id, "out": world.other_secretary.person_id},
            "category": {"in": c.garbage.pk, "out": c.manhole.pk},
            "audit": {
                "in": audit_a.pk if audit_a else MISSING,
                "out": audit_b.pk if audit_b else MISSING,
            },
            "token": {"in": mine(tokens), "out": someone_elses(tokens)},
            "notification": {"in": mine(notes), "out": someone_elses(notes)},
        }
    )


def signed_in(world: Any, persona: str) -> tuple[Client, str | None]:
    """A test client logged in as the persona (none for "anonymous") and an API token of theirs
    (None for "anonymous")."""
    from gongzhi.api.tests.conftest import token_for

    client = Client()
    if persona == "anonymous":
        return client, None
    user = world.users[persona]
    client.force_login(user)
    return client, token_for(user, "matrix client")


@contextlib.contextmanager
def openapi_schema_once() -> Iterator[None]:
    """While active, the API's OpenAPI schema is built on its first request and reused: building
    it takes about a second of CPU, and it is the same whoever asks (its route is still requested
    and answered as any other; the schema itself is tested in gongzhi/api/tests)."""
    from gongzhi.api.api import api

    built: dict[str, Any] = {}
    real = api.get_openapi_schema

    def once(**kwargs: Any) -> Any:
        key = repr(sorted(kwargs.items()))
        if key not in built:
            built[key] = real(**kwargs)
        return built[key]

    api.get_openapi_schema = once  # type: ignore[method-assign]
    try:
        yield
    finally:
        del api.get_openapi_schema
