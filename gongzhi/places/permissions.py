"""Who may see and change places. Geography (outline, grids, stations) is visible to every
signed-in user; a residential area's own data follows the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi.core.permissions import Policy, register
from gongzhi.core.roles import Access, Role

from .models import Building, Estate, Grid, GridStation, ResidentialArea, Subdistrict


class GeographyPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if access.user_id is not None or access.is_superuser else qs.none()


# Where each place's subdistrict is: staff of one subdistrict see their subdistrict's places.
for _model, _path in (
    (Subdistrict, "id"),
    (GridStation, "subdistrict"),
    (Grid, "residential_area__subdistrict"),
    (Estate, "residential_area__subdistrict"),
    (Building, "residential_area__subdistrict"),
):
    register(_model)(
        type(f"{_model.__name__}Policy", (GeographyPolicy,), {"subdistrict_path": _path})
    )


@register(ResidentialArea)
class ResidentialAreaPolicy(Policy):
    """An area's page (its people, cases, needs) is for the whole-subdistrict roles, the area's own
    secretary and members, the inspectors of its grid station and service-centre staff."""

    subdistrict_path = "subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.whole_subdistrict or access.has(Role.SERVICE_STAFF):
            return qs
        if access.area_ids or access.station_ids:
            from django.db.models import Q

            return qs.filter(Q(pk__in=access.area_ids) | Q(grid_station_id__in=access.station_ids))
        return qs.none()
