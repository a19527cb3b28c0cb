from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class AccountsConfig(ProductApp):
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from . import policies  # noqa: F401  (registers the policies)
