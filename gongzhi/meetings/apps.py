"""Meetings and consultation (议事协商): the councils' schedules, invitations, attendance and quorum,
agendas, minutes and votes; resolutions followed as action items until done (as cases in the grid
centre or projects of the alliance); consultation topics with opinions and votes; deputies'
reception days; and the community workers' training record."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class MeetingsConfig(ProductApp):
    verbose_name = _("Meetings and consultation")

    def ready(self) -> None:
        from gongzhi.core.navigation import NavItem, register, signed_in
        from gongzhi.core.seeding import Stage, register_stage

        from . import messages, notices, permissions, summary  # noqa: F401  (registrations)
        from .demo import seed_stage
        from .home import register_panels

        messages.register()
        register_stage(
            Stage(
                "meetings",
                seed_stage,
                "councils: a year of meetings with minutes, votes and action items, "
                "consultation topics, reception days, a year of training",
                after=("alliance", "cases"),
            )
        )
        register(
            NavItem(
                _("Meetings"), "meetings:index", "people-fill", signed_in, "meetings", position=190
            )
        )
        register_panels()
