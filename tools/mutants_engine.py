"""Hand-made mutants of the counting rules and Counts: each must make a test fail.

    .venv/bin/python tools/mutants_engine.py     # prints KILLED or SURVIVED per mutant

Each mutant replaces one exact line of the source, runs the tests named beside it, and
puts the source back (also when interrupted).
"""

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
        'rows = [(k, f"{n:,}") for k, n in self.items() if k != ACTIVATIONS]',
        "rows = [(k, f\"{n + (k == 'mul'):,}\") for k, n in self.items() if k != ACTIVATIONS]",
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
        "            _state.set(before)  # (a paused",
        "            pass  # (a paused",
        "tests/engine/test_adversarial.py tests/engine/test_counting.py",
    ),
    (
        "scope re-entry single slot",
        "mlpops/counting.py",
        "        before, inside = self.entered.pop()",
        "        before, inside = self.entered[0]",
        "tests/engine/test_adversarial.py",
    ),
    (
        "threads share the owner's bucket",
        "mlpops/counting.py",
        "    else:\n        sinks = state.thread_sinks(scalar)",
        "    else:\n        sinks = state.scalar_sinks if scalar else state.sinks",
        "tests/engine/test_adversarial.py",
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
        '"rint": "round", "sign": "sign"',
        '"rint": "round", "sign": "max"',
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
]
for name, path, old, new, tests in MUTANTS:
    p = ROOT / path
    src = p.read_text()
    assert src.count(old) == 1, (name, src.count(old))
    p.write_text(src.replace(old, new))
    try:
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
        r = subprocess.run(
            command + tests.split(), cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-200:]
        print(("KILLED  " if r.returncode else "SURVIVED") + f"  {name}: {last}", flush=True)
    finally:
        p.write_text(src)
