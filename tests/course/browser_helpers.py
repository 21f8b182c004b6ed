"""A real JupyterLab server and a notebook runner driven through Debian's chromium.

Used by tests/course/test_browser.py (and its chromium by test_site.py). The server is fresh for each test session: a free port on
127.0.0.1, a random token, temporary settings, workspaces and runtime directories (so
nothing of the machine's own Jupyter setup leaks in or is changed), news, update checks
and autosave off. Stopping it shuts the kernels down through the REST API, then ends the
server and any process it started, so no kernel outlives the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: user settings written into the temporary settings directory (plugin id -> settings)
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",  # no request to the Jupyter news feed, no "get news?" toast
        "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},  # leave notebooks be
    # every cell in the DOM, on screen or not, so the whole notebook can be inspected
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}
#: texts that mean a widget failed to render (ipywidgets' own messages)
WIDGET_FAILURES = (
    "Error displaying widget",  # the view or its model could not be made (or was lost)
    "Click to show javascript error",  # ipywidgets 8's error widget: a model failed to load
    "Failed to load model class",
    "Failed to create view",
    "Could not create a model",
    "Could not create a view",
)
ERROR_NAME = re.compile(r"Traceback|\b[A-Z]\w*(Error|Exception)\b")


@contextlib.contextmanager
def launch_chromium() -> Iterator:
    """Debian's chromium, headless, driven through playwright; closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    """A running JupyterLab: ``url(path)`` gives an address with the token."""

    root: Path
    port: int
    token: str
    proc: subprocess.Popen
    log_path: Path
    children: set = field(default_factory=set)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, **query: str) -> str:
        q = "&".join(["reset"] + [f"{k}={v}" for k, v in query.items()] + [f"token={self.token}"])
        return f"{self.base}/{path.lstrip('/')}?{q}"

    def api(self, path: str, method: str = "GET") -> object:
        req = urllib.request.Request(
            f"{self.base}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def note_children(self) -> None:
        """Remember every process the server started (kernels), to be sure they end."""
        try:
            import psutil

            self.children |= {
                (p.pid, p.create_time()) for p in psutil.Process(self.proc.pid).children(True)
            }
        except Exception:
            pass

    def shutdown_kernels(self) -> None:
        self.note_children()
        try:
            for k in self.api("kernels"):
                self.api(f"kernels/{k['id']}", method="DELETE")
        except Exception:
            pass

    def stop(self) -> None:
        """Kernels down, server down (TERM, then KILL), leftover children killed."""
        self.shutdown_kernels()
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        _kill_leftovers(self.children)


def _kill_leftovers(children: set) -> None:
    try:
        import psutil
    except ImportError:
        return
    for pid, created in children:
        try:
            p = psutil.Process(pid)
            if p.create_time() == created:  # the same process, not a reused pid
                p.kill()
                p.wait(timeout=5)
        except (psutil.NoSuchProcess, psutil.TimeoutExpired):
            pass


def start_lab(root: Path, scratch: Path, timeout: float = 60) -> LabServer:
    """Start JupyterLab on 127.0.0.1 serving ``root``; temporary state lives in ``scratch``."""
    settings = scratch / "user-settings"
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.split(":")
        path = settings / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    for d in ("workspaces", "runtime", "config", "data", "ipython"):
        (scratch / d).mkdir(exist_ok=True)
    port, token = free_port(), secrets.token_hex(24)
    env = dict(os.environ)
    env.update(
        JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),  # connection files
        JUPYTER_CONFIG_DIR=str(scratch / "config"),  # no user config of this machine
        JUPYTER_DATA_DIR=str(scratch / "data"),  # signing key, trust db: nothing in ~
        IPYTHONDIR=str(scratch / "ipython"),  # no user startup files
        PYTHONDONTWRITEBYTECODE="1",
        MPLBACKEND="module://matplotlib_inline.backend_inline",
    )
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={root}",
        "--allow-root",  # CI runs as root
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={scratch / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--ServerApp.terminals_enabled=False",
    ]
    log_path = scratch / "jupyterlab.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = LabServer(root, port, token, proc, log_path)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            server.api("status")
            return server
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"JupyterLab did not answer in {timeout} s:\n{server.log_tail()}")
        time.sleep(0.3)


def copy_notebooks(src: Path, dest: Path) -> Path:
    """A temporary copy of the notebooks directory (checkpoints left out)."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


def write_notebook(path: Path, cells: list[str | tuple[str, list[str]]]) -> Path:
    """A small unexecuted notebook of code cells (a cell may be (source, tags))."""
    nb_cells = []
    for c in cells:
        source, tags = (c, []) if isinstance(c, str) else c
        nb_cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {"tags": tags},
                "outputs": [],
                "source": source,
            }
        )
    nb = {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, indent=1))
    return path


# -- driving a notebook in the page --------------------------------------------------------
# Each cell's state read in one round trip: prompt text, error outputs, source emptiness.
_CELLS_JS = """
(panel) => {
  const nb = panel || document;
  return Array.from(nb.querySelectorAll('.jp-Notebook .jp-Cell')).map((cell, index) => {
    const code = cell.classList.contains('jp-CodeCell');
    const prompt = code ? (cell.querySelector('.jp-InputPrompt')?.textContent || '') : '';
    const source = cell.querySelector('.cm-content')?.textContent || '';
    const stderr = Array.from(cell.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
      .map(e => e.textContent);
    const errorText = Array.from(cell.querySelectorAll(
      '.jp-RenderedText.jp-mod-error, .jp-OutputArea-output.jp-mod-error, .mlpops-widget-error'))
      .map(e => e.textContent);
    const outputs = (cell.querySelector('.jp-OutputArea')?.textContent || '') +
      (cell.querySelector('.jupyter-widgets-error-widget') ? ' Error displaying widget' : '');
    return {index, code, prompt: prompt.trim(), empty: source.trim() === '',
            stderr, errorText, outputs};
  });
}
"""


def cell_states(page) -> list[dict]:
    panel = page.locator(".jp-NotebookPanel:visible").first
    return panel.evaluate(_CELLS_JS)


def kernel_status(page) -> str:
    """The kernel state shown in the notebook toolbar ('idle', 'busy', ...)."""
    ind = page.locator(".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator").first
    if ind.count():
        return ind.get_attribute("data-status") or ""
    return ""


def menu_command(page, menu: str, item: str) -> None:
    """Click a main-menu entry, as a learner would (e.g. Run -> Run All Cells)."""
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    entry = page.locator(
        ".lm-Menu-content .lm-Menu-item:visible .lm-Menu-itemLabel",
        has_text=re.compile(f"^{re.escape(item)}$"),
    )
    entry.first.click()


def find_problems(states: list[dict], allowed_errors: set[int] = frozenset()) -> list[str]:
    """Error outputs, widget failures and unexecuted code cells, one line each."""
    problems = []
    for s in states:
        if not s["code"]:
            continue
        n = s["index"]
        if n not in allowed_errors:
            for text in s["stderr"]:
                if ERROR_NAME.search(text):
                    problems.append(f"cell {n}: error output: {_first_lines(text)}")
            for text in s["errorText"]:
                problems.append(f"cell {n}: error: {_first_lines(text)}")
        failed = [msg for msg in WIDGET_FAILURES if msg in s["outputs"]]
        if failed:
            problems.append(f"cell {n}: widget failed to render: {failed[0]!r}")
        if not s["empty"] and not re.fullmatch(r"\[\d+\]:", s["prompt"]):
            problems.append(f"cell {n}: not executed (prompt {s['prompt']!r})")
    return problems


def _first_lines(text: str, n: int = 6) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return " | ".join(lines[-n:])[:600]


def cell_count(nb_path: Path) -> int:
    """How many cells the notebook file holds (the page must show as many)."""
    return len(json.loads(nb_path.read_text())["cells"])


def raises_exception_cells(nb_path: Path) -> set[int]:
    """Indexes of cells tagged raises-exception (an intended error, as nbval allows)."""
    nb = json.loads(nb_path.read_text())
    return {
        i
        for i, c in enumerate(nb["cells"])
        if "raises-exception" in c.get("metadata", {}).get("tags", [])
    }


@dataclass
class RunResult:
    name: str
    seconds: float
    states: list[dict]
    problems: list[str]


def open_notebook(page, server: LabServer, rel_path: str, timeout_ms: int = 60_000) -> None:
    """Open a notebook in a fresh workspace and wait for its kernel to be ready."""
    page.goto(server.url(f"lab/tree/{rel_path}"), wait_until="domcontentloaded")
    page.locator(".jp-NotebookPanel:visible .jp-Notebook").first.wait_for(timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while not _kernel_idle_on_server(server, rel_path):  # the toolbar shows "idle" before
        if time.monotonic() > deadline:  # a kernel exists, so ask the server first
            raise TimeoutError(f"no idle kernel for {rel_path} after {timeout_ms / 1000:.0f} s")
        page.wait_for_timeout(250)
    wait_idle(page, timeout_ms)


def _kernel_idle_on_server(server: LabServer, rel_path: str) -> bool:
    try:
        sessions = server.api("sessions")
    except Exception:
        return False
    return any(
        s.get("path") == rel_path and (s.get("kernel") or {}).get("execution_state") == "idle"
        for s in sessions
    )


def wait_idle(page, timeout_ms: int, settle_ms: int = 800) -> None:
    """Wait until the kernel is idle and no cell is queued or running, steadily."""
    deadline = time.monotonic() + timeout_ms / 1000
    calm_since = None
    while True:
        dialog = page.locator(".jp-Dialog:visible")
        if dialog.count():  # e.g. "Select Kernel", "Kernel Restarting": say so, do not hang
            raise RuntimeError(f"a JupyterLab dialog is open: {dialog.first.inner_text()!r:.300}")
        status = kernel_status(page)
        busy = any(s["prompt"] == "[*]:" for s in cell_states(page))
        if status == "idle" and not busy:
            calm_since = calm_since or time.monotonic()
            if (time.monotonic() - calm_since) * 1000 >= settle_ms:
                return
        else:
            calm_since = None
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"kernel not idle after {timeout_ms / 1000:.0f} s "
                f"(status {status!r}, cells running: {busy})"
            )
        page.wait_for_timeout(200)


def run_all(page, timeout_ms: int = 90_000) -> None:
    """Clear every output, then Run -> Run All Cells and wait for the kernel to settle."""
    menu_command(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll(
              '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt'))
              .every(p => !/\\d/.test(p.textContent))""",
        timeout=10_000,
    )
    menu_command(page, "Run", "Run All Cells")
    # wait for the run to start (a queued cell), or for it to finish already
    try:
        page.wait_for_function(
            """() => Array.from(document.querySelectorAll(
                  '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt'))
                  .some(p => /[*\\d]/.test(p.textContent))""",
            timeout=10_000,
        )
    except Exception:
        pass
    wait_idle(page, timeout_ms)


# -- accessibility: axe-core, injected into the page ------------------------------------------
AXE_JS = Path(__file__).resolve().parents[2] / "build" / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def axe_scan(page, include: list[str] | None = None) -> list[dict]:
    """Run axe-core (WCAG 2.x A/AA and best-practice rules) in the page, on the elements
    matching ``include`` (CSS selectors) or the whole document; returns its violations,
    each with id, impact, help and the selectors of the offending nodes."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    context = {"include": [[s] for s in include]} if include else "document"
    return page.evaluate(
        """async (context) => {
          const ctx = context === 'document' ? document : context;
          const r = await axe.run(ctx, {resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 20),
            count: v.nodes.length}));
        }""",
        context,
    )


def course_findings(violations: list[dict]) -> list[str]:
    """The serious and critical findings (each fails the test), one line each."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][:3]}"
        for v in violations
        if v["impact"] in SERIOUS
    ]


def summarize(violations: list[dict]) -> dict[str, int]:
    """'rule (impact)' -> number of offending elements."""
    out: dict[str, int] = {}
    for v in violations:
        key = f"{v['id']} ({v['impact']})"
        out[key] = out.get(key, 0) + v["count"]
    return out
