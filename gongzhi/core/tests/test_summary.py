"""`manage.py summary`: every app registers its counts and the labels of its keys; core knows
only its own ("users")."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.utils import translation

from gongzhi.core import summary


def test_the_labels_come_from_the_apps_that_count(world):
    with translation.override("en"):
        assert summary.label_for("grids") == "grids"  # registered by places
    with translation.override("zh-hans"):
        assert summary.label_for("grids") == "网格"
        assert summary.label_for("party_members") == "党员"  # registered by org
        out = StringIO()
        call_command("summary", stdout=out)
    text = out.getvalue()
    assert "网格" in text and "党员" in text and "grid_stations" not in text


def test_core_labels_no_other_apps_keys():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(summary))
    [labels] = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_labels"
    ]
    assert isinstance(labels, ast.Dict)
    assert [k.value for k in labels.keys if isinstance(k, ast.Constant)] == ["users"]
