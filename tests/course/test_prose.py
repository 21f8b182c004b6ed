"""Every course notebook against the rules of tools/prose_check.py, one test per notebook
per rule (the rules are described in that file and in notebooks/AUTHORING.md).

``python3 tasks.py lint-notebooks [NAME]`` prints the same violations with their cells.
"""

from pathlib import Path

import prose_check as pc
import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


SENTENCES = {
    "cell-length": "every code cell has at most 15 lines",
    "numbers": "every number in markdown is written or printed by a code cell of its section",
    "glossary-link": "the header links the glossary right after its prerequisites",
    "markers": "no code cell has NBVAL comments or formatter markers",
}


def test_the_course_has_notebooks_to_check():
    assert len(NOTEBOOKS) >= 14
    assert set(SENTENCES) == set(pc.RULES), "say in a sentence what each rule asks"


@pytest.mark.parametrize("rule", pc.RULES, ids=[SENTENCES[r].replace(" ", "_") for r in pc.RULES])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_keeps_every_prose_rule(path, rule):
    found = pc.check_notebook(path, rules=(rule,))
    assert not found, "\n".join(f"{path.name} {v}" for v in found)
