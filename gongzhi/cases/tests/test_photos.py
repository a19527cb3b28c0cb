from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.cases import photos
from gongzhi.cases.models import Case, CasePhoto
from gongzhi.core.errors import ServiceError


def jpeg_with_gps(size=(800, 600)) -> bytes:
    img = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    gps = {1: "N", 2: (31.0, 14.0, 42.0), 3: "E", 4: (121.0, 24.0, 18.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_text_file_named_like_a_photo_is_refused(centre, media):
    with pytest.raises(ServiceError) as exc:
        centre.intake(photo_uploads=[upload(b"just some text, not an image", "photo.jpg")])
    assert "photos" in exc.value.field_errors
    assert Case.objects.count() == 0


def test_a_photo_over_10_mb_is_refused(centre, media):
    big = upload(b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10), "big.jpg")
    with pytest.raises(ServiceError):
        centre.intake(photo_uploads=[big])
    assert Case.objects.count() == 0


def test_one_bad_photo_refuses_the_whole_report(centre, media):
    with pytest.raises(ServiceError):
        centre.intake(photo_uploads=[upload(jpeg_with_gps()), upload(b"GIF89a nope", "b.gif")])
    assert Case.objects.count() == 0 and CasePhoto.objects.count() == 0


def test_location_data_is_stripped_from_what_the_public_sees(centre, media):
    case = centre.intake(photo_uploads=[upload(jpeg_with_gps(), "IMG_0001.JPG")])
    photo = case.photos.get()
    with Image.open(photo.original.path) as original:
        assert original.getexif().get(0x8825)  # staff keep the evidence as sent
    for f in (photo.public_image, photo.thumbnail):
        with Image.open(f.path) as img:
            exif = img.getexif()
            assert 0x8825 not in exif and 0x010F not in exif
    with Image.open(photo.thumbnail.path) as thumb:
        assert max(thumb.size) <= 320
    assert (photo.width, photo.height) == (800, 600)


def test_png_and_webp_are_accepted(centre, media):
    for fmt in ("PNG", "WEBP"):
        out = io.BytesIO()
        Image.new("RGB", (50, 40), (0, 0, 0)).save(out, format=fmt)
        case = centre.intake(
            description=f"{fmt} 照片", photo_uploads=[upload(out.getvalue(), f"x.{fmt.lower()}")]
        )
        assert case.photos.count() == 1


def test_inspect_reads_the_content_not_the_name():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="PNG")
    assert photos.inspect(out.getvalue())[0] == "PNG"
