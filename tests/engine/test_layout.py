"""The layout shows the layers: the instrument (mlpops/) never imports the course
(mlpops/course/), old import paths still work, and no module grows past ~500 lines
without saying why at its top."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mlpops"
#: old import paths of the course's modules, kept for notebooks saved before the move
SHIMS = {"widgets", "plots", "datasets", "exercises", "exercise_checks"}
MAX_LINES = 500


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def instrument() -> list[Path]:
    return [p for p in PACKAGE.glob("*.py") if p.stem not in SHIMS | {"__init__"}]


@pytest.mark.parametrize("path", instrument(), ids=lambda p: p.name)
def test_instrument_never_imports_the_course(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            name = ("." * node.level) + (node.module or "")
            assert "course" not in name, f"{path.name} imports {name}: the arrow points one way"
        elif isinstance(node, ast.Import):
            assert all("course" not in a.name for a in node.names), path.name


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_over_500_lines_say_why_at_their_top(path):
    lines = len(path.read_text().splitlines())
    if lines > MAX_LINES:
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        assert "on purpose" in doc, f"{path.name}: {lines} lines and no reason at its top"


@pytest.mark.parametrize("name", sorted(SHIMS))
def test_old_import_paths_are_the_course_modules(name):
    old = importlib.import_module(f"mlpops.{name}")
    new = importlib.import_module(f"mlpops.course.{name}")
    assert old is new


def test_explorers_are_one_module_each_behind_the_old_widgets_name():
    import mlpops.course.explorers as explorers
    import mlpops.widgets as widgets

    assert widgets is explorers
    for name in ("architecture", "stepper", "reveal", "estimator", "ui"):
        assert (PACKAGE / "course" / "explorers" / f"{name}.py").exists()
    for name in explorers.__all__:
        assert getattr(widgets, name) is getattr(explorers, name)
