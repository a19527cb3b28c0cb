"""A refused subscription says everything that is wrong at once, each problem next to its field
(gongzhi.core.errors.service_error, as for every other app's records)."""

from __future__ import annotations

import pytest
from django.utils import translation

from gongzhi.core.errors import ServiceError
from gongzhi.webhooks.models import Subscription
from gongzhi.webhooks.tests.conftest import subscribe


def test_every_problem_is_reported_with_its_field(world):
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        subscribe(world, "ftp://10.0.0.5/in", [])
    assert set(refused.value.field_errors) == {"url", "event_types"}
    message = str(refused.value.message)
    assert message.startswith("target address: ") and "events: " in message
    assert all(m in message for ms in refused.value.field_errors.values() for m in ms)
    assert not Subscription.objects.exists()
