"""The README's two commands: what they run, and that the lab one serves the course safely."""

import json
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
    )
    assert "apt-get install -y" in ci and "chromium" in ci


def test_the_test_command_runs_units_and_every_notebook_under_strict_nbval():
    cmd = [str(c) for c in tasks.pytest_command([])]
    assert "tests" in cmd and "notebooks" in cmd and "--nbval" in cmd
    assert "--nbval-lax" not in cmd
    assert cmd[cmd.index("--nbval-sanitize-with") + 1] == "notebooks/sanitize.cfg"


def launched(monkeypatch, args=()):
    """What tasks.lab would exec: (argv, env), nothing started."""
    calls = []
    monkeypatch.setattr(tasks, "setup", lambda: None)
    monkeypatch.setattr(tasks.os, "execve", lambda path, argv, env: calls.append((argv, env)))
    monkeypatch.setattr(tasks.os, "execv", lambda *a: pytest.fail("exec without the env"))
    monkeypatch.setattr(tasks, "run", lambda *a, **k: pytest.fail("started a process"))
    monkeypatch.setattr(tasks.os, "chdir", lambda path: None)
    assert tasks.lab(list(args)) is None
    ((argv, env),) = calls
    return argv, env


def test_lab_command_replaces_itself_with_jupyterlab(monkeypatch):
    argv, env = launched(monkeypatch, ["--no-browser"])
    assert argv[1] == "-c" and "from jupyterlab.labapp import main" in argv[2]
    assert "--ServerApp.ip=127.0.0.1" in argv and "--no-browser" in argv
    assert argv[-1].endswith("notebooks/00-start-here.ipynb")
    assert ("--allow-root" in argv) == (os.geteuid() == 0)


def test_lab_command_gives_every_launch_a_fresh_token_kept_out_of_the_process_list(monkeypatch):
    argv1, env1 = launched(monkeypatch)
    argv2, env2 = launched(monkeypatch)
    token1, token2 = env1[tasks.TOKEN_ENV], env2[tasks.TOKEN_ENV]
    assert re.fullmatch(r"[0-9a-f]{48}", token1) and token1 != token2
    assert not any(token1 in a for a in argv1)  # argv is readable by every local user (ps)
    # the launcher hands it to JupyterLab as a command-line setting: above every config file
    assert f"'--IdentityProvider.token=' + os.environ.pop({tasks.TOKEN_ENV!r})" in argv1[2]


@pytest.mark.parametrize(
    "arg",
    [
        "--ServerApp.token=",
        "--IdentityProvider.token=abc",
        "--NotebookApp.token",
        "--IdentityProvider.token",
    ],
)
def test_lab_command_refuses_arguments_that_would_set_the_token(monkeypatch, arg, capsys):
    monkeypatch.setattr(tasks, "setup", lambda: None)
    monkeypatch.setattr(tasks.os, "execve", lambda *a: pytest.fail("must not start"))
    monkeypatch.setattr(tasks.os, "execv", lambda *a: pytest.fail("must not start"))
    assert tasks.lab([arg]) == 2
    err = capsys.readouterr().err
    assert "makes its own token" in err and "jupyter lab" in err


def test_lab_command_turns_the_news_prompt_off_without_touching_the_users_config(
    monkeypatch, tmp_path
):
    home_config = tmp_path / "home-jupyter"
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(home_config))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/somewhere/else")
    argv, env = launched(monkeypatch)
    first, *rest = env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert rest == ["/somewhere/else"]  # the user's own path is kept, after ours
    page = json.loads((Path(first) / "labconfig" / "page_config.json").read_text())
    assert page == {"disabledExtensions": {tasks.NEWS_PLUGIN: True}}
    assert Path(first).is_relative_to(tasks.VENV)  # the project's .venv, not ~/.jupyter
    assert not home_config.exists()
    binder = (ROOT / "binder" / "postBuild").read_text()
    assert f'disable --level=sys_prefix "{tasks.NEWS_PLUGIN}"' in binder  # one plugin, both


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
    config = tmp_path / "config"  # the learner's own Jupyter config, asking for no token
    config.mkdir()
    (config / "jupyter_server_config.py").write_text(
        'c.ServerApp.token = ""\nc.IdentityProvider.token = ""\n'
    )
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
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
        "'--ServerApp.port_retries=0']))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    try:
        url = token = None
        deadline = time.time() + 90
        while time.time() < deadline and url is None:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"token for this session: ([0-9a-f]+)", line)
            token = m.group(1) if m else token
            m = re.search(r"(http://127\.0\.0\.1:\d+/lab)\S*", line)
            url = m.group(1) if m else None
        log = "".join(lines)
        assert token and url, "no token, or no 127.0.0.1 URL, announced:\n" + log
        contents = f"http://127.0.0.1:{port}/api/contents"
        assert get_when_up(f"{contents}?token={token}") == 200
        for unauthenticated in (contents, f"http://127.0.0.1:{port}/api/status"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(unauthenticated, timeout=10)
            assert refused.value.code == 403  # the config's empty token did not win
        # the course's folder is the server's root, opened at the first notebook
        with urllib.request.urlopen(f"{contents}?token={token}", timeout=10) as r:
            assert b"00-start-here.ipynb" in r.read()
        # and the page JupyterLab serves has the news prompt's plugin turned off
        with urllib.request.urlopen(f"{url}?token={token}", timeout=10) as r:
            page = r.read().decode()
        config_data = re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)
        disabled = json.loads(config_data.group(1))["disabledExtensions"]
        assert tasks.NEWS_PLUGIN in disabled, disabled
    finally:  # the whole process group: nothing of the server may outlive the test
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
    # the learner's config is left as it was (Jupyter itself may add its "migrated" marker)
    assert sorted(p.name for p in config.iterdir()) in (
        ["jupyter_server_config.py"],
        ["jupyter_server_config.py", "migrated"],
    )
    assert (config / "jupyter_server_config.py").read_text().startswith('c.ServerApp.token = ""')
