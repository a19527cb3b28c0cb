from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "gongzhi.duty"
    label = "duty"
    verbose_name = _("Emergency duty")

    def ready(self) -> None:
        from gongzhi.core.navigation import NAV_ITEMS, NavItem

        from . import permissions  # noqa: F401  (register the policies)

        if not any(item.key == "duty" for item in NAV_ITEMS):
            NAV_ITEMS.append(
                NavItem(_("Duty"), "duty:desk", "broadcast", permissions.reads_roster, "duty")
            )
