from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = _("Grid management centre")

    def ready(self) -> None:
        from gongzhi.core.navigation import NAV_ITEMS, NavItem

        from . import permissions, summary  # noqa: F401  (register the policies and counts)
        from .measures import READER_ROLES

        NAV_ITEMS.append(
            NavItem(
                _("Statistics"),
                "cases_stats:index",
                "bar-chart-line",
                lambda a: a.has(*READER_ROLES),
                "stats",
            )
        )
