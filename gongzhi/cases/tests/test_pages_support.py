"""Fixtures and helpers shared by the case pages' tests (imported by test_pages_*.py and
test_browser_*.py). Messages are read in English (the msgids); uploads go to a temporary media
folder; the rate limiter's counters start from zero in every test."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from gongzhi.cases.models import Case


@pytest.fixture(autouse=True)
def case_pages(client, settings, tmp_path):
    """Import into a test module to use: messages in English (the msgids) both in the test and
    on the pages, uploads in a temporary media folder, the rate limiter's counters at zero."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


def jpeg_bytes(size: tuple[int, int] = (64, 48), *, gps: bool = False) -> bytes:
    """A small JPEG; with `gps`, its EXIF carries a position and a camera make."""
    img = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "TestCam"  # Make
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (31.0, 14.0, 42.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (121.0, 24.0, 18.0)
        img.save(out, format="JPEG", exif=exif.tobytes())
    else:
        img.save(out, format="JPEG")
    return out.getvalue()


def photo_upload(name: str = "photo.jpg", *, gps: bool = False) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(gps=gps), content_type="image/jpeg")


def text_as_jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "holiday.jpg", b"This is not a photo, whatever its name says.\n" * 20, "image/jpeg"
    )


def big_jpeg() -> SimpleUploadedFile:
    """A real JPEG padded to 11 MB (decoders stop at the end-of-image marker)."""
    data = jpeg_bytes() + b"\0" * (11 * 1024 * 1024)
    return SimpleUploadedFile("big.jpg", data, content_type="image/jpeg")


def act_url(case: Case, action: str) -> str:
    return reverse("cases:act", args=[case.pk, action])


def act_data(case: Case, action: str, **fields: object) -> dict[str, object]:
    """The POST of an action form, as the page renders it (prefixed by the action)."""
    data: dict[str, object] = {f"{action}-expected_state": case.state}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    return data


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)
