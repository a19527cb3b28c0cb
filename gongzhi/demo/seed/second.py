"""Seed stage "second_subdistrict": a small second subdistrict next to Caoyang, so that the demo
shows an installation serving several subdistricts of the district. Only when asked for:
`seed_demo --subdistricts 2` (or GONGZHI_DEMO_SUBDISTRICTS=2, or settings.GONGZHI
["DEMO_SUBDISTRICTS"] = 2).

长风新村街道 (310107013), east of Caoyang's outline: two residential areas, one grid station,
four unit grids; its grid centre, Party working committee, grid station and two departments;
an operator, a department handler and a leader of its own; about 200 cases taken in through the
real intake by its operator (their grids put them in 长风), a half of them filed and dispatched
to its own departments. Above both subdistricts, the district's 区城运中心 (an organisation of no
subdistrict) and its leader, who sees both. The logins are SECOND_ACCOUNTS (the demo's password).
"""

from __future__ import annotations

import random
from typing import Any

from django.contrib.auth.hashers import make_password
from shapely.geometry import Point, box

from gongzhi.accounts.models import User
from gongzhi.audit import context as audit_context
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case, Category
from gongzhi.core.conf import product_setting
from gongzhi.core.seeding import SeedContext
from gongzhi.demo.accounts import DEMO_PASSWORD, DemoAccount
from gongzhi.org.models import Organisation, Person, Position
from gongzhi.places.geo import LocalProjection, area_m2, to_geojson, to_shape
from gongzhi.places.models import Grid, GridStation, ResidentialArea, Subdistrict
from gongzhi.places.selectors import current_subdistrict

SECOND = {"code": "310107013", "name": "长风新村街道", "district": "普陀区", "city": "上海市"}
SECOND_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("cf_operator", "grid-centre operator", "长风新村街道网格中心受理员", "operator"),
    DemoAccount("cf_chengguan", "department handler", "长风城管中队处置人员", "department"),
    DemoAccount("cf_leader", "leader", "长风新村街道党工委书记", "leader"),
    DemoAccount("district_leader", "district leader", "普陀区城运中心主任（各街道）", "leader"),
]
CASES = 200
REQUEST_ID = "seed_demo"
K, R = Organisation.Kind, Position.Role


def wanted(ctx: Any) -> int:
    """How many subdistricts the demo seeds (1 or 2)."""
    options = getattr(ctx, "options", None) or {}
    value = options.get("subdistricts")
    if value is None:
        value = product_setting("DEMO_SUBDISTRICTS", 1)
    return int(value or 1)


def _rects(projection: LocalProjection, x0: float, y0: float) -> dict[str, Any]:
    """The places' shapes in metres east/north of Caoyang's centre: a 1,200 m × 1,400 m
    rectangle starting at (x0, y0), two areas (south, north), each of two grids (west, east)."""
    w, h = 1200.0, 1400.0
    shapes = {
        "subdistrict": box(x0, y0, x0 + w, y0 + h),
        "area1": box(x0, y0, x0 + w, y0 + h / 2),
        "area2": box(x0, y0 + h / 2, x0 + w, y0 + h),
        "grid11": box(x0, y0, x0 + w / 2, y0 + h / 2),
        "grid12": box(x0 + w / 2, y0, x0 + w, y0 + h / 2),
        "grid21": box(x0, y0 + h / 2, x0 + w / 2, y0 + h),
        "grid22": box(x0 + w / 2, y0 + h / 2, x0 + w, y0 + h),
    }
    return {k: to_geojson(projection.inverse(v)) for k, v in shapes.items()}


def _person(name: str, org: Organisation, role: str, title: str = "") -> Person:
    person = Person.objects.create(name=name)
    Position.objects.create(person=person, organisation=org, role=role, title=title)
    return person


def run(ctx: SeedContext) -> None:
    if wanted(ctx) < 2 or Subdistrict.objects.filter(code=SECOND["code"]).exists():
        return
    caoyang = current_subdistrict()
    projection = LocalProjection(121.405, 31.245)
    if caoyang is not None and caoyang.geometry:
        minx, miny, maxx, _maxy = projection.forward(to_shape(caoyang.geometry)).bounds
        x0 = maxx + 60.0  # across the boundary road
        y0 = miny + 100.0
    else:
        x0, y0 = 1000.0, -700.0
    shapes = _rects(projection, x0, y0)
    sd = Subdistrict.objects.create(**SECOND, geometry=shapes["subdistrict"])
    centre = to_shape(shapes["subdistrict"]).centroid
    station = GridStation.objects.create(
        subdistrict=sd, number=1, name="长风第一网格工作站", lat=centre.y, lng=centre.x
    )
    areas = [
        ResidentialArea.objects.create(
            subdistrict=sd,
            code=f"{i:03d}",
            name=name,
            grid_station=station,
            geometry=shapes[f"area{i}"],
        )
        for i, name in ((1, "长风一村居民区"), (2, "长风二村居民区"))
    ]
    grids = []
    for i, area in enumerate(areas, start=1):
        for j, suffix in ((1, "东"), (2, "西")):
            geometry = shapes[f"grid{i}{j}"]
            grids.append(
                Grid.objects.create(
                    code=f"{SECOND['code']}{i:03d}{j:03d}",
                    name=f"{area.name.removesuffix('居民区')}{suffix}",
                    kind=Grid.Kind.ESTATE,
                    residential_area=area,
                    station=station,
                    geometry=geometry,
                    area_m2=round(area_m2(geometry), 2),
                )
            )
    pwc = Organisation.objects.create(
        name="长风新村街道党工委",
        kind=K.PARTY_WORKING_COMMITTEE,
        is_party_organisation=True,
        subdistrict=sd,
    )
    grid_centre = Organisation.objects.create(
        name="长风新村街道城市运行管理中心", kind=K.GRID_CENTRE, subdistrict=sd
    )
    Organisation.objects.create(
        name="长风第一网格工作站", kind=K.GRID_STATION, grid_station=station, subdistrict=sd
    )
    chengguan = Organisation.objects.create(name="长风城管中队", kind=K.DEPARTMENT, subdistrict=sd)
    fangguan = Organisation.objects.create(name="长风房管办", kind=K.DEPARTMENT, subdistrict=sd)
    district = Organisation.objects.create(
        name="普陀区城市运行管理中心（区城运中心）", kind=K.DISTRICT_OFFICE, subdistrict=None
    )
    people = {
        "cf_operator": _person("韩受理", grid_centre, R.OPERATOR),
        "cf_chengguan": _person("邓城管", chengguan, R.HANDLER),
        "cf_leader": _person("曹书记", pwc, R.SECRETARY),
        "district_leader": _person("蔡主任", district, R.LEADER, title="主任"),
    }
    password = make_password(DEMO_PASSWORD)
    users = {
        a.username: User.objects.create(
            username=a.username, password=password, person=people[a.username]
        )
        for a in SECOND_ACCOUNTS
        if not User.objects.filter(username=a.username).exists()
    }
    ctx.counts["places.Subdistrict"] = ctx.counts.get("places.Subdistrict", 0) + 1
    operator = users.get("cf_operator")
    if operator is not None:
        _cases(ctx, ctx.rng("second/cases"), operator, grids, chengguan, fangguan)
    ctx.notes.append(
        "second_subdistrict: 长风新村街道 with its logins "
        + ", ".join(a.username for a in SECOND_ACCOUNTS)
    )


PLACES = ("长风公园北门", "云岭东路口", "大渡河路人行道", "长风一村菜场旁", "长风二村小区门口")
WHAT = (
    "垃圾堆放未清运",
    "共享单车乱停放占用盲道",
    "人行道地砖破损",
    "占道经营",
    "绿化带内积水",
    "路灯不亮",
)


def _cases(
    ctx: SeedContext,
    rng: random.Random,
    operator: User,
    grids: list[Grid],
    chengguan: Organisation,
    fangguan: Organisation,
) -> None:
    leaves = list(
        Category.objects.filter(
            children__isnull=True,
            archived_at__isnull=True,
            kind__in=(Category.Kind.EVENT, Category.Kind.COMPONENT),
        ).order_by("code")[:60]
    )
    if not leaves:
        return
    projection = LocalProjection(121.405, 31.245)
    before = Case.objects.count()
    count = int((getattr(ctx, "options", None) or {}).get("second_cases", CASES))
    token = audit_context.set_current(audit_context.RequestContext(request_id=REQUEST_ID))
    try:
        for n in range(count):
            grid = grids[n % len(grids)]
            minx, miny, maxx, maxy = projection.forward(to_shape(grid.geometry)).bounds
            point = projection.inverse(
                Point(rng.uniform(minx + 20, maxx - 20), rng.uniform(miny + 20, maxy - 20))
            )
            leaf = rng.choice(leaves)
            case = case_services.case_intake(
                actor=operator,
                channel=Case.Channel.HOTLINE,
                type=Case.Type.EVENT if leaf.kind == Category.Kind.EVENT else Case.Type.COMPONENT,
                category=leaf,
                description=f"{rng.choice(PLACES)}{rng.choice(WHAT)}，请尽快处理",
                address=f"长风{rng.randint(1, 9)}村{rng.randint(1, 120)}号",
                reporter_name=rng.choice(("市民", "居民", "热心群众")),
                reporter_phone=f"139{rng.randint(10_000_000, 99_999_999)}",
                lat=point.y,
                lng=point.x,
                find_duplicates=False,
            ).case
            if rng.random() < 0.5:
                continue
            case_services.case_file(actor=operator, case=case)
            case.refresh_from_db()
            department = chengguan if rng.random() < 0.6 else fangguan
            case_services.case_dispatch(
                actor=operator,
                case=case,
                department=department.pk,
                override_reason="本街道处置",
            )
            ctx.tick()
    finally:
        audit_context.reset(token)
    ctx.counts["cases.Case"] = ctx.counts.get("cases.Case", 0) + Case.objects.count() - before
