"""Back office: the accountability rules (administrators change them here, audited), and the
warnings, read only (they are recorded by the evaluation and acknowledged by their person)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.audit.backoffice import AuditedModelAdmin

from .accountability_models import AccountabilityRule, AccountabilityWarning


@admin.register(AccountabilityRule)
class AccountabilityRuleAdmin(AuditedModelAdmin):
    list_display = ["__str__", "subject_kind", "measure", "threshold", "period", "active"]
    list_filter = ["subject_kind", "measure", "period", "active"]


@admin.register(AccountabilityWarning)
class AccountabilityWarningAdmin(AuditedModelAdmin):
    actions: Any = []
    list_display = [
        "subject_label",
        "subject_kind",
        "rule",
        "period_start",
        "count",
        "person",
        "acknowledged_at",
    ]
    list_filter = ["subject_kind", "period_start"]
    search_fields = ["subject_label"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
