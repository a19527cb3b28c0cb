from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from gongzhi.audit.backoffice import AuditedModelAdmin
from gongzhi.core.errors import ServiceError
from gongzhi.core.models import adopt_saved

from . import services
from .models import DualRegistration, Organisation, OrgRelation, PartyMembership, Person, Position


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = [
        "name",
        "kind",
        "sector",
        "parent",
        "is_party_organisation",
        "alliance_joined_on",
        "archived_at",
    ]
    list_filter = ["kind", "sector", "is_party_organisation"]
    search_fields = ["name", "short_name"]
    raw_id_fields = ["parent", "residential_area"]


@admin.register(OrgRelation)
class OrgRelationAdmin(AuditedModelAdmin):
    list_display = ["source", "kind", "target", "since", "archived_at"]
    list_filter = ["kind"]
    raw_id_fields = ["source", "target"]


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = list(services.PERSON_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data.update(
                services.person_validate(
                    {k: v for k, v in data.items() if k in services.PERSON_FIELDS},
                    exclude_pk=self.instance.pk,
                )
            )
        except ServiceError as exc:
            if exc.field_errors:
                for name, errors in exc.field_errors.items():
                    self.add_error(name if name in self.fields else None, errors)
            else:
                raise forms.ValidationError(str(exc.message)) from exc
        return data


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    """People go through gongzhi.org.services, so personal numbers reach the audit trail masked;
    opening a person's form shows their full numbers, so it is logged as a reveal."""

    form = PersonAdminForm
    list_display = ["name", "gender", "mobile_masked", "home_area", "archived_at"]
    search_fields = ["name"]
    list_filter = ["home_area"]
    raw_id_fields = ["home_area"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {n: form.cleaned_data.get(n) for n in services.PERSON_FIELDS}
        if change:
            changed = {n: data[n] for n in form.changed_data if n in data}
            services.person_update(actor=request.user, person=obj, reason="admin", **changed)
            return
        for name in ("gender", "mobile", "id_number", "email", "home_address", "note"):
            data[name] = data[name] or ""
        created = services.person_create(actor=request.user, **data)
        adopt_saved(obj, created)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "GET":
            person = Person.objects.filter(pk=object_id).first() if object_id.isdigit() else None
            if person is not None and self.has_view_permission(request, person):
                for name in Person.PERSONAL_FIELDS:
                    if getattr(person, name):
                        services.person_reveal(actor=request.user, person=person, field=name)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Position)
class PositionAdmin(AuditedModelAdmin):
    list_display = [
        "person",
        "organisation",
        "role",
        "title",
        "starts_on",
        "ends_on",
        "archived_at",
    ]
    list_filter = ["role"]
    search_fields = ["person__name", "organisation__name"]
    raw_id_fields = ["person", "organisation"]
    filter_horizontal = ["grids"]


@admin.register(PartyMembership)
class PartyMembershipAdmin(AuditedModelAdmin):
    list_display = ["person", "branch", "joined_on", "status", "in_work"]
    raw_id_fields = ["person", "branch"]
    search_fields = ["person__name"]


@admin.register(DualRegistration)
class DualRegistrationAdmin(AuditedModelAdmin):
    list_display = ["person", "residential_area", "registered_on"]
    raw_id_fields = ["person", "residential_area"]
