"""Back office (Django admin) for administrators.

Only users with the administrator role get in. Every save goes through the audited services in
gongzhi.audit.services (so the audit trail records before and after), and nothing is deleted:
the delete action is replaced by "archive" / "restore".
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import Role, access_for

from . import services


def is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and access_for(user).has(Role.ADMIN))


class GongzhiAdminSite(admin.AdminSite):
    site_header = _("Gongzhi back office")
    site_title = _("Gongzhi")
    index_title = _("Back-office data")

    def has_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)


class AuditedModelAdmin(admin.ModelAdmin):
    """ModelAdmin whose writes are audited and which archives instead of deleting."""

    actions: Any = ["archive_selected", "restore_selected"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return self.model._default_manager.all()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.full_clean()
            obj.save()
            services.record_created(actor=request.user, obj=obj, note="admin")
            return
        fields = {
            name: getattr(obj, name)
            for name in form.changed_data
            if name in {f.name for f in obj._meta.concrete_fields}
        }
        # Many-to-many fields are saved by save_related after this.
        services.update(actor=request.user, obj=obj, note="admin", **fields)

    @admin.action(description=_("Archive the selected rows"))
    def archive_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        if not hasattr(self.model, "archived_at"):
            self.message_user(request, _("These rows cannot be archived."), messages.ERROR)
            return
        n = 0
        for obj in queryset:
            services.archive(actor=request.user, obj=obj, note="admin")
            n += 1
        self.message_user(request, _("%(n)d rows archived.") % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Restore the selected rows"))
    def restore_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        if not hasattr(self.model, "archived_at"):
            return
        n = 0
        for obj in queryset:
            services.restore(actor=request.user, obj=obj, note="admin")
            n += 1
        self.message_user(request, _("%(n)d rows restored.") % {"n": n}, messages.SUCCESS)


class ReadOnlyModelAdmin(AuditedModelAdmin):
    actions: Any = []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
