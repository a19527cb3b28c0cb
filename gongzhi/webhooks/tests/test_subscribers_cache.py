"""Intake and every case action read the subscriptions from a per-process cache; one archived
or restored in another process (archived_at changes alone) is seen at the next version check."""

from __future__ import annotations

from django.utils import timezone

from gongzhi.webhooks import services
from gongzhi.webhooks.models import Subscription
from gongzhi.webhooks.tests.conftest import subscribe


def test_a_subscription_archived_elsewhere_stops_receiving_events(world, settings):
    settings.GONGZHI = {**settings.GONGZHI, "CACHE_CHECK_SECONDS": 0}
    sub, _secret = subscribe(world, "http://10.0.0.5/in", ["filed"])
    assert services.subscribers("filed") == [sub]
    Subscription.objects.filter(pk=sub.pk).update(archived_at=timezone.now())
    assert services.subscribers("filed") == []
    Subscription.objects.filter(pk=sub.pk).update(archived_at=None)
    assert services.subscribers("filed") == [sub]
