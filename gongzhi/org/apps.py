from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "gongzhi.org"
    label = "org"
    verbose_name = _("Organisation and people")

    def ready(self) -> None:
        from . import permissions, summary  # noqa: F401  (register the policies and counts)
