"""Open311's request limits, counted by the one rate limiter (gongzhi.core.ratelimit): per client
key (its own per-minute and per-hour limits) and, for reads without a key, per address."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.core import ratelimit
from gongzhi.core.conf import product_setting

from .errors import Open311Error
from .models import Open311Client


def _refuse(wait_s: int) -> Open311Error:
    return Open311Error(
        [(429, _("Rate limit exceeded: try again in %(n)d seconds.") % {"n": wait_s})],
        status=403,
        headers={"Retry-After": str(wait_s)},
    )


def check_client(client: Open311Client) -> None:
    for limit, window in ((client.per_minute, 60), (client.per_hour, 3600)):
        verdict = ratelimit.hit(
            f"open311:client:{client.pk}:{window}s", limit=limit, window_s=window
        )
        if not verdict.allowed:
            raise _refuse(verdict.retry_after)


def check_anonymous(address: str) -> None:
    limit = int(product_setting("OPEN311_ANONYMOUS_PER_MINUTE", 120))
    verdict = ratelimit.hit(f"open311:ip:{address}", limit=limit, window_s=60)
    if not verdict.allowed:
        raise _refuse(verdict.retry_after)
