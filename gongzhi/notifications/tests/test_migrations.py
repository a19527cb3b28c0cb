"""The notices' case column becomes their target (migrations 0003–0005), and back again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gongzhi.cases.models import Case
from gongzhi.notifications.models import Notification

BEFORE = [("notifications", "0003_notification_target")]
AFTER = [("notifications", "0005_remove_notification_case")]
LONG = "兰溪路垃圾箱旁暴露垃圾已有三天，气味很大，蚊蝇滋生，请尽快安排清运并清洗地面"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_case_of_each_notice_becomes_its_target_and_back(centre):
    case = centre.intake(description=LONG)
    Case.objects.filter(pk=case.pk).update(title="")  # named by its description, then
    case.refresh_from_db()
    other = centre.intake(title="杏梅园小区井盖缺失")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        OldNotification = old.get_model("notifications", "Notification")
        made = {
            "a": OldNotification.objects.create(channel="in_app", body="a", case_id=case.pk),
            "b": OldNotification.objects.create(channel="sms", body="b", case_id=other.pk),
            "none": OldNotification.objects.create(channel="email", body="c"),
        }

        _migrate(AFTER)
        rows = {k: Notification.objects.get(pk=v.pk) for k, v in made.items()}
        assert rows["a"].target == case
        assert rows["a"].target_repr == f"{case.number} {LONG[:30]}" == str(case)
        assert rows["b"].target == other
        assert rows["b"].target_repr == f"{other.number} 杏梅园小区井盖缺失"
        assert rows["none"].target is None and rows["none"].target_repr == ""
        assert list(Notification.objects.for_object(case)) == [rows["a"]]

        old = _migrate(BEFORE)
        OldNotification = old.get_model("notifications", "Notification")
        back = {k: OldNotification.objects.get(pk=v.pk) for k, v in made.items()}
        assert [back[k].case_id for k in ("a", "b", "none")] == [case.pk, other.pk, None]
        assert all(r.target_type_id is None and r.target_id is None for r in back.values())
    finally:
        _migrate(latest)
