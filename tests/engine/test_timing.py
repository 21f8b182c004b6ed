"""mlpops.timing: structure, positivity and the arithmetic of a rate -- never how fast.

A fake clock makes every "measurement" exact: each call of the timed function moves the
clock on by a chosen number of seconds, so the median and the rate are known integers.
"""

import gc
import statistics

import pytest

from mlpops import timing
from mlpops.timing import Rate, calibrate, estimate_seconds, measure_rate


class FakeClock:
    """A clock that only moves when a timed call says so."""

    def __init__(self) -> None:
        self.now = 0.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return self.now


def stepping(clock: FakeClock, durations):
    """A function whose k-th call takes durations[k] seconds of fake time."""
    steps = iter(durations)
    calls = []

    def fn():
        calls.append(clock.now)
        clock.now += next(steps)

    return fn, calls


def test_median_is_the_median_of_the_measured_repeats():
    clock = FakeClock()
    fn, _ = stepping(clock, [100.0] + [3.0, 1.0, 5.0, 2.0, 4.0])  # 1 warm-up, 5 repeats
    rate = measure_rate(fn, ops_per_call=600, repeats=5, warmup=1, number=1, clock=clock)
    assert rate.seconds == (3.0, 1.0, 5.0, 2.0, 4.0)
    assert rate.median == statistics.median(rate.seconds) == 3.0
    assert rate.ops_per_second == 200.0
    assert rate.repeats == 5


def test_warmup_calls_run_but_are_not_timed():
    clock = FakeClock()
    fn, calls = stepping(clock, [50.0, 50.0, 1.0, 1.0, 1.0])
    rate = measure_rate(fn, ops_per_call=10, repeats=3, warmup=2, number=1, clock=clock)
    assert len(calls) == 5
    assert rate.seconds == (1.0, 1.0, 1.0)  # the two 50 s warm-ups left no trace
    assert rate.warmup == 2


def test_each_repeat_is_divided_by_its_number_of_calls():
    clock = FakeClock()
    fn, _ = stepping(clock, [1.0, 3.0] + [2.0, 2.0] + [5.0, 7.0])
    rate = measure_rate(fn, ops_per_call=12, repeats=3, warmup=0, number=2, clock=clock)
    assert rate.seconds == (2.0, 2.0, 6.0)
    assert rate.median == 2.0
    assert rate.ops_per_second == 6.0
    assert rate.number == 2


def test_calibration_doubles_calls_until_a_repeat_lasts_min_time():
    clock = FakeClock()
    fn, calls = stepping(clock, [0.001] * 10_000)
    # 1, 2, 4, 8 calls last 0.001 ... 0.008 s; 16 calls last 0.016 s >= 0.01
    assert calibrate(fn, min_time=0.01, clock=clock) == 16
    assert len(calls) == 1 + 2 + 4 + 8 + 16


def test_measure_rate_calibrates_when_number_is_not_given():
    clock = FakeClock()
    fn, _ = stepping(clock, [0.004] * 1000)
    rate = measure_rate(fn, ops_per_call=1, repeats=3, warmup=1, min_time=0.01, clock=clock)
    assert rate.number == 4  # 4 calls x 0.004 s = 0.016 s >= 0.01 s
    assert rate.seconds == pytest.approx((0.004, 0.004, 0.004))


def test_garbage_collector_is_paused_while_timing_and_restored_after():
    clock = FakeClock()
    seen = []

    def fn():
        seen.append(gc.isenabled())
        clock.now += 1.0

    assert gc.isenabled()
    measure_rate(fn, ops_per_call=1, repeats=2, warmup=1, number=1, clock=clock)
    assert seen == [True, False, False]  # the warm-up runs as normal code does
    assert gc.isenabled()


def test_explain_and_str_mark_every_measured_value_with_a_tilde():
    clock = FakeClock()
    fn, _ = stepping(clock, [2.0, 1.0, 3.0])
    rate = measure_rate(
        fn,
        ops_per_call=3600,
        repeats=3,
        warmup=0,
        number=1,
        name="toy",
        clock=clock,
        description="the learner's 3,600 operations",
    )
    text = rate.explain()
    assert text.splitlines()[0] == "toy: the learner's 3,600 operations"
    assert "3,600 operations per call, counted live" in text
    assert "median ~2 (fastest ~1, slowest ~3)" in text
    assert "= ~1.8e+03 operations/s" in text
    assert str(rate) == "toy: ~1.8e+03 operations/s (~2 s per call of 3,600)"


def test_estimate_seconds_divides_operations_by_the_rate():
    rate = Rate("r", ops_per_call=100, seconds=(0.5, 1.0, 2.0), number=1, warmup=0)
    assert rate.ops_per_second == 100.0
    assert estimate_seconds(1_000, rate) == 10.0
    assert estimate_seconds(1_000, 250.0) == 4.0
    assert rate.seconds_for(50) == 0.5


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), "fast"])
def test_estimate_seconds_refuses_a_rate_that_is_not_positive(bad):
    with pytest.raises((ValueError, TypeError)):
        estimate_seconds(10, bad)


def test_measure_rate_rejects_bad_arguments():
    def fn():
        return None

    with pytest.raises(ValueError, match="ops_per_call"):
        measure_rate(fn, ops_per_call=0)
    with pytest.raises(ValueError, match="repeats"):
        measure_rate(fn, ops_per_call=1, repeats=0)
    with pytest.raises(ValueError, match="warmup"):
        measure_rate(fn, ops_per_call=1, warmup=-1)
    with pytest.raises(TypeError, match="fn must be a function"):
        measure_rate(42, ops_per_call=1)


def test_a_clock_that_does_not_move_is_an_error_not_an_infinite_rate():
    clock = FakeClock()
    with pytest.raises(RuntimeError, match="too fast to measure"):
        measure_rate(lambda: None, ops_per_call=1, repeats=1, warmup=0, number=1, clock=clock)


def test_python_dot_counts_one_multiply_and_one_add_per_term():
    from mlpops import count, scalars

    with count() as ops:
        timing.python_dot(scalars([1.0, 2.0, 3.0]), scalars([4.0, 5.0, 6.0]))
    assert dict(ops) == {"mul": 3, "add": 3}


def test_rates_returns_each_route_with_positive_rates_and_live_counts():
    found = timing.rates(sizes=(3, 4, 2), matmul_size=16, loop_length=10, repeats=2)
    assert list(found) == [
        "python-loop",
        "scalar-engine",
        "numpy-mlp",
        "numpy-plain",
        "numpy-matmul",
    ]
    for name, rate in found.items():
        assert rate.name == name
        assert rate.repeats == 2
        assert rate.number >= 1
        assert all(s > 0 for s in rate.seconds)
        assert rate.ops_per_second > 0
    assert found["python-loop"].ops_per_call == 20  # 10 mul + 10 add
    assert found["numpy-matmul"].ops_per_call == 16 * 16 * 16 + 16 * 16 * 15
    # the same training step on both engines: the same count
    assert found["scalar-engine"].ops_per_call == found["numpy-mlp"].ops_per_call
    # written directly, the step computes A - Y once instead of twice: one add per output fewer
    assert found["numpy-plain"].ops_per_call == found["numpy-mlp"].ops_per_call - 2


def test_plain_numpy_step_matches_the_mlp_step_value_for_value():
    import numpy as np

    from mlpops import MLP

    net = MLP([3, 4, 2], activation="sigmoid", seed=0)
    params = [[W.copy(), b.copy()] for W, b in net.parameters()]
    x, target = np.array([[0.5, -1.0, 2.0]]), np.array([[0.1, 0.9]])
    net.train_step(x, target, lr=0.1)
    timing.plain_numpy_step(params, x, target, 0.1)
    for (W, b), (W2, b2) in zip(net.parameters(), params):
        np.testing.assert_allclose(W, W2)
        np.testing.assert_allclose(b, b2)


def test_matmul_rate_counts_the_product_in_either_precision():
    for dtype in ("float64", "float32"):
        rate = timing.matmul_rate(8, dtype=dtype, repeats=1)
        assert rate.ops_per_call == 8 * 8 * 8 + 8 * 8 * 7
        assert dtype in rate.description
    with pytest.raises(ValueError, match="dtype"):
        timing.matmul_rate(8, dtype="int8")


def test_theoretical_peak_is_cores_times_clock_times_flops_per_cycle():
    assert timing.theoretical_peak(4, 2.5, 16) == 4 * 2.5e9 * 16
    with pytest.raises(ValueError):
        timing.theoretical_peak(0, 2.5, 16)


def test_measure_seconds_keeps_every_repeat_and_offers_median_and_best():
    clock = FakeClock()
    fn, _ = stepping(clock, [9.0] + [3.0, 1.0, 5.0])
    timed = timing.measure_seconds(fn, repeats=3, warmup=1, number=1, clock=clock)
    assert timed.seconds == (3.0, 1.0, 5.0)
    assert (timed.median, timed.best, timed.repeats) == (3.0, 1.0, 3)
    assert (timed.number, timed.warmup) == (1, 1)


def test_rate_best_is_the_fastest_repeat():
    rate = Rate("r", ops_per_call=100, seconds=(0.5, 1.0, 2.0), number=1, warmup=0)
    assert rate.best == 0.5
    assert rate.best_ops_per_second == 200.0


@pytest.mark.parametrize("scale", ["0.1", "10", "2.5"])
def test_timing_scale_multiplies_every_measured_duration(monkeypatch, scale):
    monkeypatch.setenv(timing.SCALE_ENV, scale)
    clock = FakeClock()
    fn, _ = stepping(clock, [2.0, 4.0, 6.0])
    timed = timing.measure_seconds(fn, repeats=3, warmup=0, number=1, clock=clock)
    assert timed.seconds == pytest.approx(tuple(float(scale) * s for s in (2.0, 4.0, 6.0)))
    clock2 = FakeClock()
    fn2, _ = stepping(clock2, [2.0, 4.0, 6.0])
    rate = measure_rate(fn2, ops_per_call=12, repeats=3, warmup=0, number=1, clock=clock2)
    assert rate.ops_per_second == pytest.approx(12 / 4.0 / float(scale))


def test_timing_scale_leaves_calibration_on_the_real_clock(monkeypatch):
    monkeypatch.setenv(timing.SCALE_ENV, "0.1")
    clock = FakeClock()
    fn, _ = stepping(clock, [0.004] * 1000)
    timed = timing.measure_seconds(fn, repeats=2, warmup=0, min_time=0.01, clock=clock)
    assert timed.number == 4  # as unscaled: 4 x 0.004 s >= 0.01 s
    assert timed.seconds == pytest.approx((0.0004, 0.0004))


def test_timing_scale_is_one_unless_set(monkeypatch):
    monkeypatch.delenv(timing.SCALE_ENV, raising=False)
    assert timing.timing_scale() == 1.0
    monkeypatch.setenv(timing.SCALE_ENV, "")
    assert timing.timing_scale() == 1.0


@pytest.mark.parametrize("bad", ["fast", "0", "-1", "nan", "inf"])
def test_timing_scale_refuses_what_is_not_a_positive_number(monkeypatch, bad):
    monkeypatch.setenv(timing.SCALE_ENV, bad)
    with pytest.raises(ValueError, match="MLPOPS_TIMING_SCALE must be a positive number"):
        timing.timing_scale()


def test_rates_reuses_a_rate_already_measured_instead_of_timing_again():
    given = Rate("numpy-mlp", ops_per_call=7, seconds=(1.0,), number=1, warmup=0)
    found = timing.rates(
        sizes=(3, 4, 2), matmul_size=8, loop_length=5, repeats=1, reuse={"numpy-mlp": given}
    )
    assert found["numpy-mlp"] is given
    with pytest.raises(ValueError, match="routes"):
        timing.rates(reuse={"gpu": given})


@pytest.mark.parametrize(
    "seconds, words",
    [
        (5e-7, "hundreds of nanoseconds"),
        (3e-9, "a few nanoseconds"),
        (5e-5, "tens of microseconds"),
        (0.2, "hundreds of milliseconds"),
        (9.2, "a few seconds"),
        (300, "a few minutes"),
        (7200, "hours"),
        (3 * 86400, "days"),
        (90 * 86400, "months"),
        (5 * 3.156e7, "years"),
        (2.6e5 * 3.156e7, "hundreds of thousands of years"),
        (5e8 * 3.156e7, "hundreds of millions of years"),
        (1e10 * 3.156e7, "billions of years or more"),
    ],
)
def test_duration_words_name_the_order_of_magnitude(seconds, words):
    assert timing.duration_words(seconds) == words


def test_format_seconds_marks_the_value_measured_and_picks_the_unit():
    assert timing.format_seconds(5.86e-05) == "~58.6 µs"
    assert timing.format_seconds(9.22) == "~9.22 s"
    assert timing.format_seconds(1.11e5) == "~1.28 days"
    assert timing.format_seconds(3e-9) == "~3 ns"
    with pytest.raises(ValueError):
        timing.duration_words(-1)


def test_duration_words_differ_for_durations_a_hundred_times_apart():
    for k in range(-9, 15):
        for m in (1.0, 2.5, 7.0):
            seconds = m * 10.0**k
            assert timing.duration_words(seconds) != timing.duration_words(100 * seconds)


@pytest.mark.parametrize(
    "ops, error, message",
    [
        (
            float("nan"),
            ValueError,
            r"ops \(a count of operations\) must be a finite number >= 0; got nan",
        ),
        (float("inf"), ValueError, r"must be a finite number >= 0; got inf"),
        (-1, ValueError, r"must be a finite number >= 0; got -1"),
        ("many", TypeError, r"ops \(a count of operations\) is a number; got 'many'"),
        (True, TypeError, r"is a number; got True"),
    ],
)
def test_estimate_seconds_refuses_a_count_that_is_not_a_finite_number(ops, error, message):
    with pytest.raises(error, match=message):
        estimate_seconds(ops, 100.0)


def test_estimate_seconds_refuses_an_infinite_rate():
    with pytest.raises(ValueError, match=r"rate .* must be a finite number > 0; got inf"):
        estimate_seconds(10, float("inf"))


def test_estimate_seconds_of_a_count_past_floats_range_is_infinite_not_a_crash():
    assert estimate_seconds(10**400, 1e9) == float("inf")
    assert estimate_seconds(10**300, 1e9) == pytest.approx(1e291)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(ops_per_call=float("inf")), r"ops_per_call must be a finite number > 0; got inf"),
        (dict(ops_per_call=float("nan")), r"ops_per_call must be a finite number > 0; got nan"),
        (dict(min_time=float("nan")), r"min_time .* must be a finite number > 0; got nan"),
        (dict(min_time=-1.0), r"min_time .* must be a finite number > 0; got -1.0"),
    ],
)
def test_measure_rate_refuses_counts_and_times_that_are_not_finite_and_positive(kwargs, message):
    calls = []
    args = {"ops_per_call": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        measure_rate(lambda: calls.append(1), **args)
    assert calls == []  # refused before a single call


def test_theoretical_peak_refuses_an_infinite_clock():
    with pytest.raises(ValueError, match="must be positive"):
        timing.theoretical_peak(4, float("inf"), 16)


def _rate(seconds, name="r"):
    return timing.Rate(name=name, ops_per_call=100, seconds=tuple(seconds), number=1, warmup=0)


def test_compare_sizes_line_says_which_kind_changed_more():
    lines = timing.compare_sizes_line(
        {"mul": 1.0, "exp": 4.0}, {"mul": 2.5, "exp": 4.0}, "4,096", "1,000,000"
    ).splitlines()
    assert all(line.startswith("~") for line in lines)
    assert "multiply per element" in lines[0] and "slower on the larger array" in lines[0]
    assert "about the same" in lines[1]
    assert "fewer multiplies" in lines[2] and "the multiply slowed down more" in lines[2]
    same = timing.compare_sizes_line({"mul": 1, "exp": 4}, {"mul": 2, "exp": 8}, "a", "b")
    assert "about the same at both sizes" in same.splitlines()[2]


def test_order_line_names_the_pair_whose_times_disagree_with_their_counts():
    line = timing.order_line(
        {"relu": 5e-6, "tanh": 3e-6, "softmax": 16e-6}, {"relu": 30, "tanh": 30, "softmax": 148}
    )
    assert line.startswith("~") and "relu (30 operations) took longer than tanh" in line
    assert "follow the operation counts" in timing.order_line({"a": 1, "b": 2}, {"a": 1, "b": 5})


def test_spread_line_calls_the_machine_busy_when_repeats_spread():
    assert "busy" in timing.spread_line({"a": _rate([1.0, 5.0, 5.0]), "b": _rate([1.0, 1.0])})
    assert "repeats agree" in timing.spread_line({"a": _rate([1.0, 1.1, 1.2])})
    with pytest.raises(ValueError):
        timing.spread_line({})


def test_threads_line_says_whether_the_blas_threads_helped():
    assert "waited for each other" in timing.threads_line(_rate([2.0]), _rate([1.0]), 2)
    assert "shared the work" in timing.threads_line(_rate([0.5]), _rate([1.0]), 2)
    assert "about the same" in timing.threads_line(_rate([1.0]), _rate([1.0]), 2)


def test_rate_with_one_blas_thread_measures_like_measure_rate():
    a = [[1.0] * 8] * 8
    r = timing.rate_with_one_blas_thread(lambda: sum(map(sum, a)), 960, repeats=2)
    assert r.ops_per_call == 960 and r.repeats == 2
