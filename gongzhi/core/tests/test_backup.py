"""manage.py backup and restore: a backup restores into an empty, migrated installation as the
same data (the same `summary --json`, byte for byte; the audit chain still verifies); a damaged,
partial or foreign backup is refused with its reason and the target is left as it was."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.audit import chain
from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.core import backup
from gongzhi.webhooks.models import Subscription
from gongzhi.webhooks.services import subscription_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def filled(world, media):
    """An installation with cases (their timelines and audit rows), a photo and sealed audit
    rows, as a running subdistrict has."""
    centre = make_centre(world)
    for grid in ("a1", "a2", "b1"):
        centre.intake(grid=grid)
    default_storage.save("photos/2026/12/p.jpg", ContentFile(b"\xff\xd8 not really a jpeg"))
    subscription_create(
        actor=world.admin, name="区平台", url="http://127.0.0.1:9/in", event_types=["filed"]
    )
    chain.seal(now=timezone.now() + dt.timedelta(seconds=10))
    return centre


def _summary() -> str:
    out = StringIO()
    call_command("summary", "--json", stdout=out)
    return out.getvalue()


def _wipe(media: Path) -> None:
    """Make this database what a new installation is after `migrate`: nothing in it."""
    backup._empty(backup._models())
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def test_a_backup_restores_as_the_same_data(filled, media, tmp_path):
    before = _summary()
    call_command("backup", str(tmp_path / "b"), stdout=StringIO(), stderr=StringIO())
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["tables"]["cases.case"] == 3
    secret = Subscription.objects.get().secret
    assert secret not in (tmp_path / "b/data/webhooks.subscription.jsonl").read_text()
    assert "media/photos/2026/12/p.jpg" in manifest["files"]

    _wipe(media)
    assert not Case.objects.exists() and not User.objects.exists()
    out = StringIO()
    call_command("restore", str(tmp_path / "b"), stdout=out, stderr=StringIO())
    assert "Restored" in out.getvalue()

    assert _summary() == before
    assert Subscription.objects.get().secret == secret
    assert (media / "photos/2026/12/p.jpg").read_bytes() == b"\xff\xd8 not really a jpeg"
    result = chain.verify()
    assert result.ok and result.checked == AuditEvent.objects.count() > 0
    # New rows get new ids after the restored ones (the sequences follow the data).
    restored = set(Case.objects.values_list("id", flat=True))
    assert filled.intake(grid="b2").pk > max(restored)


def _refused(tmp_path: Path, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(tmp_path / "b"), stdout=StringIO(), stderr=StringIO())


def test_a_damaged_or_partial_backup_is_refused_and_nothing_changes(filled, media, tmp_path):
    call_command("backup", str(tmp_path / "b"), stdout=StringIO(), stderr=StringIO())
    _wipe(media)
    data = tmp_path / "b" / "data" / "cases.case.jsonl"
    original = data.read_bytes()

    data.write_bytes(original.replace(b"\xe5\x85\xb0", b"\xe5\x85\xb1", 1))  # one character
    _refused(tmp_path, "damaged: data/cases.case.jsonl does not match its checksum")
    data.unlink()
    _refused(tmp_path, "incomplete: data/cases.case.jsonl is missing")
    data.write_bytes(original)
    (tmp_path / "b" / "media/photos/2026/12/p.jpg").write_bytes(b"changed")
    _refused(tmp_path, "damaged: media/photos/2026/12/p.jpg")
    (tmp_path / "b" / "manifest.json").unlink()
    _refused(tmp_path, "no manifest.json")

    assert not User.objects.exists() and not Case.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_backup_of_another_version_or_into_a_used_installation_is_refused(
    filled, media, tmp_path
):
    call_command("backup", str(tmp_path / "b"), stdout=StringIO(), stderr=StringIO())
    _refused(tmp_path, "not empty")  # the installation it came from still has its data
    users = User.objects.count()

    _wipe(media)
    path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["migrations"].append(["cases", "9999_from_the_future"])
    path.write_text(json.dumps(manifest))
    _refused(tmp_path, "another version of Gongzhi.*cases.9999_from_the_future")
    assert users > 0 and not User.objects.exists()


def test_a_load_that_fails_half_way_leaves_the_target_empty(filled, media, tmp_path):
    call_command("backup", str(tmp_path / "b"), stdout=StringIO(), stderr=StringIO())
    _wipe(media)
    path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["tables"]["cases.case"] += 1
    path.write_text(json.dumps(manifest))
    _refused(tmp_path, "has .* rows, its manifest")
    assert not User.objects.exists() and not Case.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))  # the copied photos are gone again


def test_an_interrupted_backup_leaves_no_folder_that_looks_like_a_backup(filled, tmp_path):
    def stop(_n: int, what: str) -> None:
        if what == "cases.case":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backup.backup(tmp_path / "b", progress=stop)
    assert list(tmp_path.iterdir()) == [tmp_path / "media"]
    with pytest.raises(backup.BackupError, match="not empty"):
        (tmp_path / "c").mkdir()
        (tmp_path / "c" / "x").write_text("x")
        backup.backup(tmp_path / "c")


def test_the_command_exits_with_status_1_and_the_reason(tmp_path):
    (tmp_path / "b").mkdir()
    run = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "restore", str(tmp_path / "b")],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert run.returncode == 1
    assert "has no manifest.json" in run.stderr
