"""The array engine's counting rules, pinned on edge shapes, each against its equation."""

import math

import numpy as np
import pytest

import mlpops
from mlpops import count, track
from mlpops.formulas import without_bytes


def counted(fn, *arrays):
    """Run fn on tracked copies; return (plain result, dict of kinds, Counts)."""
    tracked = [track(np.asarray(a, dtype=float)) for a in arrays]
    with count() as ops:
        out = fn(*tracked)
    return out, without_bytes(dict(ops)), ops


# -- elementwise ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn, kind",
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "add"),
        (lambda a, b: a * b, "mul"),
        (lambda a, b: a / b, "div"),
        (lambda a, b: np.maximum(a, b), "max"),
        (lambda a, b: a > b, "max"),
        (lambda a, b: a**b, "pow"),
    ],
)
@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((0, 4), (4,)), ((), ())],
)
def test_binary_ufunc_counts_one_per_broadcast_output(fn, kind, shape_a, shape_b):
    out, kinds, _ = counted(fn, np.ones(shape_a), np.ones(shape_b))
    n = math.prod(np.broadcast_shapes(shape_a, shape_b))
    assert kinds == ({kind: n} if n else {})
    # numpy's types: an array, or for 0-d operands a float64 scalar (still counted)
    plain = fn(np.ones(shape_a), np.ones(shape_b))
    expected = mlpops.TrackedFloat if type(plain) is np.float64 else mlpops.Tracked
    assert isinstance(out, expected)


@pytest.mark.parametrize(
    "fn, kind",
    [
        (np.exp, "exp"),
        (np.log, "log"),
        (np.tanh, "tanh"),
        (np.sqrt, "sqrt"),
        (np.negative, "add"),
        (np.square, "mul"),
        (np.abs, "abs"),
        (np.reciprocal, "div"),
    ],
)
def test_unary_functions_count_under_their_own_name(fn, kind):
    _, kinds, _ = counted(fn, np.full((2, 5), 2.0))
    assert kinds == {kind: 10}


def test_python_scalars_and_in_place_forms_are_counted():
    a = track(np.ones((2, 3)))
    with count() as ops:
        b = 2 * a  # 6 mul
        b += 1  # 6 add, in place
        np.multiply(a, 3, out=b)  # 6 mul into out
        c = -b  # 6 add (a negation is a subtraction from 0)
    assert without_bytes(dict(ops)) == {"mul": 12, "add": 12}
    assert isinstance(b, mlpops.Tracked) and isinstance(c, mlpops.Tracked)


def test_where_argument_counts_only_the_elements_computed():
    a = track(np.ones(6))
    out = np.zeros(6)
    with count() as ops:
        np.add(a, a, out=out, where=np.array([1, 0, 1, 0, 1, 1], bool))
    assert without_bytes(dict(ops)) == {"add": 4}


def test_clip_makes_two_comparisons_per_element():
    _, kinds, _ = counted(lambda a: np.clip(a, 0, 1), np.ones((3, 3)))
    assert kinds == {"max": 18}
    _, kinds, _ = counted(lambda a: a.clip(0, 1), np.ones((3, 3)))
    assert kinds == {"max": 18}
    _, kinds, _ = counted(lambda a: np.clip(a, None, 1), np.ones((3, 3)))
    assert kinds == {"max": 9}


def test_where_and_data_movement_are_free():
    def move(a):
        b = a.T.reshape(-1)[::2]
        c = np.concatenate([a, a]).copy()
        d = np.where(a > 0, a, 0)  # the comparison is counted; choosing is not
        return b, c, np.expand_dims(d, 0), np.zeros_like(a), a[0, 1]

    _, kinds, ops = counted(move, np.ones((3, 4)))
    assert kinds == {"max": 12}
    assert ops.uncounted == {}


# -- matrix products --------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape_a, shape_b, outputs, k",
    [
        ((2, 3), (3, 4), 8, 3),  # (m x k) @ (k x n)
        ((3,), (3, 4), 4, 3),  # 1-D on the left
        ((2, 3), (3,), 2, 3),  # 1-D on the right
        ((5,), (5,), 1, 5),  # dot product
        ((4, 1), (1, 6), 24, 1),  # k = 1: products, no additions
        ((7, 2, 3), (3, 4), 56, 3),  # batched, broadcast
        ((7, 2, 3), (7, 3, 4), 56, 3),  # batched
        ((2, 0), (0, 3), 6, 0),  # k = 0: zeros, nothing computed
        ((0, 3), (3, 4), 0, 3),  # empty batch
    ],
)
def test_matmul_is_m_n_k_mul_and_m_n_k_minus_1_add(shape_a, shape_b, outputs, k):
    forms = [
        (lambda a, b: a @ b, False),
        (np.matmul, False),
        (np.dot, True),
        (lambda a, b: a.dot(b), True),
    ]
    for fn, is_dot in forms:
        if is_dot and len(shape_a) == 3 and len(shape_b) == 3:
            continue  # np.dot's N-D rule is not matmul's
        out, kinds, ops = counted(fn, np.ones(shape_a), np.ones(shape_b))
        expected = {"mul": outputs * k, "add": outputs * (k - 1)} if k else {}
        assert kinds == {kk: v for kk, v in expected.items() if v}
        assert ops.macs == outputs * k
        assert np.asarray(out).size == outputs


def test_einsum_forms_the_project_uses():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    _, kinds, ops = counted(lambda a, b: np.einsum("ij,jk->ik", a, b), a, b)
    assert kinds == {"mul": 24, "add": 16} and ops.macs == 24
    _, kinds, _ = counted(lambda a: np.einsum("ij->i", a), a)  # a sum per row
    assert kinds == {"add": 4}
    _, kinds, _ = counted(lambda x, y: np.einsum("bi,bi->b", x, y), a, a)  # row dots
    assert kinds == {"mul": 6, "add": 4}
    _, kinds, _ = counted(lambda x, y: np.einsum("...i,...i", x, y), a, a)  # ellipsis
    assert kinds == {"mul": 6, "add": 4}
    _, kinds, _ = counted(lambda x, y: np.einsum("i,j->ij", x, y), np.ones(3), np.ones(4))
    assert kinds == {"mul": 12}  # an outer product: no sums


def test_outer_inner_tensordot_vdot():
    _, kinds, _ = counted(np.outer, np.ones(3), np.ones(4))
    assert kinds == {"mul": 12}
    _, kinds, _ = counted(np.inner, np.ones((2, 5)), np.ones((3, 5)))
    assert kinds == {"mul": 30, "add": 24}
    _, kinds, _ = counted(
        lambda a, b: np.tensordot(a, b, axes=2), np.ones((2, 3, 4)), np.ones((3, 4, 5))
    )
    assert kinds == {"mul": 120, "add": 110}  # 10 outputs, 12 terms each
    _, kinds, _ = counted(np.vdot, np.ones((2, 3)), np.ones((2, 3)))
    assert kinds == {"mul": 6, "add": 5}


# -- reductions -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, axis, k, outputs",
    [
        ((3, 4), None, 12, 1),
        ((3, 4), 0, 3, 4),
        ((3, 4), 1, 4, 3),
        ((3, 4), -1, 4, 3),
        ((2, 3, 4), (0, 2), 8, 3),
        ((5,), 0, 5, 1),
        ((1, 4), 0, 1, 4),  # one term: nothing to add
    ],
)
def test_reductions_take_k_minus_1_steps_per_output(shape, axis, k, outputs):
    ones = np.ones(shape)
    for fn, kind in [
        (lambda a: a.sum(axis=axis), "add"),
        (lambda a: np.sum(a, axis=axis), "add"),
        (lambda a: a.max(axis=axis), "max"),
        (lambda a: np.max(a, axis=axis), "max"),
        (lambda a: np.min(a, axis=axis), "max"),
        (lambda a: a.prod(axis=axis), "mul"),
    ]:
        _, kinds, _ = counted(fn, ones)
        steps = (k - 1) * outputs
        assert kinds == ({kind: steps} if steps else {})
    for fn in (lambda a: a.mean(axis=axis), lambda a: np.mean(a, axis=axis, keepdims=True)):
        _, kinds, _ = counted(fn, ones)
        steps = (k - 1) * outputs
        assert kinds == ({"add": steps} if steps else {}) | {"div": outputs}


def test_reductions_of_empty_arrays_count_nothing():
    _, kinds, _ = counted(lambda a: a.sum(), np.ones((0, 3)))
    assert kinds == {}
    _, kinds, _ = counted(lambda a: a.sum(axis=0), np.ones((0, 3)))
    assert kinds == {}


def test_full_reductions_are_float64_scalars_whose_arithmetic_is_still_counted():
    import json

    a = track(np.arange(6.0))
    with count() as ops:
        total = a.sum()
        mean = total / a.size
        negated = -np.sum(a)
    for x in (total, mean, negated):
        assert isinstance(x, mlpops.TrackedFloat) and isinstance(x, np.float64)
    assert float(mean) == 2.5
    assert without_bytes(dict(ops)) == {"add": 5 + 5 + 1, "div": 1}
    # numpy scalar semantics: JSON-ready, hashable, a number (e.g. a learning rate)
    assert json.dumps({"sum": total}) == '{"sum": 15.0}'
    assert hash(total) == hash(15.0) and {total: 1}[15.0] == 1
    net = mlpops.MLP([2, 2])
    net.forward(np.ones(2))
    net.backward(np.zeros(2))
    net.update(lr=mean / 100)


def test_cumsum_argmax_and_trace():
    _, kinds, _ = counted(lambda a: np.cumsum(a, axis=1), np.ones((3, 4)))
    assert kinds == {"add": 9}
    _, kinds, _ = counted(lambda a: a.argmax(axis=1), np.ones((3, 4)))
    assert kinds == {"max": 9}
    _, kinds, _ = counted(np.trace, np.ones((4, 4)))
    assert kinds == {"add": 3}


# -- what has no rule: listed, never a silent zero, never a crash -----------------------
def test_calls_without_a_rule_run_and_are_listed():
    a = track(np.array([[2.0, 1.0], [1.0, 3.0]]))
    with count() as ops:
        inv = np.linalg.inv(a)
        s = np.sort(a, axis=0)
        np.linalg.inv(a)
        f = np.fft.fft(a)
    assert ops.uncounted == {"np.linalg.inv": 2, "np.sort": 1, "np.fft.fft": 1}
    assert np.allclose(np.asarray(inv) @ np.asarray(a), np.eye(2))
    assert isinstance(s, mlpops.Tracked) and f.shape == (2, 2)
    assert "np.linalg.inv x2" in ops.table()


def test_outside_count_tracked_arrays_compute_the_same_values():
    a = np.random.default_rng(0).normal(size=(4, 5))
    t = track(a)
    np.testing.assert_array_equal(
        np.asarray(np.tanh(t @ t.T).sum(axis=0)), np.tanh(a @ a.T).sum(axis=0)
    )


# -- bad input ---------------------------------------------------------------------------
def test_track_refuses_non_numeric_data_with_a_clear_message():
    with pytest.raises(TypeError, match="numeric data.*dtype <U"):
        track(["a", "b"])
    with pytest.raises(TypeError, match="expects numbers"):
        track(np.array([1.0, "x"], dtype=object))


def test_shape_mismatch_keeps_numpys_message_and_names_the_shapes():
    a, b = track(np.ones((2, 3))), track(np.ones((4, 5)))
    with count(), pytest.raises(ValueError, match=r"matmul.*shapes \(2, 3\), \(4, 5\)"):
        a @ b
    with count(), pytest.raises(ValueError, match=r"\(2,3\).*\(4,5\).*shapes \(2, 3\), \(4, 5\)"):
        a + b


def test_tracked_repr_and_pickle():
    import pickle

    t = track(np.array([1.0, 2.0]))
    assert repr(t) == "tracked([1., 2.])"
    back = pickle.loads(pickle.dumps(t))
    assert isinstance(back, mlpops.Tracked) and list(np.asarray(back)) == [1.0, 2.0]


@pytest.mark.parametrize(
    "symbol, ufunc",
    [
        ("+", np.add),
        ("-", np.subtract),
        ("*", np.multiply),
        ("/", np.true_divide),
        ("//", np.floor_divide),
        ("%", np.remainder),
        ("**", np.power),
        (">", np.greater),
        ("==", np.equal),
    ],
)
def test_operators_on_full_reductions_count_and_move_what_the_ufunc_does(symbol, ufunc):
    t = track(np.arange(1.0, 5.0))
    f, g = t.sum(), t.max()  # two float64 results (TrackedFloat)
    written = 1 if ufunc in (np.greater, np.equal) else 8  # a bool, or a float64
    for other, read in ((g, 8), (2.5, 0)):  # a float64 is read; a Python float costs 0
        with count() as fast:
            got = eval(f"f {symbol} other")
        with count() as generic:
            ufunc(f, other)
        assert dict(fast) == dict(generic) and fast.total == 1
        assert fast.bytes == generic.bytes == 8 + read + written
        plain = eval(f"np.float64(f) {symbol} mlpops.untrack(other)")  # what numpy gives
        assert mlpops.untrack(got) == plain
        assert isinstance(got, mlpops.TrackedFloat if written == 8 else mlpops.Tracked)
