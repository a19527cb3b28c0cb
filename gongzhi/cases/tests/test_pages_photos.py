"""Photos through the pages: only real images of at most 10 MB are taken; what the public sees
carries no location data; originals are only served to staff who may see the case."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from gongzhi.cases.models import Case, CasePhoto
from gongzhi.cases.tests.conftest import advance
from gongzhi.cases.tests.test_pages_support import (
    act_data,
    act_url,
    big_jpeg,
    case_pages,  # noqa: F401  (autouse fixture)
    fresh,
    photo_upload,
    text_as_jpg,
)

pytestmark = pytest.mark.django_db
REPORT = reverse("cases:report")
GPS_IFD = 0x8825


def report_data(centre, **extra):
    lat, lng = centre.point_in("a1")
    return {
        "category": centre.garbage.pk,
        "description": "垃圾堆积",
        "lat": f"{lat:.7f}",
        "lng": f"{lng:.7f}",
        **extra,
    }


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as img:
        exif = img.getexif()
        return bool(exif.get_ifd(GPS_IFD)) or GPS_IFD in exif


def has_exif(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as img:
        return bool(img.getexif()) or "exif" in img.info


def test_a_text_file_named_jpg_is_refused_on_the_public_page(client, centre):
    response = client.post(REPORT, report_data(centre, photos=text_as_jpg()))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-photos"' in page
    assert "Only photos (JPEG, PNG or WebP images) can be uploaded." in page
    assert not Case.objects.exists()
    assert not CasePhoto.objects.exists()


def test_an_11_mb_image_is_refused_on_the_public_page(client, centre):
    response = client.post(REPORT, report_data(centre, photos=big_jpeg()))
    assert response.status_code == 400
    assert "A photo may be at most 10 MB." in response.content.decode()
    assert not Case.objects.exists()


def test_one_bad_photo_among_good_ones_refuses_the_whole_report(client, centre):
    response = client.post(REPORT, report_data(centre, photos=[photo_upload(), text_as_jpg()]))
    assert response.status_code == 400
    assert not Case.objects.exists()
    assert not CasePhoto.objects.exists()


def test_a_bad_photo_on_the_result_changes_nothing(client, centre, world):
    case = advance(centre.intake(), "accepted", centre)
    client.force_login(world.handler)
    response = client.post(
        act_url(case, "handle"),
        {**act_data(case, "handle", note="已清运"), "handle-photos": text_as_jpg()},
    )
    assert response.status_code == 400
    assert "Only photos" in response.content.decode()
    case = fresh(case)
    assert case.state == Case.State.ACCEPTED and case.result == ""
    assert not case.photos.exists()
    response = client.post(
        act_url(case, "handle"),
        {**act_data(case, "handle", note="已清运"), "handle-photos": big_jpeg()},
    )
    assert response.status_code == 400
    assert "A photo may be at most 10 MB." in response.content.decode()
    assert fresh(case).state == Case.State.ACCEPTED


def test_gps_is_stripped_from_what_the_public_sees(client, centre, world):
    upload = photo_upload(gps=True)
    assert has_gps(upload.read())
    upload.seek(0)
    response = client.post(REPORT, report_data(centre, photos=upload))
    assert response.status_code == 302
    case = Case.objects.get()
    photo = case.photos.get()
    code = case.tracking_code
    # On the tracking page: the copy and the thumbnail, neither with EXIF or GPS.
    page = client.get(reverse("cases:track", args=[code])).content.decode()
    thumb_url = reverse("cases:public_photo", args=[code, photo.pk, "thumb"])
    assert thumb_url in page
    for kind in ("public", "thumb"):
        response = client.get(reverse("cases:public_photo", args=[code, photo.pk, kind]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        data = body(response)
        assert not has_gps(data)
        assert not has_exif(data)
    with Image.open(io.BytesIO(body(client.get(thumb_url)))) as img:
        assert max(img.size) <= 320
    # The original is never served by a public URL…
    assert (
        client.get(reverse("cases:public_photo", args=[code, photo.pk, "original"])).status_code
        == 404
    )
    assert photo.original.url not in page and photo.original.name not in page
    staff_url = reverse("cases:photo", args=[photo.pk, "original"])
    assert client.get(staff_url).status_code == 302  # to the login page
    # …but staff who may see the case get it, location and all (it is evidence).
    client.force_login(world.operator)
    response = client.get(staff_url)
    assert response.status_code == 200
    assert has_gps(body(response))
    # The staff page links thumbnails and originals through the checking view only.
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert staff_url in page
    assert photo.original.name not in page


def test_photo_views_check_scope(client, centre, world):
    case = advance(centre.intake(grid="a1"), "accepted", centre)
    client.force_login(world.handler)
    client.post(
        act_url(case, "handle"),
        {**act_data(case, "handle", note="已清运"), "handle-photos": photo_upload(gps=True)},
    )
    photo = fresh(case).photos.get()
    for kind in ("original", "public", "thumb"):
        url = reverse("cases:photo", args=[photo.pk, kind])
        client.force_login(world.handler)
        assert client.get(url).status_code == 200
        client.force_login(world.other_handler)  # another department: not its case
        assert client.get(url).status_code == 404
        client.force_login(world.other_secretary)  # another residential area
        assert client.get(url).status_code == 404
    # Another case's tracking code does not open this photo.
    other = centre.intake()
    assert (
        client.get(
            reverse("cases:public_photo", args=[other.tracking_code, photo.pk, "public"])
        ).status_code
        == 404
    )
    # A resident who reported the case follows it by its tracking page, never the original.
    reported = centre.intake(reporter_user=world.resident, photo_uploads=[photo_upload()])
    client.force_login(world.resident)
    mine = reported.photos.get()
    assert client.get(reverse("cases:photo", args=[mine.pk, "original"])).status_code == 404
    assert client.get(reverse("cases:photo", args=[mine.pk, "public"])).status_code == 200
    assert client.get(reverse("cases:photo", args=[mine.pk, "size"])).status_code == 404
