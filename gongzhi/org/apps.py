from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class OrgConfig(ProductApp):
    verbose_name = _("Organisation and people")

    def ready(self) -> None:
        from gongzhi.core.navigation import NavItem, register
        from gongzhi.core.roles import Access, set_access_resolver

        from . import permissions, stations, summary  # noqa: F401  (policies and counts)
        from .access import compute_access

        set_access_resolver(compute_access)

        def staff(a: Access) -> bool:
            return a.is_staff_member

        register(
            NavItem(_("Organisation"), "org:chart", "diagram-3", staff, "org", position=20),
            NavItem(_("Residential areas"), "org:area_list", "houses", staff, "areas", position=30),
            NavItem(
                _("Grid stations"),
                "org:station_list",
                "geo-alt",
                stations.has_stations,
                "stations",
                position=35,
            ),
            NavItem(_("People"), "org:people", "people", staff, "people", position=40),
        )

        from gongzhi.core.seeding import Stage, register_stage

        from .demo import org, people

        register_stage(
            Stage(
                "organisations",
                org.run,
                "the organisation tree, alliance, relations",
                after=("places",),
            )
        )
        register_stage(
            Stage(
                "people",
                people.run,
                "positions, Party members, dual registrations",
                after=("organisations",),
            )
        )
