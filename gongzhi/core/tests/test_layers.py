"""The apps stand in layers, and the imports say so: a lower app never imports a higher one, and
no two apps import each other, counting imports inside functions too (docs/architecture.md).

Tests, migrations and the test helpers (gongzhi/testing) are left out: a test may build data
with any app's factories."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import gongzhi

ROOT = Path(gongzhi.__file__).parent

# Bottom first. An app may import the apps of its own layer (without a cycle) and of the layers
# below it. A new app is added to its layer here (see "How to add a domain").
LAYERS: list[set[str]] = [
    {"core"},
    {"audit", "accounts", "places", "org", "worktime", "notifications", "workflow"},
    {"cases", "duty", "alliance", "sharing", "servicecentre", "meetings", "triage"},
    {"api", "open311", "webhooks", "demo", "dashboards"},
]
LEFT_OUT = {"testing", "locale", "static", "templates"}


def _apps(root: Path = ROOT) -> set[str]:
    return {
        p.name
        for p in root.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in LEFT_OUT
    }


def _layer_of() -> dict[str, int]:
    return {app: i for i, layer in enumerate(LAYERS) for app in layer}


def _sources(root: Path, app: str) -> list[Path]:
    return [
        p
        for p in (root / app).rglob("*.py")
        if "tests" not in p.relative_to(root).parts
        and "migrations" not in p.relative_to(root).parts
        and p.name != "conftest.py"
    ]


def import_graph(root: Path = ROOT) -> dict[str, dict[str, list[str]]]:
    """app → imported app → where (file:line), from every import statement in the app's code."""
    apps = _apps(root)
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for app in apps:
        for path in _sources(root, app):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                modules: list[str] = []
                if isinstance(node, ast.Import):
                    modules = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
                targets = {
                    parts[1]
                    for parts in (m.split(".") for m in modules)
                    if parts[0] == "gongzhi" and len(parts) > 1 and parts[1] in apps
                }
                for other in targets - {app}:
                    graph[app][other].append(f"{path.relative_to(root)}:{node.lineno}")
    return graph


def _upward(graph: dict[str, dict[str, list[str]]]) -> list[str]:
    layer = _layer_of()
    return [
        f"{app} (layer {layer[app]}) imports {other} (layer {layer[other]}) at {', '.join(where)}"
        for app, targets in sorted(graph.items())
        for other, where in sorted(targets.items())
        if layer.get(other, -1) > layer.get(app, -1)
    ]


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Strongly connected components of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return found


def test_every_app_has_a_layer():
    assert _apps() - set(_layer_of()) == set(), "add the new app to LAYERS (and to the docs)"


def test_no_app_imports_a_higher_layer():
    assert _upward(import_graph()) == []


def test_no_import_cycle_between_apps():
    graph = import_graph()
    detail = [
        f"{' ↔ '.join(c)}: "
        + "; ".join(f"{a}→{b} at {graph[a][b][0]}" for a in c for b in c if b in graph.get(a, {}))
        for c in _cycles(graph)
    ]
    assert detail == []


def test_an_import_hidden_in_a_function_is_found(tmp_path):
    """A planted tree: core imports cases inside a function, cases imports core at the top."""
    for app in ("core", "cases"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "core" / "late.py").write_text(
        "def f():\n    from gongzhi.cases.models import Case\n    return Case\n"
    )
    (tmp_path / "cases" / "models.py").write_text("from gongzhi.core import events\n")
    (tmp_path / "cases" / "tests").mkdir()
    (tmp_path / "cases" / "tests" / "test_x.py").write_text("import gongzhi.open311\n")
    graph = import_graph(tmp_path)
    assert {a: dict(t) for a, t in graph.items()} == {
        "core": {"cases": ["core/late.py:2"]},
        "cases": {"core": ["cases/models.py:1"]},
    }
    assert _upward(graph) == ["core (layer 0) imports cases (layer 2) at core/late.py:2"]
    assert _cycles(graph) == [["cases", "core"]]
