from django.contrib import admin

from gongzhi.core.admin import AuditedModelAdmin

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


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = ["name", "gender", "mobile_masked", "home_area", "archived_at"]
    search_fields = ["name"]
    list_filter = ["home_area"]
    raw_id_fields = ["home_area"]


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
