"""Hand-made mutants of the counting rules, Counts, the command and the explorers' limit:
each must make a test fail.

    .venv/bin/python tools/mutants_engine.py           # KILLED or SURVIVED per mutant
    .venv/bin/python tools/mutants_engine.py table     # only the mutants named "...table..."

Each mutant replaces one exact piece of the source, runs the tests named beside it, and
puts the source back (also when interrupted). Before anything runs, every mutant is
checked: its original must occur exactly once (a refactor that moved it makes it stale:
exit 2, all stale ones listed, never a silent skip), and the named tests must pass
unmutated. tests/engine/test_mutants_apply.py runs the same check in the suite.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
MUTANTS = [
    (
        "Counts.total leaves out max",
        "mlpops/counting.py",
        "NOT_ARITHMETIC = frozenset((ACTIVATIONS, MACS, BYTES))",
        'NOT_ARITHMETIC = frozenset((ACTIVATIONS, MACS, BYTES, "max"))',
        "tests/engine/test_adversarial.py tests/engine/test_counting.py",
    ),
    (
        "table() shows mul + 1",
        "mlpops/counting.py",
        'rows = [(k, f"{n:,}") for k, n in self.items() if k not in (ACTIVATIONS, BYTES)]',
        "rows = [(k, f\"{n + (k == 'mul'):,}\") for k, n in self.items() if k not in (ACTIVATIONS, BYTES)]",
        "tests/engine/test_adversarial.py tests/engine/test_counting.py",
    ),
    (
        "table() drops the bytes line",
        "mlpops/counting.py",
        'rows.append(("bytes moved", f"{self.bytes:,}"))',
        "pass",
        "tests/engine/test_bytes.py tests/engine/test_adversarial.py",
    ),
    (
        "matmul adds k instead of k-1",
        "mlpops/rules.py",
        '"add": outputs * max(k - 1, 0), MACS',
        '"add": outputs * k, MACS',
        "tests/engine/test_tracked.py",
    ),
    (
        "reduction ignores initial",
        "mlpops/rules.py",
        "steps = terms if initial else max(terms - outputs, 0)",
        "steps = max(terms - outputs, 0)",
        "tests/engine/test_adversarial.py",
    ),
    (
        "reduction with where counts every term",
        "mlpops/rules.py",
        "    if where is True or where is None:  # every term",
        "    if True:  # every term",
        "tests/engine/test_adversarial.py",
    ),
    (
        "elementwise counts n + 1",
        "mlpops/rules.py",
        "    return {kind: outputs, BYTES: moved}",
        "    return {kind: outputs + 1, BYTES: moved}",
        "tests/engine/test_tracked.py",
    ),
    (
        "traffic forgets the output",
        "mlpops/rules.py",
        "    if type(outputs) is ndarray:\n        return moved + nbytes(outputs)",
        "    if type(outputs) is ndarray:\n        return moved",
        "tests/engine/test_bytes.py",
    ),
    (
        "a copy moves its bytes once",
        "mlpops/rules.py",
        "                moved += 2 * nbytes(r)",
        "                moved += nbytes(r)",
        "tests/engine/test_bytes.py",
    ),
    (
        "scalar engine's bytes shown as 0",
        "mlpops/counting.py",
        "        if self._bytes_unseen:\n            return None",
        "        if False:\n            return None",
        "tests/engine/test_bytes.py",
    ),
    (
        "var divides once",
        "mlpops/rules.py",
        '"div": 2 * outputs}',
        '"div": outputs}',
        "tests/engine/test_adversarial.py tests/engine/test_conformance.py",
    ),
    (
        "einsum optimize ignored",
        "mlpops/rules.py",
        "    if optimize is not False and len(arrays) > 2:",
        "    if False:",
        "tests/engine/test_adversarial.py",
    ),
    (
        "count() exit does not restore",
        "mlpops/counting.py",
        "                _set_state(self.before)\n",
        "                pass\n",
        "tests/engine/test_adversarial.py tests/engine/test_counting.py",
    ),
    (
        "scope re-entry single slot",
        "mlpops/counting.py",
        "            self.before, self.inside = self.entered.pop()",
        "            self.before, self.inside = self.entered[0]",
        "tests/engine/test_adversarial.py",
    ),
    (
        "threads share the owner's bucket",
        "mlpops/counting.py",
        "    if state.owner != _get_ident():\n        sinks = state.thread_sinks(scalar)",
        "    if state.owner != _get_ident():\n"
        "        sinks = state.thread_sinks(scalar) if not state.tallies else "
        "(state.own_scalar_sinks() if scalar else state.sinks)",  # (the threads' bucket only)
        "tests/engine/test_adversarial.py",
    ),
    (
        "Counts leaves out the scalar engine's fast counters",
        "mlpops/counting.py",
        "        for p, fast in list(tally.scalar_fast):\n            yield p, fast.counts(), True\n",
        "",
        "tests/engine/test_scope_reuse.py tests/engine/test_nn.py",
    ),
    (
        "the scalar engine's fast counters read one step ahead",
        "mlpops/counting.py",
        "    return int(repr(counter)[6:-1])",
        "    return int(repr(counter)[6:-1]) + 1",
        "tests/engine/test_scope_reuse.py",
    ),
    (
        "thread pool calls not noted",
        "mlpops/counting.py",
        "    if _OPEN and state.owner != _get_ident():  # a worker",
        "    if False:  # a worker",
        "tests/engine/test_adversarial.py",
    ),
    (
        "scalar engine: sign kind from a wrong table entry",
        "mlpops/rules.py",
        '    "sign": "sign",\n',
        '    "sign": "max",\n',
        "tests/engine/test_adversarial.py tests/engine/test_rules.py",
    ),
    (
        "Counts + drops uncounted",
        "mlpops/counting.py",
        "            {k: n for k, n in unc.items() if n},\n",
        "            {},\n",
        "tests/engine/test_counting.py",
    ),
    (
        "sum([counts]) radd returns NotImplemented",
        "mlpops/counting.py",
        "            return self._combine(Counts(), 1)  # sum",
        "            return NotImplemented  # sum",
        "tests/engine/test_adversarial.py",
    ),
    (
        "formula: weighted sum bytes miss the bias",
        "mlpops/formulas.py",
        "moved = matmul_bytes(B, N, M) + FLOAT * (M + 2 * B * M)",
        "moved = matmul_bytes(B, N, M) + FLOAT * (2 * B * M)",
        "tests/engine/test_bytes.py tests/engine/test_nn.py",
    ),
    (
        "formula: update bytes 4 per parameter",
        "mlpops/formulas.py",
        '"bytes": 5 * FLOAT * p}',
        '"bytes": 4 * FLOAT * p}',
        "tests/engine/test_bytes.py tests/engine/test_nn.py",
    ),
    (
        "the command's JSON drops per_layer",
        "mlpops/cli.py",
        "        print(json.dumps(result, indent=2) if args.json else render(result))",
        "        shown = {k: v for k, v in result.items() if k != 'per_layer'}\n"
        "        print(json.dumps(shown, indent=2) if args.json else render(result))",
        "tests/engine/test_cli.py",
    ),
    (
        "the command's JSON drops uncounted",
        "mlpops/cli.py",
        "        print(json.dumps(result, indent=2) if args.json else render(result))",
        "        shown = {k: v for k, v in result.items() if k != 'uncounted'}\n"
        "        print(json.dumps(shown, indent=2) if args.json else render(result))",
        "tests/engine/test_cli.py",
    ),
    (
        "the command's table total + 1",
        "mlpops/cli.py",
        '                f"{formulas.total(r):,}",',
        '                f"{formulas.total(r) + 1:,}",',
        "tests/engine/test_cli.py",
    ),
    (
        "the explorers' memory limit removed",
        "mlpops/sizes.py",
        "    if needed > LIVE_MEMORY_LIMIT:",
        "    if False:",
        "tests/course/test_widgets.py::"
        "test_explorer_memory_limit_is_the_one_rule_of_mlpops_sizes_at_its_exact_edge",
    ),
]


def stale(mutants: list[tuple[str, str, str, str, str]] | None = None) -> list[str]:
    """Why each mutant cannot run as written (empty when all can): its original must
    occur exactly once in its file and differ from its replacement, and the test files it
    names must exist (else pytest's collection error would read as a kill)."""
    problems = []
    for name, path, old, new, tests in MUTANTS if mutants is None else mutants:
        p = ROOT / path
        found = p.read_text().count(old) if p.is_file() else 0
        if found != 1:
            problems.append(f"{name}: its original occurs {found} times in {path} (want 1)")
        if old == new:
            problems.append(f"{name}: its replacement is its original")
        for test in tests.split():
            if not (ROOT / test.split("::")[0]).is_file():
                problems.append(f"{name}: no test file {test.split('::')[0]}")
    return problems


def pytest(tests: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # no mutant's .pyc is kept
    return subprocess.run(
        command + tests.split(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def first_failure(r: subprocess.CompletedProcess) -> str:
    """The failing test's id from pytest's summary (or its last line)."""
    for line in r.stdout.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" - ")[0]
    return r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-200:]


def run(name: str, path: str, old: str, new: str, tests: str) -> tuple[str, str]:
    """Apply one mutant, run its tests, put the source back (also when interrupted):
    KILLED when a test fails (pytest exit 1), SURVIVED when all pass, ERROR otherwise
    (no tests collected, a usage error: that proves nothing)."""
    p = ROOT / path
    src = p.read_text()
    cached = pathlib.Path(importlib.util.cache_from_source(str(p)))
    cached.unlink(missing_ok=True)  # a same-size edit in the same second could reuse it
    p.write_text(src.replace(old, new))
    try:
        r = pytest(tests)
    finally:
        p.write_text(src)
        cached.unlink(missing_ok=True)
    verdict = {0: "SURVIVED", 1: "KILLED"}.get(r.returncode, "ERROR")
    return verdict, first_failure(r)


def main(argv: list[str] | None = None) -> int:
    """Run every mutant (or those whose name contains an argument): 0 when each one is
    KILLED, 1 when one survives or errs, 2 when a mutant is stale (nothing is run)."""
    argv = sys.argv[1:] if argv is None else argv
    problems = stale()
    if problems:
        print("stale mutants (update them to today's source; nothing was run):", file=sys.stderr)
        for line in problems:
            print("  " + line, file=sys.stderr)
        return 2
    chosen = [m for m in MUTANTS if not argv or any(a in m[0] for a in argv)]
    baseline = pytest(" ".join(dict.fromkeys(t for m in chosen for t in m[4].split())))
    if baseline.returncode != 0:  # a kill must be the mutant's doing
        print(f"the unmutated tests do not pass: {first_failure(baseline)}", file=sys.stderr)
        return 2
    verdicts = []
    for mutant in chosen:
        verdict, detail = run(*mutant)
        verdicts.append(verdict)
        print(f"{verdict:<8}  {mutant[0]}: {detail}", flush=True)
    print(f"{verdicts.count('KILLED')} of {len(chosen)} mutants killed")
    return 0 if all(v == "KILLED" for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
