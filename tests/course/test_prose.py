"""Every course notebook against the rules of tools/prose_check.py, one test per notebook
per rule (the rules are described in that file and in notebooks/AUTHORING.md).

``python3 tasks.py lint-notebooks [NAME]`` prints the same violations with their cells.
"""

from pathlib import Path

import prose_check as pc
import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


def cases(rule):
    return [pytest.param(path, id=path.stem) for path in NOTEBOOKS]


def violations(path, rule):
    found = pc.check_notebook(path, rules=(rule,))
    return "\n".join(f"{path.name} {v}" for v in found)


def test_the_course_has_notebooks_to_check():
    assert len(NOTEBOOKS) >= 14


@pytest.mark.parametrize("path", cases("cell-length"))
def test_every_code_cell_has_at_most_15_lines(path):
    assert not violations(path, "cell-length")


@pytest.mark.parametrize("path", cases("numbers"))
def test_every_number_in_markdown_is_written_or_printed_by_a_code_cell_of_its_section(path):
    assert not violations(path, "numbers")


@pytest.mark.parametrize("path", cases("glossary-link"))
def test_the_header_links_the_glossary_right_after_its_prerequisites(path):
    assert not violations(path, "glossary-link")


@pytest.mark.parametrize("path", cases("markers"))
def test_no_code_cell_has_nbval_comments_or_formatter_markers(path):
    assert not violations(path, "markers")
