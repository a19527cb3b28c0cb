from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class NotificationsConfig(ProductApp):
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from gongzhi.core.navigation import NavItem, register, signed_in

        from . import checks, permissions, privacy, selectors, summary, tasks  # noqa: F401

        register(
            NavItem(
                _("Inbox"),
                "notifications:inbox",
                "bell",
                signed_in,
                "inbox",
                badge=selectors.nav_badge,
                badge_url_name="notifications:badge",
                position=60,
            )
        )
