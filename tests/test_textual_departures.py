"""docs/textual-departures.md lists each departure from stock Textual; each must still exist.

Every ``## `Name` in `path` `` heading names a class (or ``Class.attribute``) and its file;
the file must define the class, and the class must define the attribute (as a method or an
annotated/assigned name).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "textual-departures.md"
HEADING = re.compile(r"^## `(?P<name>[\w.]+)` in `(?P<path>[\w/.]+)`$", re.MULTILINE)
EXPECTED = {"KeyFooter", "TabBar", "Stepper", "RepeatButton", "ScrollBody", "MainScreen.focused",
            "MainScreen.on_layout", "CachedPlot", "IdleCollector", "WorkspaceLoader",
            "StripCacheWidget", "LeanCompositor"}


def items() -> list[tuple[str, str]]:
    return [(m["name"], m["path"]) for m in HEADING.finditer(DOC.read_text(encoding="utf-8"))]


def names_defined_in(node: ast.ClassDef) -> set[str]:
    """Methods, assigned and annotated names in a class body."""
    names = set()
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(statement.name)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.add(statement.target.id)
        elif isinstance(statement, ast.Assign):
            names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    return names


def test_the_doc_lists_every_departure_the_issue_named():
    assert {name for name, _ in items()} == EXPECTED


@pytest.mark.parametrize(("name", "path"), items())
def test_each_listed_departure_is_still_in_the_code(name: str, path: str):
    class_name, _, attribute = name.partition(".")
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    classes = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    assert class_name in classes, f"{path} no longer defines {class_name}"
    if attribute:
        assert attribute in names_defined_in(classes[class_name]), f"{name} is gone"


def test_cached_plot_still_copies_plotext_plot_render():
    """The doc says CachedPlot copies PlotextPlot.render, private calls included."""
    source = (ROOT / "src/tuicnn/widgets/train/cached_plot.py").read_text(encoding="utf-8")
    assert "._set_size(" in source and "_get_plotext_theme_name(" in source
