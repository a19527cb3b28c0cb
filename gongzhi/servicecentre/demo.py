"""Demo data of the service network (seed stage "servicecentre", after the organisations,
people and accounts): the centre and its stations as service points with rooms; a catalogue of
about thirty items in five brand programmes (悠悠午间 first); a year of monthly menus (eleven
past months and next month's); each station's orders, scheduled into about 300 events without a
clash of provider or room; registrations, attendance and feedback from a pool of residents and
office workers; 400 volunteers with traffic-patrol and other shifts on working days, confirmed
hours and the points ledger.

Deterministic: everything comes from `ctx.rng("servicecentre/…")` and `ctx.now`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.seeding import SeedContext
from gongzhi.core.seeding.names import PersonalData
from gongzhi.org.models import Organisation, Person
from gongzhi.places.selectors import current_subdistrict
from gongzhi.worktime.calendar import get_calendar

from .models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Audience,
    CatalogueItem,
    Event,
    Feedback,
    Menu,
    MenuItem,
    Opportunity,
    Order,
    PointsEntry,
    Programme,
    Registration,
    Room,
    ServicePoint,
    Shift,
    ShiftSignup,
    Volunteer,
)

K = Organisation.Kind
A = Audience
C = CatalogueItem.Kind
POOL = 900
VOLUNTEERS = 400

PROGRAMMES = [
    (
        "悠悠午间",
        A.OFFICE_WORKERS,
        "午间为楼宇白领党员和群众配送专题讲座、素质拓展、健康咨询等服务。",
    ),
    ("红色曹杨", A.PARTY_MEMBERS, "党史学习、红色寻访与主题党日活动。"),
    ("乐龄生活", A.ELDERLY, "为老年居民提供健康、文化和智能手机使用等服务。"),
    ("法律进社区", A.RESIDENTS, "律师、公证员和民警进居民区开展咨询与讲座。"),
    ("睦邻文化", A.EVERYONE, "书画、手工、戏曲与亲子阅读等文化活动。"),
]

# title, kind, programme, provider (part of an organisation's name), audience, minutes,
# capacity, materials
ITEMS = [
    (
        "午间健康讲座：颈椎病的预防",
        C.LECTURE,
        "悠悠午间",
        "中心医院",
        A.OFFICE_WORKERS,
        60,
        40,
        "投影仪",
    ),
    ("白领减压工作坊", C.WORKSHOP, "悠悠午间", "社工服务社", A.OFFICE_WORKERS, 60, 25, "瑜伽垫"),
    ("午间读书会", C.CULTURE, "悠悠午间", "新华书店", A.OFFICE_WORKERS, 60, 30, "推荐书目"),
    ("职场法律知识微课", C.LEGAL, "悠悠午间", "律师事务所", A.OFFICE_WORKERS, 45, 40, ""),
    (
        "咖啡拉花体验",
        C.WORKSHOP,
        "悠悠午间",
        "睦邻服务社",
        A.OFFICE_WORKERS,
        60,
        16,
        "咖啡机、牛奶",
    ),
    (
        "午间测绘科普：地图里的曹杨",
        C.LECTURE,
        "悠悠午间",
        "测绘院",
        A.OFFICE_WORKERS,
        60,
        40,
        "投影仪",
    ),
    ("党史微课堂", C.LECTURE, "红色曹杨", "社区党校", A.PARTY_MEMBERS, 90, 60, "学习材料"),
    ("曹杨新村红色寻访", C.CULTURE, "红色曹杨", "社区党校", A.PARTY_MEMBERS, 120, 30, "讲解器"),
    ("主题党日：重温入党誓词", C.OTHER, "红色曹杨", "社区党校", A.PARTY_MEMBERS, 60, 50, "党旗"),
    ("老年人健康体检", C.HEALTH, "乐龄生活", "卫生服务中心", A.ELDERLY, 120, 60, "血压计、血糖仪"),
    ("智能手机使用课堂", C.WORKSHOP, "乐龄生活", "曹杨二中", A.ELDERLY, 90, 25, "手机支架"),
    ("防跌倒康复指导", C.HEALTH, "乐龄生活", "中心医院", A.ELDERLY, 60, 30, ""),
    ("老年防诈骗讲座", C.LECTURE, "乐龄生活", "派出所", A.ELDERLY, 60, 60, "宣传折页"),
    ("家事法律咨询", C.LEGAL, "法律进社区", "律师事务所", A.RESIDENTS, 120, 20, ""),
    ("遗嘱与继承公证讲座", C.LEGAL, "法律进社区", "公证处", A.RESIDENTS, 90, 40, ""),
    ("物业纠纷调解答疑", C.LEGAL, "法律进社区", "司法所", A.RESIDENTS, 90, 30, ""),
    ("亲子绘本阅读", C.CULTURE, "睦邻文化", "实验幼儿园", A.YOUTH, 60, 20, "绘本"),
    ("书法体验课", C.CULTURE, "睦邻文化", "曹杨二中", A.EVERYONE, 90, 20, "笔墨纸砚"),
    ("沪剧欣赏会", C.CULTURE, "睦邻文化", "文化活动中心", A.EVERYONE, 120, 80, "音响"),
    ("端午香囊制作", C.WORKSHOP, "睦邻文化", "睦邻服务社", A.EVERYONE, 90, 25, "布料、香料"),
    ("垃圾分类知识课", C.LECTURE, "睦邻文化", "绿化市容", A.RESIDENTS, 60, 50, "分类指南"),
    ("急救技能培训（AED）", C.WORKSHOP, "", "红十字会", A.EVERYONE, 120, 30, "AED训练机、假人"),
    ("心理健康咨询", C.HEALTH, "", "卫生服务中心", A.EVERYONE, 60, 12, ""),
    ("消防安全讲座", C.LECTURE, "", "消防", A.RESIDENTS, 60, 60, "灭火器"),
]

OPPORTUNITIES = [
    ("交通巡逻（枣阳路兰溪路口）", "枣阳路兰溪路路口", dt.time(7, 0), dt.time(8, 30), 4, True),
    ("交通巡逻（曹杨二中门口）", "梅岭北路曹杨二中校门", dt.time(7, 0), dt.time(8, 30), 3, True),
    ("垃圾分类定时投放引导", "杏梅园小区投放点", dt.time(7, 0), dt.time(9, 0), 2, False),
    ("社区图书角值守", "社区党建服务中心", dt.time(14, 0), dt.time(17, 0), 2, True),
    ("助老探访", "杏杨居民区", dt.time(9, 0), dt.time(11, 0), 3, True),
    ("悠悠午间活动协助", "楼宇党建服务站", dt.time(11, 45), dt.time(13, 15), 2, True),
]
SKILLS = [
    "交通指挥",
    "急救",
    "摄影",
    "手工",
    "书法",
    "法律咨询",
    "心理疏导",
    "外语",
    "电脑维修",
    "文艺表演",
    "助老陪伴",
    "宣传设计",
]
AVAILABILITY = ["工作日早上", "工作日午间", "周末", "工作日晚上", "随时"]
COMMENTS = [
    "内容很实用，希望多办几次。",
    "老师讲得很清楚。",
    "时间安排合适，午休就能参加。",
    "场地有点小。",
    "很有收获！",
    "希望下次能提前通知。",
    "",
]


def _month_add(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def _aware(day: dt.date, t: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t))


def _points(ctx: SeedContext) -> tuple[ServicePoint, list[ServicePoint], dict[int, list[Room]]]:
    centre_org = Organisation.objects.active().filter(kind=K.SERVICE_CENTRE).order_by("pk").first()
    if centre_org is None:
        raise RuntimeError("the servicecentre stage needs the service centre (stage organisations)")
    stations = list(Organisation.objects.active().filter(kind=K.SERVICE_STATION).order_by("pk"))
    points = [
        ServicePoint(
            organisation=centre_org,
            kind=ServicePoint.Kind.CENTRE,
            opening_hours="周一至周五 8:30–20:00，周六 9:00–17:00",
        )
    ]
    for org in stations:
        building = "居民区" not in org.name
        points.append(
            ServicePoint(
                organisation=org,
                kind=ServicePoint.Kind.BUILDING if building else ServicePoint.Kind.RESIDENTIAL,
                opening_hours="工作日 11:30–13:30、17:00–19:00"
                if building
                else "工作日 8:30–17:00",
            )
        )
    points = ctx.create(ServicePoint, points)
    rooms: list[Room] = []
    for p in points:
        if p.kind == ServicePoint.Kind.CENTRE:
            rooms += [
                Room(point=p, name="多功能厅", seats=80),
                Room(point=p, name="党员活动室", seats=40),
                Room(point=p, name="培训教室", seats=30),
            ]
        elif p.kind == ServicePoint.Kind.BUILDING:
            rooms.append(Room(point=p, name="白领之家", seats=40))
        else:
            rooms.append(Room(point=p, name="活动室", seats=30))
    by_point: dict[int, list[Room]] = {}
    for r in ctx.create(Room, rooms):
        by_point.setdefault(r.point_id, []).append(r)
    return points[0], points[1:], by_point


def _catalogue(ctx: SeedContext, centre: ServicePoint) -> list[CatalogueItem]:
    progs = {
        name: p
        for name, p in (
            (p.name, p)
            for p in ctx.create(
                Programme, [Programme(name=n, audience=a, description=d) for n, a, d in PROGRAMMES]
            )
        )
    }
    orgs = list(Organisation.objects.active().values_list("pk", "name"))
    items = []
    for title, kind, prog, provider, audience, minutes, capacity, materials in ITEMS:
        org_id = next((pk for pk, name in orgs if provider in name), centre.organisation_id)
        items.append(
            CatalogueItem(
                title=title,
                kind=kind,
                programme=progs.get(prog),
                provider_org_id=org_id,
                audience=audience,
                minutes=minutes,
                capacity=capacity,
                materials=materials,
                description=f"{title}。由{next((n for pk, n in orgs if pk == org_id), '')}提供。",
            )
        )
    return ctx.create(CatalogueItem, items)


def _pool(ctx: SeedContext, rng: Any) -> list[User]:
    from gongzhi.places.models import ResidentialArea

    pd = PersonalData(ctx.rng("servicecentre/personal"))
    areas = list(ResidentialArea.objects.order_by("pk").values_list("pk", flat=True))
    # Mobiles and ID numbers never repeat, also against the people the earlier stages made.
    mobiles = set(Person.objects.values_list("mobile", flat=True))
    ids = set(Person.objects.values_list("id_number", flat=True))

    def unique(draw: Any, seen: set[str]) -> str:
        value = draw()
        while value in seen:
            value = draw()
        seen.add(value)
        return str(value)

    people = []
    for _i in range(POOL):
        gender = pd.gender()
        year = rng.randint(1950, 2002)
        people.append(
            Person(
                name=pd.name(gender, year),
                gender=gender,
                birth_year=year,
                mobile=unique(pd.mobile, mobiles),
                id_number=unique(lambda g=gender, y=year: pd.id_number(g, y), ids),
                home_area_id=rng.choice(areas) if areas else None,
            )
        )
    people = ctx.create(Person, people)
    # Participants' records, not logins: inactive, without a usable password (the demo's
    # logins are the accounts of gongzhi.demo.accounts, which `summary` counts).
    unusable = "!demo-participant"  # noqa: S105
    users = [
        User(username=f"sc{i + 1:04d}", password=unusable, person=p, is_active=False)
        for i, p in enumerate(people)
    ]
    return ctx.create(User, users)


def seed_stage(ctx: SeedContext) -> None:
    if ServicePoint.objects.exists():
        ctx.notes.append(
            "The service network has data already; the servicecentre stage was skipped."
        )
        return
    rng = ctx.rng("servicecentre")
    now = ctx.now or timezone.now()
    today = timezone.localtime(now).date()
    centre, stations, rooms = _points(ctx)
    items = _catalogue(ctx, centre)
    pool = _pool(ctx, rng)
    people = {u.pk: u.person for u in pool}

    # A year of menus: eleven past months and next month's (published, orders still coming in).
    first = _month_add(today.replace(day=1), -10)
    months = [_month_add(first, i) for i in range(12)]
    menus = ctx.create(
        Menu,
        [
            Menu(
                subdistrict=current_subdistrict(),
                month=m,
                state=Menu.State.PUBLISHED,
                published_at=_aware(_month_add(m, -1).replace(day=25), dt.time(10)),
                note=f"{m.year}年{m.month}月菜单化服务项目",
            )
            for m in months
        ],
    )
    menu_items: list[MenuItem] = []
    for menu in menus:
        for item in rng.sample(items, 12):
            menu_items.append(MenuItem(menu=menu, item=item))
    menu_items = ctx.create(MenuItem, menu_items)
    by_menu: dict[int, list[MenuItem]] = {}
    for mi in menu_items:
        by_menu.setdefault(mi.menu_id, []).append(mi)
    items_by_id = {i.pk: i for i in items}

    # Orders: each station orders one item a month; the centre schedules them without clashes.
    cal = get_calendar()
    busy: set[tuple[Any, ...]] = set()
    orders: list[Order] = []
    plans: list[tuple[Order, dt.datetime, Room | None, int]] = []
    for menu in menus:
        days = [
            menu.month + dt.timedelta(days=i)
            for i in range(31)
            if (menu.month + dt.timedelta(days=i)).month == menu.month.month
            and cal.is_working_day(menu.month + dt.timedelta(days=i))
        ]
        for st in stations:
            choices = [
                mi
                for mi in by_menu[menu.pk]
                if (items_by_id[mi.item_id].audience == A.OFFICE_WORKERS)
                == (st.kind == ServicePoint.Kind.BUILDING)
                or items_by_id[mi.item_id].audience == A.EVERYONE
            ] or by_menu[menu.pk]
            mi = rng.choice(choices)
            item = items_by_id[mi.item_id]
            start_t = (
                dt.time(12, 0)
                if st.kind == ServicePoint.Kind.BUILDING
                else rng.choice([dt.time(9, 30), dt.time(14, 0)])
            )
            room = rooms.get(st.pk, [None])[0]
            day = rng.choice(days)
            for _try in range(len(days)):
                key_p = (item.provider_org_id, day, start_t)
                key_r = (getattr(room, "pk", None), day, start_t)
                if key_p not in busy and key_r not in busy:
                    break
                day = days[(days.index(day) + 1) % len(days)]
            busy.add((item.provider_org_id, day, start_t))
            busy.add((getattr(room, "pk", None), day, start_t))
            future = menu.month > today.replace(day=1)
            pending = future and rng.random() < 0.5
            order = Order(
                menu_item=mi,
                station=st,
                proposed_on=day,
                starts_at=start_t,
                expected=rng.randint(15, 40),
                state=Order.State.ORDERED if pending else Order.State.SCHEDULED,
                version=0 if pending else 1,
            )
            orders.append(order)
            if not pending:
                cap = min(item.capacity, room.seats) if room else item.capacity
                plans.append((order, _aware(day, start_t), room, cap))
    ctx.create(Order, orders)
    events = ctx.create(
        Event,
        [
            Event(
                order=o,
                item=o.menu_item.item,
                point=o.station,
                room=room,
                title=o.menu_item.item.title,
                description=o.menu_item.item.description,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=o.menu_item.item.minutes),
                capacity=cap,
            )
            for o, start, room, cap in plans
        ],
    )

    # Registrations, attendance, feedback.
    codes: set[str] = set()

    def code() -> str:
        while True:
            c = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if c not in codes:
                codes.add(c)
                return c

    regs: list[Registration] = []
    for ev in events:
        past = ev.ends_at < now
        n = int(ev.capacity * rng.uniform(0.5, 1.15 if not past else 1.0))
        for i, user in enumerate(rng.sample(pool, min(n, len(pool)))):
            person = people[user.pk]
            at = ev.starts_at - dt.timedelta(days=rng.randint(1, 12), minutes=rng.randint(0, 600))
            state = (
                Registration.State.REGISTERED if i < ev.capacity else Registration.State.WAITLISTED
            )
            r = Registration(
                event=ev,
                user=user,
                name=person.name,
                mobile=person.mobile,
                state=state,
                code=code(),
            )
            if past and state == Registration.State.REGISTERED:
                roll = rng.random()
                if roll < 0.05:
                    r.state, r.cancelled_at = (
                        Registration.State.CANCELLED,
                        at + dt.timedelta(days=1),
                    )
                elif roll < 0.85:
                    r.state = Registration.State.ATTENDED
                    r.checked_in_at = ev.starts_at - dt.timedelta(minutes=rng.randint(0, 15))
            regs.append(r)
    regs = ctx.create(Registration, regs)
    feedback = [
        Feedback(
            registration=r,
            rating=rng.choices([5, 4, 3, 2], weights=[50, 35, 12, 3])[0],
            comment=rng.choice(COMMENTS),
        )
        for r in regs
        if r.state == Registration.State.ATTENDED and rng.random() < 0.4
    ]
    ctx.create(Feedback, feedback)

    # Volunteers: 400 from the pool, those who attended an event first joined after it.
    attended: dict[int, int] = {}
    for r in regs:
        if r.state == Registration.State.ATTENDED:
            attended.setdefault(r.user_id, r.event_id)
    chosen = sorted(rng.sample(pool, VOLUNTEERS), key=lambda u: u.pk)
    vols = ctx.create(
        Volunteer,
        [
            Volunteer(
                user=u,
                name=people[u.pk].name,
                skills="、".join(rng.sample(SKILLS, rng.randint(1, 3))),
                availability=rng.choice(AVAILABILITY),
                residential_area_id=people[u.pk].home_area_id,
                joined_from_id=attended.get(u.pk),
            )
            for u in chosen
        ],
    )

    # Opportunities and shifts from 90 days ago to 14 days ahead, on the working-day calendar.
    start_day, end_day = today - dt.timedelta(days=90), today + dt.timedelta(days=14)
    area_stations = [s for s in stations if s.kind == ServicePoint.Kind.RESIDENTIAL] or [centre]
    opps = ctx.create(
        Opportunity,
        [
            Opportunity(
                title=title,
                organiser=centre if i % 2 == 0 else area_stations[i % len(area_stations)],
                place=place,
                starts_on=start_day,
                ends_on=end_day,
                shift_start=t0,
                shift_end=t1,
                needed=needed,
                working_days_only=wd,
                points_per_hour=10,
                description=f"{title}，每班{needed}人。",
            )
            for i, (title, place, t0, t1, needed, wd) in enumerate(OPPORTUNITIES)
        ],
    )
    shifts: list[Shift] = []
    for o in opps:
        d = o.starts_on
        while d <= o.ends_on:
            if not o.working_days_only or cal.is_working_day(d):
                shifts.append(
                    Shift(
                        opportunity=o,
                        starts_at=_aware(d, o.shift_start),
                        ends_at=_aware(d, o.shift_end),
                        needed=o.needed,
                    )
                )
            d += dt.timedelta(days=1)
    shifts = ctx.create(Shift, shifts)
    opp_by_id = {o.pk: o for o in opps}
    signups: list[ShiftSignup] = []
    for sh in shifts:
        past = sh.ends_at < now
        n = rng.randint(max(1, sh.needed - 2), sh.needed)
        for v in rng.sample(vols, n):
            su = ShiftSignup(shift=sh, volunteer=v)
            if past:
                late = dt.timedelta(minutes=rng.randint(-10, 10))
                su.state = ShiftSignup.State.CONFIRMED
                su.checked_in_at = sh.starts_at + late
                su.checked_out_at = sh.ends_at + dt.timedelta(minutes=rng.randint(-5, 15))
                su.hours = Decimal((sh.ends_at - sh.starts_at).total_seconds() / 3600).quantize(
                    Decimal("0.25")
                )
                su.version = 3
            signups.append(su)
    signups = ctx.create(ShiftSignup, signups)
    shift_by_id = {s.pk: s for s in shifts}
    ledger = [
        PointsEntry(
            volunteer_id=su.volunteer_id,
            kind=PointsEntry.Kind.HOURS,
            amount=int(
                (su.hours or 0) * opp_by_id[shift_by_id[su.shift_id].opportunity_id].points_per_hour
            ),
            signup=su,
            reason=opp_by_id[shift_by_id[su.shift_id].opportunity_id].title,
            at=su.checked_out_at or now,
        )
        for su in signups
        if su.state == ShiftSignup.State.CONFIRMED
    ]
    balance: dict[int, int] = {}
    for e in ledger:
        balance[e.volunteer_id] = balance.get(e.volunteer_id, 0) + e.amount
    for vid in sorted(balance):
        if balance[vid] >= 60 and rng.random() < 0.3:
            ledger.append(
                PointsEntry(
                    volunteer_id=vid,
                    kind=PointsEntry.Kind.REDEEM,
                    amount=-30,
                    reason=rng.choice(["兑换雨伞", "兑换体检套餐", "兑换图书"]),
                    at=now - dt.timedelta(days=rng.randint(1, 30)),
                )
            )
    ctx.create(PointsEntry, ledger)
    ctx.made["servicecentre"] = {"centre": centre, "stations": stations}
