"""Every policy says where its rows' subdistrict is (or that every subdistrict shares them), so
that an installation serving several subdistricts narrows every scope to the user's own."""

from __future__ import annotations

from django.apps import apps

from gongzhi.core import permissions

# Not declared yet: each domain declares its own, and this list only shrinks.
PENDING = {
    "accounts.User",
    "alliance.Alliance",
    "alliance.CharterVersion",
    "alliance.DualRegistrationYear",
    "alliance.JointActivity",
    "alliance.Membership",
    "alliance.Milestone",
    "alliance.Need",
    "alliance.Project",
    "alliance.ProjectEvaluation",
    "alliance.ProjectEvent",
    "alliance.ProjectParty",
    "alliance.Resource",
    "api.ApiToken",
    "audit.AuditEvent",
    "meetings.ActionItem",
    "meetings.ActionItemEvent",
    "meetings.AgendaItem",
    "meetings.Attachment",
    "meetings.Body",
    "meetings.BodyMember",
    "meetings.Course",
    "meetings.Invitation",
    "meetings.Meeting",
    "meetings.Opinion",
    "meetings.ReceptionDay",
    "meetings.ReceptionOpinion",
    "meetings.Schedule",
    "meetings.Topic",
    "meetings.TrainingAttendance",
    "meetings.TrainingSession",
    "meetings.Vote",
    "meetings.VoteParticipation",
    "meetings.VoteTally",
    "notifications.Notification",
    "servicecentre.CatalogueItem",
    "servicecentre.Event",
    "servicecentre.Feedback",
    "servicecentre.Menu",
    "servicecentre.MenuItem",
    "servicecentre.Opportunity",
    "servicecentre.Order",
    "servicecentre.PointsEntry",
    "servicecentre.Programme",
    "servicecentre.Registration",
    "servicecentre.Room",
    "servicecentre.ServiceLog",
    "servicecentre.ServicePoint",
    "servicecentre.Shift",
    "servicecentre.ShiftSignup",
    "servicecentre.Volunteer",
    "sharing.AvailabilityException",
    "sharing.AvailabilityWindow",
    "sharing.Booking",
    "sharing.Draw",
    "sharing.GateEvent",
    "sharing.Permit",
    "sharing.PermitApplication",
    "sharing.ProofDocument",
    "sharing.SharedResource",
    "sharing.Violation",
}


def _label(model: type) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def test_every_registered_policy_says_where_its_subdistrict_is() -> None:
    undeclared = sorted(
        _label(model)
        for model, policy in permissions._policies.items()
        if policy.subdistrict_path is None
        and type(policy).subdistrict_q is permissions.Policy.subdistrict_q
    )
    assert [m for m in undeclared if m not in PENDING] == [], (
        "These policies do not say where their rows' subdistrict is: set `subdistrict_path` "
        "(a lookup such as 'case__subdistrict', or SHARED) or override `subdistrict_q()`: "
        + ", ".join(m for m in undeclared if m not in PENDING)
    )
    declared_now = sorted(PENDING - set(undeclared))
    assert declared_now == [], f"Declared now, take them off PENDING: {declared_now}"


def test_every_declared_path_resolves_to_a_subdistrict() -> None:
    """A path that names no relation would only fail on a multi-subdistrict installation."""
    subdistrict = apps.get_model("places", "Subdistrict")
    for model, policy in permissions._policies.items():
        path = policy.subdistrict_path
        if not path:
            continue
        target: type = model
        for part in path.split("__"):
            field = target._meta.get_field(part)
            target = field.related_model or target
        assert target is subdistrict, f"{_label(model)}: {path} does not lead to a subdistrict"
