"""What is generated is never typed twice: the README's notebook map and the guide's
minutes table are written by ``python3 tasks.py map`` from the notebooks' headers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import notebook_tools

ROOT = Path(__file__).resolve().parents[2]


def test_readme_map_and_guide_minutes_are_as_generated_from_the_headers():
    stale = [p.name for p, text in notebook_tools.generated(ROOT).items() if p.read_text() != text]
    assert not stale, f"{stale} differ from the notebooks' headers: run python3 tasks.py map"


def test_map_lists_every_numbered_notebook_with_its_header_minutes():
    readme = (ROOT / "README.md").read_text()
    guide = (ROOT / "notebooks" / "INSTRUCTORS.md").read_text()
    for path in notebook_tools.course_notebooks():
        h = notebook_tools.header(path)
        assert f"| {h['number']} | [{h['title']}](notebooks/{path.name}) | " in readme
        launch = f"[Binder]({h['binder']})" + (f" · [Colab]({h['colab']})" if h["colab"] else "")
        assert f"{h['teaching']} min | {h['exercises']} min | {launch} |" in readme
        assert h["colab"], f"{path.name}: no Colab badge (python3 tools/launch.py ensure)"
        total = h["teaching"] + h["exercises"]
        assert f"]({path.name}) | {h['teaching']} | {h['exercises']} | {total} |" in guide


def test_a_new_notebook_is_picked_up_with_its_minutes_and_the_totals_follow(tmp_path):
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "INSTRUCTORS.md", tmp_path / "notebooks")
    paths = notebook_tools.course_notebooks()
    for path in paths:
        first = json.loads(path.read_text())["cells"][:1]
        (tmp_path / "notebooks" / path.name).write_text(json.dumps({"cells": first}))
    header = (
        "# 42 · A new idea\n\n**Teaching:** 7 min · **Exercises:** 4 min · "
        "**Prerequisites:** none\n\n[![Launch on Binder](https://mybinder.org/badge_logo.svg)]"
        "(https://mybinder.org/v2/gh/o/r/HEAD?urlpath=lab/tree/notebooks/42-new.ipynb)\n\n"
        "## Questions\n- What does a new notebook cost?\n"
    )
    cell = {"cell_type": "markdown", "metadata": {}, "source": header}
    (tmp_path / "notebooks" / "42-new.ipynb").write_text(json.dumps({"cells": [cell]}))
    changed = notebook_tools.write_map(tmp_path)
    assert {p.name for p in changed} == {"README.md", "INSTRUCTORS.md"}
    readme = (tmp_path / "README.md").read_text()
    assert "| 42 | [A new idea](notebooks/42-new.ipynb) | 7 min | 4 min |" in readme
    guide = (tmp_path / "notebooks" / "INSTRUCTORS.md").read_text()
    assert (
        "| [42 · A new idea](42-new.ipynb) | 7 | 4 | 11 | What does a new notebook cost? |" in guide
    )
    teaching = sum(notebook_tools.minutes(p)[0] for p in paths) + 7
    exercises = sum(notebook_tools.minutes(p)[1] for p in paths) + 4
    words = notebook_tools._WORDS[len(paths) + 1]
    assert (
        f"| **all {words}** | **{teaching}** | **{exercises}** | **{teaching + exercises}** |"
        in guide
    )
    assert notebook_tools.write_map(tmp_path) == []  # a second run changes nothing
