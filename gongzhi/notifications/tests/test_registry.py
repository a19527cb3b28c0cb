"""Each domain registers its own messages: a made-up domain ("patrol", about places' grids)
adds a message from outside notifications, and notifications validates, edits, renders and
sends it like the case workflow's own."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.cases.messages import MESSAGES
from gongzhi.notifications import registry, services
from gongzhi.notifications.checks import check_notifications
from gongzhi.notifications.defaults import EN, ZH, Wording
from gongzhi.notifications.models import MessageTemplate, Notification
from gongzhi.org.models import Organisation
from gongzhi.places.models import Grid

PATROL_MESSAGES = {
    "grid_patrol_due": {
        ZH: Wording(
            subject="巡查提醒：{{ grid }}",
            body="{{ grid }}本周尚未巡查，请于{{ due }}前完成巡查并上报。",
            sms="【{{ signature }}】{{ grid }}本周尚未巡查，请于{{ due }}前完成。",
        ),
        EN: Wording(
            subject="Patrol due: {{ grid }}",
            body="Nobody has patrolled {{ grid }} this week. Please patrol it by {{ due }}.",
            sms="[{{ signature }}] Patrol {{ grid }} by {{ due }}.",
        ),
    }
}
PATROL_SAMPLE = {"grid": "杏梅园1号网格", "due": "周五"}


@pytest.fixture
def patrol():
    """The made-up domain, registered the way a domain's AppConfig.ready() would."""
    registry.register_messages(
        "patrol",
        PATROL_MESSAGES,
        labels={"grid_patrol_due": "Inspector: patrol due"},
        sample_context=PATROL_SAMPLE,
    )
    registry.register_target(Grid, open_label=lambda grid: f"打开网格：{grid.name}")
    yield
    registry.unregister_messages("patrol")
    registry.unregister_target(Grid)


def test_the_case_workflow_registers_its_messages_from_its_own_app():
    assert registry.keys("cases") == list(MESSAGES)
    assert registry.domain_of("case_filed").name == "cases"
    assert registry.wording("case_filed", "en") == MESSAGES["case_filed"][EN]
    assert registry.wording("case_filed", "fr") == MESSAGES["case_filed"][ZH]
    assert "tracking_code" in registry.variables("case_filed")


def test_a_made_up_domain_renders_its_message_in_both_languages(db, patrol):
    _, zh = services.render("grid_patrol_due", PATROL_SAMPLE, channel="sms", language=ZH)
    assert zh == "【曹杨新村街道】杏梅园1号网格本周尚未巡查，请于周五前完成。"
    subject, _ = services.render("grid_patrol_due", PATROL_SAMPLE, language=EN)
    assert subject == "Patrol due: 杏梅园1号网格"
    assert "grid_patrol_due" in registry.keys()
    assert registry.keys("patrol") == ["grid_patrol_due"]


def test_a_key_belongs_to_one_domain(patrol):
    with pytest.raises(ImproperlyConfigured, match="already registered by 'cases'"):
        registry.register_messages(
            "patrol", {"case_filed": PATROL_MESSAGES["grid_patrol_due"]}, sample_context={}
        )
    with pytest.raises(ImproperlyConfigured, match="not a Wording"):
        registry.register_messages("patrol", {"x": {ZH: "纯文本"}}, sample_context={})
    # The refused registrations changed nothing.
    assert registry.domain_of("case_filed").name == "cases"
    assert registry.keys("patrol") == ["grid_patrol_due"]


def test_a_message_without_english_is_reported_by_the_system_check(patrol):
    assert not [m for m in check_notifications() if m.id == "notifications.W001"]
    registry.register_messages(
        "patrol",
        {"grid_patrol_due": {ZH: PATROL_MESSAGES["grid_patrol_due"][ZH]}},
        sample_context=PATROL_SAMPLE,
    )
    warnings = [m for m in check_notifications() if m.id == "notifications.W001"]
    assert [w.msg for w in warnings] == ["Message 'grid_patrol_due' has no default wording in en."]


def _admin_form(**overrides):
    data = {
        "key": "grid_patrol_due",
        "channel": "sms",
        "language": "zh-hans",
        "subject": "",
        "body": "【{{ signature }}】请于{{ due }}前巡查{{ grid }}。",
        "note": "",
    }
    data.update(overrides)
    return data


def test_the_back_office_edits_a_made_up_domains_message(client, world, patrol):
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("admin:notifications_messagetemplate_add")).content.decode()
    assert "grid_patrol_due · Inspector: patrol due" in page
    assert "case_filed · Reporter: case filed" in page
    response = client.post(reverse("admin:notifications_messagetemplate_add"), _admin_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    _, body = services.render(
        "grid_patrol_due", {"grid": "兰溪路2号网格", "due": "明天"}, channel="sms", language=ZH
    )
    assert body == "【曹杨新村街道】请于明天前巡查兰溪路2号网格。"
    listing = client.get(reverse("admin:notifications_messagetemplate_changelist"))
    assert listing.status_code == 200  # the filter by message lists the domain's key
    assert '?key__exact=grid_patrol_due">grid_patrol_due · Inspector' in listing.content.decode()


def test_an_edited_template_may_use_only_its_own_domains_variables(client, world, patrol):
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("admin:notifications_messagetemplate_add"),
        _admin_form(body="{{ grid }}：案件{{ number }}"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown variable: number" in html and "due, grid, link, signature" in html
    assert not MessageTemplate.objects.exists()


def test_a_made_up_domain_sends_a_notice_about_one_of_its_own_objects(
    client, world, patrol, django_capture_on_commit_callbacks
):
    grid = world.grids["a1"]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            template="grid_patrol_due",
            context={"grid": grid.name, "due": "周五"},
            user=world.inspector,
            phone="13812345678",
            channels=("in_app", "sms"),
            link="/org/chart/",
            target=grid,
        )
    about = Notification.objects.for_object(grid)
    notice = about.get(channel="in_app")
    assert notice.target == grid and notice.target_repr == "310107005001001 杏梅园一"
    assert notice.subject == "巡查提醒：杏梅园一"
    sms = about.get(channel="sms")
    assert (
        sms.status == "sent"
        and sms.body == "【曹杨新村街道】杏梅园一本周尚未巡查，请于周五前完成。"
    )
    # Another grid, or an object of another model with the same id, has no notices.
    assert not Notification.objects.for_object(world.grids["a2"]).exists()
    assert not Notification.objects.for_object(Organisation(pk=grid.pk)).exists()

    client.force_login(world.inspector)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "巡查提醒：杏梅园一" in html and "打开网格：杏梅园一" in html


def test_a_notice_about_an_object_its_domain_does_not_name_opens_plainly(client, world):
    services.notify(
        template="no_such_message",
        context={"text": "请查看组织架构"},
        user=world.handler,
        channels=("in_app",),
        link="/org/chart/",
        target=world.orgs["chengguan"],
    )
    notice = Notification.objects.for_object(world.orgs["chengguan"]).get()
    assert notice.open_label == "" and notice.body == "请查看组织架构"
    client.force_login(world.handler)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-testid="notice-open">打开</button>' in html


def test_the_case_domain_names_the_state_in_each_recipients_language(centre):
    case = centre.intake()
    for username, language in (("reader_en", "en"), ("reader_zh", "zh-hans")):
        services.notify(
            template="case_overdue",
            context={"number": case.number, "state": "as the worker named it"},
            user=UserFactory(username=username, language=language),
            channels=("in_app",),
            target=case,
        )
    about = Notification.objects.for_object(case)
    with translation.override("en"):
        assert f"(now: {case.get_state_display()})" in about.get(language="en").body
    with translation.override("zh-hans"):
        assert f"（当前环节：{case.get_state_display()}）" in about.get(language="zh-hans").body
