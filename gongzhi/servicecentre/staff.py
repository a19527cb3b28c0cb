"""Who works where in the service network: centre staff run the menu, the scheduling and the
check-in of every event; station staff act for their own station only. A user is staff of the
service points whose organisations they hold a position in (`Access.service_org_ids`)."""

from __future__ import annotations

from gongzhi.core.roles import Access, Role

from .models import ServicePoint


def _points(access: Access) -> tuple[frozenset[int], bool]:
    cached = access.extra.get("servicecentre")
    if cached is None:
        rows = list(
            ServicePoint.objects.active()
            .filter(organisation_id__in=access.service_org_ids)
            .values_list("pk", "kind")
        )
        cached = (
            frozenset(pk for pk, _kind in rows),
            any(kind == ServicePoint.Kind.CENTRE for _pk, kind in rows),
        )
        access.extra["servicecentre"] = cached
    return cached


def is_centre_staff(access: Access) -> bool:
    """Runs the whole network: staff of the centre, and administrators."""
    if access.user_id is None:
        return False
    if access.has(Role.ADMIN):
        return True
    return access.has(Role.SERVICE_STAFF) and _points(access)[1]


def point_ids(access: Access) -> frozenset[int]:
    """The service points (centre or stations) this user is staff of."""
    if access.user_id is None or not access.has(Role.SERVICE_STAFF):
        return frozenset()
    return _points(access)[0]


def is_service_staff(access: Access) -> bool:
    return is_centre_staff(access) or bool(point_ids(access))


def reads_network(access: Access) -> bool:
    """Sees every menu, order and event of the network (not personal data): centre staff,
    leaders and auditors."""
    return is_centre_staff(access) or access.has(Role.LEADER, Role.AUDITOR)
