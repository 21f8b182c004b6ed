"""The roofline's arithmetic and the STREAM-style bandwidth measurement.

A ticking fake clock makes the bandwidth exact: every reading moves it on by a fixed step,
so each timed call of a kernel "takes" exactly that step.
"""

import math
from functools import partial

import numpy as np
import pytest

import mlpops
from mlpops import formulas, roofline
from mlpops.roofline import Point, attainable, bound, dense_intensity, intensity, ridge


class TickingClock:
    """Each reading is ``step`` seconds after the previous one."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_intensity_is_operations_per_byte():
    assert intensity(600, 200) == 3.0
    assert intensity(0, 8) == 0.0


def test_dense_intensity_is_the_formula_of_the_issue():
    b, n, m = 32, 30, 20
    assert dense_intensity(b, n, m) == 2 * b * n * m / (8 * (n * m + b * n + b * m))
    assert dense_intensity(b, n, m, itemsize=4) == 2 * dense_intensity(b, n, m)


def test_dense_intensity_grows_with_the_batch_towards_the_square_layer_limit():
    # GEMV -> GEMM: at B = 1 each weight is used once (about 1/4 op per byte); as B grows
    # the weights are shared and the intensity tends to 2NM / 8(N + M).
    values = [dense_intensity(b, 512, 512) for b in (1, 4, 16, 64, 256, 4096)]
    assert values == sorted(values)
    assert values[0] < 0.25
    assert values[-1] < 2 * 512 * 512 / (8 * (512 + 512))


def test_attainable_is_the_lower_of_the_two_roofs():
    assert attainable(0.5, peak=100.0, bandwidth=10.0) == 5.0
    assert attainable(50.0, peak=100.0, bandwidth=10.0) == 100.0
    assert attainable(10.0, peak=100.0, bandwidth=10.0) == 100.0


def test_ridge_point_splits_memory_bound_from_compute_bound():
    assert ridge(100.0, 10.0) == 10.0
    assert bound(9.99, 100.0, 10.0) == "memory-bound"
    assert bound(10.0, 100.0, 10.0) == "compute-bound"


@pytest.mark.parametrize(
    "call",
    [
        lambda: intensity(1, 0),
        lambda: intensity(-1, 8),
        lambda: attainable(1, peak=0, bandwidth=1),
        lambda: attainable(1, peak=1, bandwidth=float("nan")),
        lambda: ridge(1, -2),
        lambda: dense_intensity(0, 3, 3),
        lambda: dense_intensity(2, 3.5, 3),
        lambda: roofline.stream(elements=0),
        lambda: roofline.stream(elements=16, kernels=("scale",)),
    ],
)
def test_bad_input_is_a_clear_error(call):
    with pytest.raises(ValueError, match="must be|unknown kernel"):
        call()


def test_stream_bandwidth_is_bytes_moved_over_the_best_repeat():
    bw = roofline.stream(elements=1024, repeats=3, clock=TickingClock(0.5))
    assert bw["copy"].bytes_per_call == 1024 * 16
    assert bw["triad"].bytes_per_call == 1024 * 40
    assert bw["copy"].seconds == (0.5, 0.5, 0.5)
    assert bw["copy"].bytes_per_second == 1024 * 16 / 0.5
    assert bw["triad"].bytes_per_second == 1024 * 40 / 0.5


def test_bandwidth_reports_the_best_repeat_as_stream_does():
    b = roofline.Bandwidth("copy", 10, 160, (4.0, 2.0, 8.0))
    assert b.best == 2.0 and b.bytes_per_second == 80.0
    assert "~" in str(b) and "160 bytes" in b.explain()


def test_stream_kernels_compute_what_stream_computes():
    a, b, c = np.full(5, 1.0), np.full(5, 2.0), np.zeros(5)
    kernels = roofline._kernels(a, b, c)
    kernels["copy"]()
    assert np.array_equal(c, a)
    kernels["triad"]()  # a = b + 3 c = 2 + 3 * 1
    assert np.array_equal(a, np.full(5, 5.0))


def test_stream_arrays_are_four_times_the_cache_and_bounded():
    assert roofline.stream_elements(cache_bytes=4 * 1024**2) == 2**21
    assert roofline.stream_elements(cache_bytes=32 * 1024**2) == roofline.MAX_STREAM_ELEMENTS
    assert roofline.stream_elements(cache_bytes=1024) == 2**20
    assert roofline.stream_elements(cache_bytes=2**40) == roofline.MAX_STREAM_ELEMENTS
    assert roofline.last_level_cache_bytes() > 0


def test_a_point_knows_its_roof_and_how_near_it_runs():
    p = Point("x * y", ops=1000, nbytes=24000, ops_per_second=2.0)
    assert math.isclose(p.intensity, 1 / 24)
    assert math.isclose(p.roof(peak=100.0, bandwidth=24.0), 1.0)
    assert math.isclose(p.share_of_roof(100.0, 24.0), 2.0)
    q = Point("matmul", ops=1000, nbytes=10, ops_per_second=50.0)
    text = roofline.points_table([p, q], peak=100.0, bandwidth=24.0)
    judged = text.splitlines()[-1]
    assert judged.startswith("~4.17 operations/byte is the ridge point.")
    assert judged.endswith(
        "within 2x of the bandwidth roof, memory-bound: x * y; "
        "within 2x of the peak, compute-bound: matmul"
    )


def test_a_point_left_of_the_ridge_but_far_below_its_roof_is_not_called_memory_bound():
    slow = Point("exp", ops=1000, nbytes=16000, ops_per_second=1.0)  # roof 1.5: 67% of it
    slower = Point("exp", ops=1000, nbytes=16000, ops_per_second=0.5)  # 33%: below 1/2
    assert roofline.limit(slow, peak=100.0, bandwidth=24.0) == "memory"
    assert roofline.limit(slower, peak=100.0, bandwidth=24.0) == "something else"
    judged = roofline.points_table([slower], 100.0, 24.0).splitlines()[-1]
    assert (
        "memory-bound" not in judged and "limited by something the roofline does not draw" in judged
    )


def test_in_cache_stream_arrays_fit_in_a_quarter_of_the_cache():
    n = roofline.cache_stream_elements(cache_bytes=32 * 1024**2)
    assert n == 2**18 and 3 * 8 * n <= 8 * 1024**2 < 3 * 8 * 2 * n
    assert roofline.cache_stream_elements(cache_bytes=1024) == 2**10


# -- live bytes against the formulas, for what notebooks 11 and 14 show -----------------------
@pytest.mark.parametrize("sizes", [[30, 30, 30], [784, 128, 10]])
@pytest.mark.parametrize("batch", [1, 4, 16, 64, 256])
def test_live_bytes_of_a_training_step_equal_the_formula_by_layer_and_phase(sizes, batch):
    net = mlpops.MLP(sizes, activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    with mlpops.count() as ops:
        net.train_step(rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1])))
    live = mlpops.breakdown(ops)
    predicted = formulas.mlp(sizes, batch=batch)
    assert {u: {p: k["bytes"] for p, k in ph.items()} for u, ph in live.items()} == {
        u: {p: k["bytes"] for p, k in ph.items()} for u, ph in predicted.items()
    }


def test_live_intensity_of_a_matrix_product_is_its_count_over_the_formula_bytes():
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(1, 30)), rng.normal(size=(30, 30))
    with mlpops.count() as ops:
        mlpops.track(X) @ W
    assert ops.bytes == 8 * (30 * 30 + 30 + 30) == formulas.matmul_bytes(1, 30, 30)
    assert ops.total == 30 * 30 + 30 * 29
    assert ops.intensity == ops.total / ops.bytes


def test_float32_moves_half_the_bytes_of_float64_for_the_same_count():
    X, W = np.ones((4, 30)), np.ones((30, 20))
    with mlpops.count() as f64:
        mlpops.track(X) @ W
    with mlpops.count() as f32:
        mlpops.track(X.astype(np.float32)) @ W.astype(np.float32)
    assert f32.total == f64.total and 2 * f32.bytes == f64.bytes


def test_measured_points_carry_the_live_count_and_bytes_and_the_best_rate():
    n = 1000
    x, y, out = np.ones(n), np.ones(n), np.empty(n)
    mul = roofline.measure_point(
        "x * y", partial(np.multiply, out=out), x, y, clock=TickingClock(0.5)
    )
    assert (mul.ops, mul.nbytes) == (n, 24 * n)
    assert mul.ops_per_second == n / 0.5
    exp = roofline.measure_point("exp", partial(np.exp, out=out), x, clock=TickingClock(0.5))
    assert (exp.ops, exp.nbytes) == (n, 16 * n)
    a = np.ones((64, 64))
    mm = roofline.measure_point("matmul", np.matmul, a, a, clock=TickingClock(0.5))
    assert (mm.ops, mm.nbytes) == (64**3 + 64 * 64 * 63, formulas.matmul_bytes(64, 64, 64))


def test_traffic_table_prints_live_and_formula_bytes_side_by_side():
    net = mlpops.MLP([30, 30, 30], seed=0)
    with mlpops.count() as ops:
        net.train_step(np.ones((1, 30)), np.zeros((1, 30)), lr=0.1)
    text = roofline.traffic_table(mlpops.breakdown(ops), formulas.mlp([30, 30, 30]))
    row = next(line for line in text.splitlines() if line.startswith("layer1   forward"))
    layer1 = formulas.mlp([30, 30, 30])["layer1"]["forward"]
    assert row.split()[-1] == f"{layer1['bytes']:,}" == row.split()[3]


@pytest.mark.parametrize("scale", [0.1, 10.0])
def test_the_tests_timing_switch_scales_bandwidths_and_measured_points(monkeypatch, scale):
    monkeypatch.setenv("MLPOPS_TIMING_SCALE", str(scale))
    bw = roofline.stream(elements=1024, repeats=2, clock=TickingClock(0.5))
    assert math.isclose(bw["copy"].bytes_per_second, 1024 * 16 / (0.5 * scale))
    x = np.ones(100)
    p = roofline.measure_point("exp", np.exp, x, clock=TickingClock(0.5))
    assert math.isclose(p.ops_per_second, 100 / (0.5 * scale))
