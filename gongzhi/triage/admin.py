"""Back office: administrators edit the import profiles (audited, archived rather than
deleted); imports, classifier versions and suggestions are shown read-only (they change through
the triage pages, commands and tasks)."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.audit.backoffice import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import ClassifierVersion, ImportBatch, ImportProfile, Suggestion


@admin.register(ImportProfile)
class ImportProfileAdmin(AuditedModelAdmin):
    list_display = ("name", "key", "channel", "case_type", "default_category")
    search_fields = ("name", "key")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyModelAdmin):
    list_display = ("filename", "profile", "state", "rows", "problem_count", "created_at")
    list_filter = ("state",)


@admin.register(ClassifierVersion)
class ClassifierVersionAdmin(ReadOnlyModelAdmin):
    list_display = ("version", "trained_at", "macro_f1", "accuracy", "active")


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyModelAdmin):
    list_display = ("case", "category", "confidence", "uncertain", "outcome")
    list_filter = ("outcome", "uncertain")
