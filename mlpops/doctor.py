"""``mlpops doctor`` / ``mlpops.doctor.check()``: is this Python ready for the course?

Checks Python, numpy, matplotlib, ipywidgets and the JupyterLab widgets front end (versions
that work together), whether widgets can render here (a comm opens in this kernel),
memory and CPUs, and where the course is running (local, Binder, Colab, JupyterLite, a
hub). Every problem comes with the command that fixes it, written for where it runs
(``%pip`` in a notebook, ``python -m pip`` in a terminal).

Each probe is a small module-level function so that tests can fake a broken environment.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from importlib import metadata

#: The pins in pyproject.toml (tests keep the two in step); read from mlpops' own
#: installed metadata when it is there, so an install is checked against its own pins.
PINS = {
    "numpy": ">=1.26,<3",
    "matplotlib": ">=3.8,<4",
    "ipywidgets": ">=8.1,<9",
}
PYTHON_MIN = (3, 10)
#: ipywidgets 8 talks to the front end's widget manager @jupyter-widgets/jupyterlab-manager
#: 5.x (shipped by jupyterlab_widgets 3.x); ipywidgets 7 to manager 3.x.
WIDGET_MANAGER_MAJOR = {8: 5, 7: 3}
MANAGER = "@jupyter-widgets/jupyterlab-manager"
#: Binder guarantees 1 GB; the heaviest notebook's kernel peaks near 200 MiB.
MEMORY_WARN = 512 * 2**20
MEMORY_GOOD = 1024 * 2**20

PLACES = {
    "local": "on this computer",
    "binder": "on Binder (mybinder.org)",
    "colab": "on Google Colab",
    "jupyterlite": "in JupyterLite (Python in the browser)",
    "hub": "on a JupyterHub",
}


@dataclass
class Finding:
    """One check: what, its state, what was found, and the command that fixes it."""

    name: str
    ok: bool
    found: str
    fix: str = ""
    note: str = ""


@dataclass
class Report:
    """What ``check()`` found; ``print(report)`` or just show it in a notebook."""

    where: str
    in_kernel: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def __getitem__(self, name: str) -> Finding:
        for f in self.findings:
            if f.name == name:
                return f
        raise KeyError(f"no check named {name!r}; the checks are {[f.name for f in self.findings]}")

    def __str__(self) -> str:
        how = "in a notebook kernel" if self.in_kernel else "in a terminal"
        n = len(self.problems)
        head = "ready for the course" if not n else f"{n} problem{'s' * (n != 1)} to fix"
        lines = [f"mlpops doctor: {head} (running {PLACES[self.where]}, {how})"]
        width = max(len(f.name) for f in self.findings)
        for f in self.findings:
            mark = "ok " if f.ok else "FIX"
            lines.append(f"  {mark}  {f.name:<{width}}  {f.found}")
            if f.note:
                lines.append(f"       {'':<{width}}  {f.note}")
            if not f.ok and f.fix:
                for i, cmd in enumerate(f.fix.splitlines()):
                    lines.append(f"       {'':<{width}}  {'fix: ' if i == 0 else '     '}{cmd}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_pretty_(self, p, cycle) -> None:  # IPython shows the text, not a dataclass dump
        p.text(str(self))


# --- probes (tests replace these) -----------------------------------------------------


def installed_version(dist: str) -> str | None:
    """The installed version of a distribution, or None when it is not installed."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def requirements_of(dist: str) -> list[str]:
    try:
        return metadata.requires(dist) or []
    except metadata.PackageNotFoundError:
        return []


def python_version() -> tuple[int, int, int]:
    return tuple(sys.version_info[:3])


def environ() -> dict[str, str]:
    return dict(os.environ)


def platform() -> str:
    return sys.platform


def loaded_modules() -> set[str]:
    return set(sys.modules)


def in_kernel() -> bool:
    """True inside a Jupyter kernel (ipykernel, Colab's kernel, Pyodide's)."""
    ip = _ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def widget_manager_version() -> str | None:
    """The version of the JupyterLab widget manager extension the server can serve."""
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:
        return None
    import json

    for base in jupyter_path("labextensions"):
        pkg = os.path.join(base, *MANAGER.split("/"), "package.json")
        if os.path.exists(pkg):
            with open(pkg, encoding="utf-8") as fh:
                return json.load(fh).get("version")
    return None


def comm_opens() -> tuple[bool, str]:
    """Open a widget's comm in this kernel: (it opened, what happened)."""
    try:
        import ipywidgets
    except ImportError:
        return False, "ipywidgets is not installed"
    try:
        w = ipywidgets.Label("mlpops doctor")
        opened = w.comm is not None and not getattr(w.comm, "_closed", False)
        w.close()
    except Exception as e:  # any failure here means the explorers will not show
        return False, f"{type(e).__name__}: {e}"
    return opened, "a widget comm opened" if opened else "the widget has no open comm"


def memory() -> tuple[int | None, int | None]:
    """(bytes this process may use: the smaller of the machine's and a container limit,
    bytes available now), None where unknown."""
    total = None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as fh:
                text = fh.read().strip()
        except OSError:
            continue
        if text.isdigit() and (total is None or int(text) < total):
            total = int(text)
    available = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
    except OSError:
        pass
    if available is not None and total is not None:
        available = min(available, total)
    return total, available


def cpus() -> int | None:
    """CPUs this process may use (affinity and a container's CPU quota)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count()
    try:
        with open("/sys/fs/cgroup/cpu.max") as fh:
            quota, period = fh.read().split()
        if quota != "max":
            n = max(1, min(n or 1, round(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return n


def _ipython():
    ip_mod = sys.modules.get("IPython")
    if ip_mod is None:
        return None
    try:
        return ip_mod.get_ipython()
    except Exception:
        return None


# --- the checks -----------------------------------------------------------------------


def where(env: dict[str, str], modules: set[str], plat: str) -> str:
    """Where the course runs, from markers each place sets (Binder runs a hub too:
    it is checked first)."""
    if plat == "emscripten" or "pyodide" in modules:
        return "jupyterlite"
    if "google.colab" in modules or "COLAB_RELEASE_TAG" in env or "COLAB_GPU" in env:
        return "colab"
    if any(k.startswith("BINDER_") for k in env):
        return "binder"
    if "JUPYTERHUB_API_URL" in env or "JUPYTERHUB_USER" in env:
        return "hub"
    return "local"


def pins() -> dict[str, str]:
    """numpy, matplotlib, ipywidgets pins from mlpops' metadata (or the copy above)."""
    found = dict(PINS)
    for line in requirements_of("mlpops"):
        m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*([<>=!~][^;]*)?(;.*)?$", line)
        if m and m.group(1).lower() in found and not m.group(3):
            found[m.group(1).lower()] = (m.group(2) or "").replace(" ", "")
    return found


def _release(v: str) -> tuple[int, ...]:
    m = re.match(r"\d+(\.\d+)*", v)
    return tuple(int(x) for x in m.group(0).split(".")) if m else ()


def satisfies(version: str, spec: str) -> bool:
    """``version`` meets every clause of ``spec`` (>=, >, <=, <, ==, !=, ~=; releases only)."""
    have = _release(version)
    for clause in filter(None, spec.split(",")):
        m = re.fullmatch(r"(>=|<=|==|!=|~=|>|<)\s*([0-9][0-9.]*)(\.\*)?", clause.strip())
        if not m:
            raise ValueError(f"cannot read the version clause {clause!r}")
        op, want, star = m.group(1), _release(m.group(2)), m.group(3)
        n = max(len(have), len(want))
        a, b = have + (0,) * (n - len(have)), want + (0,) * (n - len(want))
        if star or op == "~=":
            prefix = want if star else want[:-1]
            same = have[: len(prefix)] == prefix
            good = (same and a >= b) if op == "~=" else (same if op == "==" else not same)
        else:
            good = {">=": a >= b, ">": a > b, "<=": a <= b, "<": a < b, "==": a == b, "!=": a != b}[
                op
            ]
        if not good:
            return False
    return True


def _pip(place: str, kernel: bool, *requirements: str) -> str:
    reqs = " ".join(f'"{r}"' for r in requirements)
    if kernel or place in ("colab", "jupyterlite"):
        return f"%pip install {reqs}   (in a notebook cell), then Kernel > Restart Kernel"
    return f"{sys.executable} -m pip install {reqs}"


def check() -> Report:
    """Run every check; the report prints as a readable table (and ``.ok`` is a bool)."""
    env, kernel = environ(), in_kernel()
    place = where(env, loaded_modules(), platform())
    report = Report(where=place, in_kernel=kernel)
    add = report.findings.append

    py = python_version()
    py_text = ".".join(map(str, py))
    if py[:2] >= PYTHON_MIN:
        add(Finding("Python", True, py_text))
    else:
        need = ".".join(map(str, PYTHON_MIN))
        add(
            Finding(
                "Python",
                False,
                f"{py_text}: the course needs Python >= {need}",
                fix=f"install Python {need} or newer (python.org, or your package manager), "
                "then: python3 tasks.py setup",
            )
        )

    spec = pins()
    for name in ("numpy", "matplotlib", "ipywidgets"):
        v = installed_version(name)
        want = f"{name}{spec[name]}"
        if v is None:
            add(
                Finding(
                    name,
                    False,
                    f"not installed (needs {spec[name]})",
                    fix=_pip(place, kernel, want),
                )
            )
        elif not satisfies(v, spec[name]):
            add(
                Finding(
                    name,
                    False,
                    f"{v}: the course needs {spec[name]}",
                    fix=_pip(place, kernel, want),
                )
            )
        else:
            add(Finding(name, True, v))

    add(_front_end(place, kernel))
    add(_widgets_render(place, kernel))
    add(_memory_finding())
    n = cpus()  # one CPU is enough: the count is information, never a problem
    add(Finding("CPUs", True, f"{n}" if n else "unknown"))
    return report


def _front_end(place: str, kernel: bool) -> Finding:
    """jupyterlab_widgets (the front end's widget manager) matches ipywidgets' major."""
    name = "widgets front end"
    if place == "colab":
        return Finding(name, True, "Colab's own widget manager (ipywidgets 8 supported)")
    if place == "jupyterlite":
        return Finding(name, True, "built into this JupyterLite site")
    ipw = installed_version("ipywidgets")
    jlw = installed_version("jupyterlab_widgets")
    manager = widget_manager_version()
    fix_both = _pip(place, kernel, f"ipywidgets{pins()['ipywidgets']}", "jupyterlab_widgets>=3,<4")
    restart = "\nthen restart JupyterLab (stop it, start it again) and reload the page"
    if ipw is None:
        return Finding(
            name, False, "ipywidgets is missing, so no front end to match", fix=fix_both + restart
        )
    major = _release(ipw)[0]
    need = WIDGET_MANAGER_MAJOR.get(major)
    # ipywidgets' own requirement on jupyterlab_widgets (e.g. ~=3.0.15)
    wanted = next(
        (
            re.sub(r"^jupyterlab[_-]widgets\s*", "", r.split(";")[0]).strip()
            for r in requirements_of("ipywidgets")
            if re.match(r"jupyterlab[_-]widgets\b", r)
        ),
        "",
    )
    if jlw is None and manager is None:
        note = "(a front end in another environment cannot be checked from here)"
        return Finding(
            name, False, f"jupyterlab_widgets is not installed {note}", fix=fix_both + restart
        )
    if jlw is not None and wanted and not satisfies(jlw, wanted.replace("(", "").replace(")", "")):
        return Finding(
            name,
            False,
            f"jupyterlab_widgets {jlw} does not match ipywidgets {ipw} "
            f"(it needs jupyterlab_widgets{wanted})",
            fix=fix_both + restart,
        )
    if manager is not None and need is not None and _release(manager)[0] != need:
        return Finding(
            name,
            False,
            f"the front end serves {MANAGER} {manager}, but ipywidgets {ipw} needs {need}.x",
            fix=fix_both + restart,
        )
    shown = f"jupyterlab_widgets {jlw}" if jlw else f"{MANAGER} {manager}"
    return Finding(name, True, f"{shown} (matches ipywidgets {ipw})")


def _widgets_render(place: str, kernel: bool) -> Finding:
    name = "widgets render"
    if not kernel:
        return Finding(
            name,
            True,
            "not checked in a terminal",
            note="run mlpops.doctor.check() in a notebook to check it",
        )
    opened, what = comm_opens()
    if opened:
        return Finding(
            name, True, what, note="if an explorer still shows only text, reload the page"
        )
    return Finding(
        name,
        False,
        f"{what}: explorers would show as text",
        fix=_pip(place, kernel, f"ipywidgets{pins()['ipywidgets']}", "ipykernel>=6.29")
        + "\nthen Kernel > Restart Kernel and reload the page",
    )


def _memory_finding() -> Finding:
    total, available = memory()
    gib = 2**30
    if total is None and available is None:
        return Finding("memory", True, "unknown here")
    have = available if available is not None else total
    text = ", ".join(
        part
        for part in (
            f"{total / gib:.1f} GiB in all" if total else "",
            f"{available / gib:.1f} GiB free" if available is not None else "",
        )
        if part
    )
    if have < MEMORY_WARN:
        return Finding(
            "memory",
            False,
            f"{text}: a notebook's kernel needs up to about 200 MiB",
            fix="shut down the kernels of notebooks you have finished "
            "(Kernel > Shut Down All Kernels) and close other programs",
        )
    note = "" if have >= MEMORY_GOOD else "enough for one or two notebooks at a time"
    return Finding("memory", True, text, note=note)


def main(argv: list[str] | None = None) -> int:
    """``mlpops doctor``: print the report; exit 1 when something needs fixing."""
    argv = list(argv or [])
    if argv and argv != ["--help"] and argv != ["-h"]:
        print(f"mlpops doctor: error: takes no arguments, got {argv}", file=sys.stderr)
        return 2
    if argv:
        print("usage: mlpops doctor   (checks this Python for the course; exit 1 on problems)")
        return 0
    report = check()
    print(report)
    return 0 if report.ok else 1
