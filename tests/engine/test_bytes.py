"""Memory traffic: ``bytes`` counted beside the operations, never in the total.

The rule (DESIGN.md): every input element read once and every output element written
once, at the dtype's size; a Python number costs 0; views move nothing; a copy that
materialises moves its bytes and costs 0 operations. References are hand formulas from
the shapes and ``formulas`` (an independent route from sizes alone).
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlpops
from mlpops import MLP, Counts, count, formulas, scalars, track
from mlpops.report import breakdown
from tests.engine.test_nn import live_train_step, networks, predicted

F = 8  # bytes of one float64


@pytest.mark.parametrize(("B", "N", "M"), [(1, 30, 30), (64, 784, 256), (7, 3, 5), (1, 1, 1)])
def test_dense_matmul_moves_both_operands_and_the_product_once(B, N, M):
    X, W = track(np.ones((B, N))), np.ones((N, M))
    with count() as ops:
        X @ W
    assert ops.bytes == ops["bytes"] == F * (N * M + B * N + B * M)
    assert ops.bytes == formulas.matmul_bytes(B, N, M)
    # the dense layer's matmul intensity, 2 B N M / 8 (N M + B N + B M), from the live count
    assert 2 * ops.macs / ops.bytes == formulas.dense_intensity(N, M, B)
    assert formulas.dense_intensity(N, M, B) == 2 * B * N * M / (8 * (N * M + B * N + B * M))
    assert ops.intensity == ops.total / ops.bytes


def test_bytes_are_beside_the_total_never_in_it():
    a = track(np.ones(10))
    with count() as ops:
        a * a
    assert ops.total == 10 and ops.bytes == 3 * 10 * F
    assert dict(ops) == {"mul": 10, "bytes": 240}  # beside the kinds, like activations
    assert ops.by_scope() == {"": {"mul": 10, "bytes": 240}}
    assert ops.to_dict()["bytes"] == 240 and ops.to_dict()["total"] == 10
    assert ops.table() == "mul           10\ntotal         10\nbytes moved  240"
    assert isinstance(ops.bytes, int) and isinstance(ops.intensity, float)


def test_a_python_number_costs_nothing_and_a_broadcast_input_is_read_at_its_size():
    a, row = track(np.ones((4, 3))), np.ones(3)
    with count() as ops:
        a * 2.0
    assert ops.bytes == 2 * 12 * F
    with count() as ops:
        a + row  # the row is read once (3 elements), not once per output row
    assert ops.bytes == (12 + 3 + 12) * F
    with count() as ops:
        a * np.float64(2.0)  # a numpy scalar is a value in memory: its 8 bytes
    assert ops.bytes == (12 + 1 + 12) * F


def test_the_dtype_size_is_used():
    a = track(np.ones(10, dtype=np.float32))
    with count() as ops:
        mask = a > 0  # 4-byte floats in, 1-byte bools out
    assert ops.bytes == 10 * 4 + 10 * 1 and mask.dtype == bool


def test_views_move_nothing_and_copies_move_their_bytes_at_zero_operations():
    a = track(np.ones((3, 4)))
    with count() as ops:
        a.T, a.reshape(-1), a[1:], np.transpose(a), np.broadcast_to(a, (2, 3, 4))
    assert ops.bytes == 0 and ops.total == 0 and ops.uncounted == {}
    n = a.size * F
    for copy in (
        lambda: np.copy(a),
        lambda: a.copy(),
        lambda: a.flatten(),
        lambda: a.astype(np.float64),
    ):
        with count() as ops:
            copy()
        assert (ops.bytes, ops.total) == (2 * n, 0)
    with count() as ops:
        a.astype(np.float32)  # read 8 bytes each, write 4
    assert ops.bytes == a.size * (8 + 4)
    with count() as ops:
        np.concatenate([a, a])
    assert ops.bytes == 2 * (2 * n) and ops.total == 0
    with count() as ops:
        np.zeros_like(a)  # written, nothing read
    assert ops.bytes == n


def test_reductions_read_the_input_and_write_each_output():
    a = track(np.ones((5, 4)))
    with count() as ops:
        a.sum(axis=0)
    assert ops.bytes == (20 + 4) * F
    with count() as ops:
        a.mean()
    assert ops.bytes == (20 + 1) * F
    with count() as ops:
        np.max(a, axis=1, keepdims=True)
    assert ops.bytes == (20 + 5) * F


def test_in_place_updates_read_both_operands_and_write_the_target():
    W, dW = np.ones((3, 4)), track(np.ones((3, 4)))
    with count() as ops:
        W -= 0.1 * dW  # 0.1 * dW: read 12, write 12; W -= .: read 24, write 12
    assert ops.bytes == (2 + 3) * 12 * F


def test_the_scalar_engine_says_it_cannot_see_bytes_instead_of_a_zero():
    x = scalars([1.0, 2.0])
    with count() as ops:
        x * x
    assert ops.total == 2
    assert ops.bytes is None and ops["bytes"] is None and math.isnan(ops.intensity)
    assert "cannot see memory traffic" in ops.table()
    assert ops.to_dict()["bytes"] is None
    assert ops.by_scope() == {"": {"mul": 2}}
    # an array-engine part of the same run keeps its bytes where it ran alone
    a = track(np.ones(3))
    with count() as ops:
        with mlpops.scope("array"):
            a * a
        with mlpops.scope("scalar"):
            x * x
    assert ops.within("array").bytes == 72 and ops.within("scalar").bytes is None
    assert ops.bytes is None


def test_no_bytes_gives_a_nan_intensity_not_a_division_error():
    with count() as ops:
        pass
    assert ops.bytes == 0 and math.isnan(ops.intensity)
    assert math.isnan(Counts().intensity)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_live_bytes_equal_the_formula_bytes_per_layer_and_phase_array_engine(spec):
    _, ops = live_train_step(spec, "array")
    live, expected = breakdown(ops), predicted(spec)
    moved = {u: {p: k.get("bytes") for p, k in ph.items()} for u, ph in live.items()}
    assert moved == {u: {p: k.get("bytes") for p, k in ph.items()} for u, ph in expected.items()}
    assert ops.bytes == sum(k["bytes"] for ph in expected.values() for k in ph.values())


@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 40))
def test_a_dense_forward_moves_what_the_formula_says(N, M, B):
    net = MLP([N, M], activation="relu")
    with count() as ops:
        net.forward(np.ones((B, N)))
    assert ops.within("forward/layer1/weighted-sum").bytes == F * (B * N + N * M + 3 * B * M + M)
    assert ops.within("forward").bytes == formulas.dense_forward(N, M, B, "relu")["bytes"]


def test_a_dense_layer_becomes_less_memory_bound_as_the_batch_grows():
    intensities = [formulas.dense_intensity(256, 256, B) for B in (1, 8, 64, 256)]
    assert intensities == sorted(intensities) and intensities[0] < 0.25 < intensities[-1]
