#!/usr/bin/env python3
"""Make the hub's Python: one venv, readable by every learner, with JupyterHub, the
course's packages and mlpops (a copy, not an editable link into someone's home).

    sudo python3 hub/setup_env.py /opt/mlpops-hub [--python /usr/bin/python3]

The proxy comes from npm: ``npm install -g configurable-http-proxy``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = "lab,hub"
NEWS = "@jupyterlab/apputils-extension:announcements"


def readable_by_all(path: Path) -> bool:
    """Every folder above ``path`` can be entered, and ``path`` read, by any user."""
    path = path.resolve()
    for p in [path, *path.parents]:
        mode = p.stat().st_mode
        if not mode & 0o001 or (p == path and not mode & 0o004):
            return False
    return True


def base_python() -> Path:
    """A Python >= 3.10 that learners can run (a root-only pyenv would not do)."""
    for cand in (getattr(sys, "_base_executable", ""), "/usr/bin/python3", shutil.which("python3")):
        if cand and Path(cand).exists() and readable_by_all(Path(cand)):
            out = subprocess.run(
                [cand, "-c", "import sys, venv; print(sys.version_info >= (3, 10))"],
                capture_output=True,
                text=True,
            )
            if out.stdout.strip() == "True":
                return Path(cand)
    sys.exit("no Python >= 3.10 readable by every user found: pass --python PATH")


def setup(prefix: Path, python: Path | None = None, quiet: bool = False) -> Path:
    """Create or update the environment at ``prefix`` (skipped when it is up to date)."""
    stamp = prefix / ".mlpops-hub-installed"
    want = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes()
        + b"".join(p.read_bytes() for p in sorted((ROOT / "mlpops").rglob("*.py")))
    ).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return prefix
    py = python or base_python()
    if not (prefix / "bin" / "python").exists():
        subprocess.run([py, "-m", "venv", prefix], check=True)
    pip = [prefix / "bin" / "python", "-m", "pip", "install", "--disable-pip-version-check"]
    if quiet:
        pip.append("-q")
    subprocess.run([*pip, f"{ROOT}[{EXTRAS}]"], check=True)  # a copy of mlpops, not -e
    subprocess.run(
        [prefix / "bin" / "jupyter", "labextension", "disable", "--level=sys_prefix", NEWS],
        check=True,
        capture_output=True,
    )
    os.chmod(prefix, 0o755)
    if not readable_by_all(prefix / "bin" / "python"):
        sys.exit(f"{prefix}/bin/python is not readable by every user: learners could not run it")
    stamp.write_text(want)
    return prefix


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("prefix", type=Path, help="where the venv goes, e.g. /opt/mlpops-hub")
    p.add_argument("--python", type=Path, help="the base Python (default: one all can run)")
    args = p.parse_args()
    setup(args.prefix.resolve(), args.python)
    if not shutil.which("configurable-http-proxy"):
        print("now: npm install -g configurable-http-proxy")
    print(f"ready: {args.prefix}/bin/jupyterhub -f {ROOT / 'hub' / 'jupyterhub_config.py'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
