"""Demo data for shared resources: 曹杨二中附属学校 lends its car park to 杏梅园 residents
(潮汐"错时停车"): every evening 17:30–07:30 and all weekend, 40 spaces, 70 applications, a
lottery two months ago, its permits, two months of gate log with a few overstays (warnings and
one suspension), and two halls with bookings.

`seed_stage(ctx)` is a stage of `manage.py seed_demo`; everything comes from `ctx.rng("sharing")`
and `ctx.now`, so the same seed gives the same data. Applications, the draw, permits, violations
and bookings go through the services (audited, like a user's); the gate log, thousands of rows,
is computed with the same schedule the gate check uses and written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.alliance.models import Resource as AllianceResource
from gongzhi.audit import context as audit_context
from gongzhi.core.seeding import SeedContext
from gongzhi.core.seeding.names import PersonalData
from gongzhi.places.demo import XINGMEIYUAN, XINGYANG

from . import services
from .availability import schedule_for
from .models import GateEvent, Permit, SharedResource, VehicleType
from .plates import normalise_plate

SPACES = 40
APPLICATIONS = 70
HISTORY_DAYS = 60
RULES = (
    "1. 开放时间：上课日 17:30 至次日 07:30，周末、法定节假日全天；考试日等另行通知。\n"
    "2. 凭停车证（车牌登记）入场，一车一证，不得转借。\n"
    "3. 上课日 07:30 前必须驶离（15 分钟宽限）；逾时一次警告，累计三次暂停停车证。\n"
    "4. 对违规记录有异议的，可在本系统内申诉。"
)
LETTERS = "ABCDEFGHJKLMN"
PROOFS = ["房产证", "租赁合同（已备案）", "户口簿", "居住证", "居委会居住证明"]


def _plate(rng: random.Random, used: set[str]) -> str:
    while True:
        if rng.random() < 0.25:  # new-energy
            tail = "D" + rng.choice("ABCDEFGHJK0123456789") + f"{rng.randrange(10000):04d}"
        else:
            tail = "".join(rng.choice("0123456789ABCDEFGHJK") for _ in range(2)) + (
                f"{rng.randrange(1000):03d}"
            )
        plate = normalise_plate("沪" + rng.choice(LETTERS) + tail)
        if plate not in used:
            used.add(plate)
            return plate


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


REQUEST_ID = "seed_demo"


def seed_stage(ctx: SeedContext) -> None:
    """The stage; its audit rows carry the request id "seed_demo", so the trail tells the demo's
    history from real work."""
    token = audit_context.set_current(audit_context.RequestContext(request_id=REQUEST_ID))
    try:
        _seed(ctx)
    finally:
        audit_context.reset(token)


def _seed(ctx: SeedContext) -> None:
    rng = ctx.rng("sharing")
    pd = PersonalData(ctx.rng("sharing/personal"))
    orgs = ctx.made["org"]
    places = ctx.made["places"]
    now = ctx.now or timezone.now()
    today = timezone.localdate(now)
    school = orgs["ezfx"]
    xingmeiyuan = places.areas[XINGMEIYUAN]
    xingyang = places.areas[XINGYANG]
    liaison = User.objects.filter(username="liaison_school").first()
    resident = User.objects.filter(username="resident").select_related("person").first()
    actor: Any = liaison

    car_park = services.resource_create(
        actor=actor,
        owner=school,
        kind=SharedResource.Kind.CAR_PARK,
        name="曹杨二中附属学校停车场（错时停车）",
        address=school.address or "梅岭北路",
        lat=school.lat,
        lng=school.lng,
        capacity=SPACES,
        rules=RULES,
        violations_to_suspend=3,
        areas=[xingmeiyuan],
        # The same car park as the school offers it on the alliance's resource list.
        listing=AllianceResource.objects.active()
        .filter(owner=school, kind="parking")
        .order_by("id")
        .first(),
    )
    services.window_add(
        actor=actor, resource=car_park, weekdays=range(7), start="17:30", end="07:30"
    )
    services.window_add(actor=actor, resource=car_park, weekdays=[5, 6], start="00:00", end="00:00")
    # An exam day ahead (closed) and the winter holiday (open all day).
    exam = today + dt.timedelta(days=10)
    while exam.weekday() >= 5:
        exam += dt.timedelta(days=1)
    services.exception_add(
        actor=actor,
        resource=car_park,
        kind="closed",
        date_from=exam,
        date_to=exam,
        note="期末考试，停车场全天关闭",
    )
    winter = dt.date(today.year + (1 if today.month >= 8 else 0), 1, 24)
    services.exception_add(
        actor=actor,
        resource=car_park,
        kind="open",
        date_from=winter,
        date_to=winter + dt.timedelta(days=27),
        note="寒假，全天开放",
    )

    # 70 applications over the three weeks before the draw.
    drawn_on = today - dt.timedelta(days=HISTORY_DAYS + 1)
    plates: set[str] = set()
    for i in range(APPLICATIONS):
        gender = pd.gender()
        birth = rng.randint(1955, 1998)
        area = xingmeiyuan if i % 7 else xingyang
        user = resident if (i == 5 and resident is not None) else None
        name = user.person.name if user is not None and user.person else pd.name(gender, birth)
        services.application_submit(
            actor=user or actor,
            resource=car_park,
            name=name,
            phone=pd.mobile(),
            residential_area=(
                user.person.home_area or area if user is not None and user.person else area
            ),
            plate=_plate(rng, plates),
            vehicle_type=VehicleType.NEW_ENERGY if rng.random() < 0.25 else VehicleType.CAR,
            proof_note=rng.choice(PROOFS) if rng.random() < 0.85 else "",
            applicant_user=user,
            at=_at(drawn_on - dt.timedelta(days=rng.randint(1, 21)), rng.randint(8, 21), 0),
        )
    draw = services.draw_run(
        actor=actor,
        resource=car_park,
        period_from=drawn_on + dt.timedelta(days=1),
        period_to=drawn_on + dt.timedelta(days=365),
        seed=f"{drawn_on:%Y%m%d}-杏梅园错时停车",
        at=_at(drawn_on, 15, 0),
    )
    permits = list(Permit.objects.filter(draw=draw).order_by("id"))
    waitlisted = [a.plate for a in car_park.applications.filter(state="waitlisted").order_by("id")]

    # Two months of gate log.
    schedule = schedule_for(car_park)
    events: list[GateEvent] = []
    overstays: list[tuple[Permit, dt.datetime, dt.datetime, dt.datetime]] = []
    habit = {p.pk: rng.uniform(0.45, 0.9) for p in permits}
    careless = set(rng.sample([p.pk for p in permits], 3))
    serial = permits[0].pk if permits else None  # the one who overstays three times
    serial_nights = set(rng.sample(range(5, HISTORY_DAYS - 2), 3))
    first = drawn_on + dt.timedelta(days=1)
    for n in range(HISTORY_DAYS):
        day = first + dt.timedelta(days=n)
        evening = schedule.open_at(_at(day, 18, 0))
        if evening is None:
            continue
        weekend = schedule.open_at(_at(day, 12, 0)) is not None
        for p in permits:
            forced = p.pk == serial and n in serial_nights
            if not forced and rng.random() > habit[p.pk]:
                continue
            if p.pk == serial and n > max(serial_nights):
                # Suspended after the third overstay: the gate turns the car away.
                came = _at(day, rng.randint(18, 21), rng.randrange(60))
                events.append(_event(car_park, p, came, "in", False, "suspended"))
                continue
            if weekend and rng.random() < 0.4:
                came = _at(day, rng.randint(9, 15), rng.randrange(60))
            else:
                came = _at(day, rng.randint(17, 21), rng.randrange(60))
                if came < evening[0]:
                    # Too early: refused, comes back after opening.
                    events.append(_event(car_park, p, came, "in", False, "outside_window"))
                    came = evening[0] + dt.timedelta(minutes=rng.randint(1, 30))
            window = schedule.open_at(came)
            if window is None:
                continue
            leave_by = window[1]
            late = (p.pk == serial and n in serial_nights) or (
                p.pk in careless and rng.random() < 0.04
            )
            if late:
                left = leave_by + dt.timedelta(minutes=rng.randint(40, 150))
            elif leave_by - came > dt.timedelta(hours=30):
                left = came + dt.timedelta(hours=rng.randint(3, 10))
            else:
                left = leave_by - dt.timedelta(minutes=rng.randint(10, 90))
            if left > now:
                continue
            events.append(_event(car_park, p, came, "in", True, "permit"))
            events.append(_event(car_park, p, left, "out", True, "exit"))
            if late:
                overstays.append((p, came, leave_by, left))
        # A few waiting-list cars try their luck.
        if waitlisted and rng.random() < 0.3:
            plate = rng.choice(waitlisted)
            events.append(
                GateEvent(
                    resource=car_park,
                    plate=plate,
                    plate_input=plate,
                    at=_at(day, 19, rng.randrange(60)),
                    direction="in",
                    verdict="refused",
                    reason="no_permit",
                )
            )
    events.sort(key=lambda e: e.at)
    ctx.create(GateEvent, events)
    for p, came, closed, left in sorted(overstays, key=lambda o: o[1]):
        permit = Permit.objects.get(pk=p.pk)
        services._violation(actor, permit, came, closed, left)  # noqa: SLF001 (history)
    # An appeal waiting for the liaison.
    from .models import Violation

    first_warning = Violation.objects.filter(permit__resource=car_park).order_by("id").first()
    if first_warning is not None:
        services.violation_appeal(
            actor=first_warning.permit.holder_user or actor,
            violation=first_warning,
            text="当天早上孩子发烧去医院，车来不及开走，请谅解。",
        )

    # A holder moved away: the permit is revoked and the first on the waiting list gets it.
    moved = Permit.objects.filter(draw=draw, state="active").order_by("-id").first()
    if moved is not None:
        services.permit_change_state(
            actor=actor, permit=moved, action="revoke", note="已搬离杏梅园，本人申请退证"
        )
        nxt = car_park.applications.filter(pk__in=draw.result["waitlist"][:1]).first()
        if nxt is not None:
            services.permit_issue(
                actor=actor, application=nxt, valid_from=today, valid_to=draw.period_to
            )

    _halls(ctx, rng, orgs, actor, today)


def _event(
    resource: SharedResource, permit: Permit, at: dt.datetime, direction: str, ok: bool, why: str
) -> GateEvent:
    return GateEvent(
        resource=resource,
        plate=permit.plate,
        plate_input=permit.plate,
        at=at,
        direction=direction,
        verdict="allowed" if ok else "refused",
        reason=why,
        permit=permit,
    )


HALL_EVENTS = [
    ("杏梅园居民区党总支主题党日", 60),
    ("悠悠午间读书会", 30),
    ("社区代表会议议题协商", 45),
    ("防汛防台应急演练培训", 80),
    ("楼组长议事会", 25),
    ("垃圾分类志愿者培训", 50),
    ("老年智能手机课堂", 35),
    ("联盟单位季度联席会议", 40),
]


def _offered(
    actor: Any, owner: Any, windows: list[tuple[Any, str, str]], **fields: Any
) -> SharedResource:
    """A resource at its owner's address, open in `windows` ((weekdays, start, end) each)."""
    resource = services.resource_create(
        actor=actor, owner=owner, address=owner.address, lat=owner.lat, lng=owner.lng, **fields
    )
    for weekdays, start, end in windows:
        services.window_add(actor=actor, resource=resource, weekdays=weekdays, start=start, end=end)
    return resource


def _halls(ctx: SeedContext, rng: random.Random, orgs: Any, actor: Any, today: dt.date) -> None:
    school, bookshop = orgs["ezfx"], orgs["xhsd"]
    hall = _offered(
        actor,
        school,
        [(range(5), "18:00", "21:00"), ([5, 6], "08:30", "17:00")],
        kind=SharedResource.Kind.HALL,
        name="曹杨二中附属学校报告厅",
        capacity=200,
        rules="工作日 18:00–21:00、周末 08:30–17:00 可预约；活动结束后恢复桌椅。",
    )
    room = _offered(
        None,
        bookshop,
        [(range(7), "09:00", "20:30")],
        kind=SharedResource.Kind.ROOM,
        name="新华书店曹杨店二楼活动室",
        capacity=40,
        rules="每日 09:00–20:30 可预约，免费向社区开放。",
    )
    branch = orgs.general_branches[XINGMEIYUAN]
    for i, (title, people) in enumerate(HALL_EVENTS * 2):
        resource = hall if i % 3 else room
        day = today + dt.timedelta(days=rng.randint(-40, 30))
        weekend = day.weekday() >= 5
        if resource is hall:
            start = dt.time(9 if weekend else 18, 30 if weekend else 0)
        else:
            start = dt.time(rng.choice([10, 14, 19]), 0)
        starts = _at(day, start.hour, start.minute)
        ends = starts + dt.timedelta(hours=2 if resource is hall and not weekend else 1)
        try:
            services.booking_create(
                actor=actor,
                resource=resource,
                title=title,
                starts_at=starts,
                ends_at=ends,
                attendees=min(people, resource.capacity),
                organiser=branch,
                confirmed=day < today or rng.random() < 0.6,
            )
        except services.ServiceError:
            continue  # a clash or a closed day: the organiser picks another time
