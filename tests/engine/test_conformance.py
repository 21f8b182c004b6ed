"""Conformance over numpy's public API, generated from numpy itself (issue 11).

Every ufunc in the ``numpy`` namespace with every method numpy allows on small valid
inputs, and every public function of ``numpy``, ``numpy.linalg`` and ``numpy.fft`` that
takes arrays through numpy's override protocol, is called on tracked arrays (ufuncs on
Scalars too). Each call must either be counted by a rule whose count equals an
independent reference (a hand formula from the plain result's shapes, or the scalar
engine), or be listed by name in ``ops.uncounted``; never a crash numpy itself would not
raise, never a silent zero; and the result has numpy's structure (named tuples too).

``python tests/engine/test_conformance.py`` prints the summary (how many counted, how
many listed, numpy's version).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from mlpops import count, rules, scalars, track, values
from mlpops.formulas import without_bytes
from mlpops.tracked import Tracked, TrackedFloat

METHODS = ("__call__", "reduce", "accumulate", "outer", "at", "reduceat")
UFUNCS = sorted(
    {getattr(np, n) for n in dir(np) if isinstance(getattr(np, n), np.ufunc)},
    key=lambda u: u.__name__,
)

V = np.array([0.2, 0.5, 0.3, 0.9])
M = np.array([[0.2, 0.5, 0.3], [0.7, 0.1, 0.4], [0.6, 0.8, 0.95]])
CANDIDATES = [
    np.array([0.2, 0.5, 0.3, 0.9]),
    np.array([2, 3, 5, 7]),
    np.array([True, False, True, True]),
]


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """Some public functions write files (np.save with a pattern's string as the name)."""
    monkeypatch.chdir(tmp_path)


def _quiet():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore")
    return ctx


def _ufunc_call(ufunc, method, data):
    """The arguments of one call of ``ufunc.method`` on ``data`` (None: not applicable)."""
    nin = ufunc.nin
    if method == "__call__":
        return [data] * nin, {}
    if nin != 2 or ufunc.nout != 1:
        if method == "at" and nin == 1:
            return [data.copy(), np.array([0, 2])], {}
        return None
    if method == "reduce":
        return [data.reshape(2, 2)], {"axis": 0}
    if method == "accumulate":
        return [data], {}
    if method == "outer":
        return [data, data[:3]], {}
    if method == "at":
        return [data.copy(), np.array([0, 2, 2]), data[:3]], {}
    return [data, np.array([0, 2, 3])], {}  # reduceat


def _plain_case(ufunc, method):
    """The first dtype numpy accepts for this call, with numpy's plain result."""
    for data in CANDIDATES:
        case = _ufunc_call(ufunc, method, data)
        if case is None:
            return None
        args, kwargs = case
        quiet = _quiet()
        try:
            plain_args = [a.copy() for a in args]
            result = getattr(ufunc, method)(*plain_args, **kwargs)
        except Exception:
            continue
        finally:
            quiet.__exit__(None, None, None)
        return args, kwargs, result, plain_args
    return None


def _reference(ufunc, method, args, kwargs, result) -> int:
    """Operations by hand: one per output element; k - 1 per output of a reduction."""
    name = ufunc.__name__
    if name in rules.FREE_UFUNCS:
        return 0
    if method == "__call__" and name in ("matmul", "vecdot", "matvec", "vecmat"):  # k terms
        return np.size(result) * (2 * np.shape(args[0])[-1] - 1)
    if method == "__call__":
        first = result[0] if isinstance(result, tuple) else result
        return np.size(first) * (2 if name == "clip" else 1)
    if method == "reduce":
        a = args[0]
        return (a.shape[0] - 1) * (a.size // a.shape[0])
    if method == "accumulate":
        return args[0].size - 1
    if method == "outer":
        return np.size(result)
    if method == "at":
        return len(args[1])
    # reduceat: each slice [i_j, i_j+1) of k terms takes k - 1 steps
    idx = list(args[1]) + [len(args[0])]
    return sum(max(b - a - 1, 0) for a, b in zip(idx, idx[1:]))


def _same_structure(plain, got) -> bool:
    if isinstance(plain, tuple) and hasattr(plain, "_fields"):
        return type(got) is type(plain) and all(map(_same_structure, plain, got))
    if isinstance(plain, (tuple, list)):
        return (
            type(got) is type(plain)
            and len(got) == len(plain)
            and all(map(_same_structure, plain, got))
        )
    if isinstance(plain, np.ndarray):
        return isinstance(got, np.ndarray) and got.shape == plain.shape
    if type(plain) is np.float64:
        return type(got) is TrackedFloat
    if isinstance(plain, np.generic):  # other numpy scalars: the value, still counted
        return np.shape(got) == () and isinstance(got, (np.generic, Tracked))
    return type(got) is type(plain) or (plain is None and got is None)


UFUNC_CASES = [(u, m) for u in UFUNCS for m in METHODS]


@pytest.mark.parametrize(
    ("ufunc", "method"), UFUNC_CASES, ids=[f"{u.__name__}.{m}" for u, m in UFUNC_CASES]
)
def test_every_ufunc_method_on_tracked_arrays_is_counted_right_or_listed(ufunc, method):
    case = _plain_case(ufunc, method)
    if case is None:
        return  # numpy itself refuses this method or these inputs
    args, kwargs, plain_result, plain_args = case
    tracked_args = [track(a.copy()) if i == 0 or method != "at" else a for i, a in enumerate(args)]
    quiet = _quiet()
    try:
        with count() as ops:
            got = getattr(ufunc, method)(*tracked_args, **kwargs)
    finally:
        quiet.__exit__(None, None, None)
    assert _same_structure(plain_result, got)
    if method == "at":
        np.testing.assert_array_equal(np.asarray(tracked_args[0]), plain_args[0])
    name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    if ufunc.__name__ in rules.UFUNC_RULES and name not in ops.uncounted:
        assert ops.total == _reference(ufunc, method, args, kwargs, plain_result), name
        assert ops.uncounted == {}
        assert ops.bytes > 0 or np.size(plain_result) == 0
    else:
        assert ops.uncounted == {name: 1} and ops.total == 0


UNARY_ON_SCALARS = [u for u in UFUNCS if u.nin == 1 and u.nout == 1]
BINARY_ON_SCALARS = [u for u in UFUNCS if u.nin == 2 and u.nout == 1]


@pytest.mark.parametrize("ufunc", UNARY_ON_SCALARS + BINARY_ON_SCALARS, ids=lambda u: u.__name__)
def test_every_ufunc_on_scalars_counts_like_the_array_engine_or_is_listed(ufunc):
    data = np.array([0.2, 0.5, 0.7])
    floats = [np.array(list(data), dtype=object)] * ufunc.nin
    quiet = _quiet()
    try:
        try:
            expected = ufunc(*floats)  # numpy's object loop on Python floats
            ufunc(*[data] * ufunc.nin)  # and its float64 loop
        except Exception:
            return  # numpy has no loop for this ufunc on these numbers either
        with count() as s:
            got = ufunc(*[scalars(data)] * ufunc.nin)
        with count() as a:
            want = ufunc(*[track(data)] * ufunc.nin)
    finally:
        quiet.__exit__(None, None, None)
    if s.total == 0 and a.total > 0:
        pytest.fail(f"{ufunc.__name__} on Scalars: a silent zero")
    if a.total:
        assert without_bytes(dict(s)) == without_bytes(dict(a)), ufunc.__name__
        np.testing.assert_allclose(
            np.asarray(values(got), dtype=float), np.asarray(want, dtype=float), equal_nan=True
        )
    else:
        assert s.total == 0 and np.shape(got) == np.shape(expected)


# -- public functions ----------------------------------------------------------------------
def _public(module):
    out = []
    for n in sorted(dir(module)):
        f = getattr(module, n)
        if n.startswith("_") or not callable(f) or isinstance(f, (type, np.ufunc)):
            continue
        if hasattr(f, "_implementation"):  # takes arrays through numpy's override protocol
            out.append((module.__name__, n, f))
    return out


FUNCTIONS = _public(np) + _public(np.linalg) + _public(np.fft)

_I = np.array([2, 0, 1, 1])
PATTERNS = [
    ((M,), {}),
    ((V,), {}),
    ((M, M), {}),
    ((V, V), {}),
    ((M, 0), {}),
    ((V, 2), {}),
    ((M, V[:3]), {}),
    ((V[:3], M), {}),
    ((M, 1, 0), {}),
    ((V, V, V), {}),
    (((V, V),), {}),
    (([V, V],), {}),
    ((M, (9,)), {}),
    ((V, [1, 2]), {}),
    ((_I,), {}),
    ((_I, V), {}),
    ((V > 0.4, V), {}),
    ((V > 0.4, V, V), {}),
    ((V, 0.1, 0.8), {}),
    ((M, 2, 1), {}),
    (("ij,jk->ik", M, M), {}),
    ((V, [0.1, 0.5]), {}),
    ((M, [1], 0), {}),
    ((V, 1, 0.5), {}),
]


def _tracked(x):
    if isinstance(x, np.ndarray):
        return track(x.copy())
    if isinstance(x, (list, tuple)):
        return type(x)(_tracked(v) for v in x)
    return x


def _copy(x):
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, (list, tuple)):
        return type(x)(_copy(v) for v in x)
    return x


class _Probe(np.ndarray):
    """Notes whether numpy offered a call to the array type (its override protocol)."""

    seen = False

    def __array_function__(self, func, types, args, kwargs):
        _Probe.seen = True
        return NotImplemented


def _dispatched(func, args, kwargs) -> bool:
    def probe(x):
        if isinstance(x, np.ndarray):
            return x.view(_Probe)
        if isinstance(x, (list, tuple)):
            return type(x)(probe(v) for v in x)
        return x

    _Probe.seen = False
    try:
        func(*probe(args), **kwargs)
    except TypeError:
        pass  # (no implementation for the probe: numpy offered it the call)
    return _Probe.seen


def _find_call(func):
    for args, kwargs in PATTERNS:
        quiet = _quiet()
        try:
            plain_args = _copy(args)
            result = func(*plain_args, **kwargs)
        except Exception:
            continue
        finally:
            quiet.__exit__(None, None, None)
        if _dispatched(func, args, kwargs):  # numpy hands the call to the array type
            return args, kwargs, result
    return None


def _k(a, axis):
    a = np.asarray(a)
    return a.size if axis is None else a.shape[axis]


# independent references: operations by hand from the plain inputs and result
def _reduce_ref(args, kwargs, result):
    return np.size(args[0]) - np.size(result)


REFERENCES = {
    "sum": _reduce_ref,
    "prod": _reduce_ref,
    "max": _reduce_ref,
    "amax": _reduce_ref,
    "min": _reduce_ref,
    "amin": _reduce_ref,
    "argmax": _reduce_ref,
    "argmin": _reduce_ref,
    "mean": lambda a, kw, r: np.size(a[0]) - np.size(r) + np.size(r),
    "cumsum": lambda a, kw, r: np.size(a[0]) - 1,
    "cumprod": lambda a, kw, r: np.size(a[0]) - 1,
    "trace": lambda a, kw, r: min(np.shape(a[0])) - 1,
    "clip": lambda a, kw, r: np.size(r) * sum(b is not None for b in a[1:3]),  # per bound
    "round": lambda a, kw, r: np.size(r),
    "around": lambda a, kw, r: np.size(r),
    # mean (k-1 adds, 1 div), k deviations, k squares, k-1 adds, 1 div (std: + 1 sqrt)
    "var": lambda a, kw, r: 4 * np.size(a[0]) - 2 + 2,
    "std": lambda a, kw, r: 4 * np.size(a[0]) - 2 + 2 + 1,
    # a dot product of k terms: k multiplies, k - 1 adds, per output
    "dot": lambda a, kw, r: np.size(r) * (2 * np.shape(a[0])[-1] - 1),
    "inner": lambda a, kw, r: np.size(r) * (2 * np.shape(a[0])[-1] - 1),
    "vdot": lambda a, kw, r: 2 * np.size(a[0]) - 1,
    "tensordot": lambda a, kw, r: (
        np.size(r) * (2 * np.size(a[1]) // max(np.size(r), 1) - 1) if np.size(r) == 1 else None
    ),
    "outer": lambda a, kw, r: np.size(r),
    "einsum": lambda a, kw, r: np.size(r) * (2 * np.shape(a[1])[1] - 1),
}


@pytest.mark.parametrize(
    ("module", "name", "func"), FUNCTIONS, ids=[f"{m}.{n}" for m, n, _ in FUNCTIONS]
)
def test_every_public_function_on_tracked_arrays_is_counted_right_or_listed(module, name, func):
    found = _find_call(func)
    if found is None:
        return  # no small input among the patterns that numpy accepts (reported)
    args, kwargs, plain_result = found
    quiet = _quiet()
    try:
        with count() as ops:
            got = func(*_tracked(args), **kwargs)
    finally:
        quiet.__exit__(None, None, None)
    assert _same_structure(plain_result, got), f"{name}: {type(plain_result)} vs {type(got)}"
    rule = rules.rule_for(func)
    qualname = rules.qualname(func)
    if rule is None:
        assert ops.uncounted == {qualname: 1} and ops.total == 0
        return
    assert ops.uncounted == {}
    if name in rules.FREE_FUNCTIONS:
        assert ops.total == 0  # data movement: no arithmetic (its bytes only)
        return
    reference = REFERENCES[name](args, kwargs, plain_result)
    if reference is not None:
        assert ops.total == reference, name
    else:
        assert ops.total > 0 or np.size(plain_result) <= 1


def summary() -> dict:
    """How much of numpy's API the suite covers, and how each call fares."""
    out = {"numpy": np.__version__, "ufunc_methods": {}, "functions": {}}
    for ufunc, method in UFUNC_CASES:
        case = _plain_case(ufunc, method)
        if case is None:
            state = "numpy refuses"
        elif ufunc.__name__ in rules.UFUNC_RULES:
            args, kwargs, _, _ = case
            with count() as ops:
                quiet = _quiet()
                try:
                    getattr(ufunc, method)(*[track(a.copy()) for a in args], **kwargs)
                finally:
                    quiet.__exit__(None, None, None)
            state = "listed" if ops.uncounted else "counted"
        else:
            state = "listed"
        out["ufunc_methods"][state] = out["ufunc_methods"].get(state, 0) + 1
    for _, name, func in FUNCTIONS:
        if _find_call(func) is None:
            state = "no small input found"
        elif rules.rule_for(func) is None:
            state = "listed"
        elif name in rules.FREE_FUNCTIONS:
            state = "counted (data movement: 0 operations, bytes)"
        else:
            state = "counted"
        out["functions"][state] = out["functions"].get(state, 0) + 1
    out["ufuncs"] = len(UFUNCS)
    out["public functions (override protocol)"] = len(FUNCTIONS)
    return out


if __name__ == "__main__":
    import json
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:  # np.save & co. write files
        os.chdir(scratch)
        print(json.dumps(summary(), indent=2))
