"""The project's parties hear of its steps, in the app, in Chinese; the actor does not."""

from __future__ import annotations

import pytest

from gongzhi.alliance import services
from gongzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_parties_hear_of_a_proposal_and_of_each_step(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        p = services.project_propose(
            actor=world.leader,
            title="错时停车",
            parties=[(world.orgs["school"], "provider")],
            residential_area=world.area_a,
        )
    told = Notification.objects.for_object(p)
    assert told.filter(recipient=world.liaison, template="project_proposed").exists()
    assert told.filter(recipient=world.secretary, template="project_proposed").exists()
    assert not told.filter(recipient=world.other_secretary).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.project_act(actor=world.liaison, project=p, action="agree")
    changed = Notification.objects.for_object(p).filter(template="project_changed")
    assert changed.filter(recipient=world.secretary).exists()
    assert not changed.filter(recipient=world.liaison).exists()  # the one who acted
    assert "错时停车" in changed.get(recipient=world.secretary).body
