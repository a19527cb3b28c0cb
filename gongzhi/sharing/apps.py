"""Shared resources of the alliance's units: car parks lent to residents outside school hours
(潮汐"错时停车") with permits, a reproducible lottery and the gate check; halls and rooms booked
for events."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class SharingConfig(ProductApp):
    verbose_name = _("Shared resources")

    def ready(self) -> None:
        from gongzhi.core import home
        from gongzhi.core.navigation import NavItem, register, signed_in
        from gongzhi.core.seeding import Stage, register_stage

        from . import demo, messages, notices, permissions, summary, tasks  # noqa: F401  (registrations)
        from . import home as panels

        summary.register()
        messages.register()
        register_stage(
            Stage(
                "sharing",
                demo.seed_stage,
                "the school's car park for 杏梅园: windows, applications, a lottery, permits, "
                "two months of gate log; halls with bookings",
                after=("organisations", "people", "accounts", "alliance"),
            )
        )
        register(
            NavItem(
                _("Shared resources"),
                "sharing:index",
                "p-square",
                signed_in,
                "sharing",
                position=160,
            ),
            NavItem(
                _("Gate check"),
                "sharing:gate",
                "sign-stop",
                permissions.runs_a_gate,
                "gate",
                position=165,
            ),
        )
        home.register(
            home.Panel(
                "sharing_liaison",
                "sharing/home/liaison.html",
                show=panels.shows_liaison,
                build=panels.liaison,
                position=60,
            ),
            home.Panel(
                "sharing_resident",
                "sharing/home/resident.html",
                show=panels.shows_resident,
                build=panels.resident,
                position=65,
            ),
        )
