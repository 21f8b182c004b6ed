"""Shared by every test: the repository's root and the developer tools on the path.

Tests are laid out like the package: ``tests/engine/`` for the instrument (counting,
the engines, nn, formulas, conventions, conv, timing, the command) and ``tests/course/``
for what the course builds on it (explorers, plots, exercises, notebooks, the workshop kit).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "tools"))  # notebook_tools: a developer tool, not installed


@pytest.fixture
def root() -> Path:
    """The repository's root folder."""
    return ROOT
