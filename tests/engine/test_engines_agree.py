"""The strongest check: the array engine and the scalar engine count identically.

They reach their counts by different routes — one rule per numpy call from the shapes,
against one Python call per scalar operation — so agreement on random chains of
operations pins both.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlpops
from mlpops import count, rules, scalars, track, values
from mlpops.formulas import without_bytes


def _on_scalars(ufunc: np.ufunc) -> bool:
    try:
        with np.errstate(all="ignore"):
            ufunc(*[scalars(np.array([0.5, 0.25]))] * ufunc.nin)
    except Exception:
        return False
    return True


#: every ufunc with a counting rule that numpy can also run on Scalars (its object loop)
RULED = sorted(
    name
    for name in rules.UFUNC_RULES
    if isinstance(getattr(np, name, None), np.ufunc)
    and getattr(np, name).nout == 1
    and getattr(np, name).nin in (1, 2)
    and name not in rules.PRODUCTS  # (the matmul and einsum steps cover products)
    and _on_scalars(getattr(np, name))
)

# Each step: (name, function of the current array x and a fresh operand y of x's shape).
UNARY = {
    "neg": lambda x: -x,
    "exp": lambda x: np.exp(np.tanh(x)),  # tanh first: no overflow
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0),
    "square": lambda x: x * x,
    "scale": lambda x: 0.5 * x + 1,
    "recip": lambda x: 1 / (1 + x * x),
    "gt": lambda x: x * (x > 0),
    "T": lambda x: x.T,
}
REDUCE = {
    "sum": lambda x, axis: x.sum(axis=axis, keepdims=True),
    "np.sum": lambda x, axis: np.sum(x, axis=axis, keepdims=True),
    "mean": lambda x, axis: x.mean(axis=axis, keepdims=True),
    "max": lambda x, axis: x.max(axis=axis, keepdims=True),
}


@st.composite
def chains(draw):
    rows = draw(st.integers(1, 4))
    cols = draw(st.integers(1, 4))
    steps = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["unary", "binary", "reduce", "matmul", "einsum", "ufunc"]))
        if kind == "ufunc":
            steps.append(("ufunc", draw(st.sampled_from(RULED)), None))
        elif kind == "unary":
            steps.append(("unary", draw(st.sampled_from(sorted(UNARY))), None))
        elif kind == "binary":
            steps.append(("binary", draw(st.sampled_from(["+", "-", "*", "/"])), None))
        elif kind == "reduce":
            axis = draw(st.sampled_from([0, 1, -1, None, (0, 1)]))
            steps.append(("reduce", draw(st.sampled_from(sorted(REDUCE))), axis))
        else:
            steps.append((kind, None, draw(st.integers(1, 4))))
    return rows, cols, steps


def run_chain(rows, cols, steps, engine, rng):
    wrap = track if engine == "array" else scalars
    x = wrap(rng.uniform(0.5, 1.5, size=(rows, cols)))
    for kind, name, arg in steps:
        if kind == "ufunc":  # any ufunc with a rule, on values kept in (0.5, 1.5)
            ufunc = getattr(np, name)
            x = 0.5 * np.tanh(x) + 1.0
            y = wrap(rng.uniform(0.5, 1.5, size=x.shape))
            r = ufunc(x) if ufunc.nin == 1 else ufunc(x, y)
            boolean = ufunc(*[np.array([0.5])] * ufunc.nin).dtype == bool
            x = x * r if boolean else r  # (a test's True/False picks values, as ReLU's)
        elif kind == "unary":
            x = UNARY[name](x)
        elif kind == "binary":
            y = wrap(rng.uniform(0.5, 1.5, size=x.shape))
            x = {"+": x + y, "-": x - y, "*": x * y, "/": x / y}[name]
        elif kind == "reduce":
            x = REDUCE[name](x, arg)
        elif kind == "matmul":
            w = wrap(rng.uniform(-1, 1, size=(x.shape[-1], arg)))
            x = x @ w
        else:
            w = wrap(rng.uniform(-1, 1, size=(x.shape[-1], arg)))
            x = np.einsum("ij,jk->ik", x, w)
    return x


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.integers(0, 2**16))
def test_array_and_scalar_engines_count_identically_on_random_chains(chain, seed):
    rows, cols, steps = chain
    results, counts = {}, {}
    for engine in ("array", "scalar"):
        with count() as ops, np.errstate(all="ignore"):
            results[engine] = run_chain(rows, cols, steps, engine, np.random.default_rng(seed))
        counts[engine] = ops
    assert without_bytes(dict(counts["array"])) == without_bytes(dict(counts["scalar"]))
    assert counts["array"].macs == counts["scalar"].macs
    assert counts["array"].uncounted == counts["scalar"].uncounted == {}
    np.testing.assert_allclose(
        values(results["array"]).astype(float),
        values(results["scalar"]).astype(float),
        rtol=1e-9,
        atol=1e-12,
        equal_nan=True,
    )


def test_the_random_chains_cover_every_ufunc_with_a_rule_that_runs_on_scalars():
    assert len(RULED) >= 40 and {"multiply", "exp", "arctan", "floor_divide", "sign"} <= set(RULED)


def test_scalar_engine_counts_each_python_call():
    a = scalars([[1.0, 2.0], [3.0, 4.0]])
    with count() as ops:
        a @ a
    assert without_bytes(dict(ops)) == {"mul": 8, "add": 4}  # 4 outputs, 2 products and 1 add each
    assert ops.macs == 8


def test_scalar_refuses_non_numbers_with_the_position():
    import pytest

    with pytest.raises(TypeError, match=r"got 'x' \(str\) at index \(1,\)"):
        scalars([1.0, "x"])
    with pytest.raises(TypeError, match="holds a number"):
        mlpops.Scalar("2")


def test_maximum_and_minimum_let_a_nan_win_on_both_engines_as_float64_does():
    # found by the random chains: arccos out of its domain gives nan, then ReLU's
    # max(nan, 0) was 0 on Scalars (numpy's object loop keeps the second operand)
    data = np.array([np.nan, -1.0, 2.0])
    got = {}
    for engine, wrap in (("array", track), ("scalar", scalars)):
        x = wrap(data)
        with count() as ops:
            out = [np.maximum(x, 0), np.maximum(0, x), np.minimum(x, 0), np.minimum(0, x)]
        got[engine] = (np.array([values(o).astype(float) for o in out]), ops["max"])
    assert np.array_equal(got["array"][0], got["scalar"][0], equal_nan=True)
    assert np.isnan(got["scalar"][0][:, 0]).all() and got["array"][1] == got["scalar"][1] == 12
