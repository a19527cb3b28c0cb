"""An installation serving two subdistricts: an import belongs to its uploader's subdistrict, its
rows without a place are filed there, and the other subdistrict's centre neither sees the
import nor its cases' suggestions."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.cases.models import Case
from gongzhi.testing.second_subdistrict import build_second_subdistrict
from gongzhi.triage import selectors, services
from gongzhi.triage.tests.conftest import write_csv


def _import(triage, actor, path, ref_prefix, **kw):
    rows = [triage.row(n, 纬度="", 经度="", 工单编号=f"{ref_prefix}-{n}", **kw) for n in (1, 2)]
    write_csv(path, rows)
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    batch = services.batch_upload(actor=actor, profile=triage.profile, upload=upload)
    services.run_check(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.problem_count == 0, batch.problems
    services.batch_commit(actor=actor, batch=batch)
    services.run_commit(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def test_an_import_belongs_to_its_uploaders_subdistrict(triage, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    b = build_second_subdistrict()
    world = triage.world
    mine = _import(triage, world.operator, tmp_path / "a.csv", "A")
    theirs = _import(triage, b.users["operator"], tmp_path / "b.csv", "B")
    assert mine.subdistrict_id == world.subdistrict.pk
    assert theirs.subdistrict_id == b.subdistrict.pk
    assert mine.created_count == theirs.created_count == 2
    filed = dict(Case.objects.values_list("external_ref", "subdistrict_id"))
    assert filed == {
        "A-1": world.subdistrict.pk,
        "A-2": world.subdistrict.pk,
        "B-1": b.subdistrict.pk,
        "B-2": b.subdistrict.pk,
    }
    assert list(selectors.batches(world.operator)) == [mine]
    assert list(selectors.batches(b.users["operator"])) == [theirs]
    assert set(selectors.batches(b.users["district_leader"])) == set()  # not the centre's work
    refs = {s.case.external_ref for s in selectors.pending_suggestions(b.users["operator"])}
    assert refs <= {"B-1", "B-2"}
    # B's centre cannot change A's work orders by importing them again.
    again = _import(triage, b.users["operator"], tmp_path / "b2.csv", "A", 诉求内容="改写的内容")
    assert again.state == "failed" and "A-1" in again.error
    assert not Case.objects.filter(description="改写的内容").exists()
