from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "gongzhi.places"
    label = "places"
    verbose_name = _("Places and grids")

    def ready(self) -> None:
        from gongzhi.core.seeding import Stage, register_stage

        from . import demo

        register_stage(
            Stage("places", demo.run, "outline, grid stations, residential areas, estates, grids")
        )
        from . import permissions, summary  # noqa: F401  (register the policies and counts)
