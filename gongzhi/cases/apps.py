from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class CasesConfig(ProductApp):
    verbose_name = _("Grid management centre")

    def ready(self) -> None:
        from gongzhi.core.seeding import Stage, register_stage

        from . import demo, messages, notices, permissions, summary  # noqa: F401  (registrations)

        messages.register()
        from . import (
            monitoring,
            privacy,  # noqa: F401  (what it holds about reporters, and for how long)
        )

        monitoring.register()

        from .measures import register_source

        register_source()

        register_stage(
            Stage(
                "cases",
                demo.seed_stage,
                "category catalogue, a year of cases, open work",
                after=("duty", "accounts"),
            )
        )

        add_nav_items()

        from .home import register_panels

        register_panels()


def add_nav_items() -> None:
    from gongzhi.core.navigation import NavItem, register
    from gongzhi.core.roles import Role

    from .measures import READER_ROLES

    items = [
        NavItem(
            _("Case queue"),
            "cases:queue",
            "inboxes",
            lambda a: a.has(Role.OPERATOR, Role.DUTY_CHIEF, Role.LEADER),
            "cases",
            position=70,
        ),
        NavItem(
            _("My department's cases"),
            "cases:inbox",
            "briefcase",
            lambda a: a.has(Role.DEPARTMENT) and bool(a.department_ids),
            "department",
            position=80,
        ),
        NavItem(
            _("My area's cases"),
            "cases:queue",
            "houses",
            lambda a: (
                a.has(Role.AREA)
                and bool(a.area_ids)
                and not a.has(Role.OPERATOR, Role.DUTY_CHIEF, Role.LEADER)
            ),
            "area_cases",
            position=75,
        ),
        NavItem(
            _("Verification tasks"),
            "cases:tasks",
            "clipboard-check",
            lambda a: a.has(Role.INSPECTOR),
            "tasks",
            position=90,
        ),
        NavItem(
            _("Statistics"),
            "cases_stats:index",
            "bar-chart-line",
            lambda a: a.has(*READER_ROLES),
            "stats",
            position=100,
        ),
        NavItem(
            _("Report a problem"),
            "cases:report",
            "megaphone",
            lambda a: not a.is_staff_member,
            "report",
            position=110,
        ),
    ]
    register(*items)
