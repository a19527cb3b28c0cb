"""Open cases for the demo logins, made through the real services (gongzhi.cases.services) as the
users who would make them, so that each role finds work waiting when it logs in:

- operator: reports to file (one a likely duplicate of a case nearby), filed cases to dispatch,
  a case a department returned (退单), a closed case waiting for its callback;
- duty chief: an extension request to decide, a suspended case (挂账) to resume, a report to
  refuse or accept, an emergency it acknowledged, a case escalated to the district;
- 城管中队 (dept_chengguan): dispatched cases to accept, accepted ones to handle;
- inspector (first grid station): handled cases to verify in its own grids, and its own report;
- 杏梅园 secretary and 杏杨 part-time member: open cases in their residential areas;
- resident: two reports of their own, one in progress and one closed, to follow and rate by
  tracking code.

Their audit rows carry the request id "seed_demo", so the trail tells them from real work.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.audit import context as audit_context
from gongzhi.core.roles import access_for
from gongzhi.org.models import Position
from gongzhi.places.models import ResidentialArea

from .. import services
from ..models import Case, TimeLimit
from ..selectors import PUBLIC_ACTOR
from . import texts
from .catalogue import DemoCatalogue, Leaf
from .directory import Directory, Place

REQUEST_ID = "seed_demo"
XINGMEIYUAN, XINGYANG = "杏梅园居民区", "杏杨居民区"


@dataclass
class OpenCases:
    """What the stage made for the demo logins, by purpose (for tests and the summary)."""

    cases: dict[str, Case] = field(default_factory=dict)
    tracking_codes: list[str] = field(default_factory=list)


class _Maker:
    def __init__(self, rng: random.Random, cat: DemoCatalogue, people: Directory) -> None:
        self.rng = rng
        self.cat = cat
        self.people = people
        self.users: dict[str, User] = people.users
        self.by_code = {lf.code: lf for lf in cat.leaves}
        self.out = OpenCases()
        self.serial = 0
        names = dict(ResidentialArea.objects.values_list("name", "pk"))
        self.areas = {name: names.get(name) for name in (XINGMEIYUAN, XINGYANG)}

    def leaf(self, *codes: str, hotline: str = "") -> Leaf:
        """The first of `codes` in the catalogue; or, with `hotline="routed"` / "escalated", a
        12345 leaf with (or without) a department."""
        for code in codes:
            if code in self.by_code:
                return self.by_code[code]
        hot = [lf for lf in self.cat.leaves if lf.kind == "hotline"]
        if hotline == "chengguan":
            chengguan = self.cat.departments.get("chengguan")
            hot = [lf for lf in hot if chengguan and lf.department_id == chengguan.pk] or hot
        elif hotline == "escalated":
            hot = [lf for lf in hot if lf.escalated] or hot
        elif hotline == "routed":
            hot = [lf for lf in hot if not lf.escalated] or hot
        hot = hot or self.cat.leaves
        return max(hot, key=lambda lf: (lf.weight, lf.code))

    def places_in(self, *, area: str = "", inspector: User | None = None) -> list[Place]:
        places = self.people.places
        if inspector is not None and inspector.person_id:
            grids = set(
                Position.grids.through.objects.filter(
                    position__person_id=inspector.person_id, position__role="inspector"
                ).values_list("grid_id", flat=True)
            )
            chosen = [p for p in places if p.grid_id in grids]
            if area:
                chosen = [p for p in chosen if p.area_id == self.areas.get(area)] or chosen
            return chosen or places
        if area:
            return [p for p in places if p.area_id == self.areas.get(area)] or places
        return places

    def intake(
        self,
        key: str,
        *,
        actor: Any,
        leaf: Leaf,
        channel: str,
        places: list[Place],
        case_type: str = "",
        urgent: bool = False,
        reporter: bool = True,
        reporter_user: User | None = None,
        near: Case | None = None,
    ) -> Case:
        rng = self.rng
        place = places[rng.randrange(len(places))]
        lat, lng = place.point(rng)
        if near is not None and near.lat is not None and near.lng is not None:
            lat = round(near.lat + rng.uniform(-0.00012, 0.00012), 6)
            lng = round(near.lng + rng.uniform(-0.00012, 0.00012), 6)
            if not place.contains(lat, lng):
                lat, lng = near.lat, near.lng
            place = next((p for p in self.people.places if p.grid_id == near.grid_id), place)
        address = place.address(rng)
        if leaf.kind != "hotline":
            case_type = leaf.kind
        case_type = case_type or "help"
        name = phone = ""
        if reporter_user is not None and reporter_user.person is not None:
            name, phone = reporter_user.person.name, reporter_user.person.mobile
        elif reporter:
            name = rng.choice("王李张刘陈杨黄赵吴周徐孙朱沈陆顾") + rng.choice(
                ("先生", "女士", "阿姨", "老伯")
            )
            phone = f"139{rng.randrange(10**8):08d}"
        self.serial += 1
        result = services.case_intake(
            actor=actor,
            channel=channel,
            type=case_type,
            category=leaf.id,
            urgency=Case.Urgency.URGENT if urgent else Case.Urgency.NORMAL,
            title=f"{leaf.name}（{address}）"[:120],
            description=texts.description(
                rng, leaf, case_type=case_type, channel=channel, place=address
            ),
            lat=lat,
            lng=lng,
            address=address,
            reporter_name=name,
            reporter_phone=phone,
            reporter_user=reporter_user,
            external_ref=(
                f"GD{timezone.localdate():%Y%m%d}9{self.serial:03d}"
                if channel == Case.Channel.HOTLINE
                else ""
            ),
            find_duplicates=False,
        )
        self.out.cases[key] = result.case
        return result.case


def create(*, rng: random.Random, catalogue: DemoCatalogue, directory: Directory) -> OpenCases:
    users = directory.users
    needed = ("operator", "duty_chief", "dept_chengguan", "inspector", "resident")
    if any(name not in users for name in needed) or "chengguan" not in catalogue.departments:
        return OpenCases()
    token = audit_context.set_current(audit_context.RequestContext(request_id=REQUEST_ID))
    try:
        return _create(_Maker(rng, catalogue, directory))
    finally:
        audit_context.reset(token)


def _create(m: _Maker) -> OpenCases:
    u = m.users
    op, chief, handler = u["operator"], u["duty_chief"], u["dept_chengguan"]
    inspector, resident = u["inspector"], u["resident"]
    chengguan = m.cat.departments["chengguan"].pk
    H, P, R = Case.Channel.HOTLINE, Case.Channel.INSPECTOR, Case.Channel.RESIDENT
    home = (
        resident.person.home_area.name
        if resident.person is not None and resident.person.home_area is not None
        else XINGMEIYUAN
    )
    xmy = m.places_in(area=XINGMEIYUAN)
    xy = m.places_in(area=XINGYANG)
    patrol = m.places_in(inspector=inspector, area=XINGMEIYUAN)
    garbage = m.leaf("E0102")
    shopfront = m.leaf("E0504")
    posters = m.leaf("E0201")
    hawkers = m.leaf("E0501")
    building = m.leaf("E0101")
    noise = m.leaf("E0301")
    manhole = m.leaf("B0101")
    pipe = m.leaf("E0402")
    city = m.leaf(hotline="chengguan")
    district = m.leaf(hotline="escalated")  # a 12345 matter for the district, not the subdistrict

    def to_dept(case: Case, dept: int | None = None, *, accept: bool = False) -> Case:
        services.case_file(actor=op, case=case)
        services.case_dispatch(actor=op, case=case, department=dept or chengguan)
        if accept:
            services.case_accept(actor=handler, case=case)
        return case

    # The operator: reports to file, filed cases to dispatch.
    m.intake("received_hotline", actor=op, leaf=noise, channel=H, places=xmy, case_type="complaint")
    m.intake("received_consult", actor=op, leaf=m.leaf(hotline="routed"), channel=H, places=xmy,
             case_type="consult")  # fmt: skip
    m.intake("received_web", actor=PUBLIC_ACTOR, leaf=garbage, channel=R, places=xy)
    m.intake(
        "received_out_of_scope", actor=op, leaf=district, channel=H, places=xmy, case_type="consult"
    )
    services.case_file(
        actor=op,
        case=m.intake(
            "filed_manhole", actor=op, leaf=manhole, channel=H, places=xmy, case_type="help"
        ),
    )
    services.case_file(
        actor=op,
        case=m.intake(
            "filed_patrol", actor=inspector, leaf=shopfront, channel=P, places=patrol,
            reporter=False,
        ),
    )  # fmt: skip
    # A report of posters, dispatched; a second report of the same posters, to merge.
    first = to_dept(m.intake("dispatched_posters", actor=op, leaf=posters, channel=H, places=xmy,
                             case_type="complaint"))  # fmt: skip
    m.intake("received_duplicate", actor=PUBLIC_ACTOR, leaf=posters, channel=R, places=xmy,
             near=first)  # fmt: skip
    # A return (退单) for the centre to dispatch again.
    services.case_return(
        actor=handler,
        case=to_dept(m.intake("returned", actor=op, leaf=city, channel=H, places=xy,
                              case_type="complaint")),
        reason=texts.RETURN_REASONS[1],
    )  # fmt: skip
    # 城管中队: to accept, and being handled.
    to_dept(m.intake("dispatched_patrol", actor=inspector, leaf=garbage, channel=P,
                     places=patrol, reporter=False))  # fmt: skip
    to_dept(m.intake("dispatched_shopfront", actor=op, leaf=shopfront, channel=H, places=xy,
                     case_type="complaint"))  # fmt: skip
    to_dept(m.intake("accepted_hawkers", actor=op, leaf=hawkers, channel=H, places=xy,
                     case_type="report"), accept=True)  # fmt: skip
    to_dept(m.intake("accepted_noise", actor=op, leaf=noise, channel=H, places=xmy,
                     case_type="complaint"), accept=True)  # fmt: skip
    # The duty chief: an extension to decide, a suspension to lift, an emergency, an escalation.
    extended = to_dept(
        m.intake("extension_requested", actor=op, leaf=building, channel=H, places=xmy,
                 case_type="report"), accept=True,
    )  # fmt: skip
    services.extension_request(
        actor=handler,
        case=extended,
        amount=3,
        unit=TimeLimit.Unit.WORKING_DAYS,
        reason=texts.EXTENSION_REASONS[0],
    )
    suspended = to_dept(
        m.intake("suspended", actor=op, leaf=building, channel=H, places=xy, case_type="report"),
        accept=True,
    )
    services.case_suspend(actor=chief, case=suspended, reason=texts.SUSPEND_REASONS[0])
    emergency = m.intake(
        "emergency", actor=op, leaf=pipe, channel=Case.Channel.EMERGENCY, places=xmy, urgent=True
    )
    services.case_acknowledge(actor=chief, case=emergency)
    fangguan = m.cat.departments.get("fangguan")
    to_dept(emergency, pipe.department_id or (fangguan.pk if fangguan else None))
    escalated = m.intake(
        "escalated", actor=op, leaf=district, channel=H, places=xy, case_type="help"
    )
    services.case_file(actor=op, case=escalated)
    services.case_escalate(actor=chief, case=escalated, reason=texts.ESCALATE_REASONS[0])
    # The inspector: handled cases in its own grids to verify.
    for key, leaf in (("handled_garbage", garbage), ("handled_posters", posters),
                      ("handled_hawkers", hawkers)):  # fmt: skip
        case = to_dept(
            m.intake(key, actor=op, leaf=leaf, channel=H, places=patrol, case_type="complaint"),
            accept=True,
        )
        services.case_handle(actor=handler, case=case, result=texts.result(m.rng, leaf.kind))
    # The resident: one report in progress, one closed and waiting for a rating.
    residents = m.places_in(area=home)
    in_progress = to_dept(
        m.intake("resident_in_progress", actor=resident, leaf=shopfront, channel=R,
                 places=residents, reporter_user=resident), accept=True,
    )  # fmt: skip
    done = to_dept(
        m.intake("resident_closed", actor=resident, leaf=garbage, channel=R, places=residents,
                 reporter_user=resident), accept=True,
    )  # fmt: skip
    services.case_handle(actor=handler, case=done, result=texts.RESULTS["event"][2])
    verifier = inspector if done.station_id in access_for(inspector).station_ids else op
    services.case_verify(actor=verifier, case=done, passed=True, note=texts.VERIFY_PASS[0])
    m.out.tracking_codes = [in_progress.tracking_code, done.tracking_code]
    for case in m.out.cases.values():
        case.refresh_from_db()
    return m.out
