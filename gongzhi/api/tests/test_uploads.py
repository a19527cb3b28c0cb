"""The API takes photos as files too (multipart, POST /cases/upload), with the web form's
checks: the content decides (not the name), each photo is re-encoded without its metadata or
location, and a refused photo files nothing."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gongzhi.api.tests.conftest import token_for
from gongzhi.cases.models import Case, CasePhoto
from gongzhi.cases.tests.test_photos import jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _form(centre, **extra):
    lat, lng = centre.point_in("a1")
    return {
        "channel": "inspector",
        "category": centre.garbage.pk,
        "description": "垃圾箱满溢",
        "lat": lat,
        "lng": lng,
        **extra,
    }


SENT = itertools.count()


def _post(user, data):
    return Client().post(
        "/api/v1/cases/upload",
        data,
        headers={"Authorization": f"Bearer {token_for(user, f't{next(SENT)}')}"},
    )


def test_photos_sent_as_files_are_reencoded_without_location(centre):
    photo = SimpleUploadedFile("现场.jpg", jpeg_with_gps(), content_type="image/jpeg")
    r = _post(centre.world.inspector, {**_form(centre), "photos": [photo]})
    assert r.status_code == 201, r.content
    stored = CasePhoto.objects.get(case_id=r.json()["case"]["id"])
    with Image.open(stored.public_image.open("rb")) as img:
        assert not img.getexif().get(0x8825)  # no GPS in what is shown


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_filed(centre):
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    r = _post(centre.world.inspector, {**_form(centre), "photos": [fake]})
    assert r.status_code == 422
    assert "photos" in r.content.decode()
    assert not Case.objects.exists()


def test_the_form_fields_are_checked_like_the_json_body(centre):
    r = _post(centre.world.inspector, _form(centre, lat="north"))
    assert r.status_code == 422 and not Case.objects.exists()
    png = io.BytesIO()
    Image.new("RGB", (40, 30)).save(png, format="PNG")
    ok = _post(
        centre.world.inspector,
        {**_form(centre), "photos": [SimpleUploadedFile("a.png", png.getvalue())]},
    )
    assert ok.status_code == 201
