"""The back office for places: grid geometry edits warn about the tiling; GeoJSON export and
import for administrators only."""

from __future__ import annotations

import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.places.geojson_io import export_places
from gongzhi.places.models import Grid
from gongzhi.testing.geometry import rect


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def grid_form(grid, **changes):
    data = {
        "code": grid.code,
        "name": grid.name,
        "kind": grid.kind,
        "station": grid.station_id,
        "residential_area": grid.residential_area_id,
        "estate": "",
        "geometry": json.dumps(grid.geometry),
    }
    data.update(changes)
    return data


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_saving_a_grid_geometry_warns_about_the_gap_it_leaves(admin_client, world):
    grid = world.grids["b2"]
    url = reverse("admin:places_grid_change", args=[grid.pk])
    response = admin_client.post(
        url, grid_form(grid, geometry=json.dumps(rect(500, 500, 1000, 900))), follow=True
    )
    assert response.status_code == 200
    grid.refresh_from_db()
    assert grid.area_m2 == pytest.approx(200_000, rel=1e-4)
    warnings = [m for m in messages_of(response) if m.startswith("Gap of")]
    assert len(warnings) == 1
    assert "310107005002002 杏杨二" in warnings[0]
    assert AuditEvent.objects.for_object(grid).filter(action="update", note="admin").exists()


def test_a_clean_grid_edit_gives_no_tiling_warning(admin_client, world):
    grid = world.grids["a1"]
    url = reverse("admin:places_grid_change", args=[grid.pk])
    response = admin_client.post(url, grid_form(grid, name="杏梅园南"), follow=True)
    assert not [m for m in messages_of(response) if "Gap" in m or "Overlap" in m]
    grid.refresh_from_db()
    assert grid.name == "杏梅园南"


def test_bad_geojson_in_the_admin_is_a_form_error_and_saves_nothing(admin_client, world):
    grid = world.grids["a1"]
    url = reverse("admin:places_grid_change", args=[grid.pk])
    bad = {"type": "Polygon", "coordinates": [[[0, 0], [400, 0], [400, 400], [0, 0]]]}
    response = admin_client.post(url, grid_form(grid, geometry=json.dumps(bad)))
    assert response.status_code == 200  # the form again, with the error
    assert "is not a WGS84 [longitude, latitude] pair" in response.content.decode()
    grid.refresh_from_db()
    assert grid.geometry["coordinates"][0][0] != [0, 0]


def test_adding_a_grid_in_the_admin_computes_its_area_and_warns_it_is_outside(admin_client, world):
    response = admin_client.post(
        reverse("admin:places_grid_add"),
        {
            "code": "310107005002003",
            "name": "杏杨三",
            "kind": "road",
            "station": world.station_b.pk,
            "residential_area": world.area_b.pk,
            "estate": "",
            "geometry": json.dumps(rect(1000, 0, 1100, 100)),
        },
        follow=True,
    )
    grid = Grid.objects.get(code="310107005002003")
    assert grid.area_m2 == pytest.approx(10_000, rel=1e-4)
    assert any("lies outside the subdistrict" in m for m in messages_of(response))
    assert AuditEvent.objects.for_object(grid).filter(action="create").exists()


def test_a_grid_whose_station_and_area_disagree_is_refused(
    admin_client, client, world, django_user_model
):
    from gongzhi.places.tests.factories import GridStationFactory, SubdistrictFactory

    other = GridStationFactory(subdistrict=SubdistrictFactory(code="310107006"), number=1)
    grid = world.grids["a1"]
    url = reverse("admin:places_grid_change", args=[grid.pk])
    # The subdistrict's own administrator is not even offered the other subdistrict's station.
    response = admin_client.post(url, grid_form(grid, station=other.pk))
    assert response.context["adminform"].form.errors["station"]
    # The installation's superuser is, and the grid's check refuses it.
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    response = client.post(url, grid_form(grid, station=other.pk))
    assert "belong to different subdistricts" in response.content.decode()
    grid.refresh_from_db()
    assert grid.station == world.station_a


def test_archiving_grids_in_the_admin_warns_about_the_gap(admin_client, world):
    response = admin_client.post(
        reverse("admin:places_grid_changelist"),
        {"action": "archive_selected", "_selected_action": [world.grids["a1"].pk]},
        follow=True,
    )
    assert any(m.startswith("Gap of") for m in messages_of(response))
    assert Grid.objects.active().count() == 3


def test_the_grid_list_links_to_export_and_import(admin_client):
    html = admin_client.get(reverse("admin:places_grid_changelist")).content.decode()
    assert reverse("admin:places_export") in html
    assert reverse("admin:places_import") in html


def test_export_download(admin_client, world):
    response = admin_client.get(reverse("admin:places_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert len(data["features"]) == 9
    assert AuditEvent.objects.filter(action="export", actor=world.admin).exists()


def upload(data, name="places.geojson"):
    body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, body, content_type="application/geo+json")


def test_import_upload_reports_counts_and_tiling(admin_client, world):
    data = export_places()
    data["features"][-1]["properties"]["name"] = "杏杨二（新）"
    url = reverse("admin:places_import")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"file": upload(data), "dry_run": "on"})
    html = response.content.decode()
    assert "Dry run: 0 would be created, 1 updated, 8 unchanged." in html
    assert not Grid.objects.filter(name="杏杨二（新）").exists()
    response = admin_client.post(url, {"file": upload(data)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Imported: 0 created, 1 updated, 8 unchanged." in html
    assert 'data-testid="tiling-ok"' in html
    assert Grid.objects.filter(name="杏杨二（新）").exists()
    assert AuditEvent.objects.filter(action="import", actor=world.admin).count() == 1


def test_a_bad_upload_changes_nothing_and_says_why(admin_client, world):
    data = export_places()
    data["features"][3]["properties"]["kind"] = "river"
    response = admin_client.post(reverse("admin:places_import"), {"file": upload(data)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "features[3]: properties.kind must be one of" in html
    assert "Nothing was imported." in html
    response = admin_client.post(reverse("admin:places_import"), {"file": upload(b"\xff\xfe")})
    assert response.status_code == 400
    assert "not valid JSON" in response.content.decode()


@pytest.mark.parametrize("who", ["operator", "leader", "auditor"])
def test_export_and_import_are_for_administrators_only(client, world, who):
    client.force_login(getattr(world, who))
    for name in ("admin:places_export", "admin:places_import"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    response = client.post(reverse("admin:places_import"), {"file": upload(export_places())})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action__in=["import", "export"]).exists()
