from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class ApiConfig(ProductApp):
    verbose_name = _("REST API")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (register the policies)
