"""Back office for webhooks (administrators only): subscriptions, whose secret is shown once when
made or rotated; the delivery log with response codes and every attempt; re-send and test
events. Every write goes through gongzhi.webhooks.services (audited, secrets kept out)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.backoffice import AuditedModelAdmin, ReadOnlyModelAdmin, is_administrator
from gongzhi.core.models import adopt_saved

from . import services, signing, topics
from .models import Delivery, DeliveryAttempt, EventType, Subscription


def event_choices() -> list[tuple[str, Any]]:
    """The case events, then each other domain's (topics.py)."""
    return [*EventType.choices, *topics.event_types()]


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        label=_("events"),
        choices=event_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events sent to this system."),
    )

    class Meta:
        model = Subscription
        fields = list(services.EDITABLE_FIELDS)


def _secret_page(
    request: HttpRequest,
    admin_obj: SubscriptionAdmin,
    shown: list[tuple[Subscription, str]],
    *,
    rotated: bool,
) -> HttpResponse:
    response = TemplateResponse(
        request,
        "webhooks/admin/secret.html",
        {
            **admin_obj.admin_site.each_context(request),
            "title": gettext("Signing secret"),
            "opts": admin_obj.model._meta,
            "shown": shown,
            "rotated": rotated,
            "grace_hours": int(services.ROTATION_GRACE.total_seconds() // 3600),
            "signature_header": signing.SIGNATURE_HEADER,
            "event_header": signing.EVENT_HEADER,
            "delivery_header": signing.DELIVERY_HEADER,
        },
    )
    # The secret is on this page only: never cached, never stored elsewhere.
    response["Cache-Control"] = "no-store"
    return response


@admin.register(Subscription)
class SubscriptionAdmin(AuditedModelAdmin):
    form = SubscriptionForm
    actions: Any = ["send_test_event", "rotate_secret", "archive_selected", "restore_selected"]
    list_display = [
        "name",
        "url",
        "active",
        "events",
        "filters",
        "secret_rotated_at",
        "archived_at",
    ]
    list_filter = ["active", "subdistrict", "department", "channel"]
    list_select_related = ["subdistrict", "department", "category_group"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret_info", "created_by", "created_at", "secret_rotated_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(SubscriptionForm.Meta.fields)
        return fields + (
            ["secret_info", "created_by", "created_at", "secret_rotated_at"] if obj else []
        )

    @admin.display(description=_("events"))
    def events(self, obj: Subscription) -> str:
        labels = dict(event_choices())
        return ", ".join(str(labels.get(e, e)) for e in obj.event_types or [])

    @admin.display(description=_("filters"))
    def filters(self, obj: Subscription) -> str:
        parts = [
            str(x) for x in (obj.subdistrict, obj.department, obj.category_group) if x is not None
        ]
        if obj.channel:
            parts.append(obj.get_channel_display())
        return " · ".join(parts) or "—"

    @admin.display(description=_("signing secret"))
    def secret_info(self, obj: Subscription) -> str:
        return gettext(
            "Shown only once, when the subscription was made or its secret rotated. Lost it? "
            "Use the “rotate the secret” action."
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in SubscriptionForm.Meta.fields}
        if not change:
            sub, secret = services.subscription_create(actor=request.user, **data)
            adopt_saved(obj, sub)
            request._webhook_secret = secret  # type: ignore[attr-defined]
            return
        changed = {n: data[n] for n in form.changed_data if n in services.EDITABLE_FIELDS}
        services.subscription_update(actor=request.user, subscription=obj, note="admin", **changed)

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: Any = None
    ) -> HttpResponse:
        secret = getattr(request, "_webhook_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return _secret_page(request, self, [(obj, secret)], rotated=False)

    @admin.action(description=_("Rotate the signing secret (shown once)"))
    def rotate_secret(
        self, request: HttpRequest, queryset: models.QuerySet[Any]
    ) -> HttpResponse | None:
        shown = [
            (sub, services.subscription_rotate_secret(actor=request.user, subscription=sub))
            for sub in queryset
        ]
        if not shown:
            return None
        return _secret_page(request, self, shown, rotated=True)

    @admin.action(description=_("Send a test event"))
    def send_test_event(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        n = 0
        for sub in queryset:
            services.subscription_send_test(actor=request.user, subscription=sub)
            n += 1
        self.message_user(
            request,
            _("%(n)d test events queued: see the delivery log for the answers.") % {"n": n},
            messages.SUCCESS,
        )


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "at", "status_code", "duration_ms", "error", "manual")
    ordering = ["-at", "-id"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyModelAdmin):
    """The delivery log: every event sent to every subscriber, with the receiver's answers."""

    actions: Any = ["resend_selected"]
    inlines = [DeliveryAttemptInline]
    list_display = [
        "created_at",
        "subscription",
        "type_name",
        "case",
        "status",
        "attempts",
        "response",
        "last_duration_ms",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type", "subscription", "last_status_code"]
    search_fields = ["=event_id", "=case__number", "subscription__name"]
    list_select_related = ["subscription", "case"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "event_id",
        "subscription",
        "event_type",
        "case",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "last_duration_ms",
        "created_at",
        "next_attempt_at",
        "retry_until",
        "delivered_at",
        "payload_json",
    )

    @admin.display(description=_("event"), ordering="event_type")
    def type_name(self, obj: Delivery) -> str:
        return obj.type_name

    @admin.display(description=_("last answer"))
    def response(self, obj: Delivery) -> str:
        if obj.last_status_code:
            return str(obj.last_status_code)
        return obj.last_error[:60] or "—"

    @admin.display(description=_("payload"))
    def payload_json(self, obj: Delivery) -> str:
        return format_html(
            "<pre style='white-space:pre-wrap'>{}</pre>",
            json.dumps(obj.payload, ensure_ascii=False, indent=2, sort_keys=True),
        )

    @admin.action(description=_("Send again now (same delivery id)"))
    def resend_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        n = self.try_each(
            request,
            queryset.select_related("subscription"),
            lambda row: services.delivery_resend(actor=request.user, delivery=row),
        )
        if n:
            self.message_user(
                request, _("%(n)d deliveries queued to be sent again.") % {"n": n}, messages.SUCCESS
            )
