from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "gongzhi.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (register the policies)
