"""The councils' demo data: the five councils with their members (from the organisation's
positions) and rules; the alliance's four quarterly meetings of the year and the Administrative
Party Group's monthly extended meetings with their attending units (列席, from `org`), with
invitations, attendance, votes and minutes; action items in every state (some carried out as
cases of the grid centre or projects of the alliance); consultation topics with opinions and
votes; a reception day a month with opinions; a year of community workers' training.

Deterministic: every choice comes from the seed's "meetings" random stream. Written in bulk;
the action items' history runs the action table's effects through gongzhi.workflow.apply()."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gongzhi.alliance.models import Project
from gongzhi.cases.models import Case
from gongzhi.core.seeding import SeedContext
from gongzhi.org.models import Organisation, OrgRelation, Position
from gongzhi.places.selectors import current_subdistrict
from gongzhi.workflow import Step, apply

from ..models import (
    ActionItem,
    ActionItemEvent,
    AgendaItem,
    Body,
    BodyMember,
    Course,
    Invitation,
    Meeting,
    Opinion,
    ReceptionDay,
    ReceptionOpinion,
    Schedule,
    Topic,
    TrainingAttendance,
    TrainingSession,
    Vote,
    VoteParticipation,
    VoteTally,
)
from ..services import deadline, next_working_day
from ..workflow import ACTION_ITEMS

K = Organisation.Kind
R = BodyMember.Role

ALLIANCE_AGENDA = (
    "通报上季度资源清单、需求清单、项目清单",
    "审议本季度拟实施项目",
    "成员单位交流共建情况",
)
APG_AGENDA = ("通报上月重点工作", "研究辖区综合治理事项", "列席单位通报相关工作")
ITEMS = (
    "协调学校停车场错时开放，缓解杏梅园夜间停车难",
    "组织成员单位志愿者参与老旧小区加装电梯宣传",
    "推动兰溪路沿街商铺垃圾分类定时定点投放",
    "开展梅岭北路非机动车乱停放专项整治",
    "落实菜场周边占道经营长效管理",
    "为独居老人家庭安装烟感报警器",
    "完善杏杨居民区楼道绿化自治项目",
    "推进曹杨环浜沿岸步道夜间照明改造",
    "联合交警开展学校周边交通秩序整治",
    "物业公司公示维修资金使用情况",
)
TOPICS = (
    ("加装电梯费用分摊方案", "resident"),
    ("小区非机动车充电棚选址", "resident"),
    ("菜场周边早市时间调整", "unit"),
    ("社区食堂增设晚餐供应", "deputy"),
    ("曹杨环浜健身步道开放时间", "deputy"),
    ("楼道堆物清理公约", "resident"),
    ("公共停车位错时共享规则", "unit"),
    ("垃圾厢房改造位置", "resident"),
)
OPINIONS = (
    "赞成，希望尽快实施",
    "建议先征求楼组长意见",
    "担心噪音影响休息",
    "希望费用公开透明",
    "老年人出行不便，支持",
    "建议分期推进",
)
RECEPTION = (
    "夜间施工噪音扰民",
    "小区门口人行道破损",
    "希望增加社区食堂供应时段",
    "楼道灯不亮",
    "非机动车乱停放影响通行",
    "希望开设老年人智能手机培训",
    "垃圾厢房异味大",
    "小区绿化带需要修剪",
)
COURSES = (
    ("社区工作者政策理论学习", Decimal(3)),
    ("群众工作方法与沟通技巧", Decimal("2.5")),
    ("网格化管理与信息系统操作", Decimal(2)),
    ("民主协商议事规则", Decimal("1.5")),
)


def _people(org: Organisation | None, roles: tuple[str, ...] = ()) -> list[int]:
    if org is None:
        return []
    qs = Position.objects.filter(organisation=org, archived_at=None)
    if roles:
        qs = qs.filter(role__in=roles)
    return list(dict.fromkeys(qs.order_by("role", "id").values_list("person_id", flat=True)))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def run(ctx: SeedContext) -> None:  # noqa: C901, PLR0912, PLR0915  (one year of councils, in order)
    rng = ctx.rng("meetings")
    now = ctx.now or timezone.now()
    today = timezone.localtime(now).date()
    year = today.year
    orgs = {
        o.kind: o
        for o in Organisation.objects.filter(
            kind__in=(
                K.PARTY_WORKING_COMMITTEE,
                K.ADMIN_PARTY_GROUP,
                K.COMMUNITY_PARTY_COMMITTEE,
                K.REPRESENTATIVE_COUNCIL,
                K.SERVICE_CENTRE,
            )
        ).order_by("id")
    }
    apg = orgs.get(K.ADMIN_PARTY_GROUP)
    pwc = orgs.get(K.PARTY_WORKING_COMMITTEE)
    if apg is None or pwc is None:
        return
    leaders = _people(pwc) + [p for p in _people(apg) if p not in _people(pwc)]
    centre_staff = _people(orgs.get(K.SERVICE_CENTRE))
    liaisons = list(
        Position.objects.filter(
            archived_at=None,
            role=Position.Role.UNIT_LIAISON,
            organisation__alliance_joined_on__isnull=False,
        )
        .order_by("organisation__alliance_joined_on", "organisation__name", "id")
        .values_list("person_id", "organisation_id")
    )
    seen: set[int] = set()
    liaisons = [(p, o) for p, o in liaisons if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]
    branch_secretaries = list(
        Position.objects.filter(
            archived_at=None, role=Position.Role.SECRETARY, organisation__kind=K.GENERAL_BRANCH
        )
        .order_by("organisation__residential_area__code", "id")
        .values_list("person_id", flat=True)
    )
    council_people = _people(orgs.get(K.REPRESENTATIVE_COUNCIL))
    if not leaders:
        return
    from gongzhi.accounts.models import User

    demo = dict(
        User.objects.filter(
            username__in=("leader", "service_staff", "liaison_school", "secretary_xingmeiyuan")
        ).values_list("username", "person_id")
    )
    # The demo's own logins hold the seats they would hold: the Party Working Committee's
    # secretary chairs, the Party-building service centre's staff member is the secretary.
    chair = demo.get("leader") or leaders[0]
    secretary = demo.get("service_staff") or (centre_staff[0] if centre_staff else leaders[-1])

    sd = current_subdistrict()
    bodies = ctx.create(
        Body,
        [
            Body(
                subdistrict=sd,
                name="“筑梦曹杨”区域化党建联盟联席会议",
                kind=Body.Kind.ALLIANCE_COUNCIL,
                quorum_percent=50,
                description="每季度召开，通报三张清单，审议共建项目。",
            ),
            Body(
                subdistrict=sd,
                name="行政组织党组扩大会议",
                kind=Body.Kind.EXTENDED_PARTY_GROUP,
                organisation=apg,
                quorum_percent=50,
                description="每月召开，交警、物业公司、资产部、市场部等单位列席。",
            ),
            Body(
                subdistrict=sd,
                name="社区党委会议",
                kind=Body.Kind.PARTY_COMMITTEE,
                organisation=orgs.get(K.COMMUNITY_PARTY_COMMITTEE),
                quorum_percent=66,
            ),
            Body(
                subdistrict=sd,
                name="社区代表会议",
                kind=Body.Kind.REPRESENTATIVE_COUNCIL,
                organisation=orgs.get(K.REPRESENTATIVE_COUNCIL),
                quorum_percent=50,
                secret_ballot=True,
                papers=Body.Papers.STAFF,
                description="与社区党委“双核联动”，开展民主协商，重要事项无记名表决。",
            ),
            Body(
                subdistrict=sd,
                name="民主协商议事会",
                kind=Body.Kind.CONSULTATION,
                quorum_percent=50,
                papers=Body.Papers.STAFF,
            ),
        ],
    )
    alliance_body, apg_body, cpc_body, council_body, consult_body = bodies
    members: list[BodyMember] = []

    def seat(body: Body, person: int, role: str = R.MEMBER, org: int | None = None) -> None:
        if any(m.body is body and m.person_id == person for m in members):
            return
        members.append(BodyMember(body=body, person_id=person, role=role, organisation_id=org))

    for body in bodies:
        seat(body, chair, R.CHAIR)
        seat(body, secretary, R.SECRETARY)
    for p, o in liaisons[:16]:
        seat(alliance_body, p, org=o)
    unit_of = dict(liaisons)
    for username in ("liaison_school", "secretary_xingmeiyuan"):
        if demo.get(username):
            seat(alliance_body, demo[username], org=unit_of.get(demo[username]))
            seat(consult_body, demo[username], org=unit_of.get(demo[username]))
    for p in leaders[1:10]:
        seat(apg_body, p)
    for p in branch_secretaries[:12]:
        seat(cpc_body, p)
    for p in council_people[:25]:
        seat(council_body, p)
    for p in council_people[:6] + branch_secretaries[:4] + [p for p, _o in liaisons[:3]]:
        seat(consult_body, p)
    ctx.create(BodyMember, members)
    by_body: dict[int, list[BodyMember]] = {}
    for bm in members:
        by_body.setdefault(bm.body.pk, []).append(bm)

    schedules = ctx.create(
        Schedule,
        [
            Schedule(
                body=alliance_body,
                frequency="quarterly",
                day=15,
                time=dt.time(14),
                place="社区党建服务中心三楼会议室",
            ),
            Schedule(
                body=apg_body,
                frequency="monthly",
                day=8,
                time=dt.time(9),
                place="街道办事处二楼会议室",
            ),
        ],
    )
    attending = list(
        OrgRelation.objects.filter(kind=OrgRelation.Kind.ATTENDS, target=apg, archived_at=None)
        .order_by("id")
        .values_list("source_id", flat=True)
    )

    # --- meetings ---------------------------------------------------------------------------
    plan: list[tuple[Body, Schedule | None, str, dt.datetime, str, tuple[str, ...]]] = []
    for q, month in enumerate((1, 4, 7, 10), start=1):
        day = next_working_day(dt.date(year, month, 15))
        plan.append(
            (
                alliance_body,
                schedules[0],
                f"联盟联席会议 {year}年第{q}季度",
                _at(day, 14),
                schedules[0].place,
                ALLIANCE_AGENDA,
            )
        )
    for month in range(1, 13):
        day = next_working_day(dt.date(year, month, 8))
        plan.append(
            (
                apg_body,
                schedules[1],
                f"行政组织党组扩大会议 {year}年{month}月",
                _at(day, 9),
                schedules[1].place,
                APG_AGENDA,
            )
        )
    for month in (3, 6, 9, 12):
        day = next_working_day(dt.date(year, month, 20))
        plan.append(
            (
                council_body,
                None,
                f"社区代表会议 {year}年{month}月",
                _at(day, 14, 30),
                "社区代表会议议事厅",
                ("民主协商议题表决",),
            )
        )
    for month in (2, 5, 8, 11):
        day = next_working_day(dt.date(year, month, 12))
        plan.append(
            (
                cpc_body,
                None,
                f"社区党委会议 {year}年{month}月",
                _at(day, 10),
                "社区党委会议室",
                ("研究党建工作",),
            )
        )
    meetings: list[Meeting] = []
    for body, sched, title, start, place, _agenda in plan:
        past = start < now
        soon = not past and start < now + dt.timedelta(days=30)
        state = (
            Meeting.State.CLOSED
            if past
            else (Meeting.State.CALLED if soon else Meeting.State.PLANNED)
        )
        meetings.append(
            Meeting(
                body=body,
                schedule=sched,
                title=title,
                starts_at=start,
                place=place,
                state=state,
                called_at=start - dt.timedelta(days=10) if state != Meeting.State.PLANNED else None,
                closed_at=start + dt.timedelta(days=3) if past else None,
                minutes=(
                    f"{title}于{timezone.localtime(start):%m月%d日}召开。会议通报了有关工作，"
                    "审议了议题并形成决议，明确了责任单位和完成时限。"
                )
                if past
                else "",
            )
        )
    meetings = ctx.create(Meeting, meetings)
    ctx.create(
        AgendaItem,
        [
            AgendaItem(meeting=m, title=t, sort_order=i)
            for m, (_b, _s, _t, _st, _p, agenda) in zip(meetings, plan, strict=True)
            for i, t in enumerate(agenda)
        ],
    )
    invitations: list[Invitation] = []
    for m in meetings:
        if m.state == Meeting.State.PLANNED:
            continue
        for bm in by_body[m.body.pk]:
            att = ""
            if m.state == Meeting.State.CLOSED:
                att = rng.choices(["present", "excused", "absent"], [85, 10, 5])[0]
            reply = (
                "accepted"
                if att in ("present", "") and rng.random() < 0.8
                else ("declined" if att else "pending")
            )
            invitations.append(
                Invitation(
                    meeting=m,
                    kind="member",
                    person_id=bm.person_id,
                    organisation_id=bm.organisation_id,
                    voting=True,
                    reply=reply,
                    attendance=att,
                )
            )
        if m.body is apg_body:
            for unit in attending:
                invitations.append(
                    Invitation(
                        meeting=m,
                        kind="attending",
                        organisation_id=unit,
                        reply="accepted",
                        attendance="present" if m.state == Meeting.State.CLOSED else "",
                    )
                )
    ctx.create(Invitation, invitations)
    present: dict[int, list[int]] = {}
    for inv in invitations:
        if inv.voting and inv.attendance == "present":
            present.setdefault(inv.meeting.pk, []).append(inv.person_id)  # type: ignore[arg-type]

    # --- topics -----------------------------------------------------------------------------
    topic_states = [
        "published",
        "published",
        "decided",
        "consulting",
        "consulting",
        "proposed",
        "declined",
        "published",
    ]
    topics = []
    for (title, kind), topic_state in zip(TOPICS, topic_states, strict=True):
        topics.append(
            Topic(
                body=council_body if kind != "unit" else consult_body,
                title=title,
                description=f"关于{title}的议题，征求居民和驻区单位意见。",
                proposer_kind=kind,
                proposer_name={"resident": "居民", "unit": "驻区单位", "deputy": "社区代表"}[kind],
                state=topic_state,
                outcome=(
                    "经社区代表会议表决通过，按方案实施。"
                    if topic_state == "published"
                    else "不属于社区协商范围，已转相关部门答复。"
                    if topic_state == "declined"
                    else ""
                ),
                published_at=now - dt.timedelta(days=rng.randrange(5, 60))
                if topic_state == "published"
                else None,
            )
        )
    topics = ctx.create(Topic, topics)
    ctx.create(
        Opinion,
        [
            Opinion(
                topic=t,
                text=rng.choice(OPINIONS),
                author_name=rng.choice(["王阿姨", "李先生", "张老师", "陈师傅"]),
                source=rng.choice(["online", "paper"]),
            )
            for t in topics
            if t.state != "proposed"
            for _ in range(rng.randrange(3, 9))
        ],
    )

    # --- votes --------------------------------------------------------------------------------
    votes: list[Vote] = []
    vote_meta: list[tuple[Vote, list[int], list[str]]] = []
    decided = [t for t in topics if t.state in ("published", "decided")]
    for m in meetings:
        if m.state != Meeting.State.CLOSED or m.body in (cpc_body,):
            continue
        voters = present.get(m.pk, [])
        if not voters:
            continue
        topic = None
        if m.body is council_body and decided:
            topic = decided.pop(0)
        question = f"表决：{topic.title}" if topic else f"{m.title}决议"
        choices = [rng.choices(["yes", "no", "abstain"], [80, 10, 10])[0] for _ in voters]
        n = round(len(voters) * rng.uniform(0.85, 1))
        yes = choices[:n].count("yes")
        v = Vote(
            meeting=m,
            topic=topic,
            question=question,
            secret=m.body.secret_ballot,
            state="closed",
            eligible=len(voters),
            passed=yes * 2 > len(voters),
            opened_at=m.starts_at + dt.timedelta(hours=1),
            closed_at=m.starts_at + dt.timedelta(hours=1, minutes=20),
        )
        votes.append(v)
        vote_meta.append((v, voters[:n], choices[:n]))
    ctx.create(Vote, votes)
    ctx.create(
        VoteParticipation,
        [
            VoteParticipation(vote=v, person_id=p, choice="" if v.secret else c)
            for v, voters, choices in vote_meta
            for p, c in zip(voters, choices, strict=True)
        ],
    )
    ctx.create(
        VoteTally,
        [
            VoteTally(vote=v, choice=c, count=choices.count(c))
            for v, _voters, choices in vote_meta
            for c in ("yes", "no", "abstain")
        ],
    )

    # --- action items ----------------------------------------------------------------------
    deciding = [
        m
        for m in meetings
        if m.state == Meeting.State.CLOSED and m.body in (alliance_body, apg_body)
    ]
    cases = list(Case.objects.order_by("id").values_list("pk", "state")[:400])
    projects = list(Project.objects.order_by("id").values_list("pk", flat=True)[:100])
    cases_linked = rng.sample(cases, min(6, len(cases)))
    projects_linked = rng.sample(projects, min(4, len(projects)))
    items: list[ActionItem] = []
    history: list[ActionItemEvent] = []
    paths = [[], ["start"], ["start", "complete"], ["complete"], ["start", "cancel"]]
    for i, m in enumerate(deciding):
        for k in range(1 + (m.body is alliance_body)):
            title = ITEMS[(i * 2 + k) % len(ITEMS)]
            owners = by_body[m.body.pk]
            owner = owners[rng.randrange(len(owners))]
            wd = rng.choice([5, 10, 15, 20, 30])
            first_day = timezone.localtime(m.starts_at).date()
            item = ActionItem(
                meeting=m,
                title=title,
                owner_id=owner.person_id,
                owner_organisation_id=owner.organisation_id,
                working_days=wd,
                due_on=deadline(first_day, wd),
                vote=next((v for v in votes if v.meeting is m), None),
            )
            at = m.starts_at + dt.timedelta(hours=3)
            history.append(
                ActionItemEvent(
                    item=item, at=at, action="create", to_state="open", actor_label="系统"
                )
            )
            path = (
                paths[(i + k) % len(paths)]
                if m.starts_at < now - dt.timedelta(days=20)
                else paths[i % 2]
            )
            for name in path:
                at = min(at + dt.timedelta(days=rng.randrange(2, 15)), now - dt.timedelta(hours=1))
                note = {"complete": "已按要求办结", "cancel": "情况变化，另行安排", "start": ""}[
                    name
                ]
                step = Step(obj=item, actor=None, at=at, note=note)
                before = item.state
                apply(ACTION_ITEMS.actions[name], step)
                item.version += 1
                history.append(
                    ActionItemEvent(
                        item=item,
                        at=at,
                        action=name,
                        from_state=before,
                        to_state=item.state,
                        note=note,
                        actor_label="系统",
                    )
                )
            items.append(item)
    open_items = [it for it in items if it.state in ("open", "in_progress", "done")]
    for it, (pk, _state) in zip(open_items[::3], cases_linked, strict=False):
        it.case_id = pk
    for it, pk in zip(
        [i for i in open_items[1::3] if i.case_id is None], projects_linked, strict=False
    ):
        it.project_id = pk
    ctx.create(ActionItem, items)
    for e in history:
        e.item_id = e.item.pk
    ctx.create(ActionItemEvent, history)

    # --- reception days ------------------------------------------------------------------------
    deputies = council_people[:8] or leaders
    kinds = ["council", "peoples_congress", "cppcc", "party_congress"]
    days = []
    for month in range(1, 13):
        held = next_working_day(dt.date(year, month, 25))
        if held > today:
            break
        days.append(
            ReceptionDay(
                deputy_id=deputies[month % len(deputies)],
                deputy_kind=kinds[month % 4],
                held_on=held,
                place="党群服务站代表接待室",
            )
        )
    days = ctx.create(ReceptionDay, days)
    deputy_cases = [pk for pk, _s in cases if (pk, _s) not in cases_linked][:40]
    opinions: list[ReceptionOpinion] = []
    for d in days:
        for _ in range(rng.randrange(2, 6)):
            op = ReceptionOpinion(
                day=d,
                text=rng.choice(RECEPTION),
                resident_name=rng.choice(["王先生", "刘阿姨", "赵老伯"]),
                resident_phone=f"139{rng.randrange(10**8):08d}",
            )
            r = rng.random()
            if r < 0.3 and deputy_cases:
                op.case_id = deputy_cases.pop(0)
            elif r < 0.4 and topics:
                op.topic = topics[rng.randrange(len(topics))]
            opinions.append(op)
    ctx.create(ReceptionOpinion, opinions)

    # --- training ---------------------------------------------------------------------------
    courses = ctx.create(Course, [Course(title=t) for t, _h in COURSES])
    sessions = []
    for month in range(1, 13):
        for c, (course, (_t, hours)) in enumerate(zip(courses, COURSES, strict=True)):
            if (month + c) % 2:
                continue
            held = next_working_day(dt.date(year, month, 5 + 7 * c))
            if held > today:
                continue
            sessions.append(
                TrainingSession(course=course, held_on=held, hours=hours, place="社区党校")
            )
    sessions = ctx.create(TrainingSession, sessions)
    workers = list(
        Position.objects.filter(
            archived_at=None, organisation__kind__in=(K.GENERAL_BRANCH, K.RESIDENTS_COMMITTEE)
        )
        .exclude(organisation__residential_area=None)
        .order_by("id")
        .values_list("person_id", "organisation__residential_area_id")
    )
    area_of = dict(reversed(workers))
    people = sorted(area_of)
    attendance = []
    for s in sessions:
        for p in rng.sample(people, min(len(people), rng.randrange(15, 40))):
            attendance.append(
                TrainingAttendance(session=s, person_id=p, residential_area_id=area_of[p])
            )
    ctx.create(TrainingAttendance, attendance)
    ctx.made["meetings"] = {"bodies": bodies}
