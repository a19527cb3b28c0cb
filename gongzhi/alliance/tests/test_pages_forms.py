"""Proposing projects, adding milestones, changing and withdrawing resources, recording joint
activities: through the pages, with their refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.alliance.models import JointActivity, Project, Resource
from gongzhi.alliance.tests.factories import AllianceFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def _member(org):
    org.alliance_joined_on = dt.date(2020, 1, 1)
    org.save()
    return org


def test_area_secretary_proposes_a_self_governance_project(client, world):
    client.force_login(world.other_secretary)
    r = client.post(
        reverse("alliance:project_new"),
        {
            "title": "杏杨绿益",
            "kind": "self_governance",
            "residential_area": world.area_b.pk,
            "milestones": "楼组长动员 2026-03-31\n绿植认领",
            "public": "on",
        },
    )
    p = Project.objects.get()
    assert r.status_code == 302 and p.owner_area == world.area_b and p.public
    assert [(m.title, m.due_on) for m in p.milestones.all()] == [
        ("楼组长动员", dt.date(2026, 3, 31)),
        ("绿植认领", None),
    ]
    # Another area's secretary may not propose one for 杏杨.
    client.force_login(world.secretary)
    r = client.post(
        reverse("alliance:project_new"),
        {"title": "x", "kind": "self_governance", "residential_area": world.area_b.pk},
    )
    assert r.status_code == 400 and Project.objects.count() == 1


def test_liaison_proposes_with_its_unit_and_adds_a_milestone(client, world):
    school = _member(world.orgs["school"])
    client.force_login(world.liaison)
    r = client.post(
        reverse("alliance:project_new"),
        {"title": "家长学校", "kind": "alliance", "units": [school.pk]},
    )
    p = Project.objects.get()
    assert r.status_code == 302 and p.parties.get().organisation == school
    client.post(reverse("alliance:milestone_new", args=[p.pk]), {"title": "开课"})
    assert p.milestones.get().title == "开课"
    client.force_login(world.other_secretary)
    client.post(reverse("alliance:milestone_new", args=[p.pk]), {"title": "不该有"})
    assert p.milestones.count() == 1


def test_resource_change_and_withdraw(client, world):
    own = ResourceFactory(owner=world.orgs["school"], kind="venue", title="礼堂")
    other = ResourceFactory(kind="venue", title="会议室")
    client.force_login(world.liaison)
    page = client.get(reverse("alliance:resource", args=[own.pk])).content.decode()
    assert 'data-testid="resource-edit"' in page
    assert (
        'data-testid="resource-edit"'
        not in client.get(reverse("alliance:resource", args=[other.pk])).content.decode()
    )
    client.post(
        reverse("alliance:resource_edit", args=[own.pk]),
        {"kind": "venue", "title": "学校礼堂", "capacity": "300"},
    )
    own.refresh_from_db()
    assert own.title == "学校礼堂" and own.capacity == 300
    r = client.post(
        reverse("alliance:resource_edit", args=[other.pk]), {"kind": "venue", "title": "改"}
    )
    assert r.status_code == 403
    assert client.post(reverse("alliance:resource_archive", args=[other.pk])).status_code == 403
    client.post(reverse("alliance:resource_archive", args=[own.pk]))
    assert Resource.objects.active().count() == 1 and Resource.objects.count() == 2


def test_record_a_joint_activity(client, world):
    AllianceFactory()
    school = _member(world.orgs["school"])
    client.force_login(world.liaison)
    client.post(
        reverse("alliance:activity_new"),
        {
            "kind": "welfare",
            "title": "爱心义诊",
            "held_on": "2026-05-01",
            "units": [school.pk],
            "participants": "40",
            "hours": "80",
        },
    )
    a = JointActivity.objects.get()
    assert a.title == "爱心义诊" and list(a.units.all()) == [school]
    client.force_login(world.resident_a)
    assert client.post(reverse("alliance:activity_new"), {"title": "x"}).status_code == 403


def test_staff_add_a_member_a_charter_version_and_record_a_leave(client, world):
    from gongzhi.alliance.models import CharterVersion, Membership

    a = AllianceFactory()
    client.force_login(world.liaison)
    assert client.post(reverse("alliance:member_new"), {}).status_code == 403
    client.force_login(world.leader)
    client.post(
        reverse("alliance:member_new"),
        {"organisation": world.orgs["school"].pk, "joined_on": "2024-09-01"},
    )
    m = Membership.objects.get()
    world.orgs["school"].refresh_from_db()
    assert world.orgs["school"].alliance_joined_on == dt.date(2024, 9, 1)
    client.post(
        reverse("alliance:charter_new"),
        {"text": "第一条", "dated_on": "2024-01-01", "approved_on": "2023-12-01"},
    )
    assert not CharterVersion.objects.exists()  # approved before its date: refused
    client.post(
        reverse("alliance:charter_new"),
        {
            "text": "第一条",
            "dated_on": "2024-01-01",
            "approved_on": "2024-01-15",
            "approved_by": "联席会议",
        },
    )
    client.post(
        reverse("alliance:charter_new"), {"text": "第一条\n第二条", "dated_on": "2025-01-01"}
    )
    assert list(
        CharterVersion.objects.filter(alliance=a)
        .values_list("number", flat=True)
        .order_by("number")
    ) == [1, 2]
    client.post(reverse("alliance:member_leave", args=[m.pk]))
    m.refresh_from_db()
    world.orgs["school"].refresh_from_db()
    assert m.left_on is not None and world.orgs["school"].alliance_joined_on is None


def test_a_joint_activity_is_recorded_with_its_photos_without_their_location(client, world):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from gongzhi.alliance.models import ActivityPhoto
    from gongzhi.audit.models import AuditEvent
    from gongzhi.cases.tests.test_pages_support import jpeg_bytes

    AllianceFactory()
    school = _member(world.orgs["school"])
    client.force_login(world.liaison)
    form = {
        "kind": "culture",
        "title": "迎新春联欢",
        "held_on": "2026-12-01",
        "units": [school.pk],
        "participants": "60",
        "hours": "0",
    }

    def photo(data=None):
        return SimpleUploadedFile("p.jpg", data or jpeg_bytes(gps=True), content_type="image/jpeg")

    # One file that is not a photo: the whole activity is refused, nothing kept.
    r = client.post(
        reverse("alliance:activity_new"),
        {**form, "photos": [photo(), photo(b"GIF89a not really")]},
        follow=True,
    )
    assert "只能上传照片" in r.content.decode()
    assert not JointActivity.objects.exists() and not ActivityPhoto.objects.exists()
    client.post(reverse("alliance:activity_new"), {**form, "photos": [photo(), photo()]})
    activity = JointActivity.objects.get()
    shots = list(activity.photos.all())
    assert len(shots) == 2
    assert AuditEvent.objects.for_object(shots[0]).filter(action="create").exists()
    page = client.get(reverse("alliance:index")).content.decode()
    assert reverse("alliance:activity_photo", args=[shots[0].pk, "thumb"]) in page
    body = b"".join(
        client.get(reverse("alliance:activity_photo", args=[shots[0].pk, "full"])).streaming_content
    )
    with Image.open(BytesIO(body)) as img:
        assert not img.getexif()
    client.logout()
    url = reverse("alliance:activity_photo", args=[shots[0].pk, "full"])
    assert client.get(url).status_code in (302, 404)
