from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = _("Grid management centre")

    def ready(self) -> None:
        from . import permissions, summary  # noqa: F401  (register the policies and counts)
