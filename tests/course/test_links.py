"""Every link the course ships points at something that exists.

Local links in every markdown file and in every notebook's markdown cells resolve (and,
into a markdown file, to an existing heading); every Binder link opens JupyterLab on a
notebook that exists in this repository; the README's badge opens 00 · Start here; every
notebook has a launch link in the README's map and in 00 · Start here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workshop_kit as kit

START_HERE = kit.NOTEBOOKS_DIR / "00-start-here.ipynb"
BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"


def documents() -> list[tuple[str, Path, str]]:
    """(id, file, markdown) for every markdown file and every notebook's markdown cells."""
    docs = [(str(p.relative_to(kit.ROOT)), p, p.read_text()) for p in kit.markdown_files()]
    for nb in kit.course_notebooks():
        cells = [kit.cell_source(c) for c in kit.notebook_cells(nb) if c["cell_type"] == "markdown"]
        docs.append((str(nb.relative_to(kit.ROOT)), nb, "\n\n".join(cells)))
    return docs


DOCS = documents()


def readme_map() -> str:
    return kit.section(kit.README.read_text(), "notebook-map")


def binder_notebooks(text: str) -> list[str]:
    """Notebook paths (relative to the repository) that Binder links in ``text`` open."""
    return [
        kit.binder_target(u)["urlpath"].removeprefix("lab/tree/") for u in kit.binder_links(text)
    ]


@pytest.mark.parametrize(("name", "path", "text"), DOCS, ids=[d[0] for d in DOCS])
def test_local_links_resolve(name, path, text):
    broken = []
    for target in kit.link_targets(text):
        if kit.is_external(target) or target.startswith("#") and path.suffix == ".ipynb":
            continue
        file_part, _, anchor = target.partition("#")
        file_part = unquote(file_part.split("?")[0])
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            broken.append(target)
        elif anchor and dest.suffix == ".md" and anchor not in kit.headings(dest.read_text()):
            broken.append(f"{target} (no such heading)")
        elif not dest.resolve().is_relative_to(kit.ROOT):
            broken.append(f"{target} (outside the repository)")
    assert not broken, f"{name}: broken links {sorted(set(broken))}"


@pytest.mark.parametrize(("name", "path", "text"), DOCS, ids=[d[0] for d in DOCS])
def test_binder_links_open_lab_on_an_existing_notebook(name, path, text):
    readme_badge = kit.binder_target(kit.binder_links(kit.README.read_text())[0])
    outside_code = set(kit.binder_links(kit.strip_code(text)))
    for url in kit.binder_links(text):
        target = kit.binder_target(url)
        assert target["repo"] == readme_badge["repo"], f"{name}: {url} launches another repository"
        if url in outside_code:  # an example in `code` may show a workshop tag instead
            assert target["ref"] == readme_badge["ref"], f"{name}: {url} launches another ref"
        assert "filepath" not in target["query"], (
            f"{name}: {url} opens the classic notebook; use urlpath=lab/tree/..."
        )
        assert target["urlpath"].startswith("lab/tree/notebooks/"), (
            f"{name}: {url} must open JupyterLab"
        )
        notebook = target["urlpath"].removeprefix("lab/tree/")
        assert notebook.endswith(".ipynb"), f"{name}: {url}"
        assert (kit.ROOT / notebook).exists(), (
            f"{name}: {url} launches a notebook that does not exist"
        )


def test_readme_badge_opens_start_here_in_jupyterlab():
    readme = kit.README.read_text()
    badge = re.search(r"\[!\[[^\]]*\]\(([^)]+)\)\]\((https://mybinder\.org/v2/[^)]+)\)", readme)
    assert badge, (
        "the README needs a Binder badge: [![...](badge_logo.svg)](https://mybinder.org/v2/...)"
    )
    assert badge.group(1) == BADGE_IMAGE
    assert readme.index(badge.group(0)) < readme.index("## "), (
        "the badge goes above the first section"
    )
    target = kit.binder_target(badge.group(2))
    assert target["urlpath"] == "lab/tree/notebooks/00-start-here.ipynb"
    assert target["ref"] == "HEAD", "the README's badge follows the default branch"


def test_readme_map_has_a_local_link_and_a_launch_link_for_every_notebook_from_00():
    rows = {}
    for line in readme_map().splitlines():
        m = re.match(r"\|\s*(\d\d)\s*\|", line)
        if m:
            rows[m.group(1)] = line
    on_disk = sorted(p.stem[:2] for p in kit.course_notebooks())
    assert sorted(rows) == on_disk, f"the map's rows: {sorted(rows)}"
    for number, line in rows.items():
        local = [t for t in kit.link_targets(line) if not kit.is_external(t)]
        assert len(local) == 1 and local[0].startswith(f"notebooks/{number}-"), line
        assert binder_notebooks(line) == [local[0]], (
            f"row {number}: its launch link opens {binder_notebooks(line)}"
        )


def test_readme_map_matches_the_notebooks_on_disk():
    linked = {t for t in kit.link_targets(readme_map()) if not kit.is_external(t)}
    on_disk = {str(p.relative_to(kit.ROOT)) for p in kit.course_notebooks()}
    assert on_disk <= linked, f"notebooks missing from the README's map: {sorted(on_disk - linked)}"


def test_start_here_has_a_launch_link_for_every_notebook():
    assert START_HERE.exists(), "notebooks/00-start-here.ipynb is not written yet"
    cells = kit.notebook_cells(START_HERE)
    text = "\n".join(kit.cell_source(c) for c in cells if c["cell_type"] == "markdown")
    map_notebooks = [t for t in kit.link_targets(readme_map()) if not kit.is_external(t)]
    missing = [nb for nb in map_notebooks if nb not in binder_notebooks(text)]
    assert not missing, f"00-start-here has no launch link for {missing}"


@pytest.mark.parametrize(
    "path", kit.course_notebooks(), ids=[p.stem for p in kit.course_notebooks()]
)
def test_notebook_header_launch_link_opens_itself(path):
    first = kit.cell_source(kit.notebook_cells(path)[0])
    launched = binder_notebooks(first)
    assert launched == [f"notebooks/{path.name}"], f"the header's launch link opens {launched}"
