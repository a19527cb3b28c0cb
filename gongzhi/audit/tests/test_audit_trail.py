from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent, AuditImmutableError
from gongzhi.core.pii import mask_phone
from gongzhi.org.models import Person


@pytest.fixture
def event(world):
    person = Person.objects.get(name="刘书记")
    return audit.update(actor=world.admin, obj=person, mobile="13900001111")


def test_update_records_who_and_fields_before_and_after(world):
    person = Person.objects.get(name="刘书记")
    old = person.mobile
    audit.update(actor=world.admin, obj=person, mobile="13900001111", note="corrected")
    e = AuditEvent.objects.for_object(person).get(action="update")
    assert e.actor == world.admin
    # Personal data is recorded masked, never in full.
    assert e.changes == {"mobile": {"before": mask_phone(old), "after": "139****1111"}}
    assert e.note == "corrected"


def test_an_unchanged_update_writes_no_event(world):
    person = Person.objects.get(name="刘书记")
    audit.update(actor=world.admin, obj=person, mobile=person.mobile)
    assert not AuditEvent.objects.for_object(person).filter(action="update").exists()


def test_model_refuses_to_change_or_delete_a_saved_event(world, event):
    e = AuditEvent.objects.first()
    e.note = "rewritten"
    with pytest.raises(AuditImmutableError):
        e.save()
    with pytest.raises(AuditImmutableError):
        e.delete()


def test_queryset_refuses_update_and_delete(world, event):
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().update(note="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(note="x").count() == 0


def test_database_refuses_raw_update(world, event):
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute(f"UPDATE {table} SET note = 'tampered'")  # noqa: S608
    assert not AuditEvent.objects.filter(note="tampered").exists()


@pytest.mark.postgres
def test_postgres_refuses_raw_delete(world, event):
    if connection.vendor != "postgresql":
        pytest.skip("DELETE is refused by trigger on PostgreSQL only (see migration 0002)")
    table = AuditEvent._meta.db_table
    before = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute(f"DELETE FROM {table}")  # noqa: S608
    assert AuditEvent.objects.count() == before


def test_archive_is_recorded_and_rows_are_never_hard_deleted(world):
    person = Person.objects.get(name="刘书记")
    with pytest.raises(RuntimeError):
        person.delete()
    with pytest.raises(RuntimeError):
        Person.objects.filter(pk=person.pk).delete()
    audit.archive(actor=world.admin, obj=person)
    person.refresh_from_db()
    assert person.archived_at is not None
    assert AuditEvent.objects.for_object(person).filter(action="archive").exists()
    assert Person.objects.active().filter(pk=person.pk).count() == 0


def test_a_failed_write_leaves_no_audit_row(world):
    person = Person.objects.get(name="刘书记")
    before = AuditEvent.objects.count()
    with pytest.raises(Exception):  # noqa: B017,PT011  (validation refuses a 60-character name)
        audit.update(actor=world.admin, obj=person, name="名" * 60)
    assert AuditEvent.objects.count() == before
    person.refresh_from_db()
    assert person.name == "刘书记"


def test_record_keeps_system_actor_label(db):
    e = audit.record(actor=None, action=AuditEvent.Action.IMPORT, object_repr="places.geojson")
    assert e.actor is None and e.actor_label == "system"


def test_a_file_field_is_recorded_by_its_name_and_an_empty_one_as_nothing():
    from gongzhi.cases.models import CasePhoto

    photo = CasePhoto(original="cases/originals/a.jpg", thumbnail="", public_image="")
    data = audit.snapshot(photo, ["original", "thumbnail", "public_image"])
    assert data == {"original": "cases/originals/a.jpg", "thumbnail": None, "public_image": None}
