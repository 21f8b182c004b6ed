"""Launch links and the install cell of every notebook, in one place.

    python3 tools/launch.py ensure        every notebook: Colab badge beside Binder's, install cell
    python3 tools/launch.py pin REF [--repo OWNER/NAME]
                                          point every launch link and install cell at REF
                                          (and at a fork, with --repo)

Each notebook opens on Binder (which builds ``binder/``) and on Colab (which has numpy and
matplotlib but not mlpops). So the first code cell of every notebook installs mlpops when,
and only when, it cannot be imported: on Colab from this repository at the same ref as the
notebook's own links; in JupyterLite from the wheel bundled with the site; anywhere else it
does nothing. ``pin`` is for a workshop: point every badge, link and install cell at a tag
or a commit (``git rev-parse HEAD``) of this repository or of your fork (``--repo``; no push
rights to this one needed), so learners get the course you tested.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def _readme_repo() -> str:
    """The GitHub repository the README's Binder badge launches (``owner/name``)."""
    m = re.search(r"mybinder\.org/v2/gh/([^/\s]+/[^/\s]+)/", (ROOT / "README.md").read_text())
    return m.group(1) if m else "mlpops/mlpops"


REPO = _readme_repo()  # the repository every launch link and install cell points at
DEFAULT_REF = "main"
INSTALL_CELL_ID = "install-mlpops"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"

BINDER_URL = re.compile(r"(https://mybinder\.org/v2/gh/[^/\s]+/[^/\s]+/)([^?\s)]+)(\?)")
COLAB_URL = re.compile(
    r"(https://colab\.research\.google\.com/github/[^/\s]+/[^/\s]+/blob/)([^/\s]+)(/)"
)
INSTALL_REF = re.compile(r'(git\+https://github\.com/[^@\s"]+@)([^"\s]+)(")')


def install_cell_source(ref: str = DEFAULT_REF) -> str:
    """The first code cell of every notebook (a no-op wherever mlpops imports)."""
    return (
        "import importlib.util\n"
        "import sys\n"
        "\n"
        "# Installs the course's package where it is missing (Colab, JupyterLite);\n"
        "# locally, on Binder or on a hub it does nothing and prints nothing.\n"
        'if importlib.util.find_spec("mlpops") is None:\n'
        '    if sys.platform == "emscripten":  # JupyterLite: the wheel bundled with the site\n'
        "        %pip install mlpops\n"
        "    else:  # Colab: from the repository, at the same ref as this notebook's links\n"
        f'        %pip install -q "mlpops @ git+https://github.com/{REPO}@{ref}"'
    )


def colab_url(name: str, ref: str = DEFAULT_REF) -> str:
    return f"https://colab.research.google.com/github/{REPO}/blob/{ref}/notebooks/{name}"


def colab_badge(name: str, ref: str = DEFAULT_REF) -> str:
    return f"[![Open in Colab]({COLAB_BADGE})]({colab_url(name, ref)})"


def course_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def install_ref(nb) -> str | None:
    """The ref the notebook's install cell installs from (None if it has no install cell)."""
    cell = next((c for c in nb.cells if c.get("id") == INSTALL_CELL_ID), None)
    m = cell and INSTALL_REF.search(cell.source)
    return m.group(2) if m else None


def ensure(path: Path) -> bool:
    """Give the notebook its Colab badge and install cell (keeping its ref); True if changed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    ref = install_ref(nb) or DEFAULT_REF
    header = nb.cells[0]
    if COLAB_BADGE not in header.source:
        lines = header.source.split("\n")
        at = next((i for i, line in enumerate(lines) if "mybinder.org/badge" in line), None)
        if at is None:
            raise SystemExit(f"{path.name}: no Binder badge in the first cell to put Colab beside")
        lines[at] = f"{lines[at]} {colab_badge(path.name, ref)}"
        header.source = "\n".join(lines)
    cell = next((c for c in nb.cells if c.get("id") == INSTALL_CELL_ID), None)
    if cell is None:
        cell = nbformat.v4.new_code_cell(install_cell_source(ref))
        cell["id"] = INSTALL_CELL_ID
    else:
        nb.cells.remove(cell)
        cell.source = install_cell_source(ref)
    nb.cells.insert(1, cell)  # right under the header, before any text that leads to code
    if nbformat.writes(nb) == before:
        return False
    nbformat.write(nb, path)
    return True


def pin_text(text: str, ref: str, repo: str | None = None) -> str:
    """Every Binder link, Colab link and install ref in ``text`` pointed at ``ref`` (and at
    the GitHub repository ``repo``, when given)."""
    for pattern in (BINDER_URL, COLAB_URL, INSTALL_REF):
        text = pattern.sub(lambda m: m.group(1) + ref + m.group(3), text)
    if repo:
        for host in ("mybinder.org/v2/gh/", "colab.research.google.com/github/", "github.com/"):
            text = text.replace(f"{host}{REPO}/", f"{host}{repo}/").replace(
                f"{host}{REPO}@", f"{host}{repo}@"
            )
    return text


def pin(ref: str, repo: str | None = None) -> list[Path]:
    """Point every launch link and install cell of the course at ``ref`` (of ``repo``, a
    fork, when given); the files changed."""
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", ref) or ".." in ref:
        raise SystemExit(f"not a git ref: {ref!r} (a tag, branch or commit, e.g. v0.1.0)")
    if repo is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
        raise SystemExit(f"not a GitHub repository: {repo!r} (owner/name, e.g. me/mlpops)")
    changed = []
    for path in [ROOT / "README.md", *NOTEBOOKS.glob("*.md"), *course_notebooks()]:
        text = path.read_text(encoding="utf-8")
        new = pin_text(text, ref, repo)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    if argv[:1] == ["ensure"] and len(argv) == 1:
        changed = [p.name for p in course_notebooks() if ensure(p)]
        print(f"updated: {', '.join(changed)}" if changed else "every notebook is up to date")
        return 0
    if argv[:1] == ["pin"] and len(argv) in (2, 4) and (len(argv) == 2 or argv[2] == "--repo"):
        repo = argv[3] if len(argv) == 4 else None
        changed = pin(argv[1], repo)
        where = f"{repo or REPO} at {argv[1]}"
        print(f"launch links and install cells now open {where}: {len(changed)} files changed")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
