"""Build the course as a static JupyterLite site: ``python3 tasks.py lite`` (into build/lite).

The site runs Python in the browser (Pyodide): no server at all. It holds

- every course notebook and the glossary their headers link (``files/``), and nothing else
  from notebooks/;
- the mlpops wheel (pure Python) and ipywidgets pinned to the version that matches the
  site's widgets front end (jupyterlab_widgets, whose extension the site ships), with
  jupyterlab_widgets and comm, in the site's own package index (``pypi/``):
  ``%pip install mlpops`` in the browser takes them from there (numpy and matplotlib come
  with Pyodide);
- a browser storage name derived from the notebooks' contents, so a learner's browser never
  serves an old copy of a notebook the course has since updated (each version of the
  course gets fresh storage; a learner's edits of the old version stay in the old one).

Pyodide itself (and numpy, matplotlib) comes from Pyodide's CDN at run time unless
``--pyodide`` points at a downloaded Pyodide release (a .tar.bz2 or its folder).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "lite"
WORK = ROOT / "build" / "lite-work"
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"


def course_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def course_files() -> list[Path]:
    """What the site holds: the notebooks and the glossary every header links."""
    return [*course_notebooks(), NOTEBOOKS / "GLOSSARY.md"]


def contents_version(paths: list[Path]) -> str:
    """12 hex digits that change whenever any notebook (name or bytes) changes."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def widget_pins() -> dict[str, str]:
    """ipywidgets and jupyterlab_widgets as installed here, checked to work together:
    the site's front end is this environment's jupyterlab_widgets extension."""
    ipw, jlw = metadata.version("ipywidgets"), metadata.version("jupyterlab_widgets")
    for req in metadata.requires("ipywidgets") or []:
        m = re.match(r"jupyterlab[_-]widgets\s*\(?([^;)]*)\)?", req)
        if m:
            from packaging.specifiers import SpecifierSet

            if jlw not in SpecifierSet(m.group(1).strip()):
                sys.exit(f"ipywidgets {ipw} needs jupyterlab_widgets{m.group(1)}, not {jlw}")
    return {"ipywidgets": ipw, "jupyterlab_widgets": jlw}


def wheels(dest: Path) -> list[Path]:
    """The mlpops wheel built from this tree, and the pinned widget wheels."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    py = [sys.executable, "-m", "pip"]
    subprocess.run([*py, "wheel", "-q", "--no-deps", "-w", dest, ROOT], check=True)
    pins = [f"{name}=={version}" for name, version in widget_pins().items()]
    pins.append(f"comm=={metadata.version('comm')}")  # ipywidgets' one other pure dependency
    subprocess.run(
        [*py, "download", "-q", "--no-deps", "--only-binary=:all:", "-d", dest, *pins], check=True
    )
    found = sorted(dest.glob("*.whl"))
    impure = [w.name for w in found if not w.name.endswith("py3-none-any.whl")]
    if impure:
        sys.exit(f"JupyterLite takes pure-Python wheels only: {impure}")
    return found


def lite_config(version: str) -> dict:
    """jupyter-lite.json: storage named after the course's version."""
    name = f"mlpops-course-{version}"
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "mlpops course",
            "contentsStorageName": name,
            "workspacesStorageName": name,
            "settingsStorageName": "mlpops-course-settings",
            "enableMemoryStorage": True,  # a private window without storage still works
            "defaultKernelName": "python",
        },
    }


def build(output: Path = OUT, pyodide: str | None = None) -> dict:
    """Build the site; returns what went in (and writes it to mlpops-lite.json)."""
    notebooks = course_notebooks()
    version = contents_version(course_files())
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    (WORK / "jupyter-lite.json").write_text(json.dumps(lite_config(version), indent=2))
    whls = wheels(WORK / "wheels")
    if output.exists():
        shutil.rmtree(output)
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lite",
        "build",
        "--lite-dir",
        WORK,
        "--output-dir",
        output,
        "--no-sourcemaps",
    ]
    for path in course_files():
        cmd += ["--contents", path]
    for w in whls:
        cmd += ["--piplite-wheels", w]
    if pyodide:
        cmd += ["--pyodide", pyodide]
    subprocess.run(cmd, check=True, cwd=WORK)
    manifest = {
        "course_version": version,
        "notebooks": [p.name for p in notebooks],
        "wheels": [w.name for w in whls],
        "widgets": widget_pins(),
        "pyodide": pyodide or "from Pyodide's CDN at run time",
    }
    (output / "mlpops-lite.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def main() -> int:
    p = argparse.ArgumentParser(description="build the course's JupyterLite site")
    p.add_argument("--output", type=Path, default=OUT, help="default build/lite")
    p.add_argument("--pyodide", help="a downloaded Pyodide release (.tar.bz2) for offline use")
    args = p.parse_args()
    manifest = build(args.output.resolve(), args.pyodide)
    print(
        f"JupyterLite site in {args.output}: {len(manifest['notebooks'])} notebooks, "
        f"wheels {', '.join(manifest['wheels'])}; course version {manifest['course_version']}"
    )
    print(f"try it: {sys.executable} -m http.server -d {args.output} -b 127.0.0.1 8000")
    return 0


if __name__ == "__main__":
    sys.exit(main())
