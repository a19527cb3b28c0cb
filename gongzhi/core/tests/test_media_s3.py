"""Media on S3-compatible storage (MEDIA_STORAGE=s3, django-storages): a photo sent with a
resident's report is stored in the bucket, not on the disk, and the tracking page and the staff
pages serve it back from there. The bucket is moto's S3 server on 127.0.0.1, started here."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.urls import reverse

from gongzhi.cases.tests.test_pages_public import report_data
from gongzhi.cases.tests.test_pages_support import (
    case_pages,  # noqa: F401  (autouse fixture)
    photo_upload,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture
def centre(world):
    from gongzhi.cases.tests.conftest import make_centre

    return make_centre(world)


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    """A fresh bucket, and the default storage pointed at it as MEDIA_STORAGE=s3 would."""
    for key, value in KEYS.items():
        monkeypatch.setenv(key, value)
    name = f"gongzhi-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **_keys())
    client.create_bucket(Bucket=name)
    env = {**os.environ, "MEDIA_STORAGE": "s3", "S3_BUCKET": name}
    env["S3_ENDPOINT_URL"] = s3_endpoint
    settings.STORAGES = {**settings.STORAGES, "default": _storages_from_env(env)["default"]}
    settings.MEDIA_ROOT = tmp_path / "disk-media"  # must stay empty
    return client, name


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _storages_from_env(env: dict[str, str]) -> dict:
    """STORAGES as gongzhi.settings builds it from these environment variables (in a fresh
    interpreter, so that the test checks the settings module, not a copy of it)."""
    code = "import json; from gongzhi import settings; print(json.dumps(settings.STORAGES))"
    import json

    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**env, "DEBUG": "1"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_a_reported_photo_lands_in_the_bucket_and_is_served_back(
    client, centre, world, bucket, settings
):
    from gongzhi.cases.models import Case

    s3, name = bucket
    response = client.post(
        reverse("cases:report"), {**report_data(centre), "photos": photo_upload()}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    photo = case.photos.get()
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=name).get("Contents", [])}
    assert {photo.original.name, photo.public_image.name, photo.thumbnail.name} <= keys
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing on the disk
    stored = s3.get_object(Bucket=name, Key=photo.public_image.name)["Body"].read()

    # The resident's tracking page shows it, read back from the bucket.
    public = client.get(
        reverse("cases:public_photo", args=[case.tracking_code, photo.pk, "public"])
    )
    assert public.status_code == 200
    assert b"".join(public.streaming_content) == stored
    # Staff see the original (with its location data) through the permission-checked view.
    client.force_login(world.operator)
    original = client.get(reverse("cases:photo", args=[photo.pk, "original"]))
    assert original.status_code == 200
    body = b"".join(original.streaming_content)
    assert body == s3.get_object(Bucket=name, Key=photo.original.name)["Body"].read()
    # The bucket is private: a URL handed out is signed.
    assert "Signature=" in photo.public_image.url or "X-Amz-Signature=" in photo.public_image.url


def test_nothing_reaches_the_bucket_when_the_report_is_refused(client, centre, bucket):
    s3, name = bucket
    response = client.post(
        reverse("cases:report"), {**report_data(centre, description=" "), "photos": photo_upload()}
    )
    assert response.status_code == 400
    assert s3.list_objects_v2(Bucket=name).get("KeyCount", 0) == 0


def test_disk_is_the_default_and_a_missing_bucket_stops_the_start_up():
    env = {k: v for k, v in os.environ.items() if k not in ("MEDIA_STORAGE", "S3_BUCKET")}
    default = _storages_from_env(env)["default"]
    assert default["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    with pytest.raises(subprocess.CalledProcessError) as failed:
        _storages_from_env({**env, "MEDIA_STORAGE": "s3"})
    assert "S3_BUCKET" in failed.value.stderr
