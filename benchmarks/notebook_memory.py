"""Peak memory of each course notebook, run as a learner runs it: one fresh kernel each.

    .venv/bin/python benchmarks/notebook_memory.py                  # every notebooks/NN-*.ipynb
    .venv/bin/python benchmarks/notebook_memory.py notebooks/06-the-backward-pass.ipynb
    .venv/bin/python benchmarks/notebook_memory.py --json out.json --limit-mib 1024
    .venv/bin/python benchmarks/notebook_memory.py --cpus 1 --limit-mib 2048 --markdown
                        # a Binder-sized run: one core, 2 GB; prints the guide's table

mybinder.org guarantees a session 1 GB of memory (2 GB at most, then the kernel is
restarted); the course's goal is to stay well under 1 GB. Each notebook runs in its own
subprocess, which starts one kernel (this Python's ipykernel) and runs every cell with
nbclient. Once the kernel has exited, that subprocess reads getrusage(RUSAGE_CHILDREN):
the kernel is its only child, so ru_maxrss is the kernel's own high-water mark of
resident memory, not a sample. Nothing is written back to the notebooks.

Exit status 1 if a notebook raised an error or a peak is over --limit-mib. The simulated
Binder build in tests/course/test_binder.py runs this script inside its fresh environment.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def kernel_spec_dir(tmp: Path) -> Path:
    """A JUPYTER_PATH entry whose 'python3' kernel is this interpreter, whatever else is installed."""
    spec = tmp / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return tmp


def run_one(path: Path, timeout: int) -> dict:
    """Run one notebook in a fresh kernel (called in a subprocess of its own)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},  # the kernel starts in notebooks/
    )
    error = None
    start = time.perf_counter()
    try:
        client.execute()  # starts the kernel, runs every cell, shuts the kernel down and reaps it
    except Exception as exc:  # a cell's error, a timeout, or a dead (e.g. out-of-memory) kernel
        lines = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()  # no ANSI colours
        error = f"{type(exc).__name__}: {lines[-1][:500] if lines else ''}"
    seconds = time.perf_counter() - start
    try:
        import resource
    except ImportError:  # Windows: no getrusage; the notebook still runs, unmeasured
        peak = None
    else:
        maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak = maxrss if sys.platform == "darwin" else maxrss * 1024  # macOS: bytes; Linux: KiB
    return {"notebook": path.name, "peak_rss_bytes": peak, "seconds": seconds, "error": error}


def measure(path: Path, timeout: int, cpus: int | None = None) -> dict:
    """Run ``path`` in a subprocess (so RUSAGE_CHILDREN sees that notebook's kernel only).

    ``cpus``: pin the subprocess and so its kernel to that many cores (Linux), and tell
    the BLAS and OpenMP to use that many threads, as on a Binder-sized machine."""
    with tempfile.TemporaryDirectory(prefix="mlpops-mem-") as tmp:
        tmp = Path(tmp)
        out = tmp / "result.json"
        env = {
            **os.environ,
            "JUPYTER_PATH": str(kernel_spec_dir(tmp / "jupyter")),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # debugpy's frozen-modules note on stderr
        }
        cmd = [sys.executable, __file__, "--one", str(path), "--out", str(out)]
        cmd += ["--timeout", str(timeout)]
        pin = None
        if cpus:
            threads = str(cpus)
            env.update(
                OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads
            )
            if hasattr(os, "sched_setaffinity"):
                cores = sorted(os.sched_getaffinity(0))[:cpus]
                pin = lambda: os.sched_setaffinity(0, cores)  # inherited by the kernel
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, preexec_fn=pin)
        if proc.returncode or not out.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            return {
                "notebook": path.name,
                "peak_rss_bytes": None,
                "seconds": None,
                "error": f"runner exited {proc.returncode}: " + " | ".join(tail),
            }
        return json.loads(out.read_text())


def report(results: list[dict], limit_mib: float) -> dict:
    peaks = [r["peak_rss_bytes"] for r in results if r["peak_rss_bytes"] is not None]
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "limit_mib": limit_mib,
        "max_peak_mib": max(peaks) / MIB if peaks else None,
        "sum_of_peaks_mib": sum(peaks) / MIB if peaks else None,
        "total_seconds": sum(r["seconds"] or 0 for r in results),
        "notebooks": [
            {**r, "peak_mib": None if r["peak_rss_bytes"] is None else r["peak_rss_bytes"] / MIB}
            for r in results
        ],
    }


def print_table(summary: dict) -> None:
    print(f"{'notebook':<36} {'peak MiB':>9} {'seconds':>8}")
    for r in summary["notebooks"]:
        peak = "-" if r["peak_mib"] is None else f"{r['peak_mib']:.0f}"
        secs = "-" if r["seconds"] is None else f"{r['seconds']:.1f}"
        print(
            f"{r['notebook']:<36} {peak:>9} {secs:>8}"
            + (f"  ERROR {r['error']}" if r["error"] else "")
        )
    if summary["max_peak_mib"] is not None:
        print(f"{'max (one kernel at a time)':<36} {summary['max_peak_mib']:>9.0f}")
        print(f"{'sum (every kernel left running)':<36} {summary['sum_of_peaks_mib']:>9.0f}")
    print(f"limit {summary['limit_mib']:.0f} MiB; Python {summary['python']}")


def markdown_table(summary: dict, cpus: int | None) -> str:
    """The instructor guide's table: each notebook's wall time and peak memory."""
    where = f"{cpus} core{'s' if cpus != 1 else ''}" if cpus else "all cores"
    lines = [
        f"| notebook | wall time ({where}), s | peak memory, MiB |",
        "|---|---|---|",
    ]
    for r in summary["notebooks"]:
        secs = "error" if r["error"] else f"{r['seconds']:.0f}"
        peak = "-" if r["peak_mib"] is None else f"{r['peak_mib']:.0f}"
        lines.append(f"| {r['notebook'][:-6]} | {secs} | {peak} |")
    lines.append(f"| **all, one after another** | **{summary['total_seconds']:.0f}** | |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="default: every notebooks/NN-*.ipynb"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--limit-mib", type=float, default=1024, help="fail above this peak")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--cpus", type=int, help="pin each kernel to this many cores")
    parser.add_argument("--markdown", action="store_true", help="print the guide's table")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: one notebook
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        args.out.write_text(json.dumps(run_one(args.one.resolve(), args.timeout)))
        return 0

    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if not paths:
        print("no notebooks to measure")
        return 1
    results = [measure(p.resolve(), args.timeout, args.cpus) for p in paths]
    summary = report(results, args.limit_mib)
    summary["cpus"] = args.cpus
    print_table(summary)
    if args.markdown:
        print()
        print(markdown_table(summary, args.cpus))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    failed = any(r["error"] for r in results)
    over = summary["max_peak_mib"] is not None and summary["max_peak_mib"] > args.limit_mib
    return 1 if failed or over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
