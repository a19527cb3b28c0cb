"""Write every active place as one GeoJSON FeatureCollection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.places.geojson_io import dumps, export_places


class Command(BaseCommand):
    help = "Export the places (subdistrict, stations, areas, estates, grids, buildings) as GeoJSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", nargs="?", default="-", help="file to write, or - for stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        data = export_places()
        text = dumps(data)
        path = options["path"]
        with transaction.atomic():
            audit.record(
                actor=None,
                action=AuditEvent.Action.EXPORT,
                object_repr="places (GeoJSON)",
                note=f"export_places {path}: {len(data['features'])} features",
            )
        if path == "-":
            self.stdout.write(text)
        else:
            Path(path).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"{len(data['features'])} features written to {path}")
