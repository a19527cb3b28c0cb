"""Every policy says where its rows' subdistrict is (or that every subdistrict shares them), so
that an installation serving several subdistricts narrows every scope to the user's own."""

from __future__ import annotations

from django.apps import apps

from gongzhi.core import permissions


def _label(model: type) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def test_every_registered_policy_says_where_its_subdistrict_is() -> None:
    undeclared = sorted(
        _label(model)
        for model, policy in permissions._policies.items()
        if policy.subdistrict_path is None
        and type(policy).subdistrict_q is permissions.Policy.subdistrict_q
    )
    assert undeclared == [], (
        "These policies do not say where their rows' subdistrict is: set `subdistrict_path` "
        "(a lookup such as 'case__subdistrict', or SHARED) or override `subdistrict_q()`: "
        + ", ".join(undeclared)
    )


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
