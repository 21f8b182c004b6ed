"""From counts to seconds on this CPU: operations per second, measured honestly.

A rate is a live count divided by a measured time. ``measure_rate(fn, ops_per_call)``
times ``fn`` the way ``timeit`` does: a few warm-up calls first (caches, lazy imports,
BLAS thread start-up), then several repeats of enough calls to outlast the clock's
resolution, with the garbage collector paused, and it reports the *median* time per call
(one slow repeat, when the machine was busy elsewhere, does not move it).

    rate = measure_rate(lambda: net.train_step(x, target), ops_per_call=ops.total)
    print(rate)                      # numpy-mlp: ~1.9e+08 operations/s (...)
    print(rate.explain())            # how the number was made
    estimate_seconds(ops_in_an_epoch, rate)

Measured numbers are printed with a leading ``~``: they differ from run to run and
machine to machine (the notebooks' sanitize file masks exactly these).
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


@dataclass(frozen=True)
class Rate:
    """Operations per second of one piece of code, with the measurements behind it."""

    name: str
    ops_per_call: int  # counted live, exact
    seconds: tuple[float, ...]  # measured: seconds per call, one value per repeat
    number: int  # calls per repeat (calibrated: the clock sees at least MIN_TIME)
    warmup: int  # untimed calls before the first repeat
    what: str = "operations"
    description: str = ""

    @property
    def repeats(self) -> int:
        return len(self.seconds)

    @property
    def median(self) -> float:
        """Median seconds per call over the repeats."""
        return statistics.median(self.seconds)

    @property
    def ops_per_second(self) -> float:
        """ops_per_call / median seconds per call."""
        return self.ops_per_call / self.median

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

    ``warmup`` calls run untimed first; ``number`` calls make one repeat (None: calibrated
    so a repeat lasts at least ``min_time``); ``repeats`` repeats give the median.
    ``clock`` returns seconds (tests pass a fake one).
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function to call with no arguments; got {fn!r:.60}")
    if isinstance(ops_per_call, bool) or not isinstance(ops_per_call, numbers.Real):
        raise ValueError(f"ops_per_call must be a positive number; got {ops_per_call!r}")
    if not ops_per_call > 0:
        raise ValueError(f"ops_per_call must be a positive number; got {ops_per_call!r}")
    repeats = _check_whole("repeats", repeats, 1)
    warmup = _check_whole("warmup", warmup, 0)
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
        seconds.append(elapsed / number)
    return Rate(
        name=name or getattr(fn, "__name__", "fn"),
        ops_per_call=ops_per_call,
        seconds=tuple(seconds),
        number=number,
        warmup=warmup,
        what=what,
        description=description,
    )


def estimate_seconds(ops: float, rate: Rate | float) -> float:
    """Seconds for ``ops`` operations at ``rate`` (a Rate, or operations per second)."""
    per_second = rate.ops_per_second if isinstance(rate, Rate) else rate
    if isinstance(per_second, bool) or not isinstance(per_second, numbers.Real):
        raise TypeError(f"rate is a Rate or operations per second; got {rate!r:.60}")
    if not per_second > 0:
        raise ValueError(f"a rate must be positive; got {per_second!r}")
    if isinstance(ops, bool) or not isinstance(ops, numbers.Real) or ops < 0:
        raise ValueError(f"ops must be a number >= 0; got {ops!r}")
    return ops / per_second


# -- the reference rates --------------------------------------------------------------
def python_dot(xs, ys):
    """A dot product as a plain Python loop: one multiply and one add per term."""
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        total += x * y
    return total


def _python_loop(length: int, repeats: int) -> Rate:
    rng = np.random.default_rng(0)
    xs, ys = rng.normal(size=length).tolist(), rng.normal(size=length).tolist()
    with count() as ops:  # the same loop on counting Scalars: the count is live
        python_dot(scalars(xs), scalars(ys))
    return measure_rate(
        lambda: python_dot(xs, ys),
        ops.total,
        repeats=repeats,
        name="python-loop",
        description=f"a dot product of {length:,} floats in a Python for loop",
    )


def _train_step(sizes: list[int], engine: str, repeats: int, name: str) -> Rate:
    net = MLP(sizes, engine=engine, seed=0)
    rng = np.random.default_rng(0)
    x, target = rng.normal(size=sizes[0]), rng.normal(size=sizes[-1])
    with count() as ops:
        net.train_step(x, target, lr=0.01)
    what = "counting Scalars" if engine == "scalar" else "numpy arrays, not counted"
    return measure_rate(
        lambda: net.train_step(x, target, lr=0.01),
        ops.total,
        repeats=repeats,
        name=name,
        description=f"one training step of MLP({sizes}) on one example ({what})",
    )


def _matmul(n: int, repeats: int) -> Rate:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    with count() as ops:
        track(a) @ b
    return measure_rate(
        lambda: a @ b,
        ops.total,
        repeats=repeats,
        name="numpy-matmul",
        description=f"({n}x{n}) @ ({n}x{n}) in float64 (numpy calls BLAS)",
    )


def rates(
    sizes: tuple[int, ...] = (30, 30, 30),
    matmul_size: int = 1024,
    loop_length: int = 1000,
    repeats: int = 5,
) -> dict[str, Rate]:
    """Operations per second on this machine, from slowest to fastest route:

    ``python-loop`` (a dot product in a Python for loop), ``scalar-engine`` (a training
    step of ``MLP(sizes)`` on counting Scalars), ``numpy-mlp`` (the same step on plain
    numpy arrays), ``numpy-matmul`` (one big matrix product: BLAS near the CPU's peak).
    """
    sizes = list(sizes)
    return {
        "python-loop": _python_loop(loop_length, repeats),
        "scalar-engine": _train_step(sizes, "scalar", repeats, "scalar-engine"),
        "numpy-mlp": _train_step(sizes, "array", repeats, "numpy-mlp"),
        "numpy-matmul": _matmul(matmul_size, repeats),
    }


# -- the machine's theoretical peak ------------------------------------------------------
def cpu_clock_ghz() -> float | None:
    """The CPU clock from /proc/cpuinfo (Linux) in GHz, or None where it is not shown."""
    try:
        with open("/proc/cpuinfo") as f:
            mhz = [float(line.split(":")[1]) for line in f if line.lower().startswith("cpu mhz")]
    except (OSError, ValueError, IndexError):
        return None
    return max(mhz) / 1000 if mhz else None


def cpu_cores() -> int:
    """Cores this process may use (os.cpu_count if the scheduler will not say)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def theoretical_peak(cores: int, ghz: float, flops_per_cycle: int = 16) -> float:
    """cores x clock x FLOPs per cycle per core. 16 is float64 on a core with two 256-bit
    fused multiply-add units (4 numbers x 2 operations x 2 units), as in most x86 CPUs
    since about 2013; a core with two 512-bit units doubles it, float32 doubles it again."""
    if not (cores > 0 and ghz > 0 and flops_per_cycle > 0) or math.isnan(ghz):
        raise ValueError(
            "cores, ghz and flops_per_cycle must be positive; "
            f"got {cores}, {ghz}, {flops_per_cycle}"
        )
    return cores * ghz * 1e9 * flops_per_cycle
