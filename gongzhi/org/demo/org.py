"""Seed stage "org": every body of the subdistrict, in one tree.

"1+2+2": the Party Working Committee (党工委); the Administrative Party Group (行政组织党组) and
the Community Party Committee (社区党委); the Party-building Office (社区党建办) and the
Party-building Service Centre (社区党建服务中心) with its building/park and residential-area
service stations. The three-level linkage: 20 general branches (居民区党总支) with their Party
branches and residents' committees. The grid management centre (城市网格化综合管理中心) and one
organisation per grid station. Departments, property companies, resident units (6 research
institutes, schools, the hospital, an army unit, enterprises, public institutions) and "two new"
organisations. Exactly 130 Party organisations and 24 alliance member units, as in the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gongzhi.core.seeding import SeedContext
from gongzhi.core.seeding.names import PersonalData
from gongzhi.org.models import Organisation, OrgRelation
from gongzhi.places.demo import AREA_NAMES, XINGMEIYUAN, XINGYANG, Places, geometry
from gongzhi.places.models import Estate, Landmark

K = Organisation.Kind
S = Organisation.Sector

PARTY_ORGANISATIONS = 130
ALLIANCE_MEMBERS = 24
ALLIANCE_FOUNDED = dt.date(2016, 6, 30)
PARTY_BRANCHES_UNDER_GENERAL_BRANCHES = 60

# The "1+2+2" structure and the offices under it: key, name, kind, parent, short name, sector,
# Party organisation?, where it is (None, "centre": with the working committee, or a residential
# area's index), description.
STRUCTURE: tuple[tuple[str, str, str, str | None, str, str, bool, str | int | None, str], ...] = (
    ("pwc", "中共上海市普陀区曹杨新村街道工作委员会", K.PARTY_WORKING_COMMITTEE, None, "街道党工委", S.GOVERNMENT, True, "centre", "领导核心：牵头抓总、核心引领、制定政策、加强指导。"),
    ("apg", "曹杨新村街道行政组织党组", K.ADMIN_PARTY_GROUP, "pwc", "行政组织党组", S.GOVERNMENT, True, None, "统筹行政资源；党组会议扩大至交警、物业公司、资产部、市场部等列席单位。"),
    ("cpc", "中共曹杨新村街道社区委员会", K.COMMUNITY_PARTY_COMMITTEE, "pwc", "社区党委", S.GOVERNMENT, True, None, "统揽社区党建、驻区单位党建、非公有制经济组织和社会组织党建。"),
    ("pbo", "曹杨新村街道社区党建办公室", K.PARTY_BUILDING_OFFICE, "pwc", "社区党建办", S.GOVERNMENT, False, XINGMEIYUAN, ""),
    ("service_centre", "曹杨新村街道社区党建服务中心", K.SERVICE_CENTRE, "pwc", "社区党建服务中心", S.GOVERNMENT, False, XINGYANG, "区域化党建开放式、集约化、共享性服务平台；每月向服务站配送菜单化服务项目。"),
    ("office", "曹杨新村街道办事处", K.OFFICE, "apg", "街道办事处", S.GOVERNMENT, False, "centre", ""),
    ("grid_centre", "曹杨新村街道城市网格化综合管理中心", K.GRID_CENTRE, "office", "网格化综合管理中心", S.GOVERNMENT, False, XINGMEIYUAN, "网格化管理、应急值守、12345市民服务热线、联勤联动；一口受理、一表派单、一站反馈。"),
    ("council", "曹杨新村街道社区代表会议", K.REPRESENTATIVE_COUNCIL, None, "社区代表会议", "", False, None, "与社区党委双核联动，开展民主协商。"),
)  # fmt: skip

# Resident units: key, name, short name, sector, Party organisation ("committee" | "branch" | ""),
# the head's title, alliance member?
RESIDENT_UNITS: tuple[tuple[str, str, str, str, str, str, bool], ...] = (
    ("chzy", "上海市测绘院", "测绘院", S.RESEARCH_INSTITUTE, "committee", "院长", True),
    ("hgy", "上海化工研究院有限公司", "化工研究院", S.RESEARCH_INSTITUTE, "committee", "院长", True),
    ("dks", "上海电器科学研究所(集团)有限公司", "电科所", S.RESEARCH_INSTITUTE, "committee", "所长", True),
    ("ddy", "上海市地质调查研究院", "地调院", S.RESEARCH_INSTITUTE, "committee", "院长", True),
    ("cbs", "上海船舶设备研究所", "船舶设备所", S.RESEARCH_INSTITUTE, "committee", "所长", True),
    ("njs", "上海市农业机械研究所", "农机所", S.RESEARCH_INSTITUTE, "branch", "所长", True),
    ("ez", "上海市曹杨第二中学", "曹杨二中", S.SCHOOL, "committee", "校长", True),
    ("ezfx", "曹杨二中附属学校", "二中附校", S.SCHOOL, "branch", "校长", True),
    ("syy", "上海市实验幼儿园", "实验幼儿园", S.SCHOOL, "branch", "园长", True),
    ("cyzx", "上海市曹杨中学", "曹杨中学", S.SCHOOL, "branch", "校长", False),
    ("yx", "普陀区曹杨新村第一小学", "曹杨一小", S.SCHOOL, "branch", "校长", False),
    ("zxyy", "普陀区中心医院", "中心医院", S.HOSPITAL, "committee", "院长", True),
    ("wszx", "曹杨新村街道社区卫生服务中心", "社区卫生服务中心", S.PUBLIC_INSTITUTION, "branch", "主任", True),
    ("tsg", "普陀区图书馆曹杨分馆", "曹杨图书馆", S.PUBLIC_INSTITUTION, "branch", "馆长", False),
    ("lhsr", "普陀区绿化和市容管理局", "普陀绿化市容局", S.GOVERNMENT, "branch", "副局长", True),
    ("xhsd", "上海新华书店普陀曹杨店", "新华书店", S.ENTERPRISE, "branch", "经理", True),
    ("icbc", "中国工商银行上海曹杨支行", "工行曹杨支行", S.ENTERPRISE, "branch", "行长", True),
    ("cysc", "上海曹杨商城有限公司", "曹杨商城", S.ENTERPRISE, "branch", "总经理", True),
    ("army", "武警上海市总队某部", "驻区部队", S.ARMY_UNIT, "", "部队长", True),
)  # fmt: skip

# "Two new" organisations: non-public enterprises and social organisations, each with a Party
# branch; key, name, short name, kind, alliance member?
TWO_NEW: tuple[tuple[str, str, str, str, bool], ...] = (
    ("kjy", "上海曹杨科技园发展有限公司", "曹杨科技园", K.RESIDENT_UNIT, True),
    ("lxcy", "上海兰溪餐饮管理有限公司", "兰溪餐饮", K.RESIDENT_UNIT, False),
    ("mlwh", "上海梅岭文化传播有限公司", "梅岭文化", K.RESIDENT_UNIT, False),
    ("xsxx", "上海杏山信息技术有限公司", "杏山信息", K.RESIDENT_UNIT, False),
    ("zyzs", "上海枣阳建筑装饰工程有限公司", "枣阳装饰", K.RESIDENT_UNIT, False),
    ("hxjk", "上海花溪健康管理有限公司", "花溪健康", K.RESIDENT_UNIT, False),
    ("tbwl", "上海桐柏物流有限公司", "桐柏物流", K.RESIDENT_UNIT, False),
    ("nsdz", "上海南石电子科技有限公司", "南石电子", K.RESIDENT_UNIT, False),
    ("gxjy", "上海桂巷教育培训有限公司", "桂巷教育", K.RESIDENT_UNIT, False),
    ("ljls", "上海兰岭律师事务所", "兰岭律所", K.RESIDENT_UNIT, False),
    ("zyz", "曹杨社区志愿者协会", "志愿者协会", K.SOCIAL_ORGANISATION, False),
    ("lnxh", "曹杨新村街道老年协会", "老年协会", K.SOCIAL_ORGANISATION, False),
    ("whcj", "普陀区曹杨社区文化发展促进会", "文化促进会", K.SOCIAL_ORGANISATION, False),
    ("mlfw", "曹杨社区睦邻服务社", "睦邻服务社", K.SOCIAL_ORGANISATION, False),
    ("sgfw", "普陀区曹杨新村社会工作服务社", "社工服务社", K.SOCIAL_ORGANISATION, False),
)  # fmt: skip

DEPARTMENTS = (
    ("chengguan", "普陀区城管执法局曹杨中队", "城管中队"),
    ("fangguan", "曹杨新村街道房屋管理办公室", "房管办"),
    ("lvhua", "曹杨新村街道市容绿化管理所", "市容绿化所"),
    ("jiaojing", "普陀公安分局交警支队曹杨中队", "交警中队"),
    ("police", "普陀公安分局曹杨新村派出所", "曹杨新村派出所"),
    ("shichang_jianguan", "普陀区市场监管局曹杨市场监管所", "市场监管所"),
    ("zichan", "曹杨新村街道资产经营管理部", "资产部"),
    ("shichang", "曹杨新村街道市场管理部", "市场部"),
    # The subdistrict's own offices that the shipped catalogue routes citizens' matters to.
    ("fuwu", "曹杨新村街道社区服务办公室", "社区服务办"),
    ("shouli", "曹杨新村街道社区事务受理服务中心", "事务受理中心"),
    ("pingan", "曹杨新村街道社区平安办公室", "社区平安办"),
    ("zizhi", "曹杨新村街道社区自治办公室", "社区自治办"),
    ("guanli", "曹杨新村街道社区管理办公室", "社区管理办"),
    ("weijian", "曹杨新村社区卫生服务中心", "社区卫生服务中心"),
    ("dangzheng", "曹杨新村街道党政办公室", "党政办"),
)
# Departments whose representatives attend the Administrative Party Group's meetings (列席).
ATTENDING_DEPARTMENTS = ("jiaojing", "zichan", "shichang")

PROPERTY_COMPANIES = (
    ("wy_cy", "上海普陀曹杨物业管理有限公司", "曹杨物业", True),
    ("wy_lx", "上海兰溪物业管理有限公司", "兰溪物业", True),
    ("wy_ml", "上海梅岭物业服务有限公司", "梅岭物业", True),
    ("wy_zh", "上海中环物业管理有限公司", "中环物业", False),
    ("wy_pt", "上海普陀房产物业经营有限公司", "普陀房产物业", True),
    ("wy_xs", "上海杏山物业管理有限公司", "杏山物业", True),
    ("wy_tb", "上海桐柏物业服务有限公司", "桐柏物业", False),
)  # key, name, short name, has a Party branch?

# Pairings (结对) besides the tree: key, partner (an organisation's key, or a residential area's
# index for its general branch), since, what they do together.
PAIRINGS: tuple[tuple[str, str | int, dt.date, str], ...] = (
    ("ezfx", XINGMEIYUAN, dt.date(2018, 3, 1), "潮汐“错时停车”：学校停车场在非上课时间向居民开放"),
    ("lhsr", XINGYANG, dt.date(2017, 4, 1), "“杏杨绿益”楼道自治项目"),
    ("xhsd", XINGYANG, dt.date(2017, 4, 1), "“杏杨绿益”楼道自治项目"),
    ("cpc", "council", dt.date(2015, 9, 1), "双核联动"),
)  # fmt: skip

# Units placed in a given residential area (others are placed by the random generator).
UNIT_AREAS = {"ezfx": XINGMEIYUAN, "xhsd": XINGYANG, "lhsr": XINGYANG, "lnxh": XINGYANG}
CN_ORDINALS = "一二三四五六七八九十"


@dataclass
class Orgs:
    """What the org stage made, for the later stages. `by_key` holds every organisation."""

    by_key: dict[str, Organisation] = field(default_factory=dict)
    general_branches: list[Organisation] = field(default_factory=list)  # by area index
    residents_committees: list[Organisation] = field(default_factory=list)
    area_branches: dict[int, list[Organisation]] = field(default_factory=dict)
    area_stations: list[Organisation] = field(default_factory=list)
    grid_stations: list[Organisation] = field(default_factory=list)
    office_branches: list[Organisation] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # keys of resident units
    unit_party: dict[str, Organisation] = field(default_factory=dict)  # unit key → Party org
    two_new: list[str] = field(default_factory=list)  # keys of "two new" organisations
    two_new_party: dict[str, Organisation] = field(default_factory=dict)
    building_branches: list[Organisation] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    property_companies: list[str] = field(default_factory=list)
    unit_area: dict[str, int] = field(default_factory=dict)  # where each unit is

    def __getitem__(self, key: str) -> Organisation:
        return self.by_key[key]


class _Builder:
    def __init__(self, ctx: SeedContext, places: Places) -> None:
        self.ctx = ctx
        self.places = places
        self.rng = ctx.rng("org")
        self.phones = PersonalData(ctx.rng("org/phones"))
        self.orgs = Orgs()
        self.order = 0
        self.pending: list[tuple[str, Organisation, str | None]] = []

    def add(self, key: str, name: str, kind: str, parent: str | None = None, **fields: Any) -> None:
        self.order += 1
        fields.setdefault("subdistrict", self.places.subdistrict)
        org = Organisation(name=name, kind=kind, sort_order=self.order * 10, **fields)
        self.pending.append((key, org, parent))

    def two_new_branch(self, key: str, name: str) -> None:
        """A Party branch of "two new" organisations, under the Community Party Committee."""
        self.add(key, name, K.PARTY_BRANCH, "cpc", is_party_organisation=True, sector=S.TWO_NEW)

    def unit(self, key: str, name: str, kind: str, short: str, sector: str) -> None:
        """A unit in its residential area (UNIT_AREAS, or one drawn at random)."""
        a = UNIT_AREAS.get(key, self.rng.randrange(len(self.places.areas)))
        self.orgs.unit_area[key] = a
        self.add(
            key,
            name,
            kind,
            short_name=short,
            sector=sector,
            residential_area=self.places.areas[a],
            **self.site(a),
        )

    def site(self, area: int) -> dict[str, Any]:
        """An address, coordinates and phone number somewhere in residential area `area`."""
        layout = self.places.layout
        grids = [g for g in layout.grids if g.area == area and g.kind == "estate"]
        pt = self.rng.choice(grids).geom.representative_point()
        road = layout.address_road(pt).name
        lng, lat = layout.lnglat(pt.x, pt.y)
        number = self.rng.randrange(1, 400)
        return {
            "address": f"上海市普陀区{road}{number}号",
            "lat": lat,
            "lng": lng,
            "phone": self.phones.landline(),
        }

    def save(self) -> Orgs:
        """Create the organisations level by level, so each parent has its primary key."""
        made = self.orgs.by_key
        remaining = list(self.pending)
        while remaining:
            ready = [(k, o, p) for k, o, p in remaining if p is None or p in made]
            assert ready, "organisation tree has a cycle or a missing parent"
            for _, org, parent in ready:
                if parent is not None:
                    org.parent = made[parent]
            created = self.ctx.create(Organisation, [o for _, o, _ in ready])
            for (key, _, _), org in zip(ready, created, strict=True):
                made[key] = org
            remaining = [r for r in remaining if r[0] not in made]
        return self.orgs


def run(ctx: SeedContext) -> None:
    places: Places = ctx.made["places"]
    b = _Builder(ctx, places)
    rng, orgs = b.rng, b.orgs
    areas = places.areas
    centre_site = b.site(XINGMEIYUAN)

    # "1+2+2" and the offices under it.
    for key, name, kind, parent, short, sector, is_party, where, description in STRUCTURE:
        if isinstance(where, int):
            location = b.site(where)
        else:
            location = centre_site if where == "centre" else {}
        b.add(
            key,
            name,
            kind,
            parent,
            short_name=short,
            is_party_organisation=is_party,
            sector=sector,
            description=description,
            **location,
        )
    for i in range(3):
        key = f"office_branch_{i}"
        b.add(
            key,
            f"曹杨新村街道机关第{CN_ORDINALS[i]}党支部",
            K.PARTY_BRANCH,
            "pwc",
            is_party_organisation=True,
            sector=S.GOVERNMENT,
        )

    for i, station in enumerate(places.stations):
        b.add(
            f"grid_station_{i}",
            f"曹杨新村街道{station.name}",
            K.GRID_STATION,
            "grid_centre",
            short_name=station.name,
            grid_station=station,
            address=f"上海市普陀区{station.address}",
            lat=station.lat,
            lng=station.lng,
            sector=S.GOVERNMENT,
        )
    for key, name, short in DEPARTMENTS:
        b.add(
            key,
            name,
            K.DEPARTMENT,
            "apg",
            short_name=short,
            sector=S.GOVERNMENT,
            **b.site(rng.randrange(len(areas))),
        )
        orgs.departments.append(key)
    for key, name, short, _ in PROPERTY_COMPANIES:
        b.add(
            key,
            name,
            K.PROPERTY_COMPANY,
            short_name=short,
            sector=S.ENTERPRISE,
            **b.site(rng.randrange(len(areas))),
        )
        orgs.property_companies.append(key)

    # Three-level linkage: general branches, their Party branches, residents' committees,
    # and the residential-area service stations.
    branch_counts = _branch_counts(len(areas), rng)
    for a, area in enumerate(areas):
        name = AREA_NAMES[a]
        site: dict[str, Any] = {
            "address": f"上海市普陀区{area.committee_address}",
            "phone": area.office_phone,
        }
        for key, suffix, kind, parent, is_party in (
            (f"gb_{a}", "居民区党总支", K.GENERAL_BRANCH, "cpc", True),
            (f"rc_{a}", "居民区居民委员会", K.RESIDENTS_COMMITTEE, f"gb_{a}", False),
            (f"ss_{a}", "居民区党建服务站", K.SERVICE_STATION, "service_centre", False),
        ):
            b.add(
                key,
                f"{name}{suffix}",
                kind,
                parent,
                residential_area=area,
                is_party_organisation=is_party,
                sector=S.RESIDENTIAL,
                **site,
            )
        for j in range(branch_counts[a]):
            branch = f"{name}居民区第{CN_ORDINALS[j]}党支部"
            if a == XINGYANG and j == branch_counts[a] - 1:
                branch = f"{name}居民区老年协会党支部"
            b.add(
                f"pb_{a}_{j}",
                branch,
                K.PARTY_BRANCH,
                f"gb_{a}",
                residential_area=area,
                is_party_organisation=True,
                sector=S.RESIDENTIAL,
            )

    # Building and park service stations, each with the joint Party branch of its enterprises.
    for i, building in enumerate(places.buildings):
        site = {
            "address": f"上海市普陀区{building.address}",
            "lat": building.lat,
            "lng": building.lng,
        }
        b.add(
            f"bs_{i}",
            f"{building.name}党建服务站",
            K.SERVICE_STATION,
            "service_centre",
            description="“悠悠午间”：午间为楼宇白领党员和群众配送专题讲座、素质拓展等服务。",
            residential_area=building.residential_area,
            sector=S.TWO_NEW,
            **site,
        )
        b.two_new_branch(f"bb_{i}", f"{building.name}联合党支部")

    # Resident units and their Party organisations.
    for key, name, short, sector, party, _, _ in RESIDENT_UNITS:
        b.unit(key, name, K.RESIDENT_UNIT, short, sector)
        orgs.units.append(key)
        if party:
            party_kind, suffix = (
                (K.PARTY_COMMITTEE, "党委") if party == "committee" else (K.PARTY_BRANCH, "党支部")
            )
            b.add(
                f"{key}_party",
                f"{short}{suffix}",
                party_kind,
                key,
                is_party_organisation=True,
                sector=sector,
            )
    for key, name, short, kind, _ in TWO_NEW:
        b.unit(key, name, kind, short, S.TWO_NEW)
        orgs.two_new.append(key)
        b.two_new_branch(f"{key}_party", f"{short}党支部")
    for key, _, short, has_branch in PROPERTY_COMPANIES:
        if has_branch:
            b.two_new_branch(f"{key}_party", f"{short}党支部")

    b.save()
    by_key = orgs.by_key
    orgs.general_branches = [by_key[f"gb_{a}"] for a in range(len(areas))]
    orgs.residents_committees = [by_key[f"rc_{a}"] for a in range(len(areas))]
    orgs.area_stations = [by_key[f"ss_{a}"] for a in range(len(areas))]
    orgs.area_branches = {
        a: [by_key[f"pb_{a}_{j}"] for j in range(branch_counts[a])] for a in range(len(areas))
    }
    orgs.grid_stations = [by_key[f"grid_station_{i}"] for i in range(len(places.stations))]
    orgs.office_branches = [by_key[f"office_branch_{i}"] for i in range(3)]
    orgs.unit_party = {k: by_key[f"{k}_party"] for k in orgs.units if f"{k}_party" in by_key}
    orgs.two_new_party = {k: by_key[f"{k}_party"] for k in orgs.two_new}
    orgs.building_branches = [by_key[f"bb_{i}"] for i in range(len(places.buildings))]
    party_count = sum(o.is_party_organisation for o in by_key.values())
    assert party_count == PARTY_ORGANISATIONS, party_count

    _alliance(ctx, orgs, rng)
    _relations(ctx, orgs)
    _property_companies(ctx, places, orgs)
    _landmarks(ctx, places, orgs)
    ctx.made["org"] = orgs


# The organisations whose sites people find their way by, as map landmarks.
LANDMARKS = (
    ("office", Landmark.Kind.GOVERNMENT),
    ("service_centre", Landmark.Kind.SERVICE_CENTRE),
    ("shouli", Landmark.Kind.SERVICE_CENTRE),
    ("zxyy", Landmark.Kind.HOSPITAL),
    ("wszx", Landmark.Kind.CLINIC),
    ("police", Landmark.Kind.GOVERNMENT),
    ("ez", Landmark.Kind.SCHOOL),
    ("ezfx", Landmark.Kind.SCHOOL),
    ("cyzx", Landmark.Kind.SCHOOL),
    ("yx", Landmark.Kind.SCHOOL),
    ("syy", Landmark.Kind.SCHOOL),
)


def _landmarks(ctx: SeedContext, places: Places, orgs: Orgs) -> None:
    """Map landmarks at the sites of the schools, the hospital, the health centre, the service
    centres, the subdistrict office and the police station (by short name: what people say)."""
    rows = []
    for key, kind in LANDMARKS:
        org = orgs.by_key.get(key)
        if org is None or org.lat is None or org.lng is None:
            continue
        rows.append(
            Landmark(
                subdistrict=places.subdistrict,
                name=org.short_name or org.name,
                kind=kind,
                address=org.address.removeprefix("上海市普陀区"),
                lat=org.lat,
                lng=org.lng,
            )
        )
    ctx.create(Landmark, rows)


def _branch_counts(n_areas: int, rng: Any) -> list[int]:
    """Party branches per general branch: 2 to 4, 60 in all."""
    counts = [3] * n_areas
    for _ in range(6):
        up, down = rng.sample(range(n_areas), 2)
        if counts[up] < 4 and counts[down] > 2:
            counts[up] += 1
            counts[down] -= 1
    counts[XINGYANG] = max(counts[XINGYANG], 3)  # 杏杨 has an old people's association branch
    while sum(counts) > PARTY_BRANCHES_UNDER_GENERAL_BRANCHES:
        counts[max(range(n_areas), key=lambda i: (counts[i], i != XINGYANG, i))] -= 1
    assert sum(counts) == PARTY_BRANCHES_UNDER_GENERAL_BRANCHES
    return counts


def _alliance(ctx: SeedContext, orgs: Orgs, rng: Any) -> None:
    """The 24 members of the "筑梦曹杨" alliance: the resident units and "two new" organisations
    marked as members, the general branches of 杏梅园 and 杏杨, and more general branches."""
    members = [orgs[k] for k, *_, member in RESIDENT_UNITS if member]
    members += [orgs[k] for k, *_, member in TWO_NEW if member]
    others = [a for a in range(len(orgs.general_branches)) if a not in (XINGMEIYUAN, XINGYANG)]
    chosen = [XINGMEIYUAN, XINGYANG, *rng.sample(others, ALLIANCE_MEMBERS - len(members) - 2)]
    members += [orgs.general_branches[a] for a in sorted(chosen)]
    assert len(members) == ALLIANCE_MEMBERS
    founding = {"chzy", "ez", "ezfx", "zxyy", "lhsr", "xhsd", "army", "gb_0", "gb_1"}
    key_of = {id(o): k for k, o in orgs.by_key.items()}
    for org in members:
        if key_of[id(org)] in founding:
            org.alliance_joined_on = ALLIANCE_FOUNDED
        else:
            org.alliance_joined_on = ALLIANCE_FOUNDED + dt.timedelta(days=rng.randrange(90, 800))
    Organisation.objects.bulk_update(members, ["alliance_joined_on"])


def _relations(ctx: SeedContext, orgs: Orgs) -> None:
    since = dt.date(2016, 3, 1)
    rows = [
        OrgRelation(
            source=orgs[k],
            kind=OrgRelation.Kind.ATTENDS,
            target=orgs["apg"],
            since=since,
            note="列席党组会议",
        )
        for k in (*ATTENDING_DEPARTMENTS, *orgs.property_companies)
    ]
    rows += [
        OrgRelation(
            source=orgs[key],
            kind=OrgRelation.Kind.PAIRED,
            target=orgs.general_branches[target] if isinstance(target, int) else orgs[target],
            since=on,
            note=note,
        )
        for key, target, on, note in PAIRINGS
    ]
    ctx.create(OrgRelation, rows)


def _property_companies(ctx: SeedContext, places: Places, orgs: Orgs) -> None:
    """Each station's estates are mostly managed by one company, some by another."""
    rng = ctx.rng("org/property")
    companies = [orgs[k] for k in orgs.property_companies]
    estates: list[Estate] = places.estates
    for e, estate in enumerate(estates):
        station = places.layout.estates[e].area // geometry.AREAS_PER_STATION
        company = companies[station] if rng.random() < 0.7 else rng.choice(companies)
        estate.property_company = company
    Estate.objects.bulk_update(estates, ["property_company"])
