"""Request limits, counted in Django's cache in fixed windows: per client key (its own
per-minute and per-hour limits) and, for reads without a key, per address."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from gongzhi.core.conf import product_setting

from .errors import Open311Error
from .models import Open311Client


def _count(bucket: str, window_s: int) -> tuple[int, int]:
    """Count one request in the current window: (count so far, seconds until the window ends)."""
    now = int(time.time())
    key = f"gz:open311:rate:{bucket}:{window_s}:{now // window_s}"
    if cache.add(key, 1, window_s + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, window_s + 5)
            count = 1
    return count, window_s - now % window_s


def _refuse(wait_s: int) -> Open311Error:
    return Open311Error(
        [(429, _("Rate limit exceeded: try again in %(n)d seconds.") % {"n": wait_s})],
        status=403,
        headers={"Retry-After": str(wait_s)},
    )


def check_client(client: Open311Client) -> None:
    for limit, window in ((client.per_minute, 60), (client.per_hour, 3600)):
        count, wait = _count(f"client:{client.pk}", window)
        if count > limit:
            raise _refuse(wait)


def check_anonymous(address: str) -> None:
    limit = int(product_setting("OPEN311_ANONYMOUS_PER_MINUTE", 120))
    count, wait = _count(f"ip:{address}", 60)
    if count > limit:
        raise _refuse(wait)
