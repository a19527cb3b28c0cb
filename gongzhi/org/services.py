"""Writes to the organisation and its people, and the logged reveal of personal data.

Every function here is keyword-only, runs in one transaction, refuses bad input with a
translated `ServiceError` before writing anything, and writes the audit trail. `actor` is the
user doing it (permission-checked through gongzhi.core.permissions) or None for the system
(imports, the demo seed, management commands).

Personal data (mobile and ID numbers) never reaches the audit trail in full: changes to those
fields are recorded masked, and a reveal records which field was shown, never its value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError, validation_errors
from gongzhi.core.pii import mask_id_number, mask_phone
from gongzhi.places.models import Grid, ResidentialArea

from .models import DualRegistration, Organisation, OrgRelation, PartyMembership, Person, Position

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_NUMBER_RE = re.compile(r"^(\d{17}[\dX]|\d{15})$")

PERSON_FIELDS = (
    "name",
    "gender",
    "birth_year",
    "mobile",
    "id_number",
    "email",
    "home_area",
    "home_address",
    "note",
)
POSITION_FIELDS = ("role", "title", "starts_on", "ends_on")

_MASKS = {"mobile": mask_phone, "id_number": mask_id_number}


# --- helpers -------------------------------------------------------------------------------


def _authorise(actor: Any, action: str, obj: Any) -> None:
    """None is the system (commands, imports); everyone else goes through the policy."""
    if actor is None:
        return
    perms.check(actor, action, obj)


def _clean(obj: Any, exclude: Iterable[str] | None = None) -> None:
    """full_clean(), with Django's ValidationError turned into our ServiceError."""
    with validation_errors(type(obj)):
        obj.full_clean(exclude=list(exclude) if exclude else None)


def _masked(changes: audit.Changes) -> audit.Changes:
    """The same changes with personal values masked, for the audit trail."""
    out: audit.Changes = {}
    for name, change in changes.items():
        mask = _MASKS.get(name)
        out[name] = (
            {k: mask(v) if isinstance(v, str) else v for k, v in change.items()} if mask else change
        )
    return out


def _refuse_unknown_fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ServiceError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )


def _check_role_and_term(role: str, starts_on: dt.date | None, ends_on: dt.date | None) -> None:
    if role not in Position.Role.values:
        raise ServiceError(
            _("Choose a role from the list."), field_errors={"role": [_("Invalid.")]}
        )
    if starts_on and ends_on and ends_on < starts_on:
        raise ServiceError(
            _("The term cannot end before it starts."),
            field_errors={"ends_on": [_("The term cannot end before it starts.")]},
        )


def _terms_overlap(
    a_start: dt.date | None, a_end: dt.date | None, b_start: dt.date | None, b_end: dt.date | None
) -> bool:
    return (a_start is None or b_end is None or a_start <= b_end) and (
        b_start is None or a_end is None or b_start <= a_end
    )


def _require_active(obj: Any, message: str) -> None:
    if getattr(obj, "archived_at", None) is not None:
        raise ServiceError(message)


def _create_unique(
    actor: Any, model: Any, duplicate: str, *, unique: dict[str, Any], **fields: Any
) -> Any:
    """Create a row, refused with `duplicate` while an active row has the same `unique` values."""
    if model.objects.active().filter(**unique).exists():
        raise ServiceError(duplicate, code="duplicate")
    return audit.create(actor=actor, model=model, **unique, **fields)


# --- personal data -------------------------------------------------------------------------


def person_reveal(*, actor: Any, person: Person, field: str) -> str:
    """The full value of one personal field, for a user who may see it; logged either way.

    Refused: an audit DENIED event is written (and kept) and NotAllowed is raised. Allowed: an
    audit REVEAL event names the field (never the value) and the value is returned. Each branch
    writes a single row, so there is no transaction to roll the DENIED row back with the refusal;
    do not call this inside an atomic block that the NotAllowed would unwind.
    """
    if field not in Person.PERSONAL_FIELDS:
        raise ServiceError(_("This field cannot be revealed."))
    label = str(getattr(Person._meta.get_field(field), "verbose_name", field))
    allowed = perms.can(actor, "reveal", person)
    audit.record_reveal(
        actor=actor,
        obj=person,
        field=field,
        allowed=allowed,
        note=f"reveal {field}",
        refusal=_("You are not allowed to see the full %(field)s of this person.")
        % {"field": label},
    )
    return str(getattr(person, field) or "")


def _normalise_person_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for name in ("name", "mobile", "id_number", "email", "home_address"):
        if name in out and isinstance(out[name], str):
            out[name] = out[name].strip()
    if out.get("mobile"):
        out["mobile"] = re.sub(r"[\s-]", "", out["mobile"])
        if not MOBILE_RE.match(out["mobile"]):
            raise ServiceError(
                _("A mobile number has 11 digits and starts with 1."),
                field_errors={"mobile": [_("A mobile number has 11 digits and starts with 1.")]},
            )
    if out.get("id_number"):
        out["id_number"] = out["id_number"].upper()
        if not ID_NUMBER_RE.match(out["id_number"]):
            raise ServiceError(
                _("An ID number has 18 characters: 17 digits and a final digit or X."),
                field_errors={
                    "id_number": [
                        _("An ID number has 18 characters: 17 digits and a final digit or X.")
                    ]
                },
            )
    if "name" in out and not out["name"]:
        raise ServiceError(_("Enter the person's name."), field_errors={"name": [_("Required.")]})
    return out


def person_validate(fields: dict[str, Any], *, exclude_pk: int | None = None) -> dict[str, Any]:
    """The fields normalised (mobile without spaces, ID number upper-case), or ServiceError for a
    malformed number or a duplicate person. For forms that want to check before saving."""
    fields = _normalise_person_fields(fields)
    _refuse_duplicate_person(fields, exclude_pk=exclude_pk)
    return fields


def _refuse_duplicate_person(fields: dict[str, Any], exclude_pk: int | None = None) -> None:
    others = Person.objects.active()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if fields.get("id_number") and others.filter(id_number=fields["id_number"]).exists():
        raise ServiceError(
            _("A person with this ID number is already registered."),
            code="duplicate",
            field_errors={"id_number": [_("Already registered.")]},
        )
    if (
        fields.get("mobile")
        and fields.get("name")
        and others.filter(name=fields["name"], mobile=fields["mobile"]).exists()
    ):
        raise ServiceError(
            _("A person with this name and mobile number is already registered."),
            code="duplicate",
        )


@transaction.atomic
def person_create(
    *,
    actor: Any,
    name: str,
    gender: str = "",
    birth_year: int | None = None,
    mobile: str = "",
    id_number: str = "",
    email: str = "",
    home_area: ResidentialArea | None = None,
    home_address: str = "",
    note: str = "",
) -> Person:
    _authorise(actor, "create", Person)
    fields = _normalise_person_fields(
        {
            "name": name,
            "gender": gender,
            "birth_year": birth_year,
            "mobile": mobile,
            "id_number": id_number,
            "email": email,
            "home_area": home_area,
            "home_address": home_address,
            "note": note,
        }
    )
    _refuse_duplicate_person(fields)
    person = Person(**fields)
    _clean(person)
    person.save()
    after = audit.snapshot(person)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=person,
        changes=_masked(
            {
                k: {"before": None, "after": v}
                for k, v in after.items()
                if v not in (None, "", [], {})
            }
        ),
    )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, reason: str = "", **fields: Any) -> Person:
    """Change the given fields of a person (see PERSON_FIELDS); personal values audited masked.
    `reason` goes to the audit trail (`note` is the person's own note field)."""
    _refuse_unknown_fields(fields, PERSON_FIELDS)
    _authorise(actor, "change", person)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    _require_active(locked, _("This person is archived; restore them first."))
    fields = _normalise_person_fields(fields)
    merged = {name: getattr(locked, name) for name in PERSON_FIELDS} | fields
    _refuse_duplicate_person(merged, exclude_pk=locked.pk)
    before = audit.snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    _clean(locked)
    locked.save()
    changes = audit.diff(before, audit.snapshot(locked))
    if changes:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=locked,
            changes=_masked(changes),
            note=reason,
        )
    for name in fields:
        setattr(person, name, getattr(locked, name))
    return locked


# --- positions -----------------------------------------------------------------------------


def _check_grids(organisation: Organisation, grids: list[Grid]) -> None:
    if organisation.grid_station_id and any(
        g.station_id != organisation.grid_station_id for g in grids
    ):
        raise ServiceError(
            _("A position at a grid station can only cover that station's grids."),
            field_errors={"grids": [_("Choose grids of this grid station.")]},
        )


def _refuse_overlapping_position(
    *,
    person: Person,
    organisation: Organisation,
    role: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    exclude_pk: int | None = None,
) -> None:
    same = Position.objects.active().filter(person=person, organisation=organisation, role=role)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    for other in same.only("starts_on", "ends_on"):
        if _terms_overlap(other.starts_on, other.ends_on, starts_on, ends_on):
            raise ServiceError(
                _("%(person)s already holds this role in %(organisation)s for an overlapping term.")
                % {"person": person, "organisation": organisation},
                code="duplicate",
            )


@transaction.atomic
def position_create(
    *,
    actor: Any,
    person: Person,
    organisation: Organisation,
    role: str,
    title: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    grids: Iterable[Grid] = (),
) -> Position:
    _authorise(actor, "create", Position)
    _require_active(person, _("This person is archived; restore them first."))
    _require_active(organisation, _("This organisation is archived."))
    _check_role_and_term(role, starts_on, ends_on)
    grid_list = list(grids)
    _check_grids(organisation, grid_list)
    _refuse_overlapping_position(
        person=person, organisation=organisation, role=role, starts_on=starts_on, ends_on=ends_on
    )
    position = audit.create(
        actor=actor,
        model=Position,
        person=person,
        organisation=organisation,
        role=role,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    if grid_list:
        position.grids.set(grid_list)
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=position,
            changes={"grids": {"before": [], "after": sorted(g.pk for g in grid_list)}},
        )
    return position


@transaction.atomic
def position_update(*, actor: Any, position: Position, note: str = "", **fields: Any) -> Position:
    """Change role, title or term (POSITION_FIELDS) of a position; the term stays in order."""
    _refuse_unknown_fields(fields, POSITION_FIELDS)
    _authorise(actor, "change", position)
    _require_active(position, _("This position is archived."))
    starts_on = fields.get("starts_on", position.starts_on)
    ends_on = fields.get("ends_on", position.ends_on)
    role = fields.get("role", position.role)
    _check_role_and_term(role, starts_on, ends_on)
    _refuse_overlapping_position(
        person=position.person,
        organisation=position.organisation,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        exclude_pk=position.pk,
    )
    return audit.update(actor=actor, obj=position, note=note, **fields)


def position_end(*, actor: Any, position: Position, ends_on: dt.date | None = None) -> Position:
    """End a term (today unless given). The position stays on record as a past position."""
    return position_update(
        actor=actor, position=position, ends_on=ends_on or timezone.localdate(), note="term ended"
    )


# --- Party membership and dual registration ------------------------------------------------


def _check_membership(branch: Organisation, joined_on: dt.date | None, status: str) -> None:
    if not branch.is_party_organisation:
        raise ServiceError(
            _("%(organisation)s is not a Party organisation.") % {"organisation": branch},
            field_errors={"branch": [_("Choose a Party organisation.")]},
        )
    _require_active(branch, _("This organisation is archived."))
    if joined_on and joined_on > timezone.localdate():
        raise ServiceError(
            _("The date of joining the Party cannot be in the future."),
            field_errors={"joined_on": [_("This date is in the future.")]},
        )
    if status not in PartyMembership.Status.values:
        raise ServiceError(_("Choose a status from the list."))


@transaction.atomic
def party_membership_record(
    *,
    actor: Any,
    person: Person,
    branch: Organisation,
    joined_on: dt.date | None = None,
    status: str = PartyMembership.Status.FULL,
    in_work: bool = False,
) -> PartyMembership:
    """Record that a person is a Party member of `branch` (one membership per person)."""
    _authorise(actor, "create", PartyMembership)
    _require_active(person, _("This person is archived; restore them first."))
    _check_membership(branch, joined_on, status)
    values: dict[str, Any] = {
        "branch": branch,
        "joined_on": joined_on,
        "status": status,
        "in_work": in_work,
    }
    existing = PartyMembership.objects.select_for_update().filter(person=person).first()
    if existing is not None and existing.archived_at is None:
        raise ServiceError(
            _("%(person)s is already recorded as a Party member of %(organisation)s.")
            % {"person": person, "organisation": existing.branch},
            code="duplicate",
        )
    if existing is not None:
        # One row per person: a membership that was archived is brought back with the new data.
        audit.restore(actor=actor, obj=existing, note="membership recorded again")
        return audit.update(actor=actor, obj=existing, **values)
    return audit.create(actor=actor, model=PartyMembership, person=person, **values)


@transaction.atomic
def dual_registration_create(
    *,
    actor: Any,
    person: Person,
    residential_area: ResidentialArea,
    registered_on: dt.date | None = None,
    note: str = "",
) -> DualRegistration:
    """An in-work Party member reports to the residential area they live in (双报到)."""
    _authorise(actor, "create", DualRegistration)
    _require_active(person, _("This person is archived; restore them first."))
    _require_active(residential_area, _("This residential area is archived."))
    registered_on = registered_on or timezone.localdate()
    if registered_on > timezone.localdate():
        raise ServiceError(_("The registration date cannot be in the future."))
    membership = PartyMembership.objects.active().filter(person=person).first()
    if membership is None:
        raise ServiceError(
            _("Only Party members register with their residential area (dual registration).")
        )
    if not membership.in_work:
        raise ServiceError(
            _(
                "%(person)s belongs to a Party organisation where they live; dual registration "
                "is for in-work Party members."
            )
            % {"person": person}
        )
    return _create_unique(
        actor,
        DualRegistration,
        _("%(person)s is already registered with %(area)s.")
        % {"person": person, "area": residential_area},
        unique={"person": person, "residential_area": residential_area},
        registered_on=registered_on,
        note=note.strip(),
    )


# --- relations between organisations -------------------------------------------------------


@transaction.atomic
def org_relation_create(
    *,
    actor: Any,
    source: Organisation,
    target: Organisation,
    kind: str = OrgRelation.Kind.ATTENDS,
    since: dt.date | None = None,
    until: dt.date | None = None,
    note: str = "",
) -> OrgRelation:
    """Link two organisations besides the tree, e.g. `source` attends `target`'s meetings."""
    _authorise(actor, "create", OrgRelation)
    if kind not in OrgRelation.Kind.values:
        raise ServiceError(_("Choose a relation from the list."))
    if source.pk == target.pk:
        raise ServiceError(_("An organisation cannot be related to itself."))
    _require_active(source, _("This organisation is archived."))
    _require_active(target, _("This organisation is archived."))
    if since and until and until < since:
        raise ServiceError(_("The end date cannot be before the start date."))
    return _create_unique(
        actor,
        OrgRelation,
        _("This relation already exists: %(source)s → %(target)s (%(relation)s).")
        % {"source": source, "relation": OrgRelation.Kind(kind).label, "target": target},
        unique={"source": source, "kind": kind, "target": target},
        since=since,
        until=until,
        note=note.strip(),
    )


@transaction.atomic
def org_relation_end(
    *, actor: Any, relation: OrgRelation, until: dt.date | None = None
) -> OrgRelation:
    """End a relation: record its last day and archive it (kept on record)."""
    _authorise(actor, "change", relation)
    until = until or timezone.localdate()
    if relation.since and until < relation.since:
        raise ServiceError(_("The end date cannot be before the start date."))
    relation = audit.update(actor=actor, obj=relation, until=until)
    return audit.archive(actor=actor, obj=relation, note="relation ended")


# Re-exported so callers catch refusals from one place.
__all__ = [
    "NotAllowed",
    "ServiceError",
    "dual_registration_create",
    "org_relation_create",
    "org_relation_end",
    "party_membership_record",
    "person_create",
    "person_reveal",
    "person_update",
    "person_validate",
    "position_create",
    "position_end",
    "position_update",
]
