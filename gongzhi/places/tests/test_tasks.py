"""The background import task: the same import as the command, run by the worker."""

from __future__ import annotations

import json

from django.test import override_settings

from gongzhi.core import tasks
from gongzhi.core.models import Task
from gongzhi.places.geojson_io import dumps, export_places
from gongzhi.places.models import Grid
from gongzhi.places.tasks import import_geojson


@override_settings(TASKS_BACKEND="database")
def test_the_worker_imports_a_file_and_records_the_counts(world, tmp_path):
    data = export_places()
    data["features"][-1]["properties"]["name"] = "杏杨二（新）"
    path = tmp_path / "places.geojson"
    path.write_text(dumps(data), encoding="utf-8")
    row = import_geojson.enqueue(path=str(path), actor_id=world.admin.pk)
    assert tasks.work(once=True) >= 1
    row.refresh_from_db()
    assert row.status == Task.Status.DONE
    assert row.progress == 100
    assert row.result["updated"] == 1 and row.result["unchanged"] == 8
    assert row.result["tiling"]["ok"] is True
    assert Grid.objects.filter(name="杏杨二（新）").exists()


@override_settings(TASKS_BACKEND="database")
def test_a_bad_file_fails_the_task_with_the_reason_and_changes_nothing(world, tmp_path):
    data = export_places()
    data["features"][5]["geometry"] = {"type": "Point", "coordinates": [121.4, 31.2]}
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    row = import_geojson.enqueue(path=str(path))
    tasks.work(once=True)
    row.refresh_from_db()
    assert row.status == Task.Status.FAILED  # one attempt: a bad file stays bad
    assert "features[5]" in row.last_error
    assert "Polygon or MultiPolygon, not Point" in row.last_error
    assert Grid.objects.active().count() == 4
