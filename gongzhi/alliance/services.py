"""Writing the alliance: memberships, activities, dual registration years, the three lists and
the projects' actions. Each function is one transaction, checks permissions, writes the audit
trail and publishes the domain event; pages, the API and the demo call the same ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import events
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import access_for
from gongzhi.org.models import Organisation, Person
from gongzhi.places.subdistricts import refuse_other_subdistrict, require_reach, subdistrict_for
from gongzhi.workflow import Step

from .models import (
    Alliance,
    CharterVersion,
    DualRegistrationYear,
    JointActivity,
    Membership,
    Milestone,
    Need,
    Project,
    ProjectEvaluation,
    ProjectParty,
    Resource,
    UnitRegistration,
)
from .workflow import PROJECTS, quarter_of, record_event

RESOURCE_FIELDS = (
    "kind",
    "title",
    "description",
    "capacity",
    "capacity_unit",
    "availability",
    "windows",
    "place",
    "residential_area",
    "lat",
    "lng",
    "conditions",
)
NEED_FIELDS = (
    "title",
    "description",
    "category",
    "residential_area",
    "place",
    "lat",
    "lng",
    "windows",
    "urgency",
)


def _clean(model: type[Any], fields: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ServiceError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    out = dict(fields)
    for k in ("title", "description", "place", "conditions", "availability"):
        if isinstance(out.get(k), str):
            out[k] = out[k].strip()
    if "windows" in out:
        from .matching import parse_windows

        parse_windows(out["windows"])  # raises ServiceError on a bad window
    return out


# --- The alliance and its members ----------------------------------------------------------------


def current_alliance(user: Any = None) -> Alliance | None:
    """The regional alliance of the user's subdistrict (the first, for the district level)."""
    qs = Alliance.objects.active().order_by("founded_on", "id")
    return perms.visible(user, qs).first() if user is not None else qs.first()


@transaction.atomic
def membership_join(
    *,
    actor: Any,
    alliance: Alliance,
    organisation: Organisation,
    joined_on: dt.date,
    liaison: Person | None = None,
    party_organisation: Organisation | None = None,
) -> Membership:
    """A unit joins; `Organisation.alliance_joined_on` is its current join date."""
    perms.check(actor, "create", Membership)
    require_reach(actor, alliance.subdistrict_id)
    refuse_other_subdistrict(alliance.subdistrict_id, (organisation, party_organisation))
    if (
        Membership.objects.active()
        .filter(alliance=alliance, organisation=organisation, left_on__isnull=True)
        .exists()
    ):
        raise ServiceError(_("This unit is already a member of the alliance."))
    m = audit.save_new(
        actor=actor,
        obj=Membership(
            alliance=alliance,
            organisation=organisation,
            joined_on=joined_on,
            liaison=liaison,
            party_organisation=party_organisation,
        ),
    )
    audit.update(actor=actor, obj=organisation, alliance_joined_on=joined_on)
    events.publish("alliance.member_joined", actor=actor, organisation_id=organisation.pk)
    return m


@transaction.atomic
def membership_leave(*, actor: Any, membership: Membership, left_on: dt.date) -> Membership:
    perms.check(actor, "change", membership)
    if membership.left_on is not None:
        raise ServiceError(_("This unit has already left the alliance."))
    if left_on < membership.joined_on:
        raise ServiceError(_("A unit cannot leave before it joined."))
    m = audit.update_checked(actor=actor, obj=membership, left_on=left_on)
    audit.update(actor=actor, obj=membership.organisation, alliance_joined_on=None)
    events.publish("alliance.member_left", actor=actor, organisation_id=m.organisation_id)
    return m


@transaction.atomic
def activity_record(
    *,
    actor: Any,
    alliance: Alliance,
    kind: str,
    title: str,
    held_on: dt.date,
    units: Iterable[Organisation],
    place: str = "",
    description: str = "",
    participants: int = 0,
    hours: Decimal | int = 0,
    photos: Iterable[Any] = (),
) -> JointActivity:
    """Record a joint activity with its units and photos (every photo checked first: all or
    nothing), each photo re-encoded without metadata and in the audit trail."""
    from . import photos as photo_store

    perms.check(actor, "create", JointActivity)
    units = list(units)
    if not units:
        raise ServiceError(_("Name at least one member unit."))
    require_reach(actor, alliance.subdistrict_id)
    refuse_other_subdistrict(alliance.subdistrict_id, units, field="units")
    checked = photo_store.validate_all(list(photos))
    a = audit.save_new(
        actor=actor,
        obj=JointActivity(
            alliance=alliance,
            kind=kind,
            title=(title or "").strip(),
            held_on=held_on,
            place=place,
            description=description,
            participants=participants,
            hours=hours,
        ),
    )
    a.units.set(units)
    for photo in photo_store.attach_to_activity(activity=a, checked=checked, user=actor):
        audit.record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=photo,
            changes={"activity": {"before": None, "after": a.pk}},
        )
    events.publish("alliance.activity_recorded", actor=actor, activity_id=a.pk)
    return a


@transaction.atomic
def dual_year_confirm(
    *, actor: Any, record: DualRegistrationYear, evaluation: str
) -> DualRegistrationYear:
    """The area secretary confirms a member's year of dual registration, with the evaluation."""
    perms.check(actor, "confirm", record, _("Only the secretary of the member's area may confirm."))
    if evaluation not in DualRegistrationYear.Evaluation.values:
        raise ServiceError(_("Choose an evaluation."))
    if record.confirmed_at is not None:
        raise ServiceError(_("This year is already confirmed."))
    r = audit.update_checked(
        actor=actor,
        obj=record,
        evaluation=evaluation,
        confirmed_at=timezone.now(),
        confirmed_by=actor,
    )
    events.publish("alliance.dual_registration_confirmed", actor=actor, record_id=r.pk)
    return r


# --- Resources and needs ---------------------------------------------------------------------------


@transaction.atomic
def resource_create(*, actor: Any, owner: Organisation, **fields: Any) -> Resource:
    from .permissions import ResourcePolicy

    access = access_for(actor)
    if not perms.can(access, "create", Resource) or not ResourcePolicy().can_offer_for(
        access, owner.pk
    ):
        raise NotAllowed(_("You may offer resources only for your own unit."))
    data = _clean(Resource, fields, RESOURCE_FIELDS)
    require_reach(actor, owner.subdistrict_id)
    refuse_other_subdistrict(
        owner.subdistrict_id, [data.get("residential_area")], field="residential_area"
    )
    r = audit.save_new(actor=actor, obj=Resource(owner=owner, **data))
    events.publish("resource.created", actor=actor, resource_id=r.pk)
    return r


@transaction.atomic
def resource_update(*, actor: Any, resource: Resource, **fields: Any) -> Resource:
    perms.check(actor, "change", resource, _("You may change only your own unit's resources."))
    data = _clean(Resource, fields, RESOURCE_FIELDS)
    refuse_other_subdistrict(
        resource.owner.subdistrict_id, [data.get("residential_area")], field="residential_area"
    )
    r = audit.update_checked(actor=actor, obj=resource, **data)
    events.publish("resource.updated", actor=actor, resource_id=r.pk)
    return r


@transaction.atomic
def resource_archive(*, actor: Any, resource: Resource) -> Resource:
    perms.check(actor, "archive", resource, _("You may change only your own unit's resources."))
    return audit.archive(actor=actor, obj=resource)


@transaction.atomic
def need_create(*, actor: Any, raised_by_unit: Organisation | None = None, **fields: Any) -> Need:
    access = access_for(actor)
    perms.check(access, "create", Need)
    data = _clean(Need, fields, NEED_FIELDS)
    probe = Need(raised_by_unit=raised_by_unit, **data)
    probe.subdistrict_id = subdistrict_for(actor, probe.residential_area, raised_by_unit)
    refuse_other_subdistrict(probe.subdistrict_id, [probe.residential_area, raised_by_unit])
    require_reach(actor, probe.subdistrict_id)
    if not perms.can(access, "raise", probe):
        raise NotAllowed(_("You may raise needs only for your own area or unit."))
    if probe.lat is None and probe.residential_area is not None:
        probe.lat, probe.lng = area_centre(probe.residential_area)
    probe.raised_by = actor if getattr(actor, "is_authenticated", False) else None
    n = audit.save_new(actor=actor, obj=probe)
    events.publish("need.created", actor=actor, need_id=n.pk)
    return n


def area_centre(area: Any) -> tuple[float | None, float | None]:
    if not getattr(area, "geometry", None):
        return None, None
    from gongzhi.places.geo import to_shape

    try:
        c = to_shape(area.geometry).centroid
    except Exception:  # noqa: BLE001  (a broken shape: no point)
        return None, None
    return c.y, c.x


@transaction.atomic
def need_update(*, actor: Any, need: Need, **fields: Any) -> Need:
    perms.check(actor, "change", need, _("You may change only your own area's needs."))
    data = _clean(Need, fields, NEED_FIELDS)
    refuse_other_subdistrict(
        need.subdistrict_id, [data.get("residential_area")], field="residential_area"
    )
    n = audit.update_checked(actor=actor, obj=need, **data)
    events.publish("need.updated", actor=actor, need_id=n.pk)
    return n


@transaction.atomic
def need_close(*, actor: Any, need: Need) -> Need:
    perms.check(actor, "change", need, _("You may change only your own area's needs."))
    return audit.update_checked(actor=actor, obj=need, state=Need.State.CLOSED)


# --- Projects --------------------------------------------------------------------------------------


@transaction.atomic
def project_propose(
    *,
    actor: Any,
    title: str,
    parties: Iterable[tuple[Organisation, str]] = (),
    kind: str = Project.Kind.ALLIANCE,
    goal: str = "",
    need: Need | None = None,
    resource: Resource | None = None,
    residential_area: Any = None,
    owner_area: Any = None,
    milestones: Iterable[tuple[str, dt.date | None]] = (),
    beneficiaries: str = "",
    budget: Decimal | None = None,
    public: bool = False,
    at: dt.datetime | None = None,
) -> Project:
    """A proposed project, with its parties and milestones. Who may propose: the alliance's
    staff, a liaison whose unit is a party, an area secretary for a project of their area."""
    access = access_for(actor)
    parties = [(o, role) for o, role in parties]
    title = (title or "").strip()
    if not title:
        raise ServiceError(
            _("Give the project a title."), field_errors={"title": [_("This field is required.")]}
        )
    if kind == Project.Kind.SELF_GOVERNANCE and owner_area is None:
        raise ServiceError(_("A self-governance project belongs to a residential area."))
    if residential_area is None:
        residential_area = owner_area or (need.residential_area if need else None)
    from .permissions import is_alliance_staff

    unit_ids = {o.pk for o, _role in parties}
    area_ids = {a.pk for a in (residential_area, owner_area) if a is not None}
    if not (
        is_alliance_staff(access) or (access.unit_ids & unit_ids) or (access.area_ids & area_ids)
    ):
        raise NotAllowed(
            _("You may propose a project only for your own unit or your own residential area.")
        )
    # The project's subdistrict: its areas', its need's, its units'; all of them the same one.
    linked = [owner_area, residential_area, need, resource.owner if resource else None]
    linked += [o for o, _role in parties]
    subdistrict_id = subdistrict_for(actor, *linked)
    refuse_other_subdistrict(subdistrict_id, linked)
    require_reach(actor, subdistrict_id)
    at = at or timezone.now()
    p = audit.save_new(
        actor=actor,
        obj=Project(
            kind=kind,
            title=title,
            goal=goal,
            need=need,
            resource=resource,
            residential_area=residential_area,
            owner_area=owner_area,
            beneficiaries=beneficiaries,
            budget=budget,
            public=public,
            proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
            proposed_at=at,
            quarter=quarter_of(at),
            subdistrict_id=subdistrict_id,
        ),
    )
    seen: set[int] = set()
    for org, role in parties:
        if org.pk in seen:
            continue
        seen.add(org.pk)
        audit.save_new(actor=actor, obj=ProjectParty(project=p, organisation=org, role=role))
    for i, (mtitle, due) in enumerate(milestones):
        audit.save_new(
            actor=actor, obj=Milestone(project=p, title=mtitle, due_on=due, sort_order=i)
        )
    record_event(obj=p, actor=actor, action="propose", to_state=p.state, public=True, at=at)
    if need is not None and need.state == Need.State.OPEN:
        audit.update(actor=actor, obj=need, state=Need.State.MATCHED)
    events.publish("project.proposed", actor=actor, project_id=p.pk, to_state=p.state)
    return p


@transaction.atomic
def match_confirm(
    *, actor: Any, need: Need, resource: Resource, title: str = "", public: bool = True
) -> Project:
    """A person confirms a suggested match: a proposed project between the resource's unit and
    the need's area (or unit)."""
    access = access_for(actor)
    from .permissions import is_alliance_staff

    may = perms.can(access, "match", need) or (
        access.unit_ids and resource.owner_id in access.unit_ids
    )
    if not may and not is_alliance_staff(access):
        raise NotAllowed(
            _("You may confirm matches only for your own area's needs or your unit's resources.")
        )
    if need.state == Need.State.CLOSED:
        raise ServiceError(_("This need is closed."))
    if (
        Project.objects.active()
        .filter(need=need, resource=resource)
        .exclude(state=Project.State.CANCELLED)
        .exists()
    ):
        raise ServiceError(_("A project already joins this need and this resource."))
    parties: list[tuple[Organisation, str]] = [(resource.owner, ProjectParty.Role.PROVIDER)]
    if need.raised_by_unit is not None and need.raised_by_unit_id != resource.owner_id:
        parties.append((need.raised_by_unit, ProjectParty.Role.BENEFICIARY))
    elif need.residential_area is not None:
        branch = (
            Organisation.objects.active()
            .filter(
                residential_area=need.residential_area,
                kind=Organisation.Kind.GENERAL_BRANCH,
            )
            .first()
        )
        if branch is not None:
            parties.append((branch, ProjectParty.Role.BENEFICIARY))
    return project_propose(
        actor=actor,
        title=title or f"{resource.title} → {need.title}"[:200],
        parties=parties,
        goal=need.description,
        need=need,
        resource=resource,
        residential_area=need.residential_area,
        beneficiaries=str(need.residential_area or need.raised_by_unit or ""),
        public=public,
    )


def project_act(*, project: Project | int, **kw: Any) -> Step:
    """Take one action of the project's table (workflow.py): `PROJECTS.run` with the project as its
    object (keywords: actor, action, note, params, expected_state)."""
    return PROJECTS.run(obj=project, **kw)


@transaction.atomic
def milestone_add(
    *, actor: Any, project: Project, title: str, due_on: dt.date | None = None
) -> Milestone:
    perms.check(actor, "change", project, _("You may change only projects your unit is party to."))
    n = project.milestones.count()
    return audit.save_new(
        actor=actor,
        obj=Milestone(project=project, title=(title or "").strip(), due_on=due_on, sort_order=n),
    )


@transaction.atomic
def project_rate(
    *, actor: Any, project: Project, score: int, comment: str = ""
) -> ProjectEvaluation:
    """A resident's evaluation of a completed project that served their area."""
    perms.check(
        actor,
        "rate",
        project,
        _("Only residents of the area the project served may evaluate it, once it is completed."),
    )
    if not 1 <= int(score) <= 5:
        raise ServiceError(_("The score is from 1 to 5."))
    try:
        with transaction.atomic():
            e = audit.save_new(
                actor=actor,
                obj=ProjectEvaluation(
                    project=project, user=actor, score=int(score), comment=comment
                ),
            )
    except IntegrityError as exc:
        raise ServiceError(_("You have already evaluated this project.")) from exc
    except ServiceError as exc:
        if ProjectEvaluation.objects.active().filter(project=project, user=actor).exists():
            raise ServiceError(_("You have already evaluated this project.")) from exc
        raise
    events.publish("project.rated", actor=actor, project_id=project.pk, score=int(score))
    return e


# --- Dual registration (双报到) ---------------------------------------------------------------------


@transaction.atomic
def dual_register(
    *, actor: Any, residential_area: Any, year: int, posts: str = "", hours: Decimal | int = 0
) -> DualRegistrationYear:
    """An in-work Party member reports to their home residential area themselves: the
    registration (`org.DualRegistration`, made once) and this year's record of the posts and
    needs they claim and their hours, for the area's secretary to evaluate and confirm."""
    from gongzhi.org.models import DualRegistration, PartyMembership

    person_id = getattr(actor, "person_id", None)
    if not person_id or not PartyMembership.objects.active().filter(person_id=person_id).exists():
        raise NotAllowed(_("Only Party members register with a residential area."))
    _require_hours(hours)
    reg = _registration(
        actor, DualRegistration, person_id=person_id, residential_area=residential_area
    )
    return _year_record(actor, year=year, posts=posts, hours=hours, registration=reg)


def _registration(actor: Any, model: type[Any], **lookup: Any) -> Any:
    """The registration of a person's or a unit's with a residential area (`lookup`), made
    once."""
    reg = model.objects.active().filter(**lookup).first()
    if reg is None:
        reg = audit.save_new(actor=actor, obj=model(**lookup, registered_on=timezone.localdate()))
    return reg


def _require_hours(hours: Decimal | int) -> None:
    if Decimal(hours) < 0:
        raise ServiceError(
            _("Hours cannot be negative."), field_errors={"hours": [_("Hours cannot be negative.")]}
        )


def _year_record(
    actor: Any, *, year: int, posts: str, hours: Decimal | int, **registration: Any
) -> DualRegistrationYear:
    """This year's record of a registration (`registration=` a person's, `unit_registration=` a
    unit's): made, or changed while the area's secretary has not confirmed it."""
    record = DualRegistrationYear.objects.active().filter(year=year, **registration).first()
    if record is None:
        record = audit.save_new(
            actor=actor,
            obj=DualRegistrationYear(year=year, posts=posts.strip(), hours=hours, **registration),
        )
    elif record.confirmed_at is not None:
        raise ServiceError(_("This year is already confirmed."))
    else:
        record = audit.update_checked(actor=actor, obj=record, posts=posts.strip(), hours=hours)
    events.publish("alliance.dual_registered", actor=actor, record_id=record.pk)
    return record


def unit_party_organisations(actor: Any) -> list[Organisation]:
    """The Party organisations a user may register for: the ones they hold a position in, and
    those of the units they hold a position in."""
    org_ids = access_for(actor).org_ids
    if not org_ids:
        return []
    return list(
        Organisation.objects.active()
        .filter(is_party_organisation=True)
        .filter(Q(pk__in=org_ids) | Q(parent_id__in=org_ids))
        # A residential area's own Party organisations are not units reporting to an area.
        .exclude(kind=Organisation.Kind.GENERAL_BRANCH)
        .exclude(parent__kind=Organisation.Kind.GENERAL_BRANCH)
        .order_by("name")
    )


@transaction.atomic
def unit_register(
    *,
    actor: Any,
    party_organisation: Organisation,
    residential_area: Any,
    year: int,
    posts: str = "",
    hours: Decimal | int = 0,
) -> DualRegistrationYear:
    """A unit's Party organisation reports to a residential area itself (双报到): the
    registration (made once) and this year's record of the posts and needs it claims and its
    hours, for the area's secretary to evaluate and confirm."""
    if party_organisation not in unit_party_organisations(actor):
        raise NotAllowed(_("You may register only your own unit's Party organisation."))
    refuse_other_subdistrict(
        party_organisation.subdistrict_id, [residential_area], field="residential_area"
    )
    _require_hours(hours)
    reg = _registration(
        actor,
        UnitRegistration,
        party_organisation=party_organisation,
        residential_area=residential_area,
    )
    return _year_record(actor, year=year, posts=posts, hours=hours, unit_registration=reg)


@transaction.atomic
def charter_version_add(
    *,
    actor: Any,
    alliance: Alliance,
    text: str,
    dated_on: dt.date,
    approved_on: dt.date | None = None,
    approved_by: str = "",
) -> CharterVersion:
    """A new version of the charter (numbered after the last), dated and, once approved, with
    the date and the body that approved it."""
    perms.check(actor, "create", CharterVersion)
    if not (text or "").strip():
        raise ServiceError(
            _("The charter's text is empty."), field_errors={"text": [_("This field is required.")]}
        )
    if approved_on is not None and approved_on < dated_on:
        raise ServiceError(_("A version cannot be approved before its date."))
    last = CharterVersion.objects.active().filter(alliance=alliance).order_by("-number").first()
    v = audit.save_new(
        actor=actor,
        obj=CharterVersion(
            alliance=alliance,
            number=(last.number + 1) if last else 1,
            text=text.strip(),
            dated_on=dated_on,
            approved_on=approved_on,
            approved_by=(approved_by or "").strip(),
        ),
    )
    events.publish("alliance.charter_version_added", actor=actor, charter_version_id=v.pk)
    return v
