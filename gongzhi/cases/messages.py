"""The wording of every message the grid centre sends, in Chinese first and English second,
written in code and registered with notifications when the app starts (`register()`).

An administrator may override any of them in the back office (MessageTemplate); without a row
there, these are used. Each message has a subject, a body (in the app and by email) and a short
SMS text (at most 70 Chinese characters with a real case number, so it goes as one SMS).

Variables (Django template syntax): number (the case), own_number (the reporter's own case: it
differs from number when the case was merged), title, state, tracking_code (for the public
tracking page), note (the reason, opinion or result written with the step), approved (extension
decisions), link (the page to open), signature (the subdistrict, as the SMS gateway signs).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.notifications import registry
from gongzhi.notifications.defaults import EN, ZH, Wording, en, zh

from .models import Case

# A realistic context: what validation renders templates against, and the SMS length test uses.
SAMPLE_CONTEXT: dict[str, object] = {
    "number": "CY2026-000123",
    "own_number": "CY2026-000123",
    "title": "兰溪路垃圾箱旁暴露垃圾",
    "state": "已派遣",
    "tracking_code": "K7M2Q9RX4T",
    "note": "已安排清运",
    "approved": True,
    "link": "/cases/track/K7M2Q9RX4T/",
    "signature": "曹杨新村街道",
}

# What each message is for (shown in the back office next to the key).
KEY_LABELS: dict[str, object] = {
    "case_received": _("Reporter: report received"),
    "case_filed": _("Reporter: case filed"),
    "case_dispatched": _("Reporter: case dispatched"),
    "case_closed": _("Reporter: case closed"),
    "case_handled": _("Reporter: the district's result"),
    "case_not_accepted": _("Reporter: not accepted"),
    "case_reopened": _("Reporter: case reopened"),
    "case_rate_request": _("Reporter: please rate the outcome"),
    "case_dispatched_staff": _("Department: new case dispatched"),
    "extension_requested": _("Duty chief: extension requested"),
    "extension_decided": _("Department: extension decided"),
    "case_returned": _("Operators: case returned"),
    "verification_needed": _("Inspector: verify on site"),
    "case_dissatisfied": _("Duty chief: reporter dissatisfied"),
    "case_supervised": _("Department: case under supervision"),
    "case_overdue": _("Department and leaders: case overdue"),
    "emergency_paged": _("Duty chief: urgent case"),
    "emergency_escalated": _("Centre and leaders: urgent case not acknowledged"),
}

_T = "{% if title %}「{{ title }}」{% endif %}"
_T_EN = '{% if title %} "{{ title }}"{% endif %}'
_MERGED = "{% if own_number != number %}该问题已与同类问题{{ number }}合并办理。{% endif %}"
_MERGED_EN = (
    "{% if own_number != number %} It is being handled together with case {{ number }}.{% endif %}"
)


MESSAGES: dict[str, dict[str, Wording]] = {
    # --- Reporters ---------------------------------------------------------------------------
    "case_received": {
        ZH: zh(
            subject="您反映的问题已受理（{{ own_number }}）",
            body=(
                "您好！您反映的问题" + _T + "已由{{ signature }}网格化综合管理中心受理，"
                "编号{{ own_number }}。我们将尽快核实立案，办理进展将及时告知您。"
                "查询码：{{ tracking_code }}。"
            ),
            sms="您反映的问题已受理，编号{{ own_number }}，查询码{{ tracking_code }}。办理进展将及时告知。",
        ),
        EN: en(
            subject="We have received your report ({{ own_number }})",
            body=(
                "Thank you. Your report" + _T_EN + " has been received by the grid management "
                "centre of {{ signature }} as case {{ own_number }}. We will check and file it "
                "soon and keep you informed. Tracking code: {{ tracking_code }}."
            ),
            sms="Report received: case {{ own_number }}, tracking code {{ tracking_code }}.",
        ),
    },
    "case_filed": {
        ZH: zh(
            subject="您反映的问题已立案（{{ own_number }}）",
            body=(
                "您好！您反映的问题（编号{{ own_number }}）"
                + _T
                + "已立案，我们将尽快派单处理。"
                + _MERGED
                + "您可凭查询码{{ tracking_code }}查询办理进度。"
            ),
            sms="您反映的问题（编号{{ own_number }}）已立案，我们将尽快处理。查询码：{{ tracking_code }}",
        ),
        EN: en(
            subject="Your report has been filed ({{ own_number }})",
            body=(
                "Your report (case {{ own_number }})" + _T_EN + " has been filed and will be "
                "dispatched for handling soon." + _MERGED_EN + " Follow it with the tracking code "
                "{{ tracking_code }}."
            ),
            sms="Case {{ own_number }} filed; we will handle it soon. Tracking code {{ tracking_code }}.",
        ),
    },
    "case_dispatched": {
        ZH: zh(
            subject="您反映的问题已派单处理（{{ own_number }}）",
            body=(
                "您好！您反映的问题（编号{{ own_number }}）" + _T + "已派至相关职能部门处理，"
                "请耐心等待。办理结果将及时告知您。" + _MERGED
            ),
            sms="您反映的问题（编号{{ own_number }}）已派至相关部门处理，请耐心等待。查询码：{{ tracking_code }}",
        ),
        EN: en(
            subject="Your report has been dispatched ({{ own_number }})",
            body=(
                "Your report (case {{ own_number }})" + _T_EN + " has been dispatched to the "
                "responsible department. We will tell you the result." + _MERGED_EN
            ),
            sms="Case {{ own_number }} dispatched to the responsible department.",
        ),
    },
    "case_closed": {
        ZH: zh(
            subject="您反映的问题已办结（{{ own_number }}）",
            body=(
                "您好！您反映的问题（编号{{ own_number }}）" + _T + "已处理完毕，经现场核查后"
                "予以结案。感谢您对社区治理的关心和支持！" + _MERGED
            ),
            sms="您反映的问题（编号{{ own_number }}）已处理完毕并核查结案，感谢您的支持！",
        ),
        EN: en(
            subject="Your report has been closed ({{ own_number }})",
            body=(
                "Your report (case {{ own_number }})" + _T_EN + " has been handled, verified on "
                "site and closed. Thank you for helping to look after the community." + _MERGED_EN
            ),
            sms="Case {{ own_number }} handled, verified and closed. Thank you.",
        ),
    },
    "case_rate_request": {
        ZH: zh(
            subject="请您评价办理结果（{{ own_number }}）",
            body=(
                "您好！您反映的问题（编号{{ own_number }}）已办结。请您对办理结果作出评价"
                "（满意／基本满意／不满意），您的意见将帮助我们改进工作。"
                "可凭查询码{{ tracking_code }}在线评价。"
            ),
            sms="您反映的问题（编号{{ own_number }}）已办结，请凭查询码{{ tracking_code }}对办理结果进行评价。",
        ),
        EN: en(
            subject="Please rate how we handled your report ({{ own_number }})",
            body=(
                "Your report (case {{ own_number }}) has been closed. Please tell us whether you "
                "are satisfied, basically satisfied or dissatisfied with the outcome; it helps us "
                "improve. Rate it online with the tracking code {{ tracking_code }}."
            ),
            sms="Case {{ own_number }} closed. Please rate it with tracking code {{ tracking_code }}.",
        ),
    },
    "case_handled": {
        ZH: zh(
            subject="您反映的问题已有办理结果（{{ own_number }}）",
            body=(
                "您好！您反映的问题（编号{{ own_number }}）" + _T + "已由区级部门办理。"
                "{% if note %}办理结果：{{ note }}{% endif %}"
            ),
            sms="您反映的问题（编号{{ own_number }}）已有办理结果，请凭查询码{{ tracking_code }}查看。",
        ),
        EN: en(
            subject="There is a result for your report ({{ own_number }})",
            body=(
                "Your report (case {{ own_number }})" + _T_EN + " has been handled by the "
                "district.{% if note %} Result: {{ note }}{% endif %}"
            ),
            sms="Case {{ own_number }} has a result: see it with tracking code {{ tracking_code }}.",
        ),
    },
    "case_not_accepted": {
        ZH: zh(
            subject="您反映的问题不予受理（{{ own_number }}）",
            body=(
                "您好！经核实，您反映的问题（编号{{ own_number }}）" + _T + "不属于本中心"
                "受理范围，不予受理。{% if note %}原因：{{ note }}{% endif %}"
                "如有疑问，请拨打12345市民服务热线。"
            ),
            sms="您反映的问题（编号{{ own_number }}）经核实不予受理，详情请凭查询码{{ tracking_code }}查看。",
        ),
        EN: en(
            subject="Your report was not accepted ({{ own_number }})",
            body=(
                "Your report (case {{ own_number }})" + _T_EN + " is outside what the centre "
                "handles and was not accepted.{% if note %} Reason: {{ note }}{% endif %} "
                "For questions, call the 12345 citizen hotline."
            ),
            sms="Case {{ own_number }} was not accepted; see why with tracking code {{ tracking_code }}.",
        ),
    },
    "case_reopened": {
        ZH: zh(
            subject="您反映的问题已重新办理（{{ own_number }}）",
            body=(
                "您好！您反映的问题（编号{{ own_number }}）" + _T + "已重新启动办理，"
                "我们将督促相关部门尽快处理到位。"
            ),
            sms="您反映的问题（编号{{ own_number }}）已重新办理，我们将督促相关部门尽快处理。",
        ),
        EN: en(
            subject="Your report has been reopened ({{ own_number }})",
            body=(
                "Your report (case {{ own_number }})" + _T_EN + " has been reopened; we will see "
                "that the department deals with it properly."
            ),
            sms="Case {{ own_number }} reopened; we will follow it up with the department.",
        ),
    },
    # --- Staff -----------------------------------------------------------------------------
    "case_dispatched_staff": {
        ZH: zh(
            subject="新派单：{{ number }}",
            body="案件{{ number }}" + _T + "已派至本部门，请及时签收，并在时限内处置反馈。",
            sms="新派单{{ number }}，请及时签收处置。",
        ),
        EN: en(
            subject="New case dispatched: {{ number }}",
            body=(
                "Case {{ number }}" + _T_EN + " has been dispatched to your department. "
                "Please accept it and report the result within the time limit."
            ),
            sms="New case {{ number }} dispatched to you.",
        ),
    },
    "extension_requested": {
        ZH: zh(
            subject="延期申请待审批：{{ number }}",
            body=(
                "案件{{ number }}" + _T + "的处置部门申请延期"
                "{% if note %}，理由：{{ note }}{% endif %}。请及时审批。"
            ),
            sms="案件{{ number }}申请延期，请及时审批。",
        ),
        EN: en(
            subject="Extension requested: {{ number }}",
            body=(
                "The department handling case {{ number }}" + _T_EN + " asks for an extension."
                "{% if note %} Reason: {{ note }}{% endif %} Please decide."
            ),
            sms="Extension requested for case {{ number }}.",
        ),
    },
    "extension_decided": {
        ZH: zh(
            subject="{% if approved %}延期申请已批准{% else %}延期申请未获批准{% endif %}：{{ number }}",
            body=(
                "案件{{ number }}" + _T + "的延期申请"
                "{% if approved %}已批准，请在新的时限内处置完毕{% else %}未获批准，请按原时限处置"
                "{% endif %}。{% if note %}审批意见：{{ note }}{% endif %}"
            ),
            sms="案件{{ number }}延期申请{% if approved %}已批准{% else %}未获批准{% endif %}。",
        ),
        EN: en(
            subject="Extension {% if approved %}approved{% else %}refused{% endif %}: {{ number }}",
            body=(
                "The extension for case {{ number }}" + _T_EN + " was "
                "{% if approved %}approved: finish within the new time limit."
                "{% else %}refused: the original time limit stands.{% endif %}"
                "{% if note %} Comment: {{ note }}{% endif %}"
            ),
            sms="Extension for case {{ number }} {% if approved %}approved{% else %}refused{% endif %}.",
        ),
    },
    "case_returned": {
        ZH: zh(
            subject="退单待处理：{{ number }}",
            body=(
                "案件{{ number }}" + _T + "被处置部门退回"
                "{% if note %}，理由：{{ note }}{% endif %}。请重新核实后派单。"
            ),
            sms="案件{{ number }}被退单，请重新核实派单。",
        ),
        EN: en(
            subject="Case returned: {{ number }}",
            body=(
                "Case {{ number }}" + _T_EN + " was returned by the department."
                "{% if note %} Reason: {{ note }}{% endif %} Please check it and dispatch again."
            ),
            sms="Case {{ number }} was returned; please dispatch again.",
        ),
    },
    "verification_needed": {
        ZH: zh(
            subject="待核查：{{ number }}",
            body="案件{{ number }}" + _T + "已处置完毕，请尽快到现场核查。",
            sms="案件{{ number }}已处置，请尽快现场核查。",
        ),
        EN: en(
            subject="Verify on site: {{ number }}",
            body="Case {{ number }}" + _T_EN + " has been handled. Please verify it on site soon.",
            sms="Case {{ number }} handled: please verify on site.",
        ),
    },
    "case_dissatisfied": {
        ZH: zh(
            subject="不满意评价：{{ number }}",
            body=(
                "案件{{ number }}" + _T + "的反映人对办理结果不满意，"
                "请研判是否重新办理，并安排回访。"
            ),
            sms="案件{{ number }}反映人评价不满意，请研判处理。",
        ),
        EN: en(
            subject="Reporter dissatisfied: {{ number }}",
            body=(
                "The reporter of case {{ number }}" + _T_EN + " is dissatisfied with the "
                "outcome. Please decide whether to reopen it and arrange a callback."
            ),
            sms="Reporter of case {{ number }} is dissatisfied.",
        ),
    },
    "case_supervised": {
        ZH: zh(
            subject="督办：{{ number }}",
            body=(
                "案件{{ number }}" + _T + "已被督办"
                "{% if note %}，督办意见：{{ note }}{% endif %}。请加快处置并及时反馈。"
            ),
            sms="案件{{ number }}已被督办，请加快处置。",
        ),
        EN: en(
            subject="Under supervision: {{ number }}",
            body=(
                "Case {{ number }}" + _T_EN + " is now under supervision."
                "{% if note %} Instruction: {{ note }}{% endif %} Please speed up and report back."
            ),
            sms="Case {{ number }} is under supervision.",
        ),
    },
    "case_overdue": {
        ZH: zh(
            subject="超期提醒：{{ number }}",
            body=(
                "案件{{ number }}" + _T + "已超过办理时限"
                "{% if state %}（当前环节：{{ state }}）{% endif %}，请立即处置。"
            ),
            sms="案件{{ number }}已超期，请立即处置。",
        ),
        EN: en(
            subject="Overdue: {{ number }}",
            body=(
                "Case {{ number }}" + _T_EN + " is past its time limit"
                "{% if state %} (now: {{ state }}){% endif %}. Please act at once."
            ),
            sms="Case {{ number }} is overdue.",
        ),
    },
    "emergency_paged": {
        ZH: zh(
            subject="【紧急】{{ number }}",
            body="紧急案件{{ number }}" + _T + "已受理，请值班长立即响应。",
            sms="紧急案件{{ number }}待响应，请立即处理。",
        ),
        EN: en(
            subject="URGENT: {{ number }}",
            body="Urgent case {{ number }}" + _T_EN + " has been received. Please respond at once.",
            sms="URGENT case {{ number }}: respond at once.",
        ),
    },
    "emergency_escalated": {
        ZH: zh(
            subject="【紧急·升级】{{ number }}",
            body="紧急案件{{ number }}" + _T + "超时未响应，已升级通报，请立即处置。",
            sms="紧急案件{{ number }}超时未响应，请立即处置。",
        ),
        EN: en(
            subject="URGENT, not acknowledged: {{ number }}",
            body=(
                "Nobody acknowledged urgent case {{ number }}" + _T_EN + " in time; it has been "
                "escalated. Please act at once."
            ),
            sms="URGENT case {{ number }} not acknowledged: act at once.",
        ),
    },
}


def prepare_context(context: dict[str, Any], target: Any) -> dict[str, Any]:
    """own_number is the case's number unless told otherwise; the state of the case the notice
    is about is named in the recipient's language (this runs with it active)."""
    context.setdefault("number", "")
    context.setdefault("own_number", context["number"])
    if "state" in context and isinstance(target, Case) and target.number == context.get("number"):
        context["state"] = target.get_state_display()
    return context


def open_label(case: Any) -> str:
    return gettext("Open case %(number)s") % {"number": case.number}


def register() -> None:
    registry.register_messages(
        "cases",
        MESSAGES,
        labels=KEY_LABELS,
        sample_context=SAMPLE_CONTEXT,
        prepare=prepare_context,
    )
    registry.register_target(Case, open_label=open_label)
