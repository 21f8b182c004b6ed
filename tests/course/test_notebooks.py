"""The notebooks' structure: executed, clean, headed, with tested exercises and no typed counts.

Strict nbval (in the same test command) proves the stored outputs are what the code
produces; these checks make sure there is something to prove: every code cell
executed, no errors, no memory addresses, and the course format of AUTHORING.md.
"""

import contextlib
import io
import json
import os
import re
from pathlib import Path

import pytest
from folded_solutions import folded_solutions
from notebook_tools import minutes
from prose_check import output_text, source

from mlpops import exercises

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
COURSE = [
    "00-start-here",
    "01-one-neuron",
    "02-one-layer",
    "03-stacking-layers",
    "04-activation-functions",
    "06-the-backward-pass",
    "07-a-training-step",
    "08-counting-conventions",
    "09-from-counts-to-seconds",
    "10-images-and-convolutions",
    "11-memory-and-the-roofline",
    "12-hardware-and-scale",
    "13-a-transformer-block",
    "14-the-answer",
]
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]

CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b| at 0x")
BIG_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d{3,})(?![\d,]*\d)")


def load(path):
    return json.loads(path.read_text())


def test_every_course_notebook_exists():
    missing = [name for name in COURSE if not (NOTEBOOKS_DIR / f"{name}.ipynb").exists()]
    assert not missing, f"missing notebooks: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_executed_in_order_without_errors(path):
    nb = load(path)
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    counts = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or not source(cell).strip():
            continue
        assert cell.get("execution_count") is not None, f"code cell {i} was never executed"
        counts.append(cell["execution_count"])
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"cell {i} stored an error: {out.get('ename')}"
            text = "".join(out.get("text", ""))
            assert "Traceback" not in text, f"cell {i} printed a traceback"
            if out.get("name") == "stderr":
                assert not re.search(r"Warning|Error", text), (
                    f"cell {i} wrote to stderr: {text[:200]}"
                )
            assert "image/svg+xml" not in out.get("data", {}), (
                f"cell {i}: use PNG plots (SVG embeds a date)"
            )
        assert not ADDRESS.search(output_text(cell)), f"cell {i} shows a memory address"
    assert counts == list(range(1, len(counts) + 1)), (
        "cells were not run top to bottom in one fresh kernel"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_has_the_course_header_and_key_points(path):
    cells = load(path)["cells"]
    first = source(cells[0])
    assert cells[0]["cell_type"] == "markdown" and first.startswith("# "), "first cell: '# title'"
    teaching, exercise_minutes = minutes(path)
    assert teaching > 0 and exercise_minutes > 0
    for needle in ("**Prerequisites:**", "## Questions", "## Objectives"):
        assert needle in first, f"the first cell lacks {needle!r}"
    tail = "".join(source(c) for c in cells[-2:] if c["cell_type"] == "markdown")
    assert "## Key points" in tail, "the notebook must end with '## Key points'"
    if not path.stem.startswith("00"):
        assert any("**Predict first:**" in source(c) for c in cells if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_have_checks_and_folded_solutions_that_pass(path, monkeypatch):
    cells = load(path)["cells"]
    prefix = path.stem.split("-")[0]
    used = [m for c in cells if c["cell_type"] == "code" for m in CHECK_CALL.findall(source(c))]
    assert len(set(used)) >= 2, f"at least two exercises with check(...); found {sorted(set(used))}"
    assert all(i.startswith(prefix + ".") for i in used), f"exercise ids must start with {prefix}."
    solutions = folded_solutions([source(c) for c in cells if c["cell_type"] == "markdown"])
    solved = {}
    monkeypatch.chdir(NOTEBOOKS_DIR)
    for code in solutions:
        ids = CHECK_CALL.findall(code)
        assert len(ids) == 1, f"a solution ends with exactly one check(...): {code[:120]}"
        exercises.last = None
        with contextlib.redirect_stdout(io.StringIO()):
            exec(
                compile(code, f"{path.name} solution {ids[0]}", "exec"),
                {"__name__": "__solution__"},
            )
        result = exercises.last
        assert result is not None and result.exercise == ids[0]
        assert result.ok, f"the folded solution of {ids[0]} does not pass: {result.message}"
        solved[ids[0]] = True
    assert set(used) <= set(solved), (
        f"exercises without a folded solution: {sorted(set(used) - set(solved))}"
    )
    for i in set(used):
        assert i in exercises.registered(), (
            f"{i} has no check registered in mlpops.course.exercise_checks"
        )


def test_every_registered_exercise_is_in_a_notebook():
    used = set()
    for path in NOTEBOOKS:
        for cell in load(path)["cells"]:
            used.update(CHECK_CALL.findall(source(cell)))
    orphans = sorted(set(exercises.registered()) - used)
    assert not orphans, f"checks registered but used by no notebook: {orphans}"


def prose(markdown):
    """Markdown without code blocks, inline code, link targets, HTML tags and solutions."""
    text = re.sub(r"<details>.*?</details>", " ", markdown, flags=re.S | re.I)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\$[^$]*\$", " ", text)  # LaTeX: symbols, not counts
    return text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_numbers_in_prose_are_printed_by_a_cell(path):
    cells = load(path)["cells"]
    outputs = " ".join(output_text(c) for c in cells if c["cell_type"] == "code").replace(",", "")
    missing = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for number in BIG_NUMBER.findall(prose(source(cell))):
            plain = number.replace(",", "")
            if not re.search(rf"(?<![\d.]){plain}(?![\d])", outputs):
                missing.append(number)
    assert not missing, (
        f"markdown states {sorted(set(missing))} but no cell prints them: "
        "print counts from code (see notebooks/AUTHORING.md)"
    )


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="sizes are checked on CI")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_file_is_small_enough_to_read_on_github(path):
    assert path.stat().st_size < 2_000_000
