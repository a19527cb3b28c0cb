from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class DemoConfig(ProductApp):
    verbose_name = _("Demo data")

    def ready(self) -> None:
        from gongzhi.core.seeding import Stage, register_stage

        from .seed import accounts

        register_stage(
            Stage("accounts", accounts.run, "one login per demo account", after=("people",))
        )
