"""Seed stage "people": who holds which position, and the 6,240 Party members.

Positions: the leaders of the "1+2+2" bodies; the grid centre's operators and duty chiefs; each
grid station's responsible leader, cadres, residential-area heads, department liaisons and
inspectors (with their grids); department handlers and community police; property-company
staff; the general branches' secretaries, committee members and their 41 part-time members
(drawn from resident units' leaders and Party secretaries, community police, "two new" Party
organisation heads and Party members: their other position shows where they come from); unit
leaders, Party secretaries and alliance liaisons; service-centre and station staff; the
representative council.

Party members: staff who are members, then rank-and-file members up to exactly 6,240, spread
over the Party organisations (mostly the residential-area branches; in-work members in the units,
the subdistrict's own branches and the "two new" organisations; many of those who live in
Caoyang have registered with their home residential area too: 双报到).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gongzhi.core.seeding import SeedContext
from gongzhi.core.seeding.names import PersonalData
from gongzhi.org.models import DualRegistration, Organisation, PartyMembership, Person, Position
from gongzhi.places.demo import AREA_NAMES, XINGMEIYUAN, XINGYANG, Places
from gongzhi.places.models import Grid

from .org import RESIDENT_UNITS, Orgs

R = Position.Role
S = Organisation.Sector

PARTY_MEMBERS = 6_240
PART_TIME_MEMBERS = 41

WORKING_AGE = (1966, 1996)
RETIRED = (1932, 1962)

# Members per Party organisation outside the residential areas (staff included), by kind.
UNIT_PARTY_SIZES = {
    "chzy": (140, 180), "hgy": (90, 140), "dks": (90, 140), "ddy": (80, 120), "cbs": (80, 120),
    "njs": (35, 55), "ez": (70, 90), "ezfx": (30, 45), "syy": (18, 28), "cyzx": (30, 45),
    "yx": (20, 32), "zxyy": (200, 260), "wszx": (25, 40), "tsg": (8, 12), "lhsr": (30, 45),
    "xhsd": (8, 14), "icbc": (15, 25), "cysc": (10, 18),
}  # fmt: skip
OFFICE_BRANCH_SIZE = (40, 55)
TWO_NEW_SIZE = (3, 15)
BUILDING_BRANCH_SIZE = (8, 30)
PROPERTY_BRANCH_SIZE = (3, 8)


@dataclass
class People:
    """What the people stage made; `accounts` maps each demo username to its person."""

    accounts: dict[str, Person] = field(default_factory=dict)
    part_time_members: dict[int, list[Person]] = field(default_factory=dict)  # by area index


class _Maker:
    def __init__(self, ctx: SeedContext, places: Places, orgs: Orgs) -> None:
        self.ctx = ctx
        self.places = places
        self.orgs = orgs
        self.rng = ctx.rng("people")
        self.pd = PersonalData(ctx.rng("people/personal"))
        self.persons: list[Person] = []
        self.positions: list[Position] = []
        self.position_grids: list[tuple[Position, list[Grid]]] = []
        self.memberships: dict[int, PartyMembership] = {}  # id(person) → membership
        self.dual: list[DualRegistration] = []
        self.result = People()
        self.office_branch = 0

    # --- people ---------------------------------------------------------------------------

    def date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def person(self, born: tuple[int, int], area: int | None = -1) -> Person:
        """A new person born in the range; living in `area`, anywhere in Caoyang (-1: in 40 % of
        cases) or outside (None)."""
        rng = self.rng
        gender = self.pd.gender()
        year = rng.randint(*born)
        if area == -1:
            area = rng.randrange(len(self.places.areas)) if rng.random() < 0.4 else None
        if area is None:
            home_area, address = None, self.pd.other_address()
        else:
            home_area = self.places.areas[area]
            lane = rng.choice(self.places.lanes[area])
            address = f"上海市普陀区{lane}{rng.randint(1, 60)}号{rng.randint(1, 6)}{rng.randint(1, 4):02d}室"
        p = Person(
            name=self.pd.name(gender, year),
            gender=gender,
            birth_year=year,
            mobile=self.pd.mobile(),
            id_number=self.pd.id_number(gender, year, local=area is not None),
            home_area=home_area,
            home_address=address,
        )
        self.persons.append(p)
        return p

    def position(
        self,
        person: Person,
        org: Organisation,
        role: str,
        title: str,
        grids: Sequence[Grid] = (),
    ) -> Position:
        pos = Position(
            person=person,
            organisation=org,
            role=role,
            title=title,
            starts_on=self.date(dt.date(2015, 1, 1), dt.date(2024, 12, 31)),
        )
        self.positions.append(pos)
        if grids:
            self.position_grids.append((pos, list(grids)))
        return pos

    def staff(
        self,
        org: Organisation,
        role: str,
        title: str,
        *,
        born: tuple[int, int] = WORKING_AGE,
        area: int | None = -1,
        party: float = 0.0,
        branch: Organisation | None = None,
    ) -> Person:
        """A new person holding one position, a Party member of `branch` with probability
        `party` (default branch: one of the subdistrict's own)."""
        p = self.person(born, area)
        self.position(p, org, role, title)
        if self.rng.random() < party:
            self.member(p, branch or self.next_office_branch())
        return p

    def next_office_branch(self) -> Organisation:
        self.office_branch = (self.office_branch + 1) % len(self.orgs.office_branches)
        return self.orgs.office_branches[self.office_branch]

    def member(self, person: Person, branch: Organisation) -> None:
        if id(person) in self.memberships:
            return
        rng = self.rng
        assert person.birth_year is not None
        if rng.random() < 0.008:
            joined = self.date(dt.date(2025, 1, 1), dt.date(2025, 11, 30))
            status = PartyMembership.Status.PROBATIONARY
        else:
            year = min(2024, person.birth_year + rng.randint(18, 40))
            joined = self.date(dt.date(year, 1, 1), dt.date(year, 12, 31))
            status = PartyMembership.Status.FULL
        in_work = branch.sector != S.RESIDENTIAL
        self.memberships[id(person)] = PartyMembership(
            person=person, branch=branch, joined_on=joined, status=status, in_work=in_work
        )
        if in_work and person.home_area is not None and rng.random() < 0.8:
            self.dual.append(
                DualRegistration(
                    person=person,
                    residential_area=person.home_area,
                    registered_on=self.date(dt.date(2015, 3, 1), dt.date(2020, 12, 31)),
                    note="在职党员到居住地居民区报到",
                )
            )

    def members_of(self, branch: Organisation) -> int:
        return sum(1 for m in self.memberships.values() if m.branch is branch)

    def fill(
        self, branch: Organisation, size: int, born: tuple[int, int], area: int | None = -1
    ) -> None:
        for _ in range(max(0, size - self.members_of(branch))):
            self.member(self.person(born, area), branch)


def run(ctx: SeedContext) -> None:
    places: Places = ctx.made["places"]
    orgs: Orgs = ctx.made["org"]
    m = _Maker(ctx, places, orgs)
    rng = m.rng
    accounts = m.result.accounts
    n_areas = len(places.areas)

    # The leadership: the Party Working Committee, the Administrative Party Group, the
    # subdistrict office and the Community Party Committee.
    leader = m.staff(orgs["pwc"], R.SECRETARY, "党工委书记", born=(1966, 1976), party=1)
    accounts["leader"] = leader
    director = m.staff(orgs["pwc"], R.DEPUTY_SECRETARY, "党工委副书记", born=(1968, 1978), party=1)
    m.position(director, orgs["apg"], R.SECRETARY, "党组书记")
    m.position(director, orgs["office"], R.DIRECTOR, "办事处主任")
    cpc_secretary = m.staff(
        orgs["pwc"], R.DEPUTY_SECRETARY, "党工委副书记", born=(1968, 1980), party=1
    )
    m.position(cpc_secretary, orgs["cpc"], R.SECRETARY, "社区党委书记")
    responsible = [cpc_secretary]
    for _ in range(4):
        deputy = m.staff(orgs["pwc"], R.COMMITTEE_MEMBER, "党工委委员", born=(1970, 1982), party=1)
        m.position(deputy, orgs["apg"], R.COMMITTEE_MEMBER, "党组成员")
        m.position(deputy, orgs["office"], R.LEADER, "办事处副主任")
        responsible.append(deputy)
    m.staff(orgs["pwc"], R.COMMITTEE_MEMBER, "纪工委书记", born=(1968, 1978), party=1)
    m.staff(orgs["cpc"], R.DEPUTY_SECRETARY, "社区党委专职副书记", born=(1972, 1985), party=1)
    m.staff(orgs["pbo"], R.DIRECTOR, "党建办主任", born=(1972, 1985), party=1)
    for _ in range(3):
        m.staff(orgs["pbo"], R.STAFF, "党建组织员", party=0.8)
    accounts["auditor"] = m.staff(orgs["office"], R.AUDITOR, "审计员", party=0.8)
    accounts["admin"] = m.staff(orgs["office"], R.ADMINISTRATOR, "信息化管理员", party=0.6)
    cadres = [m.staff(orgs["office"], R.STAFF, "机关干部", party=0.8) for _ in range(10)]

    # The service centre and its stations.
    m.staff(orgs["service_centre"], R.DIRECTOR, "服务中心主任", born=(1972, 1985), party=1)
    service = [
        m.staff(orgs["service_centre"], R.SERVICE_STAFF, "党建服务专员", party=0.6)
        for _ in range(4)
    ]
    accounts["service_staff"] = service[0]
    for a, station in enumerate(orgs.area_stations):
        m.staff(station, R.SERVICE_STAFF, "服务站站长", area=a, party=0.7)
    for i, station in enumerate(orgs.building_branches):
        site = orgs[f"bs_{i}"]
        m.staff(site, R.SERVICE_STAFF, "楼宇党建服务站站长", party=1, branch=station)

    # The grid management centre.
    m.staff(orgs["grid_centre"], R.DUTY_CHIEF, "网格中心主任", born=(1970, 1982), party=1)
    chiefs = [m.staff(orgs["grid_centre"], R.DUTY_CHIEF, "值班长", party=0.7) for _ in range(3)]
    operators = [
        m.staff(orgs["grid_centre"], R.OPERATOR, "受理员/派遣员", party=0.4) for _ in range(10)
    ]
    accounts["duty_chief"], accounts["operator"] = chiefs[0], operators[0]

    # Departments, community police and property companies.
    handlers: dict[str, list[Person]] = {}
    for key in orgs.departments:
        dept = orgs[key]
        m.staff(dept, R.DIRECTOR, f"{dept.short_name}负责人", born=(1968, 1982))
        if key == "police":
            handlers[key] = [
                m.staff(dept, R.COMMUNITY_POLICE, "社区民警", born=(1970, 1992)) for _ in range(8)
            ]
        else:
            handlers[key] = [m.staff(dept, R.HANDLER, "处置人员") for _ in range(rng.randint(3, 5))]
    accounts["dept_chengguan"] = handlers["chengguan"][0]
    for key in orgs.property_companies:
        company = orgs[key]
        branch = orgs.by_key.get(f"{key}_party")
        m.staff(company, R.DIRECTOR, "项目经理", party=0.6 if branch else 0, branch=branch)
        for _ in range(2):
            m.staff(company, R.HANDLER, "物业管家", party=0.3 if branch else 0, branch=branch)

    # General branches, their Party branches, residents' committees.
    secretaries: list[Person] = []
    deputies: list[Person] = []
    for a, gb in enumerate(orgs.general_branches):
        # Committee members live in their area; the general branch's are its Party members,
        # the residents' committee's may be members of the area's first Party branch.
        in_gb: dict[str, Any] = {"area": a, "party": 1, "branch": gb}
        in_rc: dict[str, Any] = {"area": a, "branch": orgs.area_branches[a][0]}
        secretary = m.staff(gb, R.SECRETARY, "党总支书记", born=(1965, 1985), **in_gb)
        secretaries.append(secretary)
        deputies.append(m.staff(gb, R.DEPUTY_SECRETARY, "党总支副书记", born=(1965, 1988), **in_gb))
        for _ in range(3):
            m.staff(gb, R.COMMITTEE_MEMBER, "党总支委员", born=(1950, 1985), **in_gb)
        rc = orgs.residents_committees[a]
        if rng.random() < 0.5:
            m.position(secretary, rc, R.DIRECTOR, "居委会主任")  # 书记、主任“一肩挑”
        else:
            m.staff(rc, R.DIRECTOR, "居委会主任", born=(1965, 1988), party=0.8, **in_rc)
        for _ in range(2):
            m.staff(rc, R.COMMITTEE_MEMBER, "居委会委员", born=(1970, 1995), party=0.5, **in_rc)
        for branch in orgs.area_branches[a]:
            m.staff(
                branch, R.SECRETARY, "党支部书记", born=(1945, 1965), area=a, party=1, branch=branch
            )
    accounts["secretary_xingmeiyuan"] = secretaries[XINGMEIYUAN]

    # Grid stations: responsible leader, cadres, area heads, department liaisons, inspectors.
    liaison_depts = ("chengguan", "fangguan", "lvhua", "police")
    for i, station_org in enumerate(orgs.grid_stations):
        m.position(responsible[i], station_org, R.RESPONSIBLE_LEADER, "责任领导")
        for cadre in cadres[2 * i : 2 * i + 2]:
            m.position(cadre, station_org, R.CADRE, "机关联络干部")
        for a in range(4 * i, 4 * i + 4):
            m.position(secretaries[a], station_org, R.AREA_HEAD, f"{AREA_NAMES[a]}居民区负责人")
        for key in liaison_depts:
            # Not the first handler: that one is the demo account, kept to one position.
            person = handlers[key][1 + i % (len(handlers[key]) - 1)]
            m.position(person, station_org, R.DEPARTMENT_LIAISON, f"{orgs[key].short_name}联络员")
        grids = sorted(places.grids_by_station[places.stations[i].pk], key=lambda g: g.code)
        k = max(3, round(len(grids) / 12))
        per = math.ceil(len(grids) / k)
        for j in range(k):
            chunk = grids[j * per : (j + 1) * per]
            if not chunk:
                continue
            inspector = m.person((1970, 1996))
            m.position(inspector, station_org, R.INSPECTOR, "网格巡查员", grids=chunk)
            if rng.random() < 0.4:
                m.member(inspector, m.next_office_branch())
            if i == 0 and j == 0:
                accounts["inspector"] = inspector

    # Resident units: head, Party secretary, alliance liaison.
    unit_people: dict[str, list[Person]] = {}
    for key, *_, head_title, member in RESIDENT_UNITS:
        unit = orgs[key]
        party_org = orgs.unit_party.get(key)
        head = m.staff(
            unit,
            R.LEADER,
            head_title,
            born=(1962, 1980),
            party=0.9 if party_org else 0,
            branch=party_org,
        )
        unit_people[key] = [head]
        if party_org is not None:
            title = (
                "党委书记" if party_org.kind == Organisation.Kind.PARTY_COMMITTEE else "党支部书记"
            )
            sec = m.staff(
                party_org, R.SECRETARY, title, born=(1962, 1982), party=1, branch=party_org
            )
            unit_people[key].append(sec)
        if member:
            liaison = m.staff(
                unit, R.UNIT_LIAISON, "联盟联络员", party=0.7 if party_org else 0, branch=party_org
            )
            if key == "ezfx":
                accounts["liaison_school"] = liaison
    for key in ("chzy", "zxyy", "ez"):  # unit Party secretaries on the Community Party Committee
        m.position(unit_people[key][-1], orgs["cpc"], R.COMMITTEE_MEMBER, "社区党委兼职委员")
    for a, gb in enumerate(orgs.general_branches):  # general branches in the alliance
        if gb.alliance_joined_on is not None:
            m.position(deputies[a], gb, R.UNIT_LIAISON, "联盟联络员")
    two_new_heads: list[Person] = []
    for key in orgs.two_new:
        party_org = orgs.two_new_party[key]
        m.staff(orgs[key], R.LEADER, "负责人", born=(1965, 1988), party=0.5, branch=party_org)
        two_new_heads.append(
            m.staff(
                party_org, R.SECRETARY, "党支部书记", born=(1965, 1990), party=1, branch=party_org
            )
        )
    for branch in orgs.building_branches:
        two_new_heads.append(m.staff(branch, R.SECRETARY, "联合党支部书记", party=1, branch=branch))

    # The representative council.
    council = orgs["council"]
    m.staff(
        council,
        R.DIRECTOR,
        "社区代表会议主任",
        born=(1955, 1970),
        party=1,
        branch=orgs.general_branches[rng.randrange(n_areas)],
    )
    for a in range(n_areas):
        m.staff(
            council,
            R.COMMITTEE_MEMBER,
            "社区代表",
            born=(1945, 1985),
            area=a,
            party=0.5,
            branch=orgs.area_branches[a][-1],
        )

    _part_time_members(m, unit_people, handlers["police"], two_new_heads)

    # Rank-and-file Party members up to 6,240.
    for branch in orgs.office_branches:
        m.fill(branch, rng.randint(*OFFICE_BRANCH_SIZE), WORKING_AGE)
    for key, size in UNIT_PARTY_SIZES.items():
        m.fill(orgs.unit_party[key], rng.randint(*size), WORKING_AGE)
    for key in orgs.two_new:
        m.fill(orgs.two_new_party[key], rng.randint(*TWO_NEW_SIZE), WORKING_AGE)
    for branch in orgs.building_branches:
        m.fill(branch, rng.randint(*BUILDING_BRANCH_SIZE), (1975, 2000))
    for key in orgs.property_companies:
        if f"{key}_party" in orgs.by_key:
            m.fill(orgs[f"{key}_party"], rng.randint(*PROPERTY_BRANCH_SIZE), WORKING_AGE)
    _residential_members(m)
    assert len(m.memberships) == PARTY_MEMBERS, len(m.memberships)

    # The demo resident: lives in 杏梅园, holds no position.
    accounts["resident"] = m.person((1958, 1990), XINGMEIYUAN)

    _save(m)
    ctx.made["people"] = m.result


def _part_time_members(
    m: _Maker,
    unit_people: dict[str, list[Person]],
    police: list[Person],
    two_new_heads: list[Person],
) -> None:
    """41 part-time members over the 20 general branches (each at least one). 杏杨's come from
    普陀绿化市容局, 新华书店 and 老年协会党支部 (as in the report)."""
    rng, orgs = m.rng, m.orgs
    n_areas = len(orgs.general_branches)
    counts = [2] * n_areas
    counts[XINGYANG] = 3
    others = [a for a in range(n_areas) if a != XINGYANG]
    for _ in range(4):  # some branches have one, some three
        down, up = rng.sample(others, 2)
        if counts[down] == 2 and counts[up] == 2:
            counts[down], counts[up] = 1, 3
    assert sum(counts) == PART_TIME_MEMBERS and min(counts) >= 1

    used: set[int] = set()
    chosen: dict[int, list[Person]] = {a: [] for a in range(n_areas)}
    elderly_branch = orgs.area_branches[XINGYANG][-1]  # 杏杨居民区老年协会党支部
    elderly = m.person((1948, 1958), XINGYANG)
    m.position(elderly, elderly_branch, R.COMMITTEE_MEMBER, "支部委员")
    m.member(elderly, elderly_branch)
    chosen[XINGYANG] = [unit_people["lhsr"][0], unit_people["xhsd"][-1], elderly]
    used.update(id(p) for p in chosen[XINGYANG])

    kinds = ["unit"] * 14 + ["police"] * 6 + ["two_new"] * 8 + ["member"] * 10
    rng.shuffle(kinds)
    units_by_area = sorted(unit_people, key=lambda k: (m.orgs.unit_area.get(k, 0), k))
    slots = [a for a in others for _ in range(counts[a])]
    for a, kind in zip(slots, kinds, strict=True):
        person: Person | None = None
        if kind == "unit":
            near = [k for k in units_by_area if m.orgs.unit_area.get(k) == a]
            for key in near + units_by_area:
                free = [p for p in unit_people[key] if id(p) not in used]
                if free:
                    person = rng.choice(free)
                    break
        elif kind == "police":
            free = [p for p in police if id(p) not in used]
            person = free[0] if free else None
        elif kind == "two_new":
            free = [p for p in two_new_heads if id(p) not in used]
            person = rng.choice(free) if free else None
        if person is None:  # a Party member of the area: a branch committee member
            branch = rng.choice(orgs.area_branches[a])
            person = m.person((1950, 1985), a)
            m.position(person, branch, R.COMMITTEE_MEMBER, "支部委员")
            m.member(person, branch)
        used.add(id(person))
        chosen[a].append(person)
    for a, people in chosen.items():
        for person in people:
            m.position(person, orgs.general_branches[a], R.PART_TIME_MEMBER, "兼职委员")
    m.result.part_time_members = chosen
    m.result.accounts["parttime_xingyang"] = chosen[XINGYANG][1]  # from 新华书店


def _residential_members(m: _Maker) -> None:
    """The rest of the 6,240 in the residential-area Party branches, in proportion to the
    areas' population; most of them retired."""
    rng, orgs = m.rng, m.orgs
    missing = PARTY_MEMBERS - len(m.memberships)
    branches: list[tuple[int, Organisation]] = [
        (a, b) for a, bs in sorted(orgs.area_branches.items()) for b in bs
    ]
    weights = [
        (m.places.areas[a].population or 1) / len(orgs.area_branches[a]) * rng.uniform(0.8, 1.2)
        for a, _ in branches
    ]
    current = [m.members_of(b) for _, b in branches]
    total = sum(current) + missing
    targets = [total * w / sum(weights) for w in weights]
    add = [max(0, round(t - c)) for t, c in zip(targets, current, strict=True)]
    # Make the additions add up exactly.
    diff = missing - sum(add)
    order = sorted(range(len(add)), key=lambda i: (-(targets[i] - current[i] - add[i]), i))
    i = 0
    while diff != 0:
        j = order[i % len(order)]
        if diff > 0:
            add[j] += 1
            diff -= 1
        elif add[j] > 0:
            add[j] -= 1
            diff += 1
        i += 1
    for (a, branch), n in zip(branches, add, strict=True):
        for _ in range(n):
            born = RETIRED if rng.random() < 0.7 else (1963, 2001)
            m.member(m.person(born, a), branch)


def _save(m: _Maker) -> None:
    ctx = m.ctx
    ctx.create(Person, m.persons)
    ctx.create(Position, m.positions)
    through = Position.grids.through
    ctx.create_m2m(
        through,
        [
            through(position_id=pos.pk, grid_id=g.pk)
            for pos, grids in m.position_grids
            for g in grids
        ],
    )
    ctx.create(PartyMembership, list(m.memberships.values()))
    ctx.create(DualRegistration, m.dual)
