from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class WorktimeConfig(ProductApp):
    verbose_name = _("Working time")

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from . import calendar, checks  # noqa: F401  (register the system checks)

        setting_changed.connect(calendar.settings_changed, dispatch_uid="worktime-settings")
