"""Load test of the course's JupyterHub (hub/) on this machine: N learners at once.

    sudo .venv/bin/python benchmarks/hub_load.py --learners 20 [--json out.json]

Needs root (it makes N throwaway Unix users, and removes them at the end), Linux, and
``configurable-http-proxy`` on PATH. Everything stays on 127.0.0.1. The hub's Python is
made by hub/setup_env.py in build/hub-env (once).

Each simulated learner, all at the same time: logs in with the password hub/learners.py
gave it (the hub's login form, PAM), starts its server through the hub's API, opens
JupyterLab through the hub's proxy (the OAuth round trip a browser makes), starts a
kernel for notebook 03 from its own copy of the course, runs every code cell over the
kernel's websocket (through the proxy), and saves the notebook with its new outputs.
Then the hub is restarted (which stops every server) and each learner logs in again and
finds its saved notebook, outputs and all.

Reports: learners completed, seconds per notebook (p50, p95), memory per learner (the
proportional set size of its server + kernel once the notebook has run, and its control
group's peak), and the restart check. Figures are measured in one run, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "hub"
sys.path.insert(0, str(HUB))
import learners as learner_accounts  # noqa: E402

NOTEBOOK = "mlpops-course/03-stacking-layers.ipynb"
HOST = "127.0.0.1"  # only loopback, ever
MIB = 2**20


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation; None for no values."""
    if not values:
        return None
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


class Hub:
    """A running hub from hub/jupyterhub_config.py, on loopback ports of its own."""

    def __init__(
        self, prefix: Path, state: Path, group: str, mem_limit: str = "1G", cpu_limit: str = "1"
    ):
        self.prefix, self.state, self.group = prefix, state, group
        self.port, self.api_port, self.proxy_port = free_port(), free_port(), free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.env = {
            **os.environ,
            "MLPOPS_HUB_STATE": str(state),
            "MLPOPS_HUB_PREFIX": str(prefix),
            "MLPOPS_HUB_BIND_URL": self.url,
            "MLPOPS_HUB_API_PORT": str(self.api_port),
            "MLPOPS_HUB_PROXY_API": f"http://{HOST}:{self.proxy_port}",
            "MLPOPS_HUB_GROUP": group,
            "MLPOPS_HUB_MEM_LIMIT": mem_limit,
            "MLPOPS_HUB_CPU_LIMIT": cpu_limit,
        }
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> Hub:
        log = open(self.state / "hub.log", "ab")
        self.proc = subprocess.Popen(
            [self.prefix / "bin" / "jupyterhub", "-f", HUB / "jupyterhub_config.py"],
            cwd=self.state,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.proc.returncode}): {self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/hub/api/", timeout=2).ok:
                    return self
            time.sleep(0.5)
        raise TimeoutError(f"the hub did not answer in {timeout} s: {self.log_tail()}")

    def stop(self, timeout: float = 60, users: list[str] = ()) -> None:
        """SIGTERM, as systemd would: the hub stops every learner's server, then exits.
        Then wait (up to ``timeout``) until the ``users``' servers have really exited: a
        hub started while old servers are still shutting down waits for each of them to
        answer (up to Spawner.http_timeout) before that learner can start again."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        deadline = time.monotonic() + timeout
        while users and time.monotonic() < deadline:
            if not any(p.info["username"] in users for p in psutil.process_iter(["username"])):
                break
            time.sleep(0.5)

    def processes(self) -> list[psutil.Process]:
        """The hub, its proxy and culler, and every learner's server and kernel."""
        if self.proc is None:
            return []
        with contextlib.suppress(psutil.NoSuchProcess):
            return [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(True)]
        return []

    def log_tail(self, n: int = 30) -> str:
        lines = (self.state / "hub.log").read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])


class Learner:
    """One learner in a browser, as HTTP requests and a kernel websocket."""

    def __init__(self, hub: Hub, name: str, password: str):
        self.hub, self.name, self.password = hub, name, password
        self.s = requests.Session()
        self.server = f"{hub.url}/user/{name}"

    def _xsrf(self, path: str = "/hub/") -> dict:
        token = next(
            (c.value for c in self.s.cookies if c.name == "_xsrf" and c.path == path), None
        ) or self.s.cookies.get("_xsrf")
        return {"X-XSRFToken": token} if token else {}

    def login(self) -> bool:
        page = self.s.get(f"{self.hub.url}/hub/login", timeout=30)
        m = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text)
        data = {"username": self.name, "password": self.password}
        if m:
            data["_xsrf"] = m.group(1)
        r = self.s.post(f"{self.hub.url}/hub/login", data=data, allow_redirects=False, timeout=60)
        return r.status_code == 302 and any(
            c.name.startswith("jupyterhub-") for c in self.s.cookies
        )

    def start_server(self, timeout: float = 600) -> None:
        api = f"{self.hub.url}/hub/api/users/{self.name}"
        r = self.s.post(f"{api}/server", headers=self._xsrf(), timeout=60)
        if r.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"{self.name}: start server -> {r.status_code} {r.text[:200]}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = self.s.get(api, headers=self._xsrf(), timeout=30).json()
            server = info.get("servers", {}).get("", {})
            if server.get("ready"):
                break
            if not server.get("pending"):  # neither ready nor starting: the start failed
                raise RuntimeError(f"{self.name}: the server failed to start (see the hub's log)")
            time.sleep(0.5)
        else:
            raise TimeoutError(f"{self.name}: server not ready in {timeout} s")
        # what a browser does next: JupyterLab, via the hub's OAuth round trip
        r = self.s.get(f"{self.server}/lab", timeout=60)
        r.raise_for_status()

    def api(self, method: str, path: str, **kw):
        headers = {**self._xsrf(f"/user/{self.name}/"), **kw.pop("headers", {})}
        r = self.s.request(method, f"{self.server}/api/{path}", headers=headers, timeout=120, **kw)
        r.raise_for_status()
        return r.json() if r.content else None

    def run_notebook(self, path: str = NOTEBOOK, cell_timeout: float = 300) -> dict:
        """Every code cell through the kernel's websocket, then save: the outputs saved."""
        model = self.api("GET", f"contents/{path}")
        nb = model["content"]
        session = self.api(
            "POST",
            "sessions",
            json={
                "path": path,
                "name": Path(path).name,
                "type": "notebook",
                "kernel": {"name": "python3"},
            },
        )
        kernel_id = session["kernel"]["id"]
        errors = []
        with self.kernel(kernel_id, cell_timeout) as kernel:
            for count, cell in enumerate((c for c in nb["cells"] if c["cell_type"] == "code"), 1):
                source = cell["source"]
                source = "".join(source) if isinstance(source, list) else source
                cell["outputs"], reply = kernel.execute(source)
                if reply["status"] != "ok":
                    errors.append(f"cell {count}: {reply.get('ename')}: {reply.get('evalue')}")
                cell["execution_count"] = count
        self.api(
            "PUT", f"contents/{path}", json={"type": "notebook", "format": "json", "content": nb}
        )
        return {
            "errors": errors,
            "kernel_id": kernel_id,
            "outputs": [len(c["outputs"]) for c in nb["cells"] if c["cell_type"] == "code"],
        }

    def start_kernel(self, path: str = "scratch.ipynb") -> str:
        session = self.api(
            "POST",
            "sessions",
            json={"path": path, "name": path, "type": "notebook", "kernel": {"name": "python3"}},
        )
        return session["kernel"]["id"]

    @contextlib.contextmanager
    def kernel(self, kernel_id: str, timeout: float = 300):
        """The kernel's websocket, through the hub's proxy, as JupyterLab opens it."""
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.s.cookies)
        url = self.server.replace("http://", "ws://") + (
            f"/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
        )
        ws = websocket.create_connection(url, header=[f"Cookie: {cookies}"], timeout=timeout)
        try:
            yield KernelChannel(ws, self.name)
        finally:
            ws.close()

    def shutdown_kernels(self) -> None:
        for s in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{s['id']}")

    def stop_server(self) -> None:
        self.s.delete(
            f"{self.hub.url}/hub/api/users/{self.name}/server", headers=self._xsrf(), timeout=60
        )


class KernelChannel:
    """Execute code over a kernel websocket (Jupyter's JSON message protocol)."""

    def __init__(self, ws, username: str):
        self.ws, self.username = ws, username

    def execute(self, code: str) -> tuple[list[dict], dict]:
        """Run ``code``: (its outputs as nbformat outputs, the execute_reply content)."""
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "username": self.username,
                        "session": uuid.uuid4().hex,
                        "version": "5.3",
                        "date": "",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "buffers": [],
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                }
            )
        )
        outputs: list[dict] = []
        reply: dict | None = None
        idle = False
        while not (idle and reply is not None):
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                reply = content
            elif kind == "stream":
                outputs.append(
                    {"output_type": "stream", "name": content["name"], "text": content["text"]}
                )
            elif kind in ("execute_result", "display_data"):
                out = {
                    "output_type": kind,
                    "data": content["data"],
                    "metadata": content.get("metadata", {}),
                }
                if kind == "execute_result":
                    out["execution_count"] = content["execution_count"]
                outputs.append(out)
            elif kind == "error":
                outputs.append(
                    {
                        "output_type": "error",
                        **{k: content[k] for k in ("ename", "evalue", "traceback")},
                    }
                )
        return outputs, reply


def learner_memory(name: str) -> dict:
    """Proportional set size (shared pages split among their users) and resident size of
    every process the learner runs (the server and its kernels), and the CPU seconds
    they have used: what one learner costs, whatever else the machine is doing."""
    pss = rss = 0
    cpu = 0.0
    for p in psutil.process_iter(["username"]):
        if p.info["username"] != name:
            continue
        with contextlib.suppress(psutil.Error):
            info = p.memory_full_info()
            pss += getattr(info, "pss", info.rss)
            rss += info.rss
            t = p.cpu_times()
            cpu += t.user + t.system
    return {"pss": pss, "rss": rss, "cpu_s": cpu}


def cgroup_peak(name: str) -> int | None:
    from mlpops_hub import Cgroup

    return Cgroup(name).peak_memory()


def one_learner(hub: Hub, name: str, password: str, barrier: threading.Barrier) -> dict:
    result: dict = {"name": name, "ok": False}
    learner = Learner(hub, name, password)
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=60)
    t0 = time.perf_counter()
    try:
        if not learner.login():
            raise RuntimeError("login refused")
        learner.start_server()
        t1 = time.perf_counter()
        run = learner.run_notebook()
        t2 = time.perf_counter()
        result.update(run)
        result.update(
            login_and_start_s=t1 - t0,
            notebook_s=t2 - t1,
            memory=learner_memory(name),
            cgroup_peak=cgroup_peak(name),
            ok=not run["errors"],
        )
        learner.shutdown_kernels()
    except Exception as e:  # one learner failing is a figure, not a crash of the run
        result["error"] = f"{type(e).__name__}: {e}"
    return result


def check_after_restart(hub: Hub, name: str, password: str, saved: list[int]) -> bool:
    """The learner logs in again and finds the notebook it saved, outputs and all."""
    learner = Learner(hub, name, password)
    try:
        if not learner.login():
            return False
        learner.start_server()
        nb = learner.api("GET", f"contents/{NOTEBOOK}")["content"]
        found = [len(c["outputs"]) for c in nb["cells"] if c["cell_type"] == "code"]
        learner.stop_server()
        return found == saved and sum(found) > 0
    except Exception:
        return False


def run(
    learners: int,
    prefix: Path | None = None,
    keep_users: bool = False,
    quiet: bool = False,
    log_to: Path | None = None,
) -> dict:
    """The whole load test; returns the report (also used by the smoke test)."""
    if os.geteuid() != 0:
        raise SystemExit("the load test makes Unix users: run it as root")
    sys.path.insert(0, str(HUB))
    from setup_env import setup

    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    prefix = prefix or ROOT / "build" / "hub-env"
    say(f"hub environment: {prefix}")
    setup(prefix, quiet=True)
    tag = uuid.uuid4().hex[:4]
    group = f"mlpops-load{tag}"
    names = [f"ml{tag}u{i:03d}" for i in range(1, learners + 1)]
    state = Path(tempfile.mkdtemp(prefix="mlpops-hub-"))
    hub = Hub(prefix, state, group)
    report: dict = {
        "learners": learners,
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        },
    }
    try:
        passwords = learner_accounts.create(names, group=group)
        hub.start()
        say(f"hub at {hub.url}; {learners} learners start at once")
        barrier = threading.Barrier(learners)
        results: list[dict] = [None] * learners  # type: ignore[list-item]
        sample = {"peak_total_pss": 0}
        done = threading.Event()

        def sampler():  # the whole hub's memory, while learners work
            while not done.wait(1):
                total = 0
                for p in hub.processes():
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_full_info().pss
                sample["peak_total_pss"] = max(sample["peak_total_pss"], total)

        def work(i, n):
            results[i] = one_learner(hub, n, passwords[n], barrier)

        threads = [
            threading.Thread(target=work, args=(i, n), daemon=True) for i, n in enumerate(names)
        ]
        watcher = threading.Thread(target=sampler, daemon=True)
        t0 = time.perf_counter()
        watcher.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=1800)
        wall = time.perf_counter() - t0
        done.set()
        ok = [r for r in results if r and r["ok"]]
        times = [r["notebook_s"] for r in ok]
        starts = [r["login_and_start_s"] for r in ok]
        pss = [r["memory"]["pss"] / MIB for r in ok]
        cpu = [r["memory"]["cpu_s"] for r in ok]
        peaks = [r["cgroup_peak"] / MIB for r in ok if r.get("cgroup_peak")]
        report.update(
            completed=len(ok),
            failures={
                r["name"]: r.get("error") or r.get("errors") for r in results if r and not r["ok"]
            },
            wall_s=wall,
            notebook_s={
                "p50": percentile(times, 50),
                "p95": percentile(times, 95),
                "max": max(times, default=None),
            },
            login_and_start_s={"p50": percentile(starts, 50), "p95": percentile(starts, 95)},
            memory_per_learner_mib={
                "pss_mean": sum(pss) / len(pss) if pss else None,
                "pss_max": max(pss, default=None),
                "cgroup_peak_max": max(peaks, default=None),
            },
            hub_peak_total_pss_mib=sample["peak_total_pss"] / MIB,
            cpu_s_per_learner={
                "mean": sum(cpu) / len(cpu) if cpu else None,
                "max": max(cpu, default=None),
            },
            load_average_during=os.getloadavg()[1],  # 5-minute: the machine is shared
        )
        say(f"{len(ok)}/{learners} completed; restarting the hub")
        t_stop = time.perf_counter()
        hub.stop(users=names)
        report["hub_stop_s"] = time.perf_counter() - t_stop
        hub.start()
        saved = {r["name"]: r["outputs"] for r in ok}
        with_outputs = [check_after_restart(hub, n, passwords[n], saved[n]) for n in saved]
        report["after_restart"] = {"checked": len(with_outputs), "still_there": sum(with_outputs)}
    finally:
        hub.stop()
        if not keep_users:
            learner_accounts.remove(names, group=group)
            subprocess.run(["groupdel", group], check=False, capture_output=True)
        if (state / "hub.log").exists():
            report["hub_log_tail"] = hub.log_tail(10)
            if log_to:
                log_to.write_bytes((state / "hub.log").read_bytes())
        subprocess.run(["rm", "-rf", str(state)], check=False)
    return report


def render(r: dict) -> str:
    nb, mem = r["notebook_s"], r["memory_per_learner_mib"]
    fmt = lambda v, unit="": "n/a" if v is None else f"~{v:.1f}{unit}"
    lines = [
        f"learners: {r['learners']} at once on {r['machine']['cpus']} CPUs, "
        f"{r['machine']['memory_gib']} GiB",
        f"completed: {r['completed']}/{r['learners']}",
        f"notebook 03, every cell through the proxy + save: p50 {fmt(nb['p50'], ' s')}, "
        f"p95 {fmt(nb['p95'], ' s')}, max {fmt(nb['max'], ' s')}",
        f"log in + start server: p50 {fmt(r['login_and_start_s']['p50'], ' s')}, "
        f"p95 {fmt(r['login_and_start_s']['p95'], ' s')}",
        f"memory per learner (server + kernel, PSS): mean {fmt(mem['pss_mean'], ' MiB')}, "
        f"max {fmt(mem['pss_max'], ' MiB')}; control-group peak max "
        f"{fmt(mem['cgroup_peak_max'], ' MiB')}",
        f"whole hub at its peak (PSS): {fmt(r['hub_peak_total_pss_mib'], ' MiB')}",
        f"CPU time per learner (server start + notebook 03): mean "
        f"{fmt(r['cpu_s_per_learner']['mean'], ' s')}, max {fmt(r['cpu_s_per_learner']['max'], ' s')}",
        f"machine load average (5 min) during the run: {fmt(r['load_average_during'])} "
        f"on {r['machine']['cpus']} CPUs (other work shares this machine)",
        f"wall time for all: {fmt(r['wall_s'], ' s')}",
        f"after a hub restart: {r['after_restart']['still_there']}/"
        f"{r['after_restart']['checked']} saved notebooks still there with their outputs",
    ]
    if r["failures"]:
        lines.append(f"failures: {r['failures']}")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description="load test of hub/ with N simulated learners")
    p.add_argument("--learners", type=int, default=20)
    p.add_argument("--prefix", type=Path, help="the hub's Python (default build/hub-env)")
    p.add_argument("--json", type=Path, help="also write the report here")
    p.add_argument("--log", type=Path, help="copy the hub's log here")
    args = p.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # clean up users on kill
    if not 1 <= args.learners <= 200:
        p.error("--learners must be between 1 and 200")
    report = run(args.learners, args.prefix, log_to=args.log)
    print(render(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    ok = report["completed"] == args.learners
    return 0 if ok and report["after_restart"]["still_there"] == report["completed"] else 1


if __name__ == "__main__":
    sys.exit(main())
