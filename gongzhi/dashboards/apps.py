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
        from gongzhi.core.seeding import Stage, register_stage

        from . import aggregates, aggregates_batch, home, selectors  # noqa: F401  (case events)

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
            )
        )
        register_panels(
            Panel(
                "cockpit",
                "dashboards/home/cockpit.html",
                show=home.shows,
                build=home.build,
                position=55,
            )
        )
