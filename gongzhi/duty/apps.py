from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class DutyConfig(ProductApp):
    verbose_name = _("Emergency duty")

    def ready(self) -> None:
        from gongzhi.core.navigation import NavItem, register
        from gongzhi.core.seeding import Stage, register_stage
        from gongzhi.notifications import audiences

        from . import demo, permissions  # (permissions registers the policies)
        from .selectors import current_duty_chiefs

        # The grid centre's notices page whoever the roster says is the duty chief now.
        audiences.provide("duty_chiefs", current_duty_chiefs)

        register_stage(
            Stage(
                "duty",
                demo.seed_stage,
                "duty roster, shift log, handovers",
                after=("accounts",),
            )
        )

        register(
            NavItem(
                _("Duty"), "duty:desk", "broadcast", permissions.reads_roster, "duty", position=120
            )
        )
