from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "gongzhi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Register every app's background tasks (their `tasks` modules), so code can enqueue
        # them by name in any process, not only in the worker.
        from . import events, ratelimit  # noqa: F401  (their tasks: delivery, purge)
        from .tasks import autodiscover

        autodiscover()
