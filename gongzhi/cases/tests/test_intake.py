from __future__ import annotations

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.tests.factories import CategoryFactory
from gongzhi.core.errors import ServiceError
from gongzhi.testing.geometry import lnglat


def hotline(centre, **kw):
    fields = {
        "channel": Case.Channel.HOTLINE,
        "type": Case.Type.COMPLAINT,
        "category": centre.garbage,
        "description": "小区门口垃圾无人清运",
        "address": "兰溪路100弄",
        "external_ref": "12345-2026-0000917",
        "reporter_name": "张三",
        "reporter_phone": "13812345678",
    }
    fields.update(kw)
    return services.case_intake(actor=centre.world.operator, **fields)


def test_the_same_12345_work_order_filed_twice_returns_the_existing_case(centre):
    first = hotline(centre)
    second = hotline(centre, description="重复推送的同一工单")
    assert first.created and not second.created
    assert second.case.pk == first.case.pk
    assert Case.objects.count() == 1
    assert second.case.description == "小区门口垃圾无人清运"


def test_the_same_reference_on_another_channel_is_another_case(centre):
    hotline(centre)
    other = hotline(centre, channel=Case.Channel.DEPUTY)
    assert other.created and Case.objects.count() == 2


def test_intake_routes_to_grid_area_station_and_suggests_the_department(centre):
    w = centre.world
    case = centre.intake(grid="b2")
    assert (
        case.grid == w.grids["b2"]
        and case.residential_area == w.area_b
        and case.station == w.station_b
    )
    routing = services.route(category_id=centre.garbage.pk, lat=case.lat, lng=case.lng)
    assert routing.department_id == w.orgs["chengguan"].pk  # inherited from the parent category
    assert (
        services.route(category_id=centre.manhole.pk, lat=None, lng=None).department_id
        == w.orgs["fangguan"].pk
    )


def test_numbers_are_sequential_and_readable(centre):
    a, b = centre.intake(), centre.intake(description="另一处暴露垃圾")
    assert a.number.startswith("CY2026-") or a.number[:2] == "CY"
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1
    assert a.tracking_code != b.tracking_code and len(a.tracking_code) == 10


def test_intake_writes_the_timeline_and_the_audit_trail_with_the_phone_masked(centre):
    case = hotline(centre).case
    assert CaseEvent.objects.filter(case=case, action="receive").exists()
    event = AuditEvent.objects.for_object(case).get(action="create")
    assert event.actor == centre.world.operator
    assert event.changes["reporter_phone"]["after"] == "138****5678"
    assert case.due_at is not None


def test_a_point_outside_the_subdistrict_is_refused_and_nothing_is_written(centre):
    lng, lat = lnglat(5000, 5000)
    with pytest.raises(ServiceError) as exc:
        centre.intake(lat=lat, lng=lng)
    assert "location" in exc.value.field_errors
    assert (
        Case.objects.count() == 0
        and AuditEvent.objects.filter(action="create", object_repr__startswith="CY").count() == 0
    )


@pytest.mark.parametrize(
    "change,field",
    [
        ({"description": "   "}, "description"),
        ({"description": "很长" * 2001}, "description"),
        ({"reporter_phone": "12345"}, "reporter_phone"),
        ({"category": 999999}, "category"),
        ({"type": "gossip"}, "type"),
        ({"lat": "north", "lng": "east"}, "location"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(centre, change, field):
    with pytest.raises(ServiceError) as exc:
        hotline(centre, external_ref="", **change)
    assert field in exc.value.field_errors
    assert str(exc.value.message)
    assert Case.objects.count() == 0


def test_only_leaf_categories_are_accepted(centre):
    with pytest.raises(ServiceError):
        hotline(centre, category=centre.garbage.parent)


def test_residents_cannot_report_staff_only_categories(centre):
    hidden = CategoryFactory(
        code="E0199", name="内部事项", parent=centre.garbage.parent, level=2, public=False
    )
    with pytest.raises(ServiceError):
        centre.intake(channel=Case.Channel.RESIDENT, category=hidden, actor=None)


def test_html_in_descriptions_is_dropped(centre):
    case = hotline(
        centre, description="<script>alert(1)</script>井盖<b>缺失</b>", external_ref=""
    ).case
    assert "<" not in case.description and "井盖缺失" in case.description


def test_anonymous_reports_keep_no_name(centre):
    case = hotline(centre, anonymous=True, external_ref="").case
    assert case.reporter_name == "" and case.anonymous


def test_an_urgent_report_pages_the_duty_chief(centre, django_capture_on_commit_callbacks):
    from gongzhi.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        case = centre.intake(urgency=Case.Urgency.URGENT)
    assert CaseEvent.objects.filter(case=case, action="emergency_page").exists()
    assert (
        Notification.objects.for_object(case)
        .filter(recipient=centre.world.duty_chief, template="emergency_paged")
        .exists()
    )
