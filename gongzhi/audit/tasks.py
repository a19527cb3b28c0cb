"""The audit trail's background work: sealing new rows into the hash chain every minute."""

from __future__ import annotations

from typing import Any

from gongzhi.core.tasks import task

from . import chain


@task("audit.seal", periodic_seconds=60)
def seal_trail() -> dict[str, Any]:
    return {"sealed": chain.seal()}


@task("audit.retention", periodic_seconds=24 * 3600)
def retention() -> dict[str, Any]:
    from . import privacy

    return privacy.anonymise_expired()
