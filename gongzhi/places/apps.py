from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class PlacesConfig(ProductApp):
    verbose_name = _("Places and grids")

    def ready(self) -> None:
        from gongzhi.core.navigation import NavItem, register, signed_in
        from gongzhi.core.seeding import Stage, register_stage

        from . import demo, permissions, summary  # noqa: F401  (policies, counts, seed stage)

        register_stage(
            Stage("places", demo.run, "outline, grid stations, residential areas, estates, grids")
        )
        register(NavItem(_("Map"), "places:map", "map", signed_in, "map", position=10))
