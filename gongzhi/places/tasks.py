"""Background work on places: importing a GeoJSON file of places (for pages that hand a large
file to the worker instead of importing it inside the request)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gongzhi.core import tasks


@tasks.task("places.import_geojson", max_attempts=1)
def import_geojson(
    *, path: str, dry_run: bool = False, actor_id: int | None = None
) -> dict[str, Any]:
    """Import the places in the GeoJSON file at `path`; the result (counts and the tiling check)
    becomes the task's result. A bad file fails the task with the reason and changes nothing."""
    from django.contrib.auth import get_user_model

    from .geojson_io import import_places, loads

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    data = loads(Path(path).read_bytes())
    result = import_places(
        data=data,
        actor=actor,
        dry_run=dry_run,
        source=Path(path).name,
        progress=lambda done, total: tasks.progress(done, total, "places"),
    )
    return result.as_dict()
