"""Photos of a project's progress and outcome: checked by content, stored without metadata,
shown to those who may see the project (everyone when it is public)."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongzhi.alliance import services
from gongzhi.alliance.models import ProjectPhoto
from gongzhi.api.tests.conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 128, 0)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _running(world, public=True):
    p = services.project_propose(
        actor=world.leader,
        title="楼道绿化",
        parties=[(world.orgs["school"], "provider")],
        residential_area=world.area_a,
        milestones=[("布置", None)],
        public=public,
    )
    for a in ("agree", "start"):
        services.project_act(actor=world.leader, project=p, action=a)
    return p


def test_complete_with_a_photo_on_the_page_and_the_public_sees_it(client, world):
    p = _running(world)
    client.force_login(world.liaison)
    r = client.post(
        reverse("alliance:act", args=[p.pk, "complete"]),
        {
            "complete-expected_state": "in_progress",
            "complete-outcome": "楼道焕然一新",
            "complete-photos": SimpleUploadedFile("a.png", _png(), content_type="image/png"),
        },
    )
    assert r.status_code == 302
    ph = ProjectPhoto.objects.get()
    assert ph.event.action == "complete"
    client.logout()
    assert client.get(reverse("alliance:photo", args=[ph.pk, "thumb"])).status_code == 200


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(client, world):
    p = _running(world)
    client.force_login(world.liaison)
    r = client.post(
        reverse("alliance:act", args=[p.pk, "complete"]),
        {
            "complete-expected_state": "in_progress",
            "complete-outcome": "好",
            "complete-photos": SimpleUploadedFile(
                "a.png", b"not an image", content_type="image/png"
            ),
        },
    )
    assert r.status_code == 400
    p.refresh_from_db()
    assert p.state == "in_progress" and not ProjectPhoto.objects.exists()


def test_photos_through_the_api_and_hidden_projects_photos(client, world):
    p = _running(world, public=False)
    api = ApiClient(token_for(world.liaison))
    m = p.milestones.get()
    r = api.post(
        f"/projects/{p.pk}/actions/progress",
        {"milestone": m.pk, "progress": 40, "photos": [base64.b64encode(_png()).decode()]},
    )
    assert r.status_code == 200, r.content
    ph = ProjectPhoto.objects.get()
    assert client.get(reverse("alliance:photo", args=[ph.pk, "full"])).status_code == 404
    client.force_login(world.secretary)
    assert client.get(reverse("alliance:photo", args=[ph.pk, "full"])).status_code == 200
