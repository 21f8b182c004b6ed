"""From counts to seconds on this CPU: operations per second, measured honestly.

A rate is a live count divided by a measured time. ``measure_seconds(fn)`` times ``fn``
the way ``timeit`` does: a few warm-up calls first (caches, lazy imports, BLAS thread
start-up), then several repeats of enough calls to outlast the clock's resolution, with
the garbage collector paused. It keeps every repeat's seconds per call and offers two
summaries, each the answer to its own question:

- ``median``: *how long does this take?* One slow repeat, when the machine was busy
  elsewhere, does not move it. Every prediction of a duration uses it (a Rate's
  ``ops_per_second`` is ops / median).
- ``best`` (the minimum): *how fast can this code go?* Noise only ever adds time, so the
  fastest repeat is the closest to the code's own speed (the STREAM benchmark reports
  bandwidth this way).

``measure_rate(fn, ops_per_call)`` is ``measure_seconds`` plus a live count.

For tests only, the environment variable ``MLPOPS_TIMING_SCALE`` (a positive number,
e.g. ``0.1`` or ``10``) multiplies every measured duration this module reports: a
notebook re-executed with it sees a machine 10x faster or slower, and must still run,
pass its exercise checks, and print the conclusions that such a machine calls for.

    rate = measure_rate(lambda: net.train_step(x, target), ops_per_call=ops.total)
    print(rate)                      # numpy-mlp: ~1.9e+08 operations/s (...)
    print(rate.explain())            # how the number was made
    estimate_seconds(ops_in_an_epoch, rate)

Measured numbers are printed with a leading ``~``: they differ from run to run and
machine to machine (the notebooks' sanitize file masks exactly these).

Over 500 lines on purpose: the timer, the rates of the course's routes, and the words and
units a notebook prints a duration with belong together, so that every measured duration
passes through one scale switch.
"""

from __future__ import annotations

import gc
import math
import numbers
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .counting import count
from .nn import MLP
from .tracked import scalars, track

Clock = Callable[[], float]

#: Each timed repeat runs at least this long (seconds), far above perf_counter's resolution.
MIN_TIME = 0.02
#: Calibration never runs more calls than this in one repeat.
MAX_NUMBER = 1_000_000
#: Environment variable (tests only): every measured duration is multiplied by it.
SCALE_ENV = "MLPOPS_TIMING_SCALE"


def timing_scale() -> float:
    """The factor every measured duration is multiplied by: 1.0 unless the environment
    variable ``MLPOPS_TIMING_SCALE`` says otherwise (tests make this machine 10x faster
    with ``0.1`` or 10x slower with ``10``). Read at every measurement."""
    raw = os.environ.get(SCALE_ENV, "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{SCALE_ENV} must be a positive number such as 0.1 or 10; got {raw!r}")
    return value


class Repeats:
    """What every measurement here keeps: ``seconds``, per call, one value per timed repeat;
    and its two summaries, each the answer to its own question."""

    seconds: tuple[float, ...]

    @property
    def repeats(self) -> int:
        return len(self.seconds)

    @property
    def median(self) -> float:
        """Median seconds per call: the answer to "how long does this take?"."""
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        """Fewest seconds per call (the minimum): "how fast can this code go?"."""
        return min(self.seconds)


@dataclass(frozen=True)
class Timing(Repeats):
    """Seconds per call of one piece of code, one value per timed repeat."""

    seconds: tuple[float, ...]  # measured (times timing_scale()): seconds per call
    number: int  # calls per repeat (calibrated: the clock sees at least MIN_TIME)
    warmup: int  # untimed calls before the first repeat


@dataclass(frozen=True)
class Rate(Repeats):
    """Operations per second of one piece of code, with the measurements behind it."""

    name: str
    ops_per_call: int  # counted live, exact
    seconds: tuple[float, ...]  # measured: seconds per call, one value per repeat
    number: int  # calls per repeat (calibrated: the clock sees at least MIN_TIME)
    warmup: int  # untimed calls before the first repeat
    what: str = "operations"
    description: str = ""

    @property
    def ops_per_second(self) -> float:
        """ops_per_call / median seconds per call."""
        return self.ops_per_call / self.median

    @property
    def best_ops_per_second(self) -> float:
        """ops_per_call / fewest seconds per call: the fastest this code went."""
        return self.ops_per_call / self.best

    def seconds_for(self, ops: float) -> float:
        """Seconds this code would need for ``ops`` operations at this rate."""
        return estimate_seconds(ops, self)

    def explain(self) -> str:
        """How the number was made, line by line (measured values marked ``~``)."""
        calls = "call" if self.warmup == 1 else "calls"
        head = f"{self.name}: {self.description}" if self.description else self.name
        return "\n".join(
            [
                head,
                f"  {self.ops_per_call:,} {self.what} per call, counted live by mlpops",
                f"  {self.warmup} warm-up {calls} (not timed), then {self.repeats} timed repeats, "
                f"~{self.number:,} calls per repeat, garbage collector paused",
                f"  seconds per call: median ~{self.median:.3g} "
                f"(fastest ~{min(self.seconds):.3g}, slowest ~{max(self.seconds):.3g})",
                f"  rate = {self.ops_per_call:,} {self.what} / ~{self.median:.3g} s "
                f"= ~{self.ops_per_second:.3g} {self.what}/s",
            ]
        )

    def __str__(self) -> str:
        return (
            f"{self.name}: ~{self.ops_per_second:.3g} {self.what}/s "
            f"(~{self.median:.3g} s per call of {self.ops_per_call:,})"
        )

    def _repr_pretty_(self, p, cycle) -> None:  # IPython shows str, not the dataclass
        p.text(str(self))


def _check_whole(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}; got {value!r}")
    return int(value)


def _finite(x: numbers.Real) -> bool:
    return isinstance(x, numbers.Integral) or math.isfinite(x)  # (a huge int is finite)


def _time(fn: Callable[[], object], number: int, clock: Clock) -> float:
    """Seconds for ``number`` calls of fn, garbage collector paused (as timeit does)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = clock()
        for _ in range(number):
            fn()
        return clock() - start
    finally:
        if was_enabled:
            gc.enable()


def calibrate(
    fn: Callable[[], object], min_time: float = MIN_TIME, clock: Clock = time.perf_counter
) -> int:
    """Calls per repeat: doubled from 1 until one repeat lasts at least ``min_time``."""
    number = 1
    while number < MAX_NUMBER:
        if _time(fn, number, clock) >= min_time:
            break
        number *= 2
    return min(number, MAX_NUMBER)


def measure_seconds(
    fn: Callable[[], object],
    repeats: int = 5,
    warmup: int = 1,
    number: int | None = None,
    min_time: float = MIN_TIME,
    clock: Clock = time.perf_counter,
) -> Timing:
    """Time ``fn()``: seconds per call in each of ``repeats`` repeats (a stable public API).

    ``warmup`` calls run untimed first; ``number`` calls make one repeat (None: calibrated
    so a repeat lasts at least ``min_time``). ``clock`` returns seconds (tests pass a fake
    one). Every duration is multiplied by ``timing_scale()`` (1 unless tests set
    ``MLPOPS_TIMING_SCALE``); calibration uses the clock's own seconds. Read ``.median``
    for how long a call takes, ``.best`` for how fast the code can go.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function to call with no arguments; got {fn!r:.60}")
    repeats = _check_whole("repeats", repeats, 1)
    warmup = _check_whole("warmup", warmup, 0)
    scale = timing_scale()
    for _ in range(warmup):
        fn()
    if number is None:
        number = calibrate(fn, min_time, clock)
    number = _check_whole("number", number, 1)
    seconds = []
    for _ in range(repeats):
        elapsed = _time(fn, number, clock)
        if not elapsed > 0:
            raise RuntimeError(
                f"{number} calls took {elapsed!r} s by the clock: too fast to measure; "
                "pass a larger number= (calls per repeat)"
            )
        seconds.append(elapsed * scale / number)
    return Timing(seconds=tuple(seconds), number=number, warmup=warmup)


def measure_rate(
    fn: Callable[[], object],
    ops_per_call: int,
    repeats: int = 5,
    warmup: int = 1,
    number: int | None = None,
    min_time: float = MIN_TIME,
    name: str | None = None,
    what: str = "operations",
    description: str = "",
    clock: Clock = time.perf_counter,
) -> Rate:
    """Time ``fn()`` and return its Rate: ``ops_per_call`` / median seconds per call.

    The timing is ``measure_seconds(fn, repeats, warmup, number, min_time, clock)``.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function to call with no arguments; got {fn!r:.60}")
    if isinstance(ops_per_call, bool) or not isinstance(ops_per_call, numbers.Real):
        raise ValueError(f"ops_per_call must be a positive number; got {ops_per_call!r}")
    if not (_finite(ops_per_call) and ops_per_call > 0):
        raise ValueError(f"ops_per_call must be a finite number > 0; got {ops_per_call!r}")
    if not (isinstance(min_time, numbers.Real) and _finite(min_time) and min_time > 0):
        raise ValueError(
            f"min_time (seconds a repeat lasts at least) must be a finite number > 0; "
            f"got {min_time!r}"
        )
    timed = measure_seconds(fn, repeats, warmup, number, min_time, clock)
    return Rate(
        name=name or getattr(fn, "__name__", "fn"),
        ops_per_call=ops_per_call,
        seconds=timed.seconds,
        number=timed.number,
        warmup=timed.warmup,
        what=what,
        description=description,
    )


def estimate_seconds(ops: float, rate: Rate | float) -> float:
    """Seconds for ``ops`` operations at ``rate`` (a Rate, or operations per second)."""
    per_second = rate.ops_per_second if isinstance(rate, Rate) else rate
    if isinstance(per_second, bool) or not isinstance(per_second, numbers.Real):
        raise TypeError(f"rate is a Rate or operations per second; got {rate!r:.60}")
    if not (_finite(per_second) and per_second > 0):
        raise ValueError(
            f"rate (operations per second) must be a finite number > 0; got {per_second!r}"
        )
    if isinstance(ops, bool) or not isinstance(ops, numbers.Real):
        raise TypeError(f"ops (a count of operations) is a number; got {ops!r:.60}")
    if not (_finite(ops) and ops >= 0):
        raise ValueError(f"ops (a count of operations) must be a finite number >= 0; got {ops!r}")
    try:
        return ops / per_second
    except OverflowError:  # an int count past float's range (about 1.8e308): that long
        return math.inf


# -- the reference rates --------------------------------------------------------------
def python_dot(xs, ys):
    """A dot product as a plain Python loop: one multiply and one add per term."""
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        total += x * y
    return total


def python_loop_rate(length: int = 1000, repeats: int = 5, name: str = "python-loop") -> Rate:
    """Operations per second of a dot product of ``length`` floats in a Python for loop."""
    rng = np.random.default_rng(0)
    xs, ys = rng.normal(size=length).tolist(), rng.normal(size=length).tolist()
    with count() as ops:  # the same loop on counting Scalars: the count is live
        python_dot(scalars(xs), scalars(ys))
    return measure_rate(
        lambda: python_dot(xs, ys),
        ops.total,
        repeats=repeats,
        name=name,
        description=f"a dot product of {length:,} floats in a Python for loop",
    )


def train_step_rate(
    sizes: list[int],
    engine: str = "array",
    repeats: int = 5,
    name: str | None = None,
    batch: int | None = None,
) -> Rate:
    """Operations per second of one training step of ``MLP(sizes)`` on ``engine``, on one
    example (``batch=None``) or a batch of that many."""
    net = MLP(sizes, engine=engine, seed=0)
    rng = np.random.default_rng(0)
    shape = () if batch is None else (batch,)
    x, target = rng.normal(size=(*shape, sizes[0])), rng.normal(size=(*shape, sizes[-1]))
    with count() as ops:
        net.train_step(x, target, lr=0.01)
    what = "counting Scalars" if engine == "scalar" else "numpy arrays, not counted"
    on = "one example" if batch is None else f"a batch of {batch:,}"
    return measure_rate(
        lambda: net.train_step(x, target, lr=0.01),
        ops.total,
        repeats=repeats,
        name=name or f"{engine}-train-step",
        description=f"one training step of MLP({sizes}) on {on} ({what})",
    )


def plain_numpy_step(params, x, target, lr: float) -> None:
    """One training step of a sigmoid MLP with the mean squared error, written directly in
    numpy (no mlpops in the loop): ``params`` is a list of [W, b] updated in place.
    The same arithmetic as ``MLP.train_step``, without its Python bookkeeping."""
    inputs, activations = [], []
    a = x
    for W, b in params:
        inputs.append(a)
        a = 1 / (1 + np.exp(-(b + a @ W)))
        activations.append(a)
    d = a - target
    (d * d).mean()  # the loss, as MLP.train_step computes it
    da = 2 * d / a.size
    for i in range(len(params) - 1, -1, -1):
        W, b = params[i]
        a = activations[i]
        dz = da * (a * (1 - a))
        dW, db = inputs[i].T @ dz, dz.sum(axis=0)
        if i:
            da = dz @ W.T
        W -= lr * dW
        b -= lr * db


def _plain_step(sizes: list[int], repeats: int) -> Rate:
    rng = np.random.default_rng(0)
    params = [[rng.normal(size=(n, m)), np.zeros(m)] for n, m in zip(sizes, sizes[1:])]
    x, target = rng.normal(size=(1, sizes[0])), rng.normal(size=(1, sizes[-1]))
    with count() as ops:  # the same function on tracked copies: its count, live
        plain_numpy_step(
            [[track(W.copy()), track(b.copy())] for W, b in params], track(x), target, 0.01
        )
    return measure_rate(
        lambda: plain_numpy_step(params, x, target, 0.01),
        ops.total,
        repeats=repeats,
        name="numpy-plain",
        description=f"the same step of MLP({sizes}) written directly in numpy, no mlpops",
    )


def _matmul(n: int, repeats: int, dtype: str = "float64") -> Rate:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(n, n)).astype(dtype), rng.normal(size=(n, n)).astype(dtype)
    with count() as ops:
        track(a) @ b
    return measure_rate(
        lambda: a @ b,
        ops.total,
        repeats=repeats,
        name="numpy-matmul" if dtype == "float64" else f"numpy-matmul-{dtype}",
        description=f"({n}x{n}) @ ({n}x{n}) in {dtype} (numpy calls BLAS)",
    )


def matmul_rate(n: int = 1024, dtype: str = "float64", repeats: int = 5) -> Rate:
    """The rate of one (n x n) @ (n x n) product in ``dtype`` (float64 or float32)."""
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32'; got {dtype!r}")
    return _matmul(_check_whole("n", n, 1), repeats, dtype)


def rates(
    sizes: tuple[int, ...] = (30, 30, 30),
    matmul_size: int = 1024,
    loop_length: int = 1000,
    repeats: int = 5,
    reuse: dict[str, Rate] | None = None,
) -> dict[str, Rate]:
    """Operations per second on this machine, from slowest to fastest route:

    ``python-loop`` (a dot product in a Python for loop), ``scalar-engine`` (a training
    step of ``MLP(sizes)`` on counting Scalars), ``numpy-mlp`` (the same step on numpy
    arrays through mlpops' MLP), ``numpy-plain`` (the same step written directly in numpy),
    ``numpy-matmul`` (one big float64 matrix product: BLAS, the nearest to the CPU's peak).
    All on one example (batch 1); each rate is the count over the median time.
    ``reuse`` maps a route to a Rate already measured (one measurement, quoted everywhere).
    """
    sizes = list(sizes)
    routes = {
        "python-loop": lambda: python_loop_rate(loop_length, repeats),
        "scalar-engine": lambda: train_step_rate(sizes, "scalar", repeats, "scalar-engine"),
        "numpy-mlp": lambda: train_step_rate(sizes, "array", repeats, "numpy-mlp"),
        "numpy-plain": lambda: _plain_step(sizes, repeats),
        "numpy-matmul": lambda: _matmul(matmul_size, repeats),
    }
    reuse = reuse or {}
    unknown = set(reuse) - set(routes)
    if unknown:
        raise ValueError(f"reuse names routes {sorted(unknown)}; routes are {list(routes)}")
    return {name: reuse[name] if name in reuse else make() for name, make in routes.items()}


_YEAR = 365.25 * 86400.0
#: Upper limits (seconds) and words; no step wider than 30x, so a duration 100x longer
#: always has other words (the machine-speed test relies on it).
_DURATIONS = [
    (1e-9, "under a nanosecond"),
    (1e-8, "a few nanoseconds"),
    (1e-7, "tens of nanoseconds"),
    (1e-6, "hundreds of nanoseconds"),
    (1e-5, "a few microseconds"),
    (1e-4, "tens of microseconds"),
    (1e-3, "hundreds of microseconds"),
    (1e-2, "a few milliseconds"),
    (0.1, "tens of milliseconds"),
    (1.0, "hundreds of milliseconds"),
    (10.0, "a few seconds"),
    (60.0, "tens of seconds"),
    (600.0, "a few minutes"),
    (3600.0, "tens of minutes"),
    (86400.0, "hours"),
    (30 * 86400.0, "days"),
    (_YEAR, "months"),
    (10 * _YEAR, "years"),
    (100 * _YEAR, "decades"),
    (1e3 * _YEAR, "centuries"),
    (1e4 * _YEAR, "thousands of years"),
    (1e5 * _YEAR, "tens of thousands of years"),
    (1e6 * _YEAR, "hundreds of thousands of years"),
    (1e7 * _YEAR, "millions of years"),
    (1e8 * _YEAR, "tens of millions of years"),
    (1e9 * _YEAR, "hundreds of millions of years"),
]
#: Every answer of duration_words, shortest duration first.
DURATION_WORDS = (*(words for _, words in _DURATIONS), "billions of years or more")


def duration_words(seconds: float) -> str:
    """A duration in words ("milliseconds", "minutes", "thousands of years" ...), for the
    judged sentences a notebook prints from measured values."""
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real) or not seconds >= 0:
        raise ValueError(f"seconds must be a number >= 0; got {seconds!r}")
    for limit, words in _DURATIONS:
        if seconds < limit:
            return words
    return DURATION_WORDS[-1]


def format_seconds(seconds: float) -> str:
    """A measured duration with a leading ~ and a unit chosen by its size: '~58 µs',
    '~9.2 s', '~4.1 min', '~2.3 h', '~25 days', '~2.6e+05 years'."""
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"~{seconds / size:.3g} {unit}"
    for unit, size in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= size:
            return f"~{seconds / size:.3g} {unit}"
    return f"~{seconds * 1e9:.3g} ns"


def spread_line(measured: dict) -> str:
    """A judged line from the repeats of several measurements (Rates or Timings): the
    largest median-over-fastest spread, and what it says about the machine."""
    if not measured:
        raise ValueError("measured must hold at least one Rate or Timing")
    spread, name = max((r.median / r.best, name) for name, r in measured.items())
    if spread > 1.5:
        return (
            f"~{spread:.2g}x between the median and the fastest repeat ({name}): this machine "
            "was busy while it measured; the medians are slower than an idle machine's and "
            "measurements taken at different moments may not compare"
        )
    return f"~{spread:.2g}x at most between the median and the fastest repeat: the repeats agree"


def rate_with_one_blas_thread(fn: Callable[[], object], ops_per_call: int, **kwargs) -> Rate:
    """``measure_rate`` with the BLAS limited to one thread (threadpoolctl), to compare
    with the BLAS's own thread count: threads that wait for each other can cost more than
    they give, on a busy machine or for a mid-sized matrix product."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return measure_rate(fn, ops_per_call, **kwargs)


def threads_line(threaded: Rate, one_thread: Rate, threads: int) -> str:
    """A judged line comparing a step timed with the BLAS's threads and with one thread."""
    r = threaded.median / one_thread.median
    if r > 1.25:
        words = (
            f"slower with {threads} BLAS threads than with one: the threads waited for each "
            "other (a thread that loses its core to another program stalls the rest)"
        )
    elif r < 0.8:
        words = f"faster with {threads} BLAS threads than with one: the threads shared the work"
    else:
        words = f"about the same with {threads} BLAS threads as with one"
    return f"~{r:.2g}x the one-thread time with the BLAS's threads: {words}"


def _change(ratio: float) -> str:
    return "about the same" if 0.8 < ratio < 1.25 else ("slower" if ratio > 1 else "faster")


def compare_sizes_line(
    small: dict,
    large: dict,
    small_label: str,
    large_label: str,
    kind: str = "exp",
    unit: str = "mul",
) -> str:
    """Judged lines (each starts with ``~`` and a measured value) that say, from per-element
    times at two sizes, how ``unit`` and ``kind`` changed and why ``kind``'s cost in
    ``unit``s moved: which of the two changed more."""
    word = {"mul": "multiply", "add": "addition", "div": "division"}
    u, k_ = word.get(unit, unit), word.get(kind, kind)
    us = "multiplies" if u == "multiply" else f"{u}s"
    lines = []
    for k in (unit, kind):
        r = large[k] / small[k]
        lines.append(
            f"~{r:.2g}x: {word.get(k, k)} per element on {large_label} numbers over "
            f"{small_label}: {_change(r)} on the larger array"
        )
    m, e = large[unit] / small[unit], large[kind] / small[kind]
    q = e / m
    if 0.8 < q < 1.25:
        why = (
            f"about the same at both sizes (within 0.8x to 1.25x): the {k_} and the {u} "
            "changed alike"
        )
    elif q < 1:
        why = f"worth fewer {us} on the larger array: " + (
            f"the {u} slowed down more than the {k_}" if m > 1 else f"the {k_} sped up more"
        )
    else:
        why = f"worth more {us} on the larger array: " + (
            f"the {k_} slowed down more than the {u}" if e > 1 else f"the {u} sped up more"
        )
    lines.append(f"~{q:.2g}x: one {k_} in {us}, {large_label} over {small_label}: {why}")
    return "\n".join(lines)


def order_line(seconds: dict, ops: dict) -> str:
    """A judged line: does the order of measured times follow the operation counts? Names
    the pair that disagrees most (fewer operations, longer time), if there is one."""
    pairs = [
        (seconds[a] / seconds[b], a, b)
        for a in seconds
        for b in seconds
        if a != b and ops[a] <= ops[b] and seconds[a] > seconds[b]
    ]
    if not pairs:
        return "~1x: the times follow the operation counts here (more operations, longer)"
    r, a, b = max(pairs)
    return (
        f"~{r:.2g}x: {a} ({ops[a]} operations) took longer than {b} ({ops[b]}): at this size "
        "the fixed cost of each call, not the operation count, sets the order"
    )


# -- the machine's theoretical peak (this CPU's own figures: mlpops.hardware) -----------
def theoretical_peak(cores: int, ghz: float, flops_per_cycle: int) -> float:
    """cores x clock (GHz) x operations per cycle per core, in operations per second.

    ``mlpops.hardware.peak()`` finds the three for this CPU (physical cores, the clock,
    the SIMD width) and gives the range over one or two FMA units per core."""
    if not (cores > 0 and ghz > 0 and flops_per_cycle > 0) or not math.isfinite(ghz):
        raise ValueError(
            "cores, ghz and flops_per_cycle must be positive; "
            f"got {cores}, {ghz}, {flops_per_cycle}"
        )
    return cores * ghz * 1e9 * flops_per_cycle
