"""The benchmark script runs and reports every goal as a ratio (no timing is asserted)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_benchmarks_run_and_report_ratios():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    names = [r["name"] for r in report["results"]]
    assert any("op chain 30x30" in n for n in names)
    assert any("op chain 1024x1024" in n for n in names)
    assert any("784-256-256-10 batch 64, counted/uncounted" in n for n in names)
    assert any("micrograd" in n for n in names)
    for r in report["results"]:
        assert r["ratio"] > 0 and r["plain_s"] > 0 and r["counted_s"] > 0
        assert r["meets_goal"] in (True, False, None)
