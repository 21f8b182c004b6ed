"""Readers for the workshop kit's files, shared by test_environment, test_binder,
test_instructors and test_links (a helper module: pytest collects no tests here).

One place for the rules the tests apply: how a pip name maps to a conda name, how a
conda version spec becomes a pip one, what counts as a markdown link, a Binder link and
an exercise id.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"
GUIDE = NOTEBOOKS_DIR / "INSTRUCTORS.md"
README = ROOT / "README.md"
ENV_FILES = {"root": ROOT / "environment.yml", "binder": ROOT / "binder" / "environment.yml"}

# pip (pyproject.toml) name -> conda-forge name, for every runtime dependency and [lab]
# extra. Explicit on purpose: a new dependency in pyproject.toml fails the tests until it
# is added here and to both environment files.
PIP_TO_CONDA = {
    "numpy": "numpy",
    "matplotlib": "matplotlib-base",  # conda-forge's matplotlib without the Qt GUI backend
    "ipywidgets": "ipywidgets",
    "psutil": "psutil",
    "threadpoolctl": "threadpoolctl",
    "jupyterlab": "jupyterlab",
    "ipykernel": "ipykernel",
}
CONDA_TO_PIP = {conda: pip for pip, conda in PIP_TO_CONDA.items()}
# Conda packages that are the environment itself, not a pyproject dependency.
CONDA_ONLY = {"python", "pip"}
PYPROJECT_EXTRAS = ("lab",)  # runtime dependencies + these extras = what a learner needs

BINDER_LINK = re.compile(r"https?://mybinder\.org/v2/[^\s)\"'<>\]`]+")


# --- pyproject and environment files -------------------------------------------------


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pyproject_requirements() -> dict[str, SpecifierSet]:
    """{pip name: specifier} of the runtime dependencies plus the [lab] extra."""
    project = pyproject()["project"]
    lines = list(project["dependencies"])
    for extra in PYPROJECT_EXTRAS:
        lines += project["optional-dependencies"][extra]
    reqs: dict[str, SpecifierSet] = {}
    for line in lines:
        req = Requirement(line)
        name = req.name.lower()
        assert name not in reqs or reqs[name] == req.specifier, f"{name} pinned twice, differently"
        reqs[name] = req.specifier
    return reqs


def conda_env(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def split_conda_spec(dep: str) -> tuple[str, str]:
    """'numpy>=1.26,<3' -> ('numpy', '>=1.26,<3'); 'python=3.11' -> ('python', '=3.11')."""
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", dep)
    assert m, f"cannot read the conda spec {dep!r}"
    return m.group(1).lower(), m.group(2).replace(" ", "")


def conda_dependencies(path: Path) -> dict[str, str]:
    """{conda name: version spec} of an environment file's conda (not pip) packages."""
    deps = {}
    for dep in conda_env(path)["dependencies"]:
        if isinstance(dep, dict):  # a pip: section
            continue
        name, spec = split_conda_spec(dep)
        assert name not in deps, f"{path.name}: {name} listed twice"
        deps[name] = spec
    return deps


def conda_spec_to_pip(spec: str) -> SpecifierSet:
    """A conda version spec as a pip specifier: '=3.11' -> '==3.11.*', '>=1.26,<3' as is."""
    parts = []
    for part in filter(None, spec.split(",")):
        if re.fullmatch(r"=[^=].*", part):  # conda's fuzzy '=3.11' means 3.11.*
            version = part[1:]
            parts.append(f"=={version}" if version.endswith("*") else f"=={version}.*")
        else:
            assert not part.startswith(("~", "|")) and "|" not in part, f"no pip form for {part!r}"
            parts.append(part)
    return SpecifierSet(",".join(parts))


def binder_pip_requirements() -> list[str]:
    """pip equivalents of exactly the packages binder/environment.yml names, with its pins."""
    reqs = []
    for name, spec in conda_dependencies(ENV_FILES["binder"]).items():
        if name in CONDA_ONLY:
            continue
        assert name in CONDA_TO_PIP, f"binder/environment.yml names {name}: no pip equivalent known"
        reqs.append(f"{CONDA_TO_PIP[name]}{conda_spec_to_pip(spec)}")
    return reqs


# --- markdown, notebooks, links ------------------------------------------------------


def notebook_cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def cell_source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def course_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


def markdown_files() -> list[Path]:
    """Every markdown file of the repository (not in .venv, .git or other build output)."""
    skip = {
        ".venv",
        ".git",
        "build",
        "dist",
        "test-artifacts",
        "node_modules",
        ".ipynb_checkpoints",
    }
    return sorted(
        p
        for p in ROOT.rglob("*.md")
        if not skip.intersection(p.relative_to(ROOT).parts) and not p.name.startswith(".")
    )


def strip_code(markdown: str) -> str:
    """Markdown without fenced code blocks and inline code (links there are not links)."""
    text = re.sub(r"^(```|~~~).*?^\1", " ", markdown, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", " ", text)


def link_targets(markdown: str) -> list[str]:
    """Targets of markdown links and images, reference definitions, and HTML href/src."""
    text = strip_code(markdown)
    targets = re.findall(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)", text)
    targets += re.findall(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", text, flags=re.M)
    targets += re.findall(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""", text)
    return targets


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:", target)) or target.startswith("//")


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a markdown heading."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def headings(markdown: str) -> set[str]:
    return {
        github_slug(h) for h in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", strip_code(markdown), re.M)
    }


def binder_links(text: str) -> list[str]:
    return [u.rstrip(".,;") for u in BINDER_LINK.findall(text)]


def binder_target(url: str) -> dict:
    """{'repo': 'owner/name', 'ref': ..., 'urlpath': ..., 'query': {...}} of a Binder link."""
    parts = urlsplit(url)
    m = re.fullmatch(r"/v2/gh/([^/]+)/([^/]+)/([^/?]+)/?", parts.path)
    assert m, f"not a mybinder.org GitHub launch link: {url}"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return {
        "repo": f"{m.group(1)}/{m.group(2)}",
        "ref": unquote(m.group(3)),
        "urlpath": unquote(query.get("urlpath", "")),
        "query": query,
    }


def section(text: str, name: str) -> str:
    """The text between <!-- NAME:start --> and <!-- NAME:end -->."""
    m = re.search(rf"<!--\s*{name}:start\s*-->(.*?)<!--\s*{name}:end\s*-->", text, re.S)
    assert m, f"no <!-- {name}:start --> ... <!-- {name}:end --> section"
    return m.group(1)


# --- exercises -----------------------------------------------------------------------

CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")


def exercise_ids(path: Path) -> list[str]:
    """Exercise ids a notebook's code cells check, in order (``check("02.1", answer)``)."""
    ids: list[str] = []
    for cell in notebook_cells(path):
        if cell["cell_type"] == "code":
            ids += [i for i in CHECK_CALL.findall(cell_source(cell)) if i not in ids]
    return ids


# --- the instructor guide's tables ---------------------------------------------------


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """Body rows (cells stripped) of the first table under the heading ``heading``."""
    m = re.search(rf"^#+\s+{re.escape(heading)}\s*$(.*?)(?=^#+\s|\Z)", markdown, re.M | re.S)
    assert m, f"no heading {heading!r}"
    rows = []
    for line in m.group(1).splitlines():
        line = line.strip()
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        rows.append(cells)
    return rows[1:]  # without the header row


NOTEBOOK_LINK = re.compile(r"\[[^\]]*\]\(\s*(?:\./)?(?:notebooks/)?(\d\d-[a-z0-9\-]+)\.ipynb\s*\)")
