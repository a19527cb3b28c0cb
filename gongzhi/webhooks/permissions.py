"""Who sees webhook subscriptions and their deliveries: administrators (the back office), of
their subdistricts where the installation serves several (a subscription of no subdistrict is
the district's: every administrator sees it)."""

from __future__ import annotations

from gongzhi.core.permissions import Policy, register

from .models import Delivery, DeliveryAttempt, Subscription


@register(Subscription)
class SubscriptionPolicy(Policy):
    subdistrict_path = "subdistrict"


@register(Delivery)
class DeliveryPolicy(Policy):
    subdistrict_path = "subscription__subdistrict"


@register(DeliveryAttempt)
class DeliveryAttemptPolicy(Policy):
    subdistrict_path = "delivery__subscription__subdistrict"
