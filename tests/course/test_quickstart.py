"""The README's two commands: what they run, and that the lab one serves the course safely."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import tasks  # noqa: E402


def test_readme_quick_start_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(python3 tasks\.py \w+)", quick, re.M)
    assert commands == ["python3 tasks.py lab", "python3 tasks.py test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec python3 tasks\.py test$", ci, re.M), (
        ".ci/run must end in the README's test command"
    )  # noqa: E501
    assert "apt-get install -y" in ci and "chromium" in ci


def test_the_test_command_runs_units_and_every_notebook_under_strict_nbval():
    cmd = [str(c) for c in tasks.pytest_command([])]
    assert "tests" in cmd and "notebooks" in cmd and "--nbval" in cmd
    assert "--nbval-lax" not in cmd
    assert cmd[cmd.index("--nbval-sanitize-with") + 1] == "notebooks/sanitize.cfg"


def test_lab_command_replaces_itself_with_jupyterlab(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "setup", lambda: None)
    monkeypatch.setattr(tasks.os, "execv", lambda path, argv: calls.append(argv))
    monkeypatch.setattr(tasks.os, "chdir", lambda path: None)
    tasks.lab(["--no-browser"])
    (argv,) = calls
    assert argv[1:4] == ["-m", "jupyter", "lab"]
    assert "--ServerApp.ip=127.0.0.1" in argv
    assert argv[-1].endswith("notebooks/00-start-here.ipynb")
    assert ("--allow-root" in argv) == (os.geteuid() == 0)


def test_no_tests_collected_is_a_failure(monkeypatch):
    monkeypatch.setattr(tasks, "setup", lambda: None)
    monkeypatch.setattr(tasks, "run", lambda *a, **k: 5)
    assert tasks.test([]) == 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_when_up(url, seconds=60):
    """HTTP status of url, retrying while the server is still starting to accept."""
    deadline = time.time() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.status
        except urllib.error.URLError as e:
            if isinstance(e, urllib.error.HTTPError) or time.time() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.slow
def test_lab_command_serves_the_course_on_localhost_with_a_token(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "PYTHONUNBUFFERED": "1",
    }
    # tasks.lab as the README runs it, with this interpreter standing in for .venv's
    code = (
        "import sys, tasks; from pathlib import Path; tasks.PYTHON = Path(sys.executable); "
        "tasks.setup = lambda: None; "
        f"sys.exit(tasks.lab(['--ServerApp.port={port}', '--ServerApp.open_browser=False', "
        "'--LabApp.news_url=None', '--ServerApp.port_retries=0']))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    lines = []
    try:
        url = None
        deadline = time.time() + 90
        while time.time() < deadline and url is None:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"(http://127\.0\.0\.1:\d+/lab\S*\?token=\w+)", line)
            url = m.group(1) if m else None
        assert url, "JupyterLab did not announce a 127.0.0.1 URL with a token:\n" + "".join(lines)
        token = url.split("token=")[1]
        status = f"http://127.0.0.1:{port}/api/status"
        assert get_when_up(f"{status}?token={token}") == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(status, timeout=10)
        assert refused.value.code == 403  # no token, no access
        # the course's folder is the server's root, opened at the first notebook
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=10
        ) as r:  # noqa: E501
            assert b"00-start-here.ipynb" in r.read()
    finally:  # the whole process group: nothing of the server may outlive the test
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
