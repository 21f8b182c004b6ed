"""Every notebook opens on Colab as well as Binder, and installs mlpops only where it is missing.

The Colab badge in each header opens that same notebook at the same ref as its install
cell; the install cell is the first code cell of every notebook, does nothing where mlpops
imports, installs from the repository on Colab and from the site's wheel in JupyterLite;
``tools/launch.py pin REF`` moves every link and install cell to one ref. (That the cell
really installs a wheel into an environment without mlpops and the notebook then runs is
checked in the simulated Binder build, tests/course/test_binder.py, which has that
environment.)
"""

from __future__ import annotations

import importlib.util
import re
import sys

import launch  # tools/launch.py (tests/conftest.py puts tools/ on the path)
import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

NOTEBOOKS = launch.course_notebooks()
NAMES = [p.name for p in NOTEBOOKS]


class FakeShell:
    """Stands in for IPython: records the magics a cell would run."""

    def __init__(self) -> None:
        self.magics: list[tuple[str, str]] = []

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> None:
        self.magics.append((name, line))


def run_install_cell(monkeypatch, *, importable: bool, platform: str = "linux") -> FakeShell:
    shell = FakeShell()
    python = TransformerManager().transform_cell(launch.install_cell_source())
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        if name == "mlpops":
            return real_find_spec("mlpops") if importable else None
        return real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(sys, "platform", platform)
    exec(compile(python, "<install cell>", "exec"), {"get_ipython": lambda: shell})
    return shell


def test_install_cell_does_nothing_where_mlpops_imports(monkeypatch):
    assert run_install_cell(monkeypatch, importable=True).magics == []


def test_install_cell_installs_from_the_repository_on_colab(monkeypatch):
    shell = run_install_cell(monkeypatch, importable=False)
    assert shell.magics == [
        ("pip", f'install -q "mlpops @ git+https://github.com/{launch.REPO}@{launch.DEFAULT_REF}"')
    ]


def test_install_cell_installs_the_bundled_wheel_in_jupyterlite(monkeypatch):
    shell = run_install_cell(monkeypatch, importable=False, platform="emscripten")
    assert shell.magics == [("pip", "install mlpops")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_first_code_cell_is_the_install_cell(path):
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.get("id") == launch.INSTALL_CELL_ID, (
        f"{path.name}: run `python3 tools/launch.py ensure` to add the install cell"
    )
    assert first.source == launch.install_cell_source(launch.install_ref(nb)), (
        f"{path.name}: the install cell was edited; `python3 tools/launch.py ensure` restores it"
    )
    assert first.outputs == [], f"{path.name}: the install cell printed something here"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_colab_badge_opens_this_notebook_at_the_install_cells_ref(path):
    nb = nbformat.read(path, as_version=4)
    header = nb.cells[0].source
    urls = re.findall(r"https://colab\.research\.google\.com/github/[^\s)]+", header)
    assert urls == [launch.colab_url(path.name, launch.install_ref(nb))], header[:400]
    binder = header.index("mybinder.org/badge")
    assert binder < header.index(launch.COLAB_BADGE), "the Colab badge stands beside Binder's"


def test_colab_links_everywhere_open_notebooks_that_exist():
    texts = [p.read_text() for p in [launch.ROOT / "README.md", *NOTEBOOKS]]
    targets = re.findall(
        r"https://colab\.research\.google\.com/github/([^/\s]+/[^/\s]+)/blob/[^/\s]+/([^\s)\"\\]+)",
        "\n".join(texts),
    )
    assert targets, "no Colab links found"
    for repo, rel in targets:
        assert repo == launch.REPO and (launch.ROOT / rel).is_file(), f"{repo}/{rel}"


def test_pin_moves_every_link_and_install_ref_to_one_ref():
    text = "\n".join(
        [
            "https://mybinder.org/v2/gh/mlpops/mlpops/HEAD?urlpath=lab/tree/notebooks/01-x.ipynb",
            launch.colab_url("01-x.ipynb"),
            launch.install_cell_source(),
        ]
    )
    pinned = launch.pin_text(text, "v1.2.3")
    assert "/mlpops/mlpops/v1.2.3?urlpath" in pinned
    assert launch.colab_url("01-x.ipynb", "v1.2.3") in pinned
    assert launch.install_cell_source("v1.2.3") in pinned
    assert "HEAD" not in pinned and "@main" not in pinned and "/blob/main/" not in pinned


def test_pin_with_repo_moves_every_link_and_install_cell_to_a_fork():
    text = "\n".join([launch.colab_url("01-x.ipynb"), launch.install_cell_source()])
    text += f"\nhttps://mybinder.org/v2/gh/{launch.REPO}/HEAD?urlpath=lab/tree/notebooks/01-x.ipynb"
    pinned = launch.pin_text(text, "abc123", "teacher/mlpops")
    assert launch.REPO not in pinned
    assert "colab.research.google.com/github/teacher/mlpops/blob/abc123/" in pinned
    assert "git+https://github.com/teacher/mlpops@abc123" in pinned
    assert "mybinder.org/v2/gh/teacher/mlpops/abc123?" in pinned


@pytest.mark.parametrize("bad", ["", "a b", "../x", "x;rm"])
def test_pin_refuses_what_is_not_a_git_ref(bad):
    with pytest.raises(SystemExit, match="not a git ref"):
        launch.pin(bad)


def test_start_here_and_the_readme_map_open_every_notebook_on_colab():
    start = nbformat.read(launch.NOTEBOOKS / "00-start-here.ipynb", as_version=4)
    text = "\n".join(c.source for c in start.cells if c.cell_type == "markdown")
    readme = (launch.ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        url = launch.colab_url(path.name, launch.install_ref(nbformat.read(path, as_version=4)))
        assert url in text, f"00 · Start here has no Colab link to {path.name}"
        assert url in readme, f"the README's map has no Colab link to {path.name}"


def test_readme_quick_start_names_the_four_ways_in():
    readme = (launch.ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    for way in ("python3 tasks.py lab", "Binder", "Colab", "JupyterLite"):
        assert way in quick, way
