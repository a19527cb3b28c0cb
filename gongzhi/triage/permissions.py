"""Who may do what in triage. The grid centre (operators, duty chiefs) and administrators
import files and decide suggestions; administrators edit profiles and see the classifier's
evaluations; leaders read the hot spots. A department sees only its own cases, so it gets no
import or export of the whole subdistrict: its exports go through the case queue's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi.core.permissions import SHARED, Policy, register
from gongzhi.core.roles import Access, Role

from .models import ClassifierVersion, ImportBatch, ImportProfile, Suggestion

CENTRE = (Role.OPERATOR, Role.DUTY_CHIEF, Role.ADMIN)
HOT_SPOT_READERS = (Role.OPERATOR, Role.DUTY_CHIEF, Role.LEADER, Role.ADMIN, Role.AUDITOR)


def may_import(access: Access) -> bool:
    return access.has(*CENTRE)


def may_see_hot_spots(access: Access) -> bool:
    return access.has(*HOT_SPOT_READERS)


def may_export(access: Access) -> bool:
    """Every staff member exports the cases they see (the queue's scope decides which)."""
    return access.is_staff_member


@register(ImportProfile)
class ImportProfilePolicy(Policy):
    subdistrict_path = SHARED  # the file layouts every subdistrict's centre uses

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if may_import(access) else qs.none()

    def can_change(self, access: Access, obj: Any) -> bool:
        return access.has(Role.ADMIN)


@register(ImportBatch)
class ImportBatchPolicy(Policy):
    """The centre sees every import of its subdistrict (a colleague's too: they share the
    work)."""

    subdistrict_path = "subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if may_import(access) or access.has(Role.AUDITOR) else qs.none()

    def can_create(self, access: Access, obj: Any) -> bool:
        return may_import(access)

    def can_commit(self, access: Access, obj: Any) -> bool:
        return may_import(access)


@register(Suggestion)
class SuggestionPolicy(Policy):
    subdistrict_path = "case__subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if may_import(access) else qs.none()

    def can_decide(self, access: Access, obj: Any) -> bool:
        return may_import(access)


@register(ClassifierVersion)
class ClassifierPolicy(Policy):
    """Administrators (the default) see the models and their evaluations."""

    subdistrict_path = SHARED  # one classifier for the installation
