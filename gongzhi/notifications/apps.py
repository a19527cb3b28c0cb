from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "gongzhi.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from gongzhi.core.navigation import NavItem, register

        from . import checks, permissions, selectors, summary, tasks  # noqa: F401  (register)

        register(
            NavItem(
                _("Inbox"),
                "notifications:inbox",
                "bell",
                lambda a: a.user_id is not None,
                "inbox",
                badge=selectors.nav_badge,
                badge_url_name="notifications:badge",
                position=60,
            )
        )
