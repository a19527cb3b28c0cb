from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "gongzhi.places"
    label = "places"
    verbose_name = _("Places and grids")

    def ready(self) -> None:
        from . import permissions, summary  # noqa: F401  (register the policies and counts)
