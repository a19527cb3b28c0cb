"""Background work of the shared resources: every five minutes, the permits past their last day
are marked expired and the cars still inside a car park after its window closed become
violations (the gate check does not depend on either: it reads the validity dates and the
windows itself)."""

from __future__ import annotations

from django.utils import timezone

from gongzhi.core.tasks import task


@task("sharing.sweep", periodic_seconds=300, max_attempts=1)
def sweep_task() -> dict[str, int]:
    from . import services
    from .models import SharedResource

    now = timezone.now()
    expired = services.expire_permits(today=timezone.localdate(now))
    overstays = 0
    for resource in SharedResource.objects.active().filter(kind=SharedResource.Kind.CAR_PARK):
        overstays += len(services.overstay_sweep(resource=resource, at=now))
    return {"expired": expired, "overstays": overstays}
