"""The benchmark scripts still start: each answers ``--help``, and code they run in a child
interpreter imports names that exist (bench_memory_scale's child once imported from the
package faces after they were emptied, and failed only when run)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("bench_*.py"))


def test_there_are_benchmarks():
    assert len(SCRIPTS) >= 5


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_answers_help(script):
    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout


def _child_sources(script: Path) -> list[str]:
    """String constants in ``script`` that are Python run by a child (they import tuicnn)."""
    tree = ast.parse(script.read_text())
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and "from tuicnn" in node.value and "\nfor " in node.value]


def test_memory_scale_child_is_found():
    assert _child_sources(BENCHMARKS / "bench_memory_scale.py")


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_child_code_imports_resolve(script):
    for source in _child_sources(script):
        imports = [line for line in source.splitlines() if line.startswith("from tuicnn")]
        exec("\n".join(imports), {})  # ImportError if a name moved  # noqa: S102
