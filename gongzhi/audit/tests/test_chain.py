"""The audit trail's hash chain: rows are sealed after they settle, the chain verifies, and any
change made behind the application's back (a row edited or removed, a seal forged) is found
and named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from gongzhi.audit import chain
from gongzhi.audit.models import AuditEvent, AuditImmutableError, AuditSeal
from gongzhi.audit.services import record

pytestmark = pytest.mark.django_db


def _rows(n: int) -> list[AuditEvent]:
    return [
        record(actor=None, action=AuditEvent.Action.UPDATE, object_repr=f"row {i}", note="x")
        for i in range(n)
    ]


def _later() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=chain.SETTLE_SECONDS + 1)


def _behind_the_back(table: str, sql: str, params: list) -> None:
    """Run `sql` with the table's append-only trigger out of the way, as a database owner
    could (inside the test's transaction, so the trigger is back afterwards)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cur.execute(sql, params)
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            trigger = {"audit_auditevent": "audit_auditevent_no_update"}.get(
                table, "audit_auditseal_no_update"
            )
            cur.execute(f"DROP TRIGGER {trigger}")
            cur.execute(sql, params)


def test_settled_rows_are_sealed_in_order_and_the_chain_verifies():
    rows = _rows(5)
    assert chain.seal() == 0  # just written: they may belong to a transaction still open
    assert chain.seal(now=_later()) == 5
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [s.event_id for s in seals] == [r.pk for r in rows]
    assert len({s.hash for s in seals}) == 5
    result = chain.verify()
    assert (result.ok, result.checked, result.unsealed) == (True, 5, 0)


def test_a_later_run_continues_the_chain():
    _rows(3)
    chain.seal(now=_later())
    _rows(2)
    assert chain.seal(now=_later()) == 2
    assert chain.seal(now=_later()) == 0  # nothing sealed twice
    assert chain.verify().checked == 5


def test_a_changed_row_breaks_the_chain_at_that_row(capsys):
    rows = _rows(4)
    chain.seal(now=_later())
    _behind_the_back(
        "audit_auditevent", "UPDATE audit_auditevent SET note = %s WHERE id = %s", ["y", rows[2].pk]
    )
    result = chain.verify()
    assert not result.ok
    assert result.checked == 2
    assert f"audit row #{rows[2].pk} does not match" in result.broken[0]
    with pytest.raises(CommandError, match=f"audit row #{rows[2].pk}"):
        call_command("audit_verify")


def test_a_removed_row_is_named():
    rows = _rows(3)
    chain.seal(now=_later())
    _behind_the_back("audit_auditevent", "DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])
    result = chain.verify()
    assert not result.ok
    assert f"audit row #{rows[1].pk} is missing" in result.broken[0]


def test_a_forged_seal_breaks_the_chain_from_there_on():
    _rows(3)
    chain.seal(now=_later())
    first = AuditSeal.objects.order_by("seq").first()
    assert first is not None
    _behind_the_back(
        "audit_auditseal",
        "UPDATE audit_auditseal SET hash = %s WHERE seq = %s",
        ["f" * 64, first.seq],
    )
    result = chain.verify()
    assert not result.ok and result.checked == 0


def test_seals_are_append_only():
    _rows(1)
    chain.seal(now=_later())
    seal = AuditSeal.objects.get()
    with pytest.raises(AuditImmutableError):
        seal.save()
    with pytest.raises(AuditImmutableError):
        AuditSeal.objects.all().delete()


def test_the_command_reports_what_it_checked(capsys):
    _rows(2)
    chain.seal(now=_later())
    _rows(1)
    call_command("audit_verify", "--json")
    out = capsys.readouterr().out
    assert '"ok": true' in out and '"checked": 2' in out and '"unsealed": 1' in out
