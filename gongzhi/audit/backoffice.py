"""Back office (Django admin) for administrators.

Only users with the administrator role get in. Every save goes through the audited services in
gongzhi.audit.services (so the audit trail records before and after), and nothing is deleted:
the delete action is replaced by "archive" / "restore".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.core import permissions as perms
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Role, access_for

from . import services

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and access_for(user).has(Role.ADMIN))


class GongzhiAdminSite(admin.AdminSite):
    site_header = _("Gongzhi back office")
    site_title = _("Gongzhi")
    index_title = _("Back-office data")

    def has_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)


def _subdistrict_q(request: HttpRequest, model: type[models.Model]) -> models.Q | None:
    """The condition narrowing `model`'s rows to the administrator's subdistricts (through
    the model's policy), or None: not narrowed."""
    return perms.policy_for(model).subdistrict_q(access_for(request.user))


class SubdistrictRelatedFilter(admin.RelatedFieldListFilter):
    """A sidebar filter on a relation that offers the related rows of the administrator's
    subdistricts only (the others' names are not theirs to see)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        q = _subdistrict_q(request, field.related_model)
        if q is None:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=q)


class AuditedModelAdmin(admin.ModelAdmin):
    """ModelAdmin whose writes are audited and which archives instead of deleting. A subclass
    whose rows feed a cache refreshes it in `after_write()`, called after every write.

    Where the installation serves several subdistricts, an administrator of some of them sees
    their rows (`get_queryset`), and the related rows of the filters and the forms' choices, of
    those subdistricts only (through each model's policy)."""

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
        """Every row, of the administrator's subdistricts where the installation serves several
        (through the model's policy: rows of no subdistrict, the district's, stay)."""
        qs = self.model._default_manager.all()
        q = _subdistrict_q(request, self.model)
        return qs if q is None else qs.filter(q)

    def get_list_filter(self, request: HttpRequest) -> Any:
        """Filters on a plain relation offer the administrator's subdistricts' rows only."""
        out: list[Any] = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and "__" not in entry:
                try:
                    field = self.model._meta.get_field(entry)
                except FieldDoesNotExist:
                    out.append(entry)
                    continue
                if field.is_relation and field.many_to_one:
                    entry = (entry, SubdistrictRelatedFilter)
            out.append(entry)
        return out

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        q = _subdistrict_q(request, db_field.related_model)
        queryset = getattr(formfield, "queryset", None)
        if q is not None and queryset is not None:
            formfield.queryset = queryset.filter(q)  # type: ignore[union-attr]
        return formfield

    def after_write(self) -> None:
        """Runs after each save, inline save, archive and restore of this admin."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.full_clean()
            obj.save()
            services.record_created(actor=request.user, obj=obj, note="admin")
        else:
            fields = {
                name: getattr(obj, name)
                for name in form.changed_data
                if name in {f.name for f in obj._meta.concrete_fields}
            }
            # Many-to-many fields are saved by save_related after this.
            services.update(actor=request.user, obj=obj, note="admin", **fields)
        self.after_write()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """The inlines' rows are written one by one, audited like the object's own."""
        formset.save(commit=False)  # sets new_objects / changed_objects for the change message
        for f in formset.forms:
            if not f.has_changed() or f in formset.deleted_forms:
                continue
            obj = f.instance
            if obj.pk is None:
                obj.full_clean()
                obj.save()
                services.record_created(actor=request.user, obj=obj, note="admin")
            else:
                services.update(
                    actor=request.user,
                    obj=obj,
                    note="admin",
                    **{name: getattr(obj, name) for name in f.changed_data},
                )
        self.after_write()

    @admin.action(description=_("Archive the selected rows"))
    def archive_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        if not hasattr(self.model, "archived_at"):
            self.message_user(request, _("These rows cannot be archived."), messages.ERROR)
            return
        self._write_audited(request, queryset, services.archive, _("%(n)d rows archived."))

    @admin.action(description=_("Restore the selected rows"))
    def restore_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        if not hasattr(self.model, "archived_at"):
            return
        self._write_audited(request, queryset, services.restore, _("%(n)d rows restored."))

    def _write_audited(
        self,
        request: HttpRequest,
        rows: Iterable[Any],
        write: Callable[..., Any],
        done: StrOrPromise,
    ) -> None:
        self.write_each(
            request, rows, lambda obj: write(actor=request.user, obj=obj, note="admin"), done
        )

    def write_each(
        self,
        request: HttpRequest,
        rows: Iterable[Any],
        write: Callable[[Any], Any],
        done: StrOrPromise,
    ) -> Any:
        """An action's writes: `write(row)` for each row (archive, restore, revoke …), then the
        count in the message `done` ("%(n)d rows archived.") and `after_write()`. Returns what
        the last write returned (None for no rows)."""
        n, last = 0, None
        for row in rows:
            last = write(row)
            n += 1
        self.message_user(request, done % {"n": n}, messages.SUCCESS)
        self.after_write()
        return last

    def try_each(
        self, request: HttpRequest, rows: Iterable[Any], write: Callable[[Any], object]
    ) -> int:
        """Writes each row it can (send again …): a row the service refuses is reported as an
        error and skipped. Returns how many were written."""
        n = 0
        for row in rows:
            try:
                write(row)
            except ServiceError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
                continue
            n += 1
        return n


class AdministratorsInline(InlineModelAdmin):
    """An inline of the back office: administrators view, add and change its rows; nothing is
    deleted."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyModelAdmin(AuditedModelAdmin):
    actions: Any = []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
