from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "gongzhi.worktime"
    label = "worktime"
    verbose_name = _("Working time")

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from . import calendar, checks  # noqa: F401  (register the system checks)

        setting_changed.connect(calendar.settings_changed, dispatch_uid="worktime-settings")
