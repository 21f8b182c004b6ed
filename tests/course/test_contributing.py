"""CONTRIBUTING.md names real places: every path it names exists, every table or function
it says to extend is in the file it names, and it stays one page."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "CONTRIBUTING.md"
PATH = re.compile(r"`((?:mlpops|tests|notebooks|tools)/[\w./*-]*|tasks\.py|README\.md)`")
#: names the guide says to extend, and the file each lives in
NAMES = {
    "mlpops/rules.py": ["def implements", "ELEMENTWISE", "FREE_FUNCTIONS"],
    "mlpops/nn.py": ["Activation", "ACTIVATION_FUNCTIONS"],
    "mlpops/report.py": ["PHASES", "parse_scope", "breakdown"],
    "mlpops/course/explorers/ui.py": ["def guard", "def box", "snapshot"],
    "mlpops/course/exercises.py": ["compare_count", "def check"],
    "mlpops/course/exercise_checks/nb03.py": ['@exercise("03.'],
    "mlpops/course/exercise_checks/_counted.py": ["def sizes_exercise", "def count_exercise"],
    "tests/engine/test_engines_agree.py": ["UNARY", "REDUCE"],
}


def test_every_path_contributing_names_exists():
    paths = set(PATH.findall(GUIDE.read_text()))
    assert len(paths) >= 20, sorted(paths)
    missing = [p for p in sorted(paths) if not (ROOT / p.rstrip("/")).exists()]
    assert not missing, f"CONTRIBUTING.md names paths that do not exist: {missing}"


def test_every_name_contributing_says_to_extend_is_where_it_says():
    text = GUIDE.read_text()
    for path, names in NAMES.items():
        assert f"`{path}`" in text or Path(path).name in text, path
        source = (ROOT / path).read_text()
        for name in names:
            assert name in source, f"{name} is not in {path}"


def test_contributing_covers_each_kind_of_change_with_its_test_and_fits_a_page():
    text = GUIDE.read_text()
    for change in ("counting rule", "layer", "notebook", "explorer", "exercise"):
        m = re.search(rf"^## Add an? {change}.*?(?=^## |\Z)", text, re.M | re.S)
        assert m and "**Test:**" in m.group(0), change
    assert len(text.splitlines()) <= 110
