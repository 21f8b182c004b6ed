"""binder/ is what mybinder.org builds, and a simulated Binder build runs every notebook.

conda is not reachable here, so the simulated build uses pip: a fresh venv that gets
only the pip equivalents of the packages binder/environment.yml names (with its pins, no
test extras), then binder/postBuild runs from a copy of the repository with that venv
first on PATH, then every notebook runs there, one fresh kernel each, and each kernel's
peak memory is measured (benchmarks/notebook_memory.py). Results go to
test-artifacts/binder-build.json.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import launch
import workshop_kit as kit

BINDER = kit.ROOT / "binder"
POSTBUILD = BINDER / "postBuild"
# Files repo2docker reads from binder/ (its docs: "Configuration Files"). Only these two
# belong there; anything else would be either ignored or change how the image is built.
ALLOWED_BINDER_FILES = {"environment.yml", "postBuild"}
MEMORY_GOAL_MIB = 1024  # mybinder.org guarantees 1 GB; the goal is well under it
ARTIFACT = kit.ROOT / "test-artifacts" / "binder-build.json"


def postbuild_commands() -> list[str]:
    lines = POSTBUILD.read_text().splitlines()
    return [ln.strip() for ln in lines[1:] if ln.strip() and not ln.strip().startswith("#")]


def test_binder_folder_holds_exactly_the_binder_config():
    present = {p.name for p in BINDER.iterdir() if not p.name.startswith(".")}
    assert present == ALLOWED_BINDER_FILES, f"binder/ holds {sorted(present)}"


def test_no_dockerfile_overrides_the_binder_folder():
    # A Dockerfile in binder/ would make repo2docker ignore environment.yml and postBuild.
    assert not (BINDER / "Dockerfile").exists()


def test_postbuild_is_an_executable_bash_script_that_stops_on_errors():
    text = POSTBUILD.read_text()
    assert text.startswith("#!/bin/bash\n"), "repo2docker runs postBuild by its #!/bin/bash line"
    assert os.access(POSTBUILD, os.X_OK), "chmod +x binder/postBuild"
    commands = postbuild_commands()
    assert re.fullmatch(r"set -[a-z]*e[a-z]*( pipefail| -o pipefail)?", commands[0]), (
        "the first command must be 'set -e' (repo2docker does not stop on errors otherwise)"
    )
    subprocess.run(["bash", "-n", str(POSTBUILD)], check=True)


def test_postbuild_is_executable_in_git():
    # What Binder sees is the committed mode, not this checkout's.
    out = subprocess.run(
        ["git", "ls-files", "-s", "binder/postBuild"], cwd=kit.ROOT, capture_output=True, text=True
    )
    if out.returncode or not out.stdout.strip():
        pytest.skip("binder/postBuild is not committed yet (or git is unavailable)")
    assert out.stdout.split()[0] == "100755", "git update-index --chmod=+x binder/postBuild"


def test_postbuild_installs_the_package_from_the_repository_root():
    commands = postbuild_commands()
    installs = [c for c in commands if re.search(r"\bpip install\b", c)]
    assert any(re.search(r"\bpip install\b.*(-e \.|\s\.)$", c) for c in installs), (
        "postBuild must install mlpops from the repository root (cwd on Binder): pip install -e ."
    )
    for c in installs:
        assert "-e .." not in c and not re.search(r"\s\.\.(/|\s|$)", c), f"no '..' paths: {c}"
        # every dependency comes from binder/environment.yml; pip must not fetch others
        assert "--no-deps" in c, f"postBuild installs dependencies that the env file lacks: {c}"
    assert not any(re.match(r"(sudo|apt|apt-get|conda|mamba)\b", c) for c in commands), (
        "postBuild runs as the notebook user, without root; packages belong in environment.yml"
    )


def _copy_repository(dest: Path) -> None:
    """The files a clone would have (tracked + new, not ignored), as Binder's build sees them."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=kit.ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode == 0:
        for rel in filter(None, out.stdout.split("\0")):
            src = kit.ROOT / rel
            if src.is_file():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / rel)
    else:  # not a git checkout
        ignore = shutil.ignore_patterns(
            ".git", ".venv", "test-artifacts", "__pycache__", "*.egg-info", ".ipynb_checkpoints"
        )
        shutil.copytree(kit.ROOT, dest, ignore=ignore, dirs_exist_ok=True)


def _colab_install_cell_installs_mlpops(repo: Path, python: Path, env: dict, tmp: Path) -> float:
    """Colab's case: an environment with the course's packages but not mlpops. Notebook 01's
    install cell (pointed at a wheel built here instead of the repository online) installs
    it, and the notebook then runs; the wheel is removed again. Returns the seconds taken."""
    start = time.perf_counter()
    wheels = tmp / "wheels"
    _run(
        [python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, repo],
        env,
        repo,
        "pip wheel",
        600,
    )
    wheel = next(wheels.glob("mlpops-*.whl"))
    nb = nbformat.read(repo / "notebooks" / "01-one-neuron.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == launch.INSTALL_CELL_ID)
    online = f"mlpops @ git+https://github.com/{launch.REPO}@{launch.install_ref(nb)}"
    assert online in cell.source
    cell.source = cell.source.replace(online, str(wheel))
    copy = repo / "notebooks" / "colab-check.ipynb"
    nbformat.write(nb, copy)
    probe = [python, "-c", "import importlib.util; print(importlib.util.find_spec('mlpops'))"]
    assert _run(probe, env, tmp, "find mlpops", 60).strip() == "None", "mlpops was already there"
    _run([python, repo / "benchmarks" / "notebook_memory.py", copy], env, repo, "01 on Colab", 600)
    where = _run([python, "-c", "import mlpops; print(mlpops.__file__)"], env, tmp, "import", 60)
    assert "site-packages" in where, f"the install cell did not install mlpops: {where}"
    copy.unlink()
    _run([python, "-m", "pip", "uninstall", "-y", "-q", "mlpops"], env, repo, "pip uninstall", 300)
    return round(time.perf_counter() - start, 1)


def _run(cmd: list, env: dict, cwd: Path, what: str, timeout: int) -> str:
    proc = subprocess.run(
        [str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{what} failed ({proc.returncode}):\n{output[-4000:]}"
    return output


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="postBuild is a bash script; Binder runs Linux")
@pytest.mark.timeout(1800)  # ten notebooks at up to 60 s each, plus the installs
def test_simulated_binder_build_runs_every_notebook(tmp_path):
    notebooks = kit.course_notebooks()
    assert notebooks, "no notebooks to run"
    start = time.perf_counter()
    repo, venv = tmp_path / "repo", tmp_path / "venv"
    repo.mkdir()
    _copy_repository(repo)

    # A fresh environment that sees nothing of this one (no PYTHONPATH, no user site).
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PYTHONNOUSERSITE="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        JUPYTER_PLATFORM_DIRS="1",
    )
    requirements = kit.binder_pip_requirements()
    _run([python, "-m", "pip", "install", *requirements], env, repo, "pip install", 900)
    installed = time.perf_counter()

    colab = _colab_install_cell_installs_mlpops(repo, python, env, tmp_path)
    _run([repo / "binder" / "postBuild"], env, repo, "binder/postBuild", 600)
    probe = "import mlpops, pathlib; print(pathlib.Path(mlpops.__file__).resolve())"
    where = _run([python, "-c", probe], env, tmp_path, "import mlpops", 60).strip()
    assert Path(where).is_relative_to(repo.resolve()), f"mlpops imported from {where}"
    built = time.perf_counter()

    memory = tmp_path / "memory.json"
    cmd = [python, repo / "benchmarks" / "notebook_memory.py", "--json", memory]
    cmd += ["--limit-mib", MEMORY_GOAL_MIB]
    proc = subprocess.run(
        [str(c) for c in cmd], env=env, cwd=repo, capture_output=True, text=True, timeout=1800
    )
    summary = json.loads(memory.read_text()) if memory.exists() else {}
    done = time.perf_counter()

    record = {
        "requirements": requirements,
        "seconds": {
            "pip_install": round(installed - start, 1),
            "colab_install_and_run_01": colab,
            "postBuild": round(built - installed, 1),
            "notebooks": round(done - built, 1),
            "total": round(done - start, 1),
        },
        "memory": summary,
    }
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(record, indent=2) + "\n")
    print(proc.stdout)
    print(f"simulated Binder build: {record['seconds']}")

    assert summary, f"notebook_memory.py wrote nothing:\n{proc.stdout}{proc.stderr[-3000:]}"
    ran = [r["notebook"] for r in summary["notebooks"]]
    assert ran == [p.name for p in notebooks]
    errors = {r["notebook"]: r["error"] for r in summary["notebooks"] if r["error"]}
    assert not errors, f"notebooks fail in the Binder environment: {errors}"
    assert summary["max_peak_mib"] < MEMORY_GOAL_MIB, proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]

    # The README's instructor section records the peak; it must not fall far behind.
    recorded = re.search(
        r"\*\*max (\d+) MiB\*\*", kit.section(kit.README.read_text(), "instructors")
    )
    measured = ", ".join(f"{r['notebook'][:2]}: {r['peak_mib']:.0f}" for r in summary["notebooks"])
    assert recorded, "record the peak memory in the README's instructor section"
    assert summary["max_peak_mib"] <= int(recorded.group(1)) * 1.25 + 32, (
        f"notebooks now peak at {summary['max_peak_mib']:.0f} MiB, the README says "
        f"{recorded.group(1)}: update its instructor section ({measured} MiB)"
    )
