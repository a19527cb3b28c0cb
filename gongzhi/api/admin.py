"""Back office: every user's API tokens. An administrator can issue a token for a user (shown
once) and revoke tokens; the secret is never stored or shown again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.audit.backoffice import AuditedModelAdmin
from gongzhi.core.errors import ServiceError
from gongzhi.core.models import adopt_saved

from . import services
from .models import ApiToken


class ApiTokenAdminForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and data.get("user") and data.get("name"):
            try:
                services.token_validate(
                    user=data["user"], name=data["name"], expires_at=data.get("expires_at")
                )
            except ServiceError as exc:
                raise forms.ValidationError(str(exc.message)) from exc
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    form = ApiTokenAdminForm
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "last_used_ip",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    actions: Any = ["revoke_selected"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["user", "name", "expires_at"]
        return [
            "user",
            "name",
            "prefix",
            "created_by",
            "created_at",
            "expires_at",
            "last_used_at",
            "last_used_ip",
            "revoked_at",
            "revoked_by",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return self.get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        new = services.token_create(
            actor=request.user, user=obj.user, name=obj.name, expires_at=obj.expires_at
        )
        adopt_saved(obj, new.token)
        messages.warning(
            request,
            _(
                "The token of %(user)s is %(token)s — copy it now: it is not stored and will not "
                "be shown again."
            )
            % {"user": obj.user, "token": new.secret},
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        self.write_each(
            request,
            queryset.filter(revoked_at__isnull=True),
            lambda token: services.token_revoke(actor=request.user, token=token),
            _("%(n)d tokens revoked."),
        )
