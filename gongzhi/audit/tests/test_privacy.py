"""Personal data is kept only as long as its period (a case's reporter: blanked once the case
ended long enough ago; the case and its figures stay), and everything held about one person is
exported on request with the log of who saw it."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongzhi.audit import privacy
from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance, make_centre

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def _reported(centre, state: str, **kw) -> Case:
    case = centre.intake(
        centre.world.operator,
        reporter_name="张阿姨",
        reporter_phone=kw.pop("phone", PHONE),
        reporter_email="zhang@example.cn",
        **kw,
    )
    return advance(case, state, centre)


def _age(case: Case, days: int) -> None:
    then = timezone.now() - dt.timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(closed_at=then, updated_at=then)


def test_reporters_of_long_ended_cases_are_anonymised_and_nothing_else(world, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = {"cases.reporter": 365}
    centre = make_centre(world)
    old = _reported(centre, "closed")
    recent = _reported(centre, "closed")
    still_open = _reported(centre, "dispatched")
    _age(old, 400)
    _age(recent, 30)
    Case.objects.filter(pk=still_open.pk).update(updated_at=timezone.now() - dt.timedelta(days=900))

    assert privacy.anonymise_expired()["cases.reporter"] == 1
    old.refresh_from_db()
    assert (old.reporter_name, old.reporter_phone, old.reporter_email) == ("", "", "")
    assert old.state == "closed" and old.number  # the case itself stays, with its history
    for case in (recent, still_open):
        case.refresh_from_db()
        assert case.reporter_phone == PHONE
    row = AuditEvent.objects.get(note__startswith="retention:")
    assert "1 rows" in row.note and PHONE not in json.dumps(row.changes) + row.note
    assert privacy.anonymise_expired()["cases.reporter"] == 0  # done once


def test_no_period_keeps_the_data(world, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = {"cases.reporter": 0}
    case = _reported(make_centre(world), "closed")
    _age(case, 5000)
    assert "cases.reporter" not in privacy.anonymise_expired()
    case.refresh_from_db()
    assert case.reporter_phone == PHONE


def test_a_persons_data_is_exported_with_who_saw_it(world):
    centre = make_centre(world)
    mine = _reported(centre, "dispatched")
    _reported(centre, "received", phone="13800000000")  # someone else's
    services.reveal_reporter_phone(actor=world.operator, case=mine)
    with pytest.raises(services.NotAllowed):
        services.reveal_reporter_phone(actor=world.other_handler, case=mine)

    out = StringIO()
    call_command(
        "personal_data",
        "export",
        "--phone",
        "+86 139 1234 5678",
        "--reason",
        "本人申请",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    rows = data["holdings"]["cases.reporter"]["rows"]
    assert [r["number"] for r in rows] == [mine.number]
    assert rows[0]["reporter_phone"] == PHONE and rows[0]["reporter_name"] == "张阿姨"
    log = [(e["who"], e["action"]) for e in data["reveal_log"]]
    assert log == [(world.operator.username, "reveal"), (world.other_handler.username, "denied")]
    assert AuditEvent.objects.filter(action="export", note__contains="本人申请").exists()


def test_an_export_names_its_person_and_its_reason():
    with pytest.raises(CommandError, match="--phone"):
        call_command("personal_data", "export", "--reason", "x", stdout=StringIO())
    with pytest.raises(CommandError, match="--reason"):
        call_command("personal_data", "export", "--phone", PHONE, stdout=StringIO())
