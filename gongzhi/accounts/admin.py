from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.backoffice import AuditedModelAdmin, ReadOnlyModelAdmin, is_administrator

from . import services
from .models import LoginAttempt, User


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    list_display = ["username", "person", "email", "is_active", "last_login"]
    search_fields = ["username", "email", "person__name"]
    raw_id_fields = ["person"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Person"),
            {"fields": ("person", "first_name", "last_name", "email", "phone", "language")},
        ),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    actions: Any = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor authentication (lost phone)"))
    def reset_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        done = [u for u in queryset if services.second_factor_reset(actor=request.user, user=u)]
        self.message_user(
            request,
            _("Reset for %(n)d accounts: they set it up again at their next login.")
            % {"n": len(done)},
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "username", "ip", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["username", "ip"]
