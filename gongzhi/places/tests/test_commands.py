"""The check_tiling, export_places and import_places management commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongzhi.audit.models import AuditEvent
from gongzhi.places import services
from gongzhi.places.models import Grid, Subdistrict
from gongzhi.testing.geometry import rect


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


def test_check_tiling_passes_on_a_clean_tiling(world):
    status, out, _ = run("check_tiling")
    assert status == 0
    assert "The 4 grids tile the subdistrict" in out


def test_check_tiling_names_each_problem_and_exits_with_1(world):
    services.grid_update(
        actor=world.admin, grid=world.grids["b2"], geometry=rect(480, 500, 1000, 1050)
    )
    status, out, _ = run("check_tiling")
    assert status == 1
    lines = out.splitlines()
    assert lines[0].endswith("m² of 310107005002002 杏杨二 lies outside the subdistrict")
    assert lines[0].startswith("2599")  # 520 m × 50 m = 26,000 m², less the projection's 0.005 %
    assert lines[1].startswith("Overlap of 99")  # 20 m × 500 m with a2
    assert lines[1].endswith("between 310107005001002 杏梅园二, 310107005002002 杏杨二")
    assert "2 tiling problems among 4 grids" in lines[2]


def test_check_tiling_json(world):
    services.grid_archive(actor=world.admin, grid=world.grids["a1"])
    status, out, _ = run("check_tiling", "--json")
    assert status == 1
    data = json.loads(out)
    assert data["ok"] is False
    [gap] = data["issues"]
    assert gap["kind"] == "gap"
    assert gap["area_m2"] == pytest.approx(250_000, rel=1e-4)
    assert "geometry" not in gap
    assert data["grid_names"]["310107005002001"] == "杏杨一"


def test_check_tiling_without_an_outline_says_so(world):
    Subdistrict.objects.update(geometry=None)
    with pytest.raises(CommandError, match="no subdistrict outline"):
        call_command("check_tiling", stdout=StringIO())


def test_export_and_import_commands_round_trip(world, tmp_path):
    path = tmp_path / "places.geojson"
    status, _, err = run("export_places", str(path))
    assert status == 0
    assert "9 features written" in err
    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data["features"]) == 9
    assert AuditEvent.objects.filter(action="export").exists()

    status, out, _ = run("import_places", str(path))
    assert status == 0
    assert "Imported: 0 created, 0 updated, 9 unchanged." in out
    assert "The 4 grids tile the subdistrict" in out

    data["features"][-1]["properties"]["name"] = "杏杨二（改）"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    status, out, _ = run("import_places", str(path), "--dry-run")
    assert "Dry run: 0 created, 1 updated, 8 unchanged; nothing was saved." in out
    assert not Grid.objects.filter(name="杏杨二（改）").exists()
    status, out, _ = run("import_places", str(path))
    assert "Imported: 0 created, 1 updated, 8 unchanged." in out
    assert Grid.objects.filter(name="杏杨二（改）").exists()


def test_export_to_stdout(world):
    status, out, _ = run("export_places", "-")
    assert json.loads(out)["type"] == "FeatureCollection"


def test_import_of_a_bad_file_changes_nothing_and_says_why(world, tmp_path):
    path = tmp_path / "bad.geojson"
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": rect(0, 0, 10, 10),
                "properties": {"kind": "grid", "code": "310107005001001", "name": "改名"},
            }
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_places", str(path), stdout=StringIO(), stderr=StringIO())
    assert "features[0] (grid 310107005001001 改名): the property subdistrict is required" in str(
        exc.value
    )
    assert "Nothing was imported." in str(exc.value)
    assert Grid.objects.get(code="310107005001001").name == "杏梅园一"

    with pytest.raises(CommandError, match="not valid JSON"):
        path.write_text("{", encoding="utf-8")
        call_command("import_places", str(path), stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_places", str(tmp_path / "missing.geojson"), stdout=StringIO())
