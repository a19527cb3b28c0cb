"""The seed stage on a small subdistrict: a year of menus, events within their capacity, a
ledger whose balances are the sums of its rows; the same seed gives the same data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from gongzhi.core.seeding.context import SeedContext
from gongzhi.org.models import Organisation
from gongzhi.org.tests.factories import OrganisationFactory
from gongzhi.servicecentre import demo, selectors
from gongzhi.servicecentre.models import (
    Event,
    Menu,
    PointsEntry,
    Registration,
    ServicePoint,
    Volunteer,
)
from gongzhi.servicecentre.summary import servicecentre_summary

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 11, 18, 10, 0))


def _fingerprint() -> list:
    return list(
        Event.objects.order_by("starts_at", "point__organisation__name").values_list(
            "title", "starts_at", "capacity", "point__organisation__name"
        )
    ) + list(Registration.objects.order_by("code").values_list("code", "state", "name"))


def test_seed_stage(world, monkeypatch):
    K = Organisation.Kind
    for name in ("中环大厦党建服务站", "杏梅园居民区党建服务站", "杏杨居民区党建服务站"):
        OrganisationFactory(name=name, kind=K.SERVICE_STATION, parent=world.orgs["centre_service"])
    monkeypatch.setattr(demo, "POOL", 150)
    monkeypatch.setattr(demo, "VOLUNTEERS", 60)
    ctx = SeedContext(seed=7, now=NOW)
    demo.seed_stage(ctx)
    summary = servicecentre_summary()
    assert summary["menus"] == 12 and summary["menu_items"] == 12 * 12
    assert 30 <= summary["events"] <= 36
    assert summary["registrations"] > 300 and 0 < summary["attendance"] < summary["registrations"]
    assert summary["volunteers"] == 60 and summary["volunteer_hours"] > 100
    assert ServicePoint.objects.filter(kind=ServicePoint.Kind.CENTRE).count() == 1
    assert Menu.objects.filter(month=dt.date(2026, 12, 1)).exists()
    # Capacity is never exceeded; a code is unique; nobody twice at an event.
    over = Event.objects.annotate(
        n=Count("registrations", filter=Q(registrations__state__in=("registered", "attended")))
    ).filter(n__gt=F("capacity"))
    assert not over.exists()
    assert not (
        Registration.objects.exclude(state="cancelled")
        .values("event", "user")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    # Balances are the sums of the ledger's rows, and never negative.
    total = 0
    for v in Volunteer.objects.all():
        b = selectors.balance(v)
        assert b >= 0
        total += b
    assert total == PointsEntry.objects.aggregate(s=Sum("amount"))["s"] == summary["points"]
    # Another run is skipped, with a note.
    first = _fingerprint()
    demo.seed_stage(SeedContext(seed=7, now=NOW))
    assert _fingerprint() == first
