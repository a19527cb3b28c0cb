"""A fingerprint of the seeded data: names, codes, coordinates, people and positions by their
natural keys (never database ids), so two databases seeded alike give the same digest."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def seed_rows() -> dict[str, list[Any]]:
    from gongzhi.accounts.models import User
    from gongzhi.org.models import (
        DualRegistration,
        Organisation,
        OrgRelation,
        PartyMembership,
        Person,
        Position,
    )
    from gongzhi.places.models import (
        Building,
        Estate,
        Grid,
        GridStation,
        ResidentialArea,
        Subdistrict,
    )

    grid_codes: dict[int, list[str]] = {}
    for pos_id, code in Position.grids.through.objects.values_list(
        "position_id", "grid__code"
    ).order_by("grid__code"):
        grid_codes.setdefault(pos_id, []).append(code)
    rows: dict[str, list[Any]] = {
        "subdistricts": list(
            Subdistrict.objects.values_list(
                "code", "name", "district", "city", "area_km2", "registered_population",
                "resident_population", "geometry",
            ).order_by("code")
        ),
        "stations": list(
            GridStation.objects.values_list(
                "number", "name", "address", "lat", "lng", "colour"
            ).order_by("number")
        ),
        "areas": list(
            ResidentialArea.objects.values_list(
                "code", "name", "grid_station__number", "committee_address", "office_phone",
                "households", "population", "geometry",
            ).order_by("code")
        ),
        "estates": list(
            Estate.objects.values_list(
                "residential_area__code", "name", "address", "households", "buildings",
                "built_year", "property_company__name", "geometry",
            ).order_by("residential_area__code", "name")
        ),
        "grids": list(
            Grid.objects.values_list(
                "code", "name", "kind", "station__number", "residential_area__code",
                "estate__name", "area_m2", "geometry",
            ).order_by("code")
        ),
        "buildings": list(
            Building.objects.values_list(
                "name", "kind", "address", "residential_area__code", "grid__code", "lat", "lng",
                "enterprises", "workers",
            ).order_by("name")
        ),
        "organisations": list(
            Organisation.objects.values_list(
                "name", "short_name", "kind", "sector", "parent__name", "is_party_organisation",
                "residential_area__code", "grid_station__number", "address", "phone", "lat",
                "lng", "alliance_joined_on", "sort_order",
            ).order_by("sort_order", "name")
        ),
        "relations": list(
            OrgRelation.objects.values_list(
                "source__name", "kind", "target__name", "since", "note"
            ).order_by("source__name", "kind", "target__name")
        ),
        "people": list(
            Person.objects.values_list(
                "id_number", "name", "gender", "birth_year", "mobile", "home_area__code",
                "home_address",
            ).order_by("id_number")
        ),
        "positions": list(
            (p[1:], grid_codes.get(p[0], []))
            for p in Position.objects.values_list(
                "id", "person__id_number", "organisation__name", "role", "title", "starts_on",
                "ends_on",
            )
        ),
        "memberships": list(
            PartyMembership.objects.values_list(
                "person__id_number", "branch__name", "joined_on", "status", "in_work"
            ).order_by("person__id_number")
        ),
        "dual_registrations": list(
            DualRegistration.objects.values_list(
                "person__id_number", "residential_area__code", "registered_on", "note"
            ).order_by("person__id_number", "residential_area__code")
        ),
        "users": list(
            User.objects.values_list(
                "username", "person__id_number", "is_superuser", "is_staff"
            ).order_by("username")
        ),
    }  # fmt: skip
    return rows


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def seed_digest() -> str:
    """SHA-256 of `seed_rows()`, each list sorted here rather than by the database's collation,
    so SQLite and PostgreSQL give the same digest for the same data."""
    rows = {key: sorted(_canonical(r) for r in values) for key, values in seed_rows().items()}
    return hashlib.sha256(_canonical(rows).encode()).hexdigest()
