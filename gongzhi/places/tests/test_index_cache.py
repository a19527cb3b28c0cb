"""The grid index is a core.cache.TableCache whose version counts archived grids: a grid
archived or restored by another process (which changes archived_at alone) leaves or rejoins the
index at the next check, without a restart or an invalidate()."""

from __future__ import annotations

from django.utils import timezone

from gongzhi.places import index
from gongzhi.places.models import Grid
from gongzhi.places.tests.test_locate import B1, B2, grid_at


def test_a_grid_archived_by_another_process_leaves_the_index(world, settings):
    settings.GONGZHI = {**settings.GONGZHI, "CACHE_CHECK_SECONDS": 0}
    assert grid_at(750, 750) == B2
    before = index.grid_index()
    Grid.objects.filter(pk=world.grids["b2"].pk).update(archived_at=timezone.now())
    assert grid_at(750, 750) is None
    assert grid_at(750, 500) == B1
    Grid.objects.filter(pk=world.grids["b2"].pk).update(archived_at=None)
    assert grid_at(750, 750) == B2
    assert index.grid_index() is not before
