"""The Party-building service network ("two stations, one centre", 两站一中心): service points,
the service catalogue and its brand programmes, the monthly menu ordered by the stations and
scheduled by the centre, events with registration and check-in, and volunteers."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


def nav_items() -> list[Any]:
    from gongzhi.core.navigation import NavItem, signed_in

    from .permissions import sees_network

    return [
        NavItem(
            _("Service menus"),
            "servicecentre:menus",
            "journal-text",
            sees_network,
            "service",
            position=170,
        ),
        NavItem(
            _("Events"), "servicecentre:events", "calendar-event", signed_in, "events", position=175
        ),
        NavItem(
            _("Volunteers"),
            "servicecentre:volunteers",
            "people",
            signed_in,
            "volunteers",
            position=180,
        ),
    ]


class ServiceCentreConfig(ProductApp):
    verbose_name = _("Service network")

    def ready(self) -> None:
        from gongzhi.core.navigation import register
        from gongzhi.core.seeding import Stage, register_stage

        from . import demo, home, messages, notices, permissions, summary  # noqa: F401  (registrations)

        messages.register()
        from .measures import register_source

        register_source()
        register_stage(
            Stage(
                "servicecentre",
                demo.seed_stage,
                "service points, a year of menus, events, registrations, volunteers",
                after=("accounts",),
            )
        )
        register(*nav_items())
        home.register_panels()
