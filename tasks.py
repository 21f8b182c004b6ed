#!/usr/bin/env python3
"""The course's commands, with nothing but Python >= 3.10 needed to start them.

    python3 tasks.py lab         set up .venv, open the course in JupyterLab
    python3 tasks.py test        set up .venv, run every test (unit, notebooks, browser)
    python3 tasks.py notebooks   re-execute every notebook in place (refresh outputs)
    python3 tasks.py lite        build the course as a static JupyterLite site (build/lite)
    python3 tasks.py setup       only create or update .venv

Each command first makes ``.venv`` (once; again when pyproject.toml changes).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
NOTEBOOKS = ROOT / "notebooks"
EXTRAS = "lab,test"


def run(*cmd: str | Path, **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], **kw)


def setup() -> None:
    """Create .venv and install the package with its extras (skipped when up to date)."""
    if sys.version_info < (3, 10):  # noqa: UP036 (tasks.py may be run by an older python3)
        sys.exit(f"mlpops needs Python >= 3.10; this is {sys.version.split()[0]}")
    stamp = VENV / ".mlpops-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"Creating {VENV.name} ...", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check"]
    if run(*pip, "--upgrade", "pip") or run(*pip, "-e", f".[{EXTRAS}]", cwd=ROOT):
        sys.exit("Installing the course's packages failed (see above).")
    # No "receive news?" prompt for a learner (binder/postBuild does the same on Binder).
    news = "@jupyterlab/apputils-extension:announcements"
    run(PYTHON, "-m", "jupyter", "labextension", "disable", "--level=sys_prefix", news)
    stamp.write_text(want)


def lab(args: list[str]) -> int:
    """JupyterLab on 127.0.0.1 with a token, opened at the first notebook."""
    setup()
    cmd = [PYTHON, "-m", "jupyter", "lab", "--ServerApp.ip=127.0.0.1"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # Jupyter refuses root unless told
    cmd += [*args, str(NOTEBOOKS / "00-start-here.ipynb")]
    if os.name != "posix":
        return run(*cmd, cwd=ROOT)
    print("+", " ".join(str(c) for c in cmd), flush=True)
    os.chdir(ROOT)
    os.execv(str(cmd[0]), [str(c) for c in cmd])  # JupyterLab takes this process's place


def pytest_command(args: list[str]) -> list:
    return [
        PYTHON, "-m", "pytest", "tests", "notebooks",
        "--nbval", "--nbval-current-env", "--nbval-cell-timeout=300",
        "--nbval-sanitize-with", "notebooks/sanitize.cfg",
        "-p", "no:cacheprovider", *args,
    ]  # fmt: skip


def test(args: list[str]) -> int:
    """Every test: unit and property tests, every notebook under strict nbval, browser."""
    setup()
    code = run(*pytest_command(args), cwd=ROOT)
    if code == 5:
        print("pytest collected no tests: that is a failure here, not a pass.", flush=True)
        return 1
    return code


def notebooks(args: list[str]) -> int:
    """Re-execute notebooks in place (all, or the ones named), from fresh kernels."""
    setup()
    names = args or sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    for name in names:
        path = NOTEBOOKS / Path(name).name
        code = run(PYTHON, ROOT / "tools" / "notebook_tools.py", "execute", path, cwd=ROOT)
        if code:
            return code
    return 0


def lite(args: list[str]) -> int:
    """The course as a static JupyterLite site in build/lite (Python in the browser)."""
    setup()
    return run(PYTHON, ROOT / "tools" / "build_lite.py", *args, cwd=ROOT)


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test, "notebooks": notebooks, "lite": lite}
    if not argv or argv[0] not in (*commands, "setup"):
        print(__doc__)
        return 2
    if argv[0] == "setup":
        setup()
        return 0
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
