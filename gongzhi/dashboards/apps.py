"""The leaders' cockpit (领导驾驶舱): dashboards scoped to the viewer, the map of grids, the grid
stations' pages, accountability (责任追究) and the monthly report, read through the domains'
selectors and a registry of measures. Nothing imports this app."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class DashboardsConfig(ProductApp):
    verbose_name = _("Leaders' cockpit")

    def ready(self) -> None:
        from gongzhi.core.home import Panel
        from gongzhi.core.home import register as register_panels
        from gongzhi.core.navigation import NavItem, register
        from gongzhi.core.roles import Role
        from gongzhi.core.seeding import Stage, register_stage

        # aggregates: the case events' listener; accountability_tasks: the periodic evaluation.
        from . import (  # noqa: F401
            accountability,
            accountability_messages,
            accountability_tasks,
            aggregates,
            aggregates_batch,
            home,
            report_services,
            selectors,
        )

        accountability_messages.register()

        # The demo's history is written in bulk, without events: build the figures after it.
        register_stage(
            Stage(
                "cockpit",
                aggregates.seed_stage,
                "the cockpit's daily figures",
                after=("cases",),
            )
        )

        register(
            NavItem(
                _("Cockpit"),
                "dashboards:index",
                "speedometer2",
                selectors.may_view,
                "cockpit",
                position=95,
            ),
            NavItem(
                _("Reports"),
                "dashboards:reports",
                "file-earmark-bar-graph",
                report_services.may_use,
                "reports",
                position=96,
            ),
            NavItem(
                _("My area's cockpit"),
                "dashboards:area_mine",
                "house-heart",
                lambda a: Role.AREA in a.roles and bool(a.area_ids),
                "area_cockpit",
                position=98,
            ),
            NavItem(
                _("Accountability"),
                "dashboards:accountability",
                "exclamation-octagon",
                accountability.shows_in_menu,
                "accountability",
                position=97,
            ),
        )
        register_panels(
            Panel(
                "accountability",
                "dashboards/home/warnings.html",
                show=lambda a: a.person_id is not None and a.is_staff_member,
                build=accountability.home_panel,
                position=1,
            ),
            Panel(
                "cockpit",
                "dashboards/home/cockpit.html",
                show=home.shows,
                build=home.build,
                position=55,
            ),
        )
