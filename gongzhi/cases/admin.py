"""Back office of the grid management centre.

- Category: the catalogue as a tree (ordered by code, indented by level), each category's
  routing (department; a leaf without one uses its parent's) and its time limits, edited
  inline. A category's level and group follow from its parent. Nothing is deleted: categories
  and limits are archived.
- TimeLimit: every limit, filterable; archived here when no longer wanted.
- Case: read-mostly. Cases change only through the workflow (the case pages); here the list is
  filtered and searched by number, external reference (a 12345 work-order number) or tracking
  code, and only the summary and the external reference can be corrected. Reporters' names and
  phone numbers are shown masked.
- CaseEvent and ExtensionRequest: read-only.

Every write goes through gongzhi.core.services (audited: who, when, before and after), and the
catalogue's cache (gongzhi.cases.sla) is refreshed after it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.audit import services as audit
from gongzhi.audit.backoffice import AdministratorsInline, AuditedModelAdmin, ReadOnlyModelAdmin
from gongzhi.org.models import Organisation

from . import sla
from .models import Case, CaseEvent, Category, ExtensionRequest, TimeLimit
from .workflow import DEPARTMENT_KINDS


class _OneLimitPerStage(forms.BaseInlineFormSet):
    """A category has one active limit per urgency and stage: checked here, so the database's
    constraint never turns into an error page."""

    def clean(self) -> None:
        super().clean()
        seen: set[tuple[str, str]] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or not data.get("urgency") or not data.get("stage"):
                continue
            key = (data["urgency"], data["stage"])
            if key in seen:
                raise forms.ValidationError(
                    _(
                        "Two time limits are for the same urgency and stage (%(urgency)s, %(stage)s)."
                    )
                    % {"urgency": key[0], "stage": key[1]}
                )
            seen.add(key)


class TimeLimitInline(AdministratorsInline, admin.TabularInline):
    """The category's active limits; a limit is taken away by archiving it (Time limits)."""

    model = TimeLimit
    formset = _OneLimitPerStage
    extra = 0
    can_delete = False
    fields = ["urgency", "stage", "amount", "unit"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return TimeLimit.objects.active().order_by("stage", "urgency")


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "kind", "parent", "department", "public", "description",
                  "sort_order"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Organisation.objects.active().filter(  # type: ignore[attr-defined]
            kind__in=DEPARTMENT_KINDS
        )
        parents = Category.objects.active()
        if self.instance.pk:
            parents = parents.exclude(pk__in=descendants(self.instance.pk))
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent, kind = data.get("parent"), data.get("kind")
        if parent is not None and kind and parent.kind != kind:
            self.add_error("parent", _("The parent must be a category of the same kind."))
        return data


def descendants(pk: int) -> set[int]:
    """The category and every category below it."""
    children: dict[int | None, list[int]] = {}
    for cid, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(cid)
    out, todo = set(), [pk]
    while todo:
        cid = todo.pop()
        if cid not in out:
            out.add(cid)
            todo.extend(children.get(cid, []))
    return out


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    form = CategoryForm
    list_display = ["code", "tree_name", "kind", "routing", "limits", "public", "archived_at"]
    list_display_links = ["code", "tree_name"]
    list_filter = ["kind", "level", "public", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    ordering = ["kind", "code"]
    list_select_related = ["department", "parent"]
    list_per_page = 200
    readonly_fields = ["level", "group"]
    fields = ["code", "name", "kind", "parent", "level", "group", "department", "public",
              "description", "sort_order"]  # fmt: skip
    inlines = [TimeLimitInline]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        def short(prefix: str) -> Any:
            return NullIf(F(f"{prefix}department__short_name"), Value(""))

        return (
            Category.objects.all()
            .select_related("department", "parent")
            .annotate(
                n_limits=models.Count(
                    "time_limits", filter=models.Q(time_limits__archived_at__isnull=True)
                ),
                # The catalogue is three levels deep: the nearest department up the tree.
                inherited=Coalesce(short("parent__"), short("parent__parent__")),
            )
        )

    @admin.display(description=gettext_lazy("name"), ordering="code")
    def tree_name(self, obj: Category) -> str:
        return format_html("{}{}", "\u3000" * max(0, obj.level - 1), obj.name)

    @admin.display(description=gettext_lazy("department"))
    def routing(self, obj: Category) -> str:
        if obj.department is not None:
            return obj.department.short_name or obj.department.name
        inherited = getattr(obj, "inherited", None)
        if inherited:
            return format_html(
                '<span class="text-muted">{} ({})</span>', inherited, _("from the parent")
            )
        return "—"

    @admin.display(description=gettext_lazy("time limits"))
    def limits(self, obj: Category) -> int:
        return getattr(obj, "n_limits", 0)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Level and group follow from the parent; the write is audited."""
        parent = obj.parent
        obj.level = parent.level + 1 if parent else 1
        obj.group = (parent.group or parent) if parent else None
        if not change:
            obj.full_clean()
            obj.save()
            audit.record_created(actor=request.user, obj=obj, note="admin")
        else:
            fields = {name: getattr(obj, name) for name in form.changed_data if name in form.fields}
            fields.update(level=obj.level, group=obj.group)
            audit.update(actor=request.user, obj=obj, note="admin", **fields)
        self.after_write()

    def after_write(self) -> None:
        sla.invalidate()


@admin.register(TimeLimit)
class TimeLimitAdmin(AuditedModelAdmin):
    list_display = ["category", "urgency", "stage", "amount", "unit", "archived_at"]
    list_filter = ["stage", "urgency", "unit", "category__kind"]
    search_fields = ["category__code", "category__name"]
    list_select_related = ["category"]
    raw_id_fields = ["category"]
    fields = ["category", "urgency", "stage", "amount", "unit"]
    ordering = ["category__code", "stage", "urgency"]

    def after_write(self) -> None:
        sla.invalidate()


@admin.register(Case)
class CaseAdmin(AuditedModelAdmin):
    """Read-mostly: only the summary and the external reference can be corrected here."""

    list_display = ["number", "title", "channel", "type", "state", "category", "department",
                    "grid", "received_at", "due_at"]  # fmt: skip
    list_filter = [
        "state",
        "channel",
        "type",
        "urgency",
        ("department", admin.RelatedOnlyFieldListFilter),
        "station",
    ]
    search_fields = ["=number", "=external_ref", "=tracking_code", "title"]
    list_select_related = ["category", "department", "grid"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    actions: Any = []
    editable = ("title", "external_ref")
    fields = [
        "number", "page_link", "title", "external_ref", "tracking_code", "channel", "type",
        "urgency", "state", "category", "description", "address", "grid", "residential_area",
        "station", "department", "assignee", "inspector", "reporter", "reporter_phone_masked",
        "received_at", "filed_at", "dispatched_at", "handled_at", "closed_at", "evaluated_at",
        "due_at", "handle_due_at", "close_due_at", "handled_on_time", "closed_on_time",
        "satisfaction", "result", "merged_into", "supervision_level", "return_count",
        "extension_count", "rework_count", "reopen_count",
    ]  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f for f in self.fields if isinstance(f, str) and f not in self.editable]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=gettext_lazy("case page"))
    def page_link(self, obj: Case) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("cases:detail", args=[obj.pk]), obj.number
        )

    @admin.display(description=gettext_lazy("reporter"))
    def reporter(self, obj: Case) -> str:
        return obj.reporter_name_masked

    @admin.display(description=gettext_lazy("reporter's phone"))
    def reporter_phone_masked(self, obj: Case) -> str:
        return obj.reporter_phone_masked

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = {name: getattr(obj, name) for name in form.changed_data if name in self.editable}
        if fields:
            audit.update(actor=request.user, obj=obj, note="admin", **fields)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyModelAdmin):
    list_display = ["case", "at", "action", "from_state", "to_state", "actor_label", "public"]
    list_filter = ["action", "public"]
    search_fields = ["=case__number"]
    list_select_related = ["case"]
    raw_id_fields = ["case", "actor"]
    show_full_result_count = False


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyModelAdmin):
    list_display = ["case", "amount", "unit", "status", "requested_by", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["=case__number"]
    list_select_related = ["case", "requested_by", "decided_by"]
    raw_id_fields = ["case", "requested_by", "decided_by"]
