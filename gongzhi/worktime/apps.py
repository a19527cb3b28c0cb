from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class WorktimeConfig(ProductApp):
    verbose_name = _("Working time")

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from . import calendar, checks  # noqa: F401  (register the system checks)

        setting_changed.connect(calendar.settings_changed, dispatch_uid="worktime-settings")

        from gongzhi.core import banners as banner_registry
        from gongzhi.core.navigation import NavItem, register
        from gongzhi.core.roles import Access, Role

        from .banners import missing_holidays

        banner_registry.register(missing_holidays)

        def admin(a: Access) -> bool:
            return a.has(Role.ADMIN)

        register(
            NavItem(
                _("Working calendar"),
                "worktime:this_year",
                "calendar3",
                admin,
                "calendar",
                position=130,
            )
        )
