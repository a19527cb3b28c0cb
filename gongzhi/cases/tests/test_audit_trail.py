"""The audit trail answers "who sent this to 交警中队, with which deadline?": every action of the
case workflow records every field it changes, and the trail shows them as an auditor reads
them (Chinese labels, objects by name, "—" for empty, one time zone, people by name)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services
from gongzhi.cases.models import Case, ExtensionRequest
from gongzhi.cases.tests.test_workflow_matrix import ACTOR_FOR, ALLOWED, actor, do, ready_for
from gongzhi.cases.workflow import CASES

pytestmark = pytest.mark.django_db


def _row_of(case: Case, action: str) -> AuditEvent:
    return (
        AuditEvent.objects.filter(content_type__model="case", object_id=str(case.pk))
        .filter(note__startswith=action)
        .latest("pk")
    )


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_every_action_records_every_field_it_changes(centre, action):
    case = ready_for(centre, action)
    case.refresh_from_db()
    before = audit.snapshot(case)
    do(action, actor(centre.world, ACTOR_FOR[action]), case, centre)
    case.refresh_from_db()
    changed = set(audit.diff(before, audit.snapshot(case))) - CASES.quiet_fields
    row = _row_of(case, action)
    assert changed <= set(row.changes), (action, changed - set(row.changes))
    if action == "request_extension":
        assert "extension_request" in row.changes
    if action in ("approve_extension", "refuse_extension"):
        assert "extension_decision" in row.changes
    # One time zone in a row: every moment written in the site's (+08:00).
    moments = re.findall(r"\d{4}-\d\d-\d\dT[\d:.]+([+-]\d\d:\d\d|Z)", str(row.changes))
    assert set(moments) <= {"+08:00"}, moments


def test_the_trail_shows_a_dispatch_as_an_auditor_reads_it(centre, world):
    from gongzhi.cases.tests.conftest import advance

    case = advance(centre.intake(grid="a1"), "filed", centre)
    services.case_dispatch(actor=world.operator, case=case, department=world.orgs["chengguan"].pk)
    row = _row_of(case, "dispatch")
    c = Client()
    c.force_login(world.auditor)
    page = c.get(reverse("audit:detail", args=[row.pk])).content.decode()
    department = re.search(
        r'<tr data-field="department"><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>', page
    )
    assert department, page
    assert department.groups() == ("职能部门", "—", "城管中队")
    due = re.search(
        r'<tr data-field="handle_due_at"><td>[^<]*</td><td>—</td><td>(\d{4}-\d\d-\d\d \d\d:\d\d)</td>',
        page,
    )
    assert due
    assert "王受理（operator）" in page  # the person, with the login
    assert "案件" in page and "cases.case" not in page
    listing = c.get(reverse("audit:list")).content.decode()
    assert "职能部门" in listing and "department" not in re.sub(r"<[^>]+>", "", listing)


def test_an_extension_request_is_in_the_trail_with_what_was_asked(centre, world):
    from gongzhi.cases.tests.conftest import advance

    case = advance(centre.intake(grid="a1"), "accepted", centre)
    services.extension_request(
        actor=world.handler, case=case, amount=2, unit="working_days", reason="需采购配件"
    )
    req = ExtensionRequest.objects.get(case=case)
    assert AuditEvent.objects.filter(
        content_type__model="extensionrequest", object_id=str(req.pk), action="create"
    ).exists()
    row = _row_of(case, "request_extension")
    c = Client()
    c.force_login(world.auditor)
    page = c.get(reverse("audit:detail", args=[row.pk])).content.decode()
    assert "未记录字段变更" not in page
    assert "需采购配件" in page
