"""Back office: message templates (edited wording, validated and audited), the message log
(every email and SMS with its status, addresses masked) and users' email/SMS opt-outs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gongzhi.audit import services as audit
from gongzhi.audit.backoffice import AuditedModelAdmin, ReadOnlyModelAdmin

from . import registry, rendering, services
from .models import MessageTemplate, Notification, NotificationPreference

SMS_SINGLE_MESSAGE = 70


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["key", "channel", "language", "subject", "body", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        clash = MessageTemplate.objects.active().filter(
            key=data.get("key"), channel=data.get("channel"), language=data.get("language")
        )
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if self.instance.archived_at is None and clash.exists():
            raise forms.ValidationError(
                _(
                    "There is already an active template for this message, channel and "
                    "language: edit it, or archive it first."
                )
            )
        return data


def _with_sample_values(obj: MessageTemplate) -> rendering.Rendered:
    """The edited template rendered with the sample values its message's domain registered."""
    return rendering.render_source(
        obj.subject,
        obj.body,
        {**registry.sample_context(obj.key), "signature": rendering.signature(obj.language)},
    )


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedModelAdmin):
    form = MessageTemplateForm
    list_display = ["key", "channel", "language", "subject", "updated_at", "archived_at"]
    list_filter = ["channel", "language", "key"]
    search_fields = ["key", "subject", "body"]
    fields = ["key", "channel", "language", "subject", "body", "note", "default_text", "preview"]
    readonly_fields = ["default_text", "preview"]

    @admin.display(description=_("default wording (in code)"))
    def default_text(self, obj: MessageTemplate | None) -> str:
        if obj is None or not obj.key:
            return "—"
        found = rendering.default_source(obj.key, obj.channel, obj.language)
        if found is None:
            return "—"
        subject, body = found
        return format_html("<strong>{}</strong><br><code>{}</code>", subject, body)

    @admin.display(description=_("preview with sample values"))
    def preview(self, obj: MessageTemplate | None) -> str:
        if obj is None or obj.pk is None:
            return "—"
        out = _with_sample_values(obj)
        return format_html(
            "<strong>{}</strong><br>{} <small>({})</small>", out.subject, out.body, len(out.body)
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """?key=case_filed&channel=sms&language=zh-hans starts from the wording in code."""
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        key = str(initial.get("key") or "")
        channel = str(initial.get("channel") or MessageTemplate.Channel.ANY)
        language = str(initial.get("language") or rendering.languages()[0])
        found = rendering.default_source(key, channel, language) if key else None
        if found is not None:
            initial.setdefault("subject", found[0])
            initial.setdefault("body", found[1])
        return initial

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.channel == MessageTemplate.Channel.SMS:
            out = _with_sample_values(obj)
            if len(out.body) > SMS_SINGLE_MESSAGE:
                self.message_user(
                    request,
                    _(
                        "With sample values this SMS is %(n)d characters long: over 70, it is "
                        "sent as several messages."
                    )
                    % {"n": len(out.body)},
                    messages.WARNING,
                )

    @admin.action(description=_("Restore the selected rows"))
    def restore_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        n = 0
        for obj in queryset.filter(archived_at__isnull=False):
            clash = MessageTemplate.objects.active().filter(
                key=obj.key, channel=obj.channel, language=obj.language
            )
            if clash.exists():
                self.message_user(
                    request,
                    _("%(template)s was not restored: another template is active for it.")
                    % {"template": obj},
                    messages.ERROR,
                )
                continue
            audit.restore(actor=request.user, obj=obj, note="admin")
            n += 1
        self.message_user(request, _("%(n)d rows restored.") % {"n": n}, messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    """The message log. Addresses are shown masked; search an exact number or address to find
    what was sent to it, or the name of what it was about (a case's number …)."""

    actions: Any = ["resend_selected"]
    list_display = [
        "created_at",
        "channel",
        "template",
        "recipient",
        "address",
        "status",
        "attempts",
        "sent_at",
        "target_repr",
    ]
    list_filter = [
        "channel",
        "status",
        "template",
        "language",
        ("target_type", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["=to_address", "template", "target_repr", "recipient__username"]
    list_select_related = ["recipient__person"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "created_at",
        "channel",
        "template",
        "language",
        "recipient",
        "address",
        "subject",
        "body",
        "link",
        "target_type",
        "target_id",
        "target_repr",
        "status",
        "attempts",
        "sent_at",
        "read_at",
        "provider_ref",
        "error",
    )

    @admin.display(description=_("address"))
    def address(self, obj: Notification) -> str:
        return obj.to_address_masked or "—"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed messages again"))
    def resend_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        n = self.try_each(
            request,
            queryset.filter(status=Notification.Status.FAILED),
            lambda row: services.notification_resend(actor=request.user, notification=row),
        )
        self.message_user(request, _("%(n)d messages queued again.") % {"n": n}, messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedModelAdmin):
    actions: Any = []
    list_display = ["user", "receive_email", "receive_sms", "updated_at"]
    list_filter = ["receive_email", "receive_sms"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
