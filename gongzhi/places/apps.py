from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "gongzhi.places"
    label = "places"
    verbose_name = _("Places and grids")

    def ready(self) -> None:
        from gongzhi.core.navigation import NavItem, register
        from gongzhi.core.seeding import Stage, register_stage

        from . import demo, permissions, summary  # noqa: F401  (policies, counts, seed stage)

        register_stage(
            Stage("places", demo.run, "outline, grid stations, residential areas, estates, grids")
        )
        register(
            NavItem(
                _("Map"), "places:map", "map", lambda a: a.user_id is not None, "map", position=10
            )
        )
