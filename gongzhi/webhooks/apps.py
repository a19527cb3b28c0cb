from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class WebhooksConfig(ProductApp):
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from . import listeners, tasks  # noqa: F401  (the case events' listener, the tasks)
