"""The demo logins, one per role. `seed_demo` creates them; `demo` prints them."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "Caoyang#2026"  # noqa: S105 (published demo password)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # English role name, as in BRIEF.md
    who: str  # Chinese description for the printout
    access: str = ""  # the gongzhi.core.roles.Role the account's positions give it


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("operator", "grid-centre operator", "网格中心受理员/派遣员", "operator"),
    DemoAccount("duty_chief", "duty chief", "网格中心值班长", "duty_chief"),
    DemoAccount("dept_chengguan", "department handler", "城管中队处置人员", "department"),
    DemoAccount("inspector", "grid inspector", "第一网格工作站巡查员", "inspector"),
    DemoAccount(
        "secretary_xingmeiyuan", "residential-area secretary", "杏梅园居民区党总支书记", "area"
    ),
    DemoAccount("parttime_xingyang", "part-time committee member", "杏杨居民区兼职委员", "area"),
    DemoAccount(
        "liaison_school", "alliance member unit liaison", "曹杨二中附属学校联络员", "liaison"
    ),
    DemoAccount(
        "service_staff", "service-centre staff", "社区党建服务中心工作人员", "service_staff"
    ),
    DemoAccount("resident", "resident", "居民", "resident"),
    DemoAccount("leader", "leader", "街道党工委书记", "leader"),
    DemoAccount("auditor", "auditor", "审计员", "auditor"),
    DemoAccount("admin", "administrator", "系统管理员", "admin"),
]
