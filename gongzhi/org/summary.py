"""This app's counts for `manage.py summary --json` (see gongzhi.core.summary)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.summary import register, register_labels
from gongzhi.org.access import active_positions_q

from .models import DualRegistration, Organisation, PartyMembership, Person, Position

K = Organisation.Kind


def org_summary() -> dict[str, Any]:
    orgs = Organisation.objects.active()
    members = PartyMembership.objects.active().filter(
        person__archived_at__isnull=True, branch__archived_at__isnull=True
    )
    part_time = (
        Position.objects.filter(
            active_positions_q(),
            role=Position.Role.PART_TIME_MEMBER,
            organisation__archived_at__isnull=True,
            person__archived_at__isnull=True,
        )
        .values("person_id")
        .distinct()
    )
    return {
        "organisations": orgs.count(),
        "party_organisations": orgs.filter(is_party_organisation=True).count(),
        "party_members": members.count(),
        "in_work_party_members": members.filter(in_work=True).count(),
        "dual_registrations": DualRegistration.objects.active().count(),
        "alliance_member_units": orgs.filter(alliance_joined_on__isnull=False).count(),
        "part_time_committee_members": part_time.count(),
        "general_branches": orgs.filter(kind=K.GENERAL_BRANCH).count(),
        "departments": orgs.filter(kind=K.DEPARTMENT).count(),
        "property_companies": orgs.filter(kind=K.PROPERTY_COMPANY).count(),
        "resident_units": orgs.filter(kind=K.RESIDENT_UNIT).count(),
        "people": Person.objects.active().count(),
    }


register("_org", org_summary)
register_labels(
    {
        "organisations": _("organisations"),
        "party_organisations": _("Party organisations"),
        "party_members": _("Party members"),
        "in_work_party_members": _("in-work Party members"),
        "dual_registrations": _("dual registrations"),
        "alliance_member_units": _("alliance member units"),
        "part_time_committee_members": _("part-time committee members"),
        "general_branches": _("general branches"),
        "departments": _("departments"),
        "property_companies": _("property companies"),
        "resident_units": _("resident units"),
        "people": _("people"),
    }
)
