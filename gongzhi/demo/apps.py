from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class DemoConfig(ProductApp):
    verbose_name = _("Demo data")

    def ready(self) -> None:
        from gongzhi.core.seeding import Stage, register_stage

        from .seed import accounts, second

        register_stage(
            Stage("accounts", accounts.run, "one login per demo account", after=("people",))
        )
        register_stage(
            Stage(
                "second_subdistrict",
                second.run,
                "a second subdistrict and the district office (seed_demo --subdistricts 2)",
                after=("cases", "duty", "alliance", "meetings", "sharing", "servicecentre"),
            )
        )
