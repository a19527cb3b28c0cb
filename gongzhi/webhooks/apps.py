from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class WebhooksConfig(ProductApp):
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # The case events' listener, the tasks, and the other domains' topics.
        from . import alliance, listeners, meetings, permissions, tasks  # noqa: F401
