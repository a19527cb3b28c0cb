"""Reading the organisation and its people: the chart, the directory, an area's people.

Pages call these and get plain data back. Each selector runs a fixed number of queries whatever
the size of the subdistrict: it fetches the rows it needs once and assembles them in Python.
Scoping of people goes through gongzhi.core.permissions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongzhi.core import permissions as perms
from gongzhi.org.access import active_positions_q
from gongzhi.places.models import Estate, Grid, ResidentialArea

from .models import DualRegistration, Organisation, OrgRelation, PartyMembership, Person, Position

K = Organisation.Kind
R = Position.Role

# How position holders are listed inside one organisation.
ROLE_ORDER: dict[str, int] = {
    str(role): i
    for i, role in enumerate(
        [
            R.SECRETARY,
            R.DEPUTY_SECRETARY,
            R.LEADER,
            R.DIRECTOR,
            R.RESPONSIBLE_LEADER,
            R.COMMITTEE_MEMBER,
            R.PART_TIME_MEMBER,
            R.CADRE,
            R.AREA_HEAD,
            R.DEPARTMENT_LIAISON,
            R.INSPECTOR,
            R.COMMUNITY_POLICE,
            R.UNIT_LIAISON,
        ]
    )
}
LEADING_ROLES = frozenset({R.SECRETARY, R.DEPUTY_SECRETARY, R.LEADER, R.DIRECTOR})
BRANCH_COMMITTEE_ROLES = frozenset({R.SECRETARY, R.DEPUTY_SECRETARY, R.COMMITTEE_MEMBER})
# The people a grid station answers through (责任领导, 机关干部, 居民区负责人, 联络员, 巡查员).
RESPONSIBLE_ROLES = (
    R.RESPONSIBLE_LEADER,
    R.CADRE,
    R.AREA_HEAD,
    R.DEPARTMENT_LIAISON,
    R.INSPECTOR,
)

# The "1+2+2" structure: one leading body, two bodies that marshal resources, two that serve.
STRUCTURE: tuple[tuple[str, Promise, tuple[str, ...]], ...] = (
    ("1", _("leads"), (K.PARTY_WORKING_COMMITTEE,)),
    (
        "2",
        _("marshal Party and administrative resources"),
        (K.ADMIN_PARTY_GROUP, K.COMMUNITY_PARTY_COMMITTEE),
    ),
    ("2", _("build and serve"), (K.PARTY_BUILDING_OFFICE, K.SERVICE_CENTRE)),
)


def _role_key(position: Position) -> tuple[int, str, int]:
    return (ROLE_ORDER.get(position.role, 99), position.person.name, position.pk)


def _active_positions(today: dt.date | None = None) -> QuerySet[Position]:
    return Position.objects.filter(
        active_positions_q(today),
        organisation__archived_at__isnull=True,
        person__archived_at__isnull=True,
    )


@dataclass
class Member:
    """One person in one position, with where else they hold an active position."""

    position: Position
    comes_from: list[Organisation] = field(default_factory=list)

    @property
    def person(self) -> Person:
        return self.position.person

    @property
    def role_label(self) -> str:
        return self.position.title or str(self.position.get_role_display())


@dataclass
class OrgNode:
    org: Organisation
    children: list[OrgNode] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    attending: list[Organisation] = field(default_factory=list)
    attends: list[Organisation] = field(default_factory=list)

    @property
    def leaders(self) -> list[Member]:
        return [m for m in self.members if m.position.role in LEADING_ROLES]

    @property
    def committee(self) -> list[Member]:
        return [m for m in self.members if m.position.role in BRANCH_COMMITTEE_ROLES]

    @property
    def part_time_members(self) -> list[Member]:
        return [m for m in self.members if m.position.role == R.PART_TIME_MEMBER]

    @property
    def general_branches(self) -> list[OrgNode]:
        return [c for c in self.children if c.org.kind == K.GENERAL_BRANCH]

    def descendants_count(self) -> int:
        return sum(1 + c.descendants_count() for c in self.children)


@dataclass
class StructureGroup:
    number: str
    label: Promise
    nodes: list[OrgNode]


@dataclass
class OrgChart:
    roots: list[OrgNode]
    nodes: dict[int, OrgNode]
    working_committee: OrgNode | None
    party_committees: list[OrgNode]
    # General branches whose parent is none of the Community Party Committees.
    other_branches: list[OrgNode]
    structure: list[StructureGroup]
    admin_party_groups: list[OrgNode]
    visible_person_ids: set[int]

    @property
    def branches(self) -> list[OrgNode]:
        return [b for pc in self.party_committees for b in pc.general_branches] + list(
            self.other_branches
        )

    @property
    def part_time_member_count(self) -> int:
        return len({m.person.pk for b in self.branches for m in b.part_time_members})


def _members_by_org(
    positions: Iterable[Position], elsewhere: Iterable[Position] = ()
) -> dict[int, list[Member]]:
    """Members per organisation; part-time members get `comes_from`: the organisations of their
    other active positions (the unit, police station or "two new" organisation they represent),
    looked up among `positions` and `elsewhere`.
    """
    positions = list(positions)
    orgs_of_person: dict[int, list[Organisation]] = defaultdict(list)
    for pos in [*positions, *elsewhere]:
        if pos.organisation not in orgs_of_person[pos.person_id]:
            orgs_of_person[pos.person_id].append(pos.organisation)
    out: dict[int, list[Member]] = defaultdict(list)
    for pos in sorted(positions, key=_role_key):
        member = Member(position=pos)
        if pos.role == R.PART_TIME_MEMBER:
            member.comes_from = [
                o for o in orgs_of_person[pos.person_id] if o.pk != pos.organisation_id
            ]
        out[pos.organisation_id].append(member)
    return out


def org_chart(user: Any) -> OrgChart:
    """The whole organisation as a tree, with its active position holders and who attends
    whose meetings. Four queries: organisations, active positions, relations, visible people.
    """
    orgs = list(
        perms.visible(user, Organisation.objects.active())
        .select_related("residential_area")
        .order_by("sort_order", "name", "pk")
    )
    nodes = {o.pk: OrgNode(org=o) for o in orgs}
    positions = list(
        _active_positions()
        .select_related("person")
        .defer("person__mobile", "person__id_number", "person__note", "person__home_address")
    )
    for pos in positions:
        node = nodes.get(pos.organisation_id)
        if node is not None:
            pos.organisation = node.org  # share the instances: no query per position
    positions = [p for p in positions if p.organisation_id in nodes]
    for org_id, members in _members_by_org(positions).items():
        nodes[org_id].members = members

    relations = OrgRelation.objects.active().filter(kind=OrgRelation.Kind.ATTENDS).order_by("pk")
    for source_id, target_id in relations.values_list("source_id", "target_id"):
        if source_id in nodes and target_id in nodes:
            nodes[target_id].attending.append(nodes[source_id].org)
            nodes[source_id].attends.append(nodes[target_id].org)

    roots: list[OrgNode] = []
    for o in orgs:
        parent = nodes.get(o.parent_id) if o.parent_id else None
        (parent.children if parent is not None else roots).append(nodes[o.pk])

    def first(kind: str) -> list[OrgNode]:
        return [nodes[o.pk] for o in orgs if o.kind == kind]

    working = first(K.PARTY_WORKING_COMMITTEE)
    party_committees = first(K.COMMUNITY_PARTY_COMMITTEE)
    pc_ids = {n.org.pk for n in party_committees}
    for pc in party_committees:
        pc.children.sort(key=_branch_key)
    other_branches = sorted(
        (n for n in first(K.GENERAL_BRANCH) if n.org.parent_id not in pc_ids), key=_branch_key
    )
    structure = [
        StructureGroup(number, label, [n for kind in kinds for n in first(kind)])
        for number, label, kinds in STRUCTURE
    ]
    visible_ids = set(
        perms.visible(
            user, Person.objects.filter(pk__in=_active_positions().values("person_id"))
        ).values_list("pk", flat=True)
    )
    return OrgChart(
        roots=roots,
        nodes=nodes,
        working_committee=working[0] if working else None,
        party_committees=party_committees,
        other_branches=other_branches,
        structure=structure,
        admin_party_groups=first(K.ADMIN_PARTY_GROUP),
        visible_person_ids=visible_ids,
    )


def _branch_key(node: OrgNode) -> tuple[int, str, str]:
    area = node.org.residential_area
    kind_rank = 0 if node.org.kind == K.GENERAL_BRANCH else 1
    return (kind_rank, area.code if area else "~", node.org.name)


def attending_units(body: Organisation) -> list[Organisation]:
    """The units that attend `body`'s meetings without a vote (列席), e.g. the traffic police
    and property companies at the Administrative Party Group. One query."""
    return list(
        Organisation.objects.active()
        .filter(
            relations_out__target=body,
            relations_out__kind=OrgRelation.Kind.ATTENDS,
            relations_out__archived_at__isnull=True,
        )
        .distinct()
        .order_by("sort_order", "name")
    )


# --- the people directory ------------------------------------------------------------------


def _roles_matching(text: str) -> list[str]:
    """Role values whose name (in the current language or as the code) contains `text`."""
    t = text.casefold()
    return [value for value, label in R.choices if t in str(label).casefold() or t == value]


def people_search(
    user: Any,
    *,
    q: str = "",
    organisation: Organisation | None = None,
    role: str = "",
    area: ResidentialArea | None = None,
) -> QuerySet[Person]:
    """The people this user may see that match: `q` against the name, the name of an
    organisation they hold an active position in, or the role / title of that position; never
    against mobile or ID numbers. Each person once, ordered by name, with their current
    positions prefetched as `current_positions`.
    """
    qs = Person.objects.active()
    q = (q or "").strip()
    if q:
        holding = _active_positions().filter(
            Q(organisation__name__icontains=q)
            | Q(organisation__short_name__icontains=q)
            | Q(title__icontains=q)
            | Q(role__in=_roles_matching(q))
        )
        qs = qs.filter(Q(name__icontains=q) | Q(pk__in=holding.values("person_id")))
    if organisation is not None:
        qs = qs.filter(
            pk__in=_active_positions().filter(organisation=organisation).values("person_id")
        )
    if role:
        qs = qs.filter(pk__in=_active_positions().filter(role=role).values("person_id"))
    if area is not None:
        qs = qs.filter(
            Q(home_area=area)
            | Q(
                pk__in=_active_positions()
                .filter(organisation__residential_area=area)
                .values("person_id")
            )
            | Q(
                pk__in=DualRegistration.objects.active()
                .filter(residential_area=area)
                .values("person_id")
            )
        )
    return (
        perms.visible(user, qs)
        .select_related("home_area")
        .prefetch_related(
            Prefetch(
                "positions",
                queryset=_active_positions()
                .select_related("organisation")
                .order_by("organisation__sort_order", "role"),
                to_attr="current_positions",
            )
        )
        .order_by("name", "pk")
    )


def visible_person_ids(user: Any, people: Iterable[Person]) -> set[int]:
    """Which of `people` this user may open (one query)."""
    ids = {p.pk for p in people}
    if not ids:
        return set()
    return set(perms.visible(user, Person.objects.filter(pk__in=ids)).values_list("pk", flat=True))


# --- one person, one organisation -----------------------------------------------------------


@dataclass
class PersonProfile:
    person: Person
    current_positions: list[Position]
    past_positions: list[Position]
    membership: PartyMembership | None
    dual_registrations: list[DualRegistration]


def person_profile(person: Person, *, today: dt.date | None = None) -> PersonProfile:
    today = today or timezone.localdate()
    positions = list(
        Position.objects.active()
        .filter(person=person)
        .select_related("organisation")
        .order_by("-starts_on", "organisation__sort_order", "pk")
    )
    current = [
        p
        for p in positions
        if p.organisation.archived_at is None
        and (p.starts_on is None or p.starts_on <= today)
        and (p.ends_on is None or p.ends_on >= today)
    ]
    past = [p for p in positions if p not in current]
    membership = (
        PartyMembership.objects.active().filter(person=person).select_related("branch").first()
    )
    registrations = list(
        DualRegistration.objects.active()
        .filter(person=person)
        .select_related("residential_area")
        .order_by("-registered_on")
    )
    return PersonProfile(person, current, past, membership, registrations)


@dataclass
class OrganisationProfile:
    org: Organisation
    ancestors: list[Organisation]
    children: list[Organisation]
    current_positions: list[Position]
    past_positions: list[Position]
    attending: list[OrgRelation]  # units attending this body's meetings
    attends: list[OrgRelation]  # bodies whose meetings this unit attends
    other_relations: list[OrgRelation]
    party_member_count: int


def organisation_profile(org: Organisation, *, today: dt.date | None = None) -> OrganisationProfile:
    today = today or timezone.localdate()
    ancestors: list[Organisation] = []
    if org.parent_id:
        # The tree is shallow (a handful of levels); load all names once rather than walk it.
        parents = dict(Organisation.objects.values_list("pk", "parent_id"))
        names = {o.pk: o for o in Organisation.objects.only("pk", "name", "short_name")}
        cursor: int | None = org.parent_id
        seen: set[int] = set()
        while cursor and cursor not in seen:
            seen.add(cursor)
            ancestors.insert(0, names[cursor])
            cursor = parents.get(cursor)
    children = list(org.children.active().order_by("sort_order", "name"))
    positions = list(
        Position.objects.active()
        .filter(organisation=org, person__archived_at__isnull=True)
        .select_related("person")
        .defer("person__mobile", "person__id_number", "person__note", "person__home_address")
    )
    current = sorted(
        (
            p
            for p in positions
            if (p.starts_on is None or p.starts_on <= today)
            and (p.ends_on is None or p.ends_on >= today)
        ),
        key=_role_key,
    )
    past = sorted(
        (p for p in positions if p not in current),
        key=lambda p: p.ends_on or dt.date.max,
        reverse=True,
    )
    relations = list(
        OrgRelation.objects.active()
        .filter(Q(source=org) | Q(target=org))
        .select_related("source", "target")
        .order_by("kind", "pk")
    )
    attending = [
        r for r in relations if r.kind == OrgRelation.Kind.ATTENDS and r.target_id == org.pk
    ]
    attends = [r for r in relations if r.kind == OrgRelation.Kind.ATTENDS and r.source_id == org.pk]
    others = [r for r in relations if r.kind != OrgRelation.Kind.ATTENDS]
    members = PartyMembership.objects.active().filter(branch=org).count()
    return OrganisationProfile(
        org, ancestors, children, current, past, attending, attends, others, members
    )


# --- residential areas ----------------------------------------------------------------------


def areas_for_list(user: Any) -> QuerySet[ResidentialArea]:
    """The areas this user may open, with their station, estates count and households
    (the sum over the estates when the area has no figure of its own). One query."""
    estates = Estate.objects.active().filter(residential_area=OuterRef("pk"))
    estates_count = (
        estates.order_by().values("residential_area").annotate(n=Count("pk")).values("n")
    )
    estates_households = (
        estates.order_by().values("residential_area").annotate(n=Sum("households")).values("n")
    )
    grids_count = (
        Grid.objects.active()
        .filter(residential_area=OuterRef("pk"))
        .order_by()
        .values("residential_area")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        perms.visible(user, ResidentialArea.objects.active())
        .select_related("grid_station")
        .annotate(
            estates_count=Coalesce(Subquery(estates_count, output_field=IntegerField()), 0),
            grids_count=Coalesce(Subquery(grids_count, output_field=IntegerField()), 0),
            estates_households=Coalesce(
                Subquery(estates_households, output_field=IntegerField()), 0
            ),
        )
        .order_by("code")
    )


@dataclass
class AreaOverview:
    area: ResidentialArea
    estates: list[Estate]
    grids: list[Grid]
    general_branch: Organisation | None
    branch_committee: list[Member]
    part_time_members: list[Member]
    other_organisations: list[Organisation]
    station_organisation: Organisation | None
    responsible: list[Member]

    @property
    def households(self) -> int:
        return self.area.households or sum(e.households for e in self.estates)

    @property
    def secretary(self) -> Member | None:
        return next((m for m in self.branch_committee if m.position.role == R.SECRETARY), None)

    @property
    def people(self) -> list[Person]:
        return [m.person for m in self.branch_committee + self.part_time_members + self.responsible]


def area_overview(area: ResidentialArea, *, today: dt.date | None = None) -> AreaOverview:
    """Everything on an area's page: estates (households, property company), grids (code,
    kind), the general branch (secretary, committee, part-time members and where they come from),
    the other organisations of the area, and the grid station's responsible people for this area.
    Five queries whatever the size of the area.
    """
    estates = list(area.estates.active().select_related("property_company").order_by("name", "pk"))
    grids = list(area.grids.active().select_related("estate").order_by("code"))
    orgs_q = Q(residential_area=area)
    if area.grid_station_id:
        orgs_q |= Q(grid_station_id=area.grid_station_id)
    orgs = list(Organisation.objects.active().filter(orgs_q).order_by("sort_order", "name", "pk"))
    branch = next((o for o in orgs if o.kind == K.GENERAL_BRANCH), None)
    station_org = next(
        (o for o in orgs if area.grid_station_id and o.grid_station_id == area.grid_station_id),
        None,
    )
    org_ids = [o.pk for o in (branch, station_org) if o is not None]
    positions = list(
        _active_positions(today)
        .filter(organisation_id__in=org_ids)
        .select_related("person", "organisation")
        .prefetch_related("grids")
    )
    # Where part-time members come from: their other active positions (one query).
    part_timers = {p.person_id for p in positions if p.role == R.PART_TIME_MEMBER}
    elsewhere = (
        list(
            _active_positions(today)
            .filter(person_id__in=part_timers)
            .exclude(organisation_id__in=org_ids)
            .select_related("organisation")
        )
        if part_timers
        else []
    )
    members = _members_by_org(positions, elsewhere)
    branch_members = members.get(branch.pk, []) if branch else []
    area_grid_ids = {g.pk for g in grids}
    responsible = [
        m
        for m in (members.get(station_org.pk, []) if station_org else [])
        if m.position.role in RESPONSIBLE_ROLES
        and (
            not m.position.grids.all() or any(g.pk in area_grid_ids for g in m.position.grids.all())
        )
    ]
    responsible.sort(key=lambda m: (RESPONSIBLE_ROLES.index(m.position.role), m.person.name))
    return AreaOverview(
        area=area,
        estates=estates,
        grids=grids,
        general_branch=branch,
        branch_committee=[m for m in branch_members if m.position.role in BRANCH_COMMITTEE_ROLES],
        part_time_members=[m for m in branch_members if m.position.role == R.PART_TIME_MEMBER],
        other_organisations=[o for o in orgs if o.pk not in org_ids],
        station_organisation=station_org,
        responsible=responsible,
    )
