"""What the demo's cases say: descriptions by category and work-order type, handling results,
reasons for returns, extensions, suspensions and the rest. Synthetic, in the register of real
12345 work orders and grid-centre records."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .catalogue import Leaf

# Descriptions of the most frequent urban-management leaves; {place} is an address.
URBAN: dict[str, tuple[str, ...]] = {
    "E0102": (
        "{place}垃圾箱旁生活垃圾散落堆放，无人清运，气味较大。",
        "{place}有暴露垃圾堆积，影响环境卫生，请尽快清运。",
        "{place}绿化带内有装修垃圾和生活垃圾混堆。",
    ),
    "E0505": (
        "{place}机动车违章停放，占用消防通道。",
        "{place}人行道上长期停放机动车，行人只能走机动车道。",
        "{place}路口车辆乱停，早高峰造成拥堵。",
    ),
    "E0506": (
        "{place}共享单车大量堆放，占用盲道。",
        "{place}非机动车乱停放，堵塞人行道。",
    ),
    "E0504": (
        "{place}沿街商铺跨门经营，货物摆放到人行道上。",
        "{place}餐饮店在店外摆放桌椅经营，影响通行。",
    ),
    "E0201": (
        "{place}墙面、电线杆上张贴大量非法小广告。",
        "{place}楼道内被喷涂办证小广告。",
    ),
    "E0101": (
        "{place}底楼住户在绿地上私自搭建棚屋。",
        "{place}有人在屋顶违法搭建彩钢板房。",
    ),
    "E0103": ("{place}积存建筑渣土多日未清运。", "{place}路边堆放渣土，扬尘严重。"),
    "E0104": ("{place}路面有油污和垃圾，道路不洁。", "{place}人行道上落叶、杂物较多，未及时清扫。"),
    "E0501": ("{place}有无照流动摊贩占道经营。", "{place}傍晚有流动摊贩聚集兜售水果。"),
    "E0108": ("{place}废弃沙发、床垫随意丢弃在路边。", "{place}有废弃家具堆放在楼道口。"),
    "E0106": ("{place}绿地内杂物较多，环境脏乱。",),
    "E0301": (
        "{place}工地夜间施工，噪音扰民，居民无法休息。",
        "{place}装修施工超时作业，噪音较大。",
    ),
    "E0503": ("{place}有人占用人行道收购废品。",),
    "E0404": ("{place}下水道堵塞，污水外溢。", "{place}窨井堵塞，雨后路面积水严重。"),
    "E0401": ("{place}路面出现塌陷，存在安全隐患，已临时围挡。",),
    "E0402": ("{place}自来水管破裂，路面大量冒水。",),
    "E0403": ("{place}闻到明显燃气味，疑似燃气管道破裂。",),
    "B0101": ("{place}上水井盖破损，存在安全隐患。", "{place}上水井盖松动，车辆经过时响声很大。"),
    "B0102": ("{place}污水井盖缺失，已临时放置警示物。", "{place}污水井盖破损下沉。"),
    "B0103": ("{place}雨水井盖移位，有行人绊倒风险。",),
    "B0104": ("{place}雨水箅子破损，自行车轮易卡住。",),
    "B0305": ("{place}垃圾箱破损，垃圾外溢。", "{place}垃圾箱缺失，居民乱扔垃圾。"),
    "B0402": ("{place}行道树枝条过低，影响车辆通行。", "{place}行道树倾斜，有倒伏危险。"),
    "B0405": ("{place}绿地被踩踏，裸露黄土。",),
    "B0211": ("{place}交通护栏被撞倒，尚未修复。",),
    "B0214": ("{place}交通信号灯不亮，路口通行混乱。",),
    "B0401": ("{place}古树名木周边有人堆放杂物。",),
}
COMPONENT_GENERIC = (
    "{place}{name}损坏，需维修。",
    "{place}{name}破损缺失，存在安全隐患。",
    "{place}{name}松动，请派人检修。",
)
EVENT_GENERIC = (
    "{place}发现{name}问题，请相关部门处置。",
    "{place}存在{name}现象，影响周边居民。",
)
HOTLINE: dict[str, tuple[str, ...]] = {
    "consult": (
        "来电人咨询{name}相关政策及办理流程。",
        "来电咨询{name}方面的办理地点和所需材料。",
    ),
    "help": (
        "来电人称居住在{place}，在{name}方面遇到困难，请求帮助解决。",
        "来电反映{place}{name}问题，希望街道帮忙协调。",
    ),
    "complaint": (
        "来电投诉{place}{name}问题长期未解决，要求相关部门尽快处理。",
        "来电人反映{place}{name}问题，多次反映无果，情绪较激动，要求给予答复。",
    ),
    "report": (
        "来电举报{place}存在{name}方面的违规行为，请核查处理。",
        "来电人举报{place}有人违反{name}相关规定，要求查处。",
    ),
    "suggestion": (
        "来电建议加强{place}周边{name}方面的管理。",
        "来电人就{name}提出建议，希望相关部门予以考虑。",
    ),
}
DEPUTY = (
    "社区代表会议代表反映：{place}{name}问题，居民意见较大，建议尽快研究解决。",
    "区人大代表接待居民时收到意见：{place}{name}问题，请街道协调处理。",
)
RESULTS: dict[str, tuple[str, ...]] = {
    "component": (
        "已安排人员到场更换，设施恢复正常。",
        "已联系权属单位维修完毕。",
        "已现场加固，消除安全隐患。",
    ),
    "event": (
        "已到场处置，问题已整改。",
        "已责令当事人整改，现场恢复整洁。",
        "已组织人员清理完毕，并加强巡查。",
        "已现场劝离，后续纳入日常巡查。",
    ),
    "hotline": (
        "已联系来电人说明情况，并按规定办理。",
        "已到现场核实，问题已协调解决。",
        "已向来电人解释相关政策，来电人表示理解。",
        "已督促责任单位整改，整改结果已告知来电人。",
    ),
}
RETURN_REASONS = (
    "不属于本部门职责范围，请改派。",
    "属小区物业管理范围，建议派物业公司处置。",
    "地址不详，现场未找到问题点位，请核实后再派。",
    "该问题已由其他部门处置，建议改派。",
)
REDISPATCH_NOTE = "退单后改派"
EXTENSION_REASONS = (
    "需协调多个部门联合处置，申请延期。",
    "涉及维修材料采购，需延长处置时间。",
    "当事人暂不在本市，需延期上门处理。",
    "涉及施工审批，需等待审批结果。",
)
EXTENSION_APPROVED = ("同意延期。", "同意，请抓紧处置。", "")
EXTENSION_REFUSED = ("理由不充分，请按期处置。", "该问题影响较大，请按原时限处置。")
SUSPEND_REASONS = (
    "涉及工程改造，需纳入年度计划，暂作挂账处理。",
    "季节性问题，待条件具备后处置，暂作挂账。",
    "涉及历史遗留问题，需多部门研究，暂作挂账。",
)
RESUME_NOTES = ("工程已立项，恢复处置。", "条件已具备，恢复处置。", "")
ESCALATE_REASONS = (
    "超出街道处置权限，提请区级部门办理。",
    "涉及区级职能部门，上报区城运中心协调。",
)
DISTRICT_REPLIES = (
    "区相关部门已答复来电人并办理完毕。",
    "区职能部门已受理并处理，结果已告知来电人。",
    "经区级协调，问题已解决。",
)
NOT_ACCEPTED = (
    "不属于本街道受理范围，已告知来电人向相关部门反映。",
    "重复来电，此前已答复，不予受理。",
    "诉求内容不明确，多次联系来电人未果。",
)
MERGE_NOTE = "同一地点同一问题，合并处理。"
VERIFY_PASS = ("现场核查已整改到位。", "现场核查问题已解决。", "")
VERIFY_FAIL = (
    "现场复查未整改到位，请再处置。",
    "问题仍然存在，请重新处置。",
    "整改不彻底，请再处置。",
)
SUPERVISE = ("请加快处置进度，按时反馈。", "该件已超期，请责任单位说明原因并尽快办结。")
CALLBACK: dict[str, tuple[str, ...]] = {
    "satisfied": ("回访：对处理结果满意。", "回访：问题已解决，表示感谢。", ""),
    "basically": ("回访：基本满意，希望加强日常管理。", "回访：基本满意。"),
    "dissatisfied": (
        "回访：对处理结果不满意，认为问题未根本解决。",
        "回访：不满意，处理时间过长。",
    ),
}
DEPUTY_NAMES = ("区人大代表", "社区代表会议代表", "区政协委员", "区党代表")


def pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return options[rng.randrange(len(options))]


def description(rng: random.Random, leaf: Leaf, *, case_type: str, channel: str, place: str) -> str:
    """What the reporter says about a problem of the category `leaf` at `place`."""
    code, name, kind = leaf.code, leaf.name, leaf.kind
    if channel == "deputy":
        return pick(rng, DEPUTY).format(place=place, name=name)
    if kind == "hotline":
        return pick(rng, HOTLINE.get(case_type, HOTLINE["help"])).format(place=place, name=name)
    options = URBAN.get(code) or (COMPONENT_GENERIC if kind == "component" else EVENT_GENERIC)
    return pick(rng, options).format(place=place, name=name)


def result(rng: random.Random, kind: str) -> str:
    return pick(rng, RESULTS.get(kind, RESULTS["event"]))
