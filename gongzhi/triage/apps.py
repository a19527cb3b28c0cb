"""Hotline work orders in bulk (工单分拨): spreadsheet imports and exports with column-mapping
profiles, a dry run and an all-or-nothing commit through the one intake contract; the category
classifier the intake adapters ask for suggestions; and hot-spot discovery (热点问题)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class TriageConfig(ProductApp):
    verbose_name = _("Work-order triage")

    def ready(self) -> None:
        from gongzhi.cases import suggestions

        from . import listeners, permissions, summary  # noqa: F401  (registrations)
        from .classifier import suggest
        from .services import suggestion_record_verdict

        suggestions.register(suggest, recorder=suggestion_record_verdict)
        summary.register()
        add_nav_items()

        from .home import register_panels

        register_panels()


def add_nav_items() -> None:
    from gongzhi.core.navigation import NavItem, register

    from .permissions import may_import, may_see_hot_spots

    register(
        NavItem(
            _("Work-order imports"),
            "triage:imports",
            "file-earmark-spreadsheet",
            may_import,
            "triage_imports",
            position=190,
        ),
        NavItem(
            _("Hot spots"),
            "triage:hot_spots",
            "fire",
            may_see_hot_spots,
            "triage_hot_spots",
            position=191,
        ),
    )
