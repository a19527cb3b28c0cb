"""The wording of what sharing tells people, in Chinese first and English second, registered
with notifications when the app starts (`register()`); an administrator may override any of them
in the back office.

Variables: plate, resource (its name), valid_from, valid_to, position (on the waiting list),
outcome (warning / suspension, as words), closed_at (when the window closed), title, start
(a booking), state (its new state, as words), link, signature."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongzhi.notifications import registry
from gongzhi.notifications.defaults import EN, ZH, Wording, en, zh

SAMPLE_CONTEXT: dict[str, object] = {
    "plate": "沪A12345",
    "resource": "曹杨二中附属学校停车场",
    "valid_from": "2026-12-08",
    "valid_to": "2027-12-07",
    "position": 3,
    "outcome": "警告",
    "closed_at": "12-08 07:30",
    "title": "主题党日",
    "start": "12-12 09:00",
    "state": "已确认",
    "link": "/sharing/",
    "signature": "曹杨新村街道",
}

LABELS: dict[str, object] = {
    "parking_permit_issued": _("Resident: parking permit issued"),
    "parking_waitlisted": _("Resident: on the parking waiting list"),
    "parking_violation": _("Resident: parking violation"),
    "booking_decided": _("Booker: booking confirmed or cancelled"),
}


MESSAGES: dict[str, dict[str, Wording]] = {
    "parking_permit_issued": {
        ZH: zh(
            subject="错时停车证已发放（{{ plate }}）",
            body=(
                "您好！您的车辆{{ plate }}已获得{{ resource }}错时停车证，有效期"
                "{{ valid_from }}至{{ valid_to }}。请在开放时段内停放，上课日07:30前驶离。"
            ),
            sms="您的车辆{{ plate }}已获错时停车证，有效期至{{ valid_to }}，请在开放时段停放。",
        ),
        EN: en(
            subject="Off-peak parking permit issued ({{ plate }})",
            body=(
                "Your car {{ plate }} has an off-peak parking permit for {{ resource }} from "
                "{{ valid_from }} to {{ valid_to }}. Park within the opening hours and leave "
                "before 07:30 on school days."
            ),
            sms="Car {{ plate }}: off-peak parking permit until {{ valid_to }}.",
        ),
    },
    "parking_waitlisted": {
        ZH: zh(
            subject="错时停车候补通知（{{ plate }}）",
            body=(
                "您好！{{ resource }}错时停车本期摇号已完成，您的车辆{{ plate }}位列候补第"
                "{{ position }}位。有空余车位时将按顺序通知您。摇号输入和结果已公示，可随时复核。"
            ),
            sms="错时停车摇号已完成，车辆{{ plate }}候补第{{ position }}位，有空位将通知您。",
        ),
        EN: en(
            subject="Off-peak parking: waiting list ({{ plate }})",
            body=(
                "The lottery for {{ resource }} has been drawn: your car {{ plate }} is number "
                "{{ position }} on the waiting list. You will hear when a space frees up. The "
                "draw's inputs and result are published and can be re-run."
            ),
            sms="Parking lottery drawn: {{ plate }} is number {{ position }} on the waiting list.",
        ),
    },
    "parking_violation": {
        ZH: zh(
            subject="错时停车违规提醒（{{ plate }}）",
            body=(
                "您好！您的车辆{{ plate }}在{{ resource }}开放时段结束（{{ closed_at }}）后未按时"
                "驶离，记违规一次，处理：{{ outcome }}。如有异议，可在停车证页面申诉。"
            ),
            sms="车辆{{ plate }}于{{ closed_at }}后未驶离，记违规一次（{{ outcome }}），可在线申诉。",
        ),
        EN: en(
            subject="Off-peak parking violation ({{ plate }})",
            body=(
                "Your car {{ plate }} stayed at {{ resource }} after its window closed at "
                "{{ closed_at }}: one violation, {{ outcome }}. You may appeal on the permit's "
                "page."
            ),
            sms="Car {{ plate }} stayed past {{ closed_at }}: violation ({{ outcome }}). You may appeal.",
        ),
    },
    "booking_decided": {
        ZH: zh(
            subject="场地预约{{ state }}：{{ title }}",
            body="您好！您预约的{{ resource }}（{{ start }}，{{ title }}）{{ state }}。",
            sms="您预约的{{ resource }}（{{ start }}）{{ state }}。",
        ),
        EN: en(
            subject="Booking {{ state }}: {{ title }}",
            body="Your booking of {{ resource }} ({{ start }}, {{ title }}) is {{ state }}.",
            sms="Your booking of {{ resource }} ({{ start }}) is {{ state }}.",
        ),
    },
}


def register() -> None:
    registry.register_messages("sharing", MESSAGES, labels=LABELS, sample_context=SAMPLE_CONTEXT)
