"""Who and where, for the demo's cases: the grids with their points, addresses, inspectors and
property companies; the grid centre's operators and duty chiefs; each department's handlers;
the demo logins. Read from the database (what the earlier seed stages wrote), ordered by
natural keys so the history does not depend on primary keys."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry

from gongzhi.accounts.models import User
from gongzhi.org.access import active_positions_q
from gongzhi.org.models import Organisation, Position
from gongzhi.places.geo import to_shape
from gongzhi.places.models import Grid


@dataclass(frozen=True)
class Actor:
    """Someone who acts on a case: their login if they have one, and the name recorded."""

    user_id: int | None
    label: str
    person_id: int | None = None


@dataclass
class Place:
    grid_id: int
    code: str
    name: str
    kind: str
    station_id: int
    area_id: int
    subdistrict_id: int
    estate_address: str
    road: str
    property_company_id: int | None
    inspector: Actor | None
    shape: BaseGeometry
    weight: float

    def point(self, rng: random.Random) -> tuple[float, float]:
        """(lat, lng) of a random point inside the grid, to 6 decimals (a phone's GPS fix)."""
        minx, miny, maxx, maxy = self.shape.bounds
        for _ in range(200):
            lng = round(rng.uniform(minx, maxx), 6)
            lat = round(rng.uniform(miny, maxy), 6)
            if shapely.contains_xy(self.shape, lng, lat):
                return lat, lng
        c = self.shape.representative_point()
        return round(c.y, 6), round(c.x, 6)

    def contains(self, lat: float, lng: float) -> bool:
        return bool(shapely.contains_xy(self.shape, lng, lat))

    def address(self, rng: random.Random) -> str:
        if self.estate_address:
            return f"{self.estate_address}{rng.randint(1, 40)}号"
        return f"{self.road}{rng.randrange(1, 400)}号"


@dataclass
class Directory:
    places: list[Place]
    operators: list[Actor]
    chiefs: list[Actor]
    handlers: dict[int, list[Actor]]  # by department (organisation) id
    department_names: dict[int, str]
    property_companies: list[int]
    leader: Actor | None
    users: dict[str, User] = field(default_factory=dict)  # the logins, by username

    def actor_of(self, username: str) -> Actor | None:
        user = self.users.get(username)
        if user is None or user.person_id is None:
            return None
        return Actor(user.pk, str(user), user.person_id)


def _road(name: str) -> str:
    """The road of a road grid's name: 枣阳路杏梅园段网格 → 枣阳路."""
    return name.split("路", 1)[0] + "路" if "路" in name else name


def load() -> Directory:
    users = {
        u.username: u
        for u in User.objects.filter(is_active=True).select_related("person").order_by("pk")
    }
    by_person = {u.person_id: u for u in users.values() if u.person_id is not None}

    def actor(person_id: int, name: str) -> Actor:
        user = by_person.get(person_id)
        return Actor(user.pk if user else None, str(user) if user else name, person_id)

    active = Position.objects.filter(active_positions_q()).select_related("person", "organisation")
    P, K = Position.Role, Organisation.Kind
    operators: list[Actor] = []
    chiefs: list[Actor] = []
    handlers: dict[int, list[Actor]] = {}
    inspectors: dict[int, Actor] = {}
    leader: Actor | None = None
    for pos in active.order_by("person__id_number", "organisation__name", "role"):
        org, person = pos.organisation, pos.person
        if org.kind == K.GRID_CENTRE and pos.role == P.OPERATOR:
            operators.append(actor(person.pk, person.name))
        elif org.kind == K.GRID_CENTRE and pos.role == P.DUTY_CHIEF:
            chiefs.append(actor(person.pk, person.name))
        elif org.kind in (K.DEPARTMENT, K.PROPERTY_COMPANY) and pos.role in (
            P.HANDLER,
            P.COMMUNITY_POLICE,
        ):
            handlers.setdefault(org.pk, []).append(actor(person.pk, person.name))
        elif (
            org.kind == K.PARTY_WORKING_COMMITTEE
            and pos.role == P.SECRETARY
            and person.pk in by_person
        ):
            leader = actor(person.pk, person.name)
    for person_id, name, grid_id in (
        Position.grids.through.objects.filter(
            position__role=P.INSPECTOR, position__archived_at__isnull=True
        )
        .order_by("grid__code", "position__person__id_number")
        .values_list("position__person_id", "position__person__name", "grid_id")
    ):
        inspectors.setdefault(grid_id, actor(person_id, name))
    places = []
    for g in (
        Grid.objects.active().select_related("estate", "residential_area").order_by("code").only(
            "id", "code", "name", "kind", "station_id", "residential_area_id", "geometry",
            "area_m2", "estate__address", "estate__property_company_id",
            "residential_area__subdistrict_id",
        )
    ):  # fmt: skip
        shape = to_shape(g.geometry)
        shapely.prepare(shape)
        places.append(
            Place(
                grid_id=g.pk,
                code=g.code,
                name=g.name,
                kind=g.kind,
                station_id=g.station_id,
                area_id=g.residential_area_id,
                subdistrict_id=g.residential_area.subdistrict_id,
                estate_address=g.estate.address if g.estate else "",
                road=_road(g.name),
                property_company_id=g.estate.property_company_id if g.estate else None,
                inspector=inspectors.get(g.pk),
                shape=shape,
                weight=max(g.area_m2, 1000.0),
            )
        )
    depts = Organisation.objects.active().filter(kind__in=(K.DEPARTMENT, K.PROPERTY_COMPANY))
    return Directory(
        places=places,
        operators=operators,
        chiefs=chiefs,
        handlers=handlers,
        department_names={o.pk: o.name for o in depts},
        property_companies=[o.pk for o in depts.filter(kind=K.PROPERTY_COMPANY).order_by("name")],
        leader=leader,
        users=users,
    )
