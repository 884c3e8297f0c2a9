"""The package's layers, read from the imports of every module (also those inside functions).

engine and data ← session ← lesson logic ← widgets ← tabs ← screens ← app ← CLI: a module
imports only from its own layer or lower ones, so there are no import loops between layers,
and the Textual-free layers stay free of Textual (and of Rich, which is Textual's).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: Layer of each top-level part of ``tuicnn``; a module may import from its layer or lower.
LAYERS = {
    "tuicnn": 0, "nn": 0, "data": 0,
    "session": 1,
    "lessons": 2,
    "messages": 3, "idle_collector": 3, "hangup": 3, "widgets": 3,
    "tabs": 4,
    "screens": 5,
    "app": 6,
    "cli": 7, "__main__": 7,
}
TEXTUAL_FREE = ("nn", "data", "session", "lessons")


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "tuicnn").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return targets


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "tuicnn"


MODULES = _modules()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports_only_from_its_layer_or_below(name):
    assert _part(name) in LAYERS, f"{name}: a new top-level part needs a layer in LAYERS"
    own = LAYERS[_part(name)]
    upward = sorted(target for target in _imports(name, MODULES[name])
                    if target.startswith("tuicnn.") and target.split(".")[1] in LAYERS
                    and LAYERS[_part(target)] > own)
    assert not upward, f"{name} (layer {own}) imports from a higher layer: {upward}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _part(n) in TEXTUAL_FREE))
def test_engine_data_session_and_lessons_import_no_textual(name):
    ui = sorted(t for t in _imports(name, MODULES[name])
                if t.split(".")[0] in ("textual", "textual_plotext", "plotext", "rich"))
    assert not ui, f"{name} must stay free of the UI, but imports {ui}"


def test_there_are_no_import_loops():
    graph = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target in _imports(name, path):
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            is_own_package = MODULES.get(target, Path()).name == "__init__.py" and \
                name.startswith(target + ".")
            if target and target != name and not is_own_package:
                graph[name].add(target)
    state: dict[str, int] = {}
    loops = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                loops.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not loops, "import loops: " + "; ".join(" -> ".join(loop) for loop in loops)
