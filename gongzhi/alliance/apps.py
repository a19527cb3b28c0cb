"""The regional Party-building alliance ("筑梦曹杨"): member units, the charter, joint
activities, dual registration (双报到), the three lists (resources, needs, projects) and the
matching of needs to resources."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class AllianceConfig(ProductApp):
    verbose_name = _("Regional alliance")

    def ready(self) -> None:
        from gongzhi.core.seeding import Stage, register_stage

        from . import messages, notices, permissions, summary  # noqa: F401  (registrations)
        from .demo import seed_stage

        messages.register()
        from .measures import register_source

        register_source()

        register_stage(
            Stage(
                "alliance",
                seed_stage,
                "the alliance: charter, members, a year of joint activities, the three lists",
                after=("organisations", "accounts"),
            )
        )
        add_nav_items()

        from .home import register_panels

        register_panels()


def add_nav_items() -> None:
    from gongzhi.core.navigation import NavItem, register
    from gongzhi.core.roles import Role

    register(
        NavItem(
            _("Alliance"),
            "alliance:index",
            "diagram-3",
            lambda a: a.has(Role.LIAISON, Role.AREA, Role.LEADER, Role.SERVICE_STAFF, Role.ADMIN),
            "alliance",
            position=140,
        ),
        NavItem(
            _("Alliance projects"),
            "alliance:public",
            "stars",
            lambda a: not a.is_staff_member,
            "alliance_public",
            position=150,
        ),
    )
