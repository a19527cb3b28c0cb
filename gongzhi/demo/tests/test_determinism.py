"""Same seed, same data; and the seed never fills a database that already holds data."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from gongzhi.demo.seed import seed_demo
from gongzhi.demo.seed.digest import seed_digest
from gongzhi.org.models import Organisation
from gongzhi.org.tests.factories import OrganisationFactory
from gongzhi.places.demo.geometry import build_layout
from gongzhi.places.models import Subdistrict


def _seeded_digest(seed: int) -> str:
    # A short case history: the cases' own determinism is tested in gongzhi/cases/tests.
    with transaction.atomic():
        assert seed_demo(seed=seed, options={"cases": 200}).created
        digest = seed_digest()
        transaction.set_rollback(True)
    return digest


@pytest.mark.slow
def test_the_same_seed_gives_the_same_data(db):
    global_state = random.getstate()
    empty = seed_digest()
    first = _seeded_digest(7)
    assert not Subdistrict.objects.exists()  # rolled back: the next run starts empty too
    second = _seeded_digest(7)
    assert first == second
    assert first != empty
    assert random.getstate() == global_state  # never the global random generator


def test_another_seed_gives_another_map():
    a = build_layout(random.Random("gongzhi-demo/7/geometry"))
    b = build_layout(random.Random("gongzhi-demo/8/geometry"))
    assert a.outline.wkb != b.outline.wkb
    assert len(a.estates) == len(b.estates) == 63


def test_the_seed_leaves_a_database_with_other_data_alone(db):
    OrganisationFactory(name="某街道党工委")
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out)
    assert "Nothing was changed" in out.getvalue()
    assert not Subdistrict.objects.exists()
    assert Organisation.objects.count() == 1
