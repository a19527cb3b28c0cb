from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _

from gongzhi.core.appconfig import ProductApp


class AuditConfig(ProductApp):
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from gongzhi.core import metrics
        from gongzhi.core.navigation import NavItem, register
        from gongzhi.core.roles import Role

        from . import permissions, tasks  # noqa: F401  (registers the policies and the sealer)
        from .models import AuditEvent

        metrics.register(
            "gongzhi_audit_unsealed_rows",
            "Audit rows not yet sealed into the hash chain (grows when the worker stops).",
            lambda: AuditEvent.objects.filter(seal__isnull=True).count(),
        )

        register(
            NavItem(
                _("Audit trail"),
                "audit:list",
                "journal-text",
                lambda a: a.has(Role.AUDITOR, Role.ADMIN),
                "audit",
                position=50,
            )
        )


class GongzhiAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the back office's site: administrators only, every write audited."""

    default = False
    default_site = "gongzhi.audit.backoffice.GongzhiAdminSite"
