"""Back office: Open311 clients (a key is shown once, when issued or rotated) and the Open311
side of the catalogue's public leaves: options and attributes, edited inline and audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.audit.backoffice import AdministratorsInline, AuditedModelAdmin
from gongzhi.cases import selectors as case_selectors
from gongzhi.core.models import adopt_saved

from . import services
from .models import Open311Client, Open311Service, ServiceAttribute, ServiceOptions


def _show_key(request: HttpRequest, client: Open311Client, key: str) -> None:
    messages.warning(
        request,
        _(
            "The API key of %(name)s is %(key)s — copy it now: it is not stored and will not be "
            "shown again."
        )
        % {"name": client.name, "key": key},
    )


@admin.register(Open311Client)
class Open311ClientAdmin(AuditedModelAdmin):
    list_display = [
        "name",
        "channel",
        "active",
        "per_minute",
        "per_hour",
        "key_prefix",
        "last_used_at",
        "archived_at",
    ]
    list_filter = ["active", "channel"]
    search_fields = ["name", "contact"]
    fields = [
        "name",
        "contact",
        "channel",
        "active",
        "per_minute",
        "per_hour",
        "key_prefix",
        "key_created_at",
        "last_used_at",
    ]
    readonly_fields = ["key_prefix", "key_created_at", "last_used_at"]
    actions: Any = ["archive_selected", "restore_selected", "rotate_keys"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = services.client_create(
            actor=request.user,
            name=obj.name,
            contact=obj.contact,
            channel=obj.channel,
            per_minute=obj.per_minute,
            per_hour=obj.per_hour,
        )
        if not obj.active:
            services.client_update(actor=request.user, client=client, active=False)
        adopt_saved(obj, client)
        _show_key(request, client, key)

    @admin.action(description=gettext_lazy("Issue new keys (the old ones stop working)"))
    def rotate_keys(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for client in queryset:
            _show_key(
                request, client, services.client_rotate_key(actor=request.user, client=client)
            )


class _UniqueAttributes(forms.BaseInlineFormSet):
    """Two attributes of one service may not share a code or an order (checked before saving,
    so the database constraint never turns into an error page)."""

    def clean(self) -> None:
        super().clean()
        seen: dict[str, set[Any]] = {"code": set(), "order": set()}
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form in self.deleted_forms:
                continue
            for name in seen:
                value = form.cleaned_data.get(name)
                if value in seen[name]:
                    raise forms.ValidationError(
                        _("Two attributes have the same %(field)s: %(value)s.")
                        % {"field": name, "value": value}
                    )
                seen[name].add(value)


class ServiceOptionsInline(AdministratorsInline, admin.StackedInline):
    model = ServiceOptions
    fk_name = "category"
    max_num = 1
    can_delete = False
    fields = ["type", "keywords", "service_notice"]


class ServiceAttributeInline(AdministratorsInline, admin.StackedInline):
    """Active attributes only; an attribute is taken away by archiving it (Open311 service
    attributes list)."""

    model = ServiceAttribute
    fk_name = "category"
    formset = _UniqueAttributes
    extra = 0
    can_delete = False
    fields = [
        ("order", "code", "datatype"),
        ("variable", "required"),
        "description",
        "datatype_description",
        "values",
    ]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return ServiceAttribute.objects.active()


@admin.register(Open311Service)
class Open311ServiceAdmin(AuditedModelAdmin):
    """The catalogue's public leaves as Open311 services. The catalogue itself is read-only
    here; its options and attributes are edited inline."""

    list_display = ["code", "name", "parent", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "kind", "parent", "description"]
    readonly_fields = ["code", "name", "kind", "parent", "description"]
    inlines = [ServiceOptionsInline, ServiceAttributeInline]
    actions: Any = []

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        ids = case_selectors.leaf_categories(public_only=True).values("pk")
        return Open311Service.objects.filter(pk__in=ids).select_related("parent")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """The category's own fields are read-only here: nothing to save."""


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(AuditedModelAdmin):
    list_display = ["category", "order", "code", "datatype", "required", "archived_at"]
    list_filter = ["datatype", "required"]
    search_fields = ["code", "description", "category__name", "category__code"]
    list_select_related = ["category"]
    fields = [
        "category",
        "order",
        "code",
        "datatype",
        "variable",
        "required",
        "description",
        "datatype_description",
        "values",
    ]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "category":
            kwargs["queryset"] = case_selectors.leaf_categories(public_only=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
