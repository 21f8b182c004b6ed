#!/usr/bin/env python3
"""The course's commands, with nothing but Python >= 3.10 needed to start them.

    python3 tasks.py lab         set up .venv, open the course in JupyterLab
    python3 tasks.py test        set up .venv, run every test (unit, notebooks, browser)
    python3 tasks.py notebooks   re-execute every notebook in place (refresh outputs)
    python3 tasks.py site        build the course's static site into build/site/
                                 (--fetch-only: just unpack its npm packages)
    python3 tasks.py map         write the README's notebook map and the guide's minutes
                                 from the notebooks' headers
    python3 tasks.py lint-notebooks [NAME ...]
                                 check the notebooks (all, or the ones named) against the
                                 course's prose rules (tools/prose_check.py)
    python3 tasks.py lite        build the course as a static JupyterLite site (build/lite)
    python3 tasks.py setup       only create or update .venv

Each command first makes ``.venv`` (once; again when pyproject.toml changes), except
``map`` and ``lint-notebooks``, which read the notebooks as plain JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
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
    stamp.write_text(want)


#: JupyterLab's "would you like to get notified about news?" prompt comes from this plugin;
#: Binder's postBuild turns it off in its image. Here it is turned off for this launch only,
#: by a page config on JUPYTER_CONFIG_PATH inside .venv: the learner's ~/.jupyter is untouched.
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"
LAB_CONFIG = VENV / "lab-config"
#: The session's token travels in this environment variable (readable only by its owner),
#: not in argv, which every local user can read (ps).
TOKEN_ENV = "MLPOPS_LAB_TOKEN"
#: ``jupyter lab`` itself (jupyterlab.labapp:main), with the token added as a command-line
#: setting in-process: the command line outranks every config file, so a config that says
#: ``ServerApp.token = ""`` cannot turn authentication off.
LAUNCHER = (
    "import os, sys; from jupyterlab.labapp import main; "
    f"sys.exit(main([*sys.argv[1:], '--IdentityProvider.token=' + os.environ.pop({TOKEN_ENV!r})]))"
)
TOKEN_ARG = re.compile(r"--(ServerApp|NotebookApp|IdentityProvider)\.token\b")


def lab(args: list[str]) -> int | None:
    """JupyterLab on 127.0.0.1 with a fresh token, opened at the first notebook."""
    if any(TOKEN_ARG.match(a) for a in args):
        print(
            "tasks.py lab makes its own token for every launch, so the course is never served "
            "without one; to choose a token yourself run .venv/bin/jupyter lab directly",
            file=sys.stderr,
        )
        return 2
    setup()
    token = secrets.token_hex(24)
    page_config = LAB_CONFIG / "labconfig" / "page_config.json"
    page_config.parent.mkdir(parents=True, exist_ok=True)
    page_config.write_text(json.dumps({"disabledExtensions": {NEWS_PLUGIN: True}}) + "\n")
    paths = [str(LAB_CONFIG), *filter(None, [os.environ.get("JUPYTER_CONFIG_PATH")])]
    env = {**os.environ, TOKEN_ENV: token, "JUPYTER_CONFIG_PATH": os.pathsep.join(paths)}
    cmd = [PYTHON, "-c", LAUNCHER, "--ServerApp.ip=127.0.0.1"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # Jupyter refuses root unless told
    cmd += [*args, str(NOTEBOOKS / "00-start-here.ipynb")]
    print("+ jupyter lab", " ".join(str(c) for c in cmd[3:]), flush=True)
    print(
        f"JupyterLab's token for this session: {token}\n"
        "(the browser JupyterLab opens is signed in already; another one asks for it)",
        flush=True,
    )
    if os.name != "posix":
        return subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env)
    os.chdir(ROOT)
    os.execve(str(cmd[0]), [str(c) for c in cmd], env)  # JupyterLab takes this process's place
    return None  # (not reached)


def pytest_command(args: list[str]) -> list:
    return [
        PYTHON,
        "-m",
        "pytest",
        "tests",
        "notebooks",
        "--nbval",
        "--nbval-current-env",
        "--nbval-cell-timeout=300",
        "--nbval-sanitize-with",
        "notebooks/sanitize.cfg",
        "-p",
        "no:cacheprovider",
        *args,
    ]


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


#: npm packages the static site serves (unpacked by ``npm pack``, no install, no CDN)
SITE_PACKAGES = {
    "html-manager": "@jupyter-widgets/html-manager@1.0.15",
    "mathjax": "mathjax@3.2.2",
    "axe-core": "axe-core@4.14.1",
}
VENDOR = ROOT / "build" / "vendor"


def site(args: list[str]) -> int:
    """Build the static course site (one page per notebook, index) into build/site/.

    The widget manager, MathJax and axe-core (for the site's browser test) come from npm
    once, unpacked into build/vendor/; the site serves its own copies, so it needs no CDN."""
    import shutil
    import tarfile
    import tempfile

    setup()
    for folder, spec in SITE_PACKAGES.items():
        if (VENDOR / folder / "package.json").exists():
            continue
        if not shutil.which("npm"):
            sys.exit(f"the site needs {spec} from npm, and npm is not installed")
        with tempfile.TemporaryDirectory() as tmp:
            if run("npm", "pack", "--silent", spec, cwd=tmp):
                sys.exit(f"npm pack {spec} failed (see above)")
            (tarball,) = Path(tmp).glob("*.tgz")
            with tarfile.open(tarball) as tar:
                try:
                    tar.extractall(tmp, filter="data")
                except TypeError:  # Python < 3.10.12: no filter (npm's own tarball)
                    tar.extractall(tmp)
            shutil.rmtree(VENDOR / folder, ignore_errors=True)
            VENDOR.mkdir(parents=True, exist_ok=True)
            shutil.move(Path(tmp) / "package", VENDOR / folder)
    if args == ["--fetch-only"]:  # CI: the packages only; the test builds the site itself
        return 0
    out = Path(args[0]) if args else ROOT / "build" / "site"
    return run(PYTHON, ROOT / "tools" / "course_site.py", out, VENDOR, cwd=ROOT)


def notebook_map(args: list[str]) -> int:
    """The README's map and INSTRUCTORS.md's minutes, from the notebooks' headers (needs
    no .venv: the headers are read as plain JSON)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import notebook_tools

    changed = notebook_tools.write_map(ROOT)
    print("rewrote " + ", ".join(p.name for p in changed) if changed else "up to date")
    return 0


def lint_notebooks(args: list[str]) -> int:
    """The prose rules of notebooks/AUTHORING.md (cell length, numbers printed beside the
    prose, the glossary line, no NBVAL or formatter comments) on every notebook, or on the
    ones named; exit 1 if any is broken (needs no .venv: the notebooks are read as JSON)."""
    names = args or sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]*-*.ipynb"))
    paths = [Path("notebooks") / Path(name).name for name in names]
    return run(sys.executable, ROOT / "tools" / "prose_check.py", *paths, cwd=ROOT)


def lite(args: list[str]) -> int:
    """The course as a static JupyterLite site in build/lite (Python in the browser)."""
    setup()
    return run(PYTHON, ROOT / "tools" / "build_lite.py", *args, cwd=ROOT)


def main(argv: list[str]) -> int:
    commands = {
        "lab": lab,
        "test": test,
        "notebooks": notebooks,
        "map": notebook_map,
        "lint-notebooks": lint_notebooks,
        "site": site,
        "lite": lite,
    }
    if not argv or argv[0] not in (*commands, "setup"):
        print(__doc__)
        return 2
    if argv[0] == "setup":
        setup()
        return 0
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
