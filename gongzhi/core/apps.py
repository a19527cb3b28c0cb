from django.utils.translation import gettext_lazy as _

from .appconfig import ProductApp


class CoreConfig(ProductApp):
    default = True
    verbose_name = _("Core")

    def ready(self) -> None:
        # Register every app's background tasks (their `tasks` modules), so code can enqueue
        # them by name in any process, not only in the worker.
        from . import crypto, events, ratelimit  # noqa: F401  (tasks: delivery, purge; a check)
        from .tasks import autodiscover

        autodiscover()
