"""Memory traffic and the roofline: how fast code *can* go, given its bytes and its arithmetic.

A processor does arithmetic at up to its **peak** rate (operations per second) and moves
data between memory and its cores at up to its **bandwidth** (bytes per second). Code that
does ``ops`` operations on ``nbytes`` bytes of compulsory traffic has an **arithmetic
intensity** ``ops / nbytes`` (operations per byte), and no code can run faster than

    attainable(intensity) = min(peak, bandwidth x intensity)

(Williams, Waterman & Patterson, "Roofline: an insightful visual performance model for
multicore architectures", Communications of the ACM 52(4), 2009). Left of the **ridge
point** ``peak / bandwidth`` code is memory-bound, right of it compute-bound.

The bandwidth is measured here the way McCalpin's STREAM benchmark measures it
(https://www.cs.virginia.edu/stream/): kernels that touch arrays far larger than the
last-level cache, each array read or written once per pass, the best of several repeats.
``stream()`` runs two of STREAM's kernels with numpy, on one thread:

- **copy** ``c = a``: 16 bytes per element (read 8, write 8);
- **triad** ``a = b + s*c``: numpy makes it two passes, ``a = s*c`` then ``a = a + b``,
  which move 16 + 24 = 40 bytes per element (STREAM's C loop does it in one pass, 24).

Every time goes through ``mlpops.timing.measure_seconds``, so its rules (warm-up, repeats,
the tests' timing switch) apply here too; bandwidths and roofline points report the best
repeat, as STREAM does: the roofline asks how fast code *can* go.
"""

from __future__ import annotations

import math
import numbers
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from . import formulas, timing
from .counting import NOT_ARITHMETIC, count
from .tracked import track

#: The two works this module follows.
REFERENCES = {
    "Williams, Waterman & Patterson 2009": (
        "Roofline: an insightful visual performance model for multicore architectures, "
        "Communications of the ACM 52(4), 65-76"
    ),
    "McCalpin 1995": (
        "Memory bandwidth and machine balance in current high performance computers, IEEE "
        "TCCA Newsletter; the STREAM benchmark, https://www.cs.virginia.edu/stream/"
    ),
}
#: Bytes of one float64 number.
FLOAT64 = 8
#: Bytes each kernel moves per element (see the module docstring).
STREAM_BYTES_PER_ELEMENT = {"copy": 2 * FLOAT64, "triad": 5 * FLOAT64}
#: Used when the operating system does not say how large the last-level cache is.
DEFAULT_CACHE_BYTES = 32 * 1024**2
#: The STREAM arrays never exceed this many elements each: 64 MiB, 192 MiB for the three, so
#: a notebook stays well inside Binder's memory. Where the last-level cache is larger than
#: 16 MiB the arrays are then less than the 4x the cache that STREAM's rules ask for (the
#: three together still several times it), and the bandwidth may read a little high.
MAX_STREAM_ELEMENTS = 2**23


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    return float(value)


def _not_negative(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0; got {value!r}")
    return float(value)


# -- the roofline's arithmetic ------------------------------------------------------------
def intensity(ops: float, nbytes: float) -> float:
    """Arithmetic intensity: operations per byte of memory traffic."""
    return _not_negative("ops", ops) / _positive("nbytes", nbytes)


def dense_intensity(batch: int, num_inputs: int, num_neurons: int, itemsize: int = FLOAT64):
    """Intensity of a dense layer's forward pass done as one pass over memory:
    2·B·N·M operations (a multiply and an add per weight per example) on
    itemsize·(N·M + B·N + B·M) bytes (read W and X once, write Z once)."""
    for name, v in (("batch", batch), ("num_inputs", num_inputs), ("num_neurons", num_neurons)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"{name} must be a whole number >= 1; got {v!r}")
    at_float64 = formulas.dense_intensity(int(num_inputs), int(num_neurons), int(batch))
    return at_float64 * FLOAT64 / _positive("itemsize", itemsize)


def attainable(intensity: float, peak: float, bandwidth: float) -> float:
    """The roof: the fastest any code of this intensity can run, operations per second."""
    return min(
        _positive("peak", peak),
        _positive("bandwidth", bandwidth) * _not_negative("intensity", intensity),
    )


def ridge(peak: float, bandwidth: float) -> float:
    """The intensity where the roof turns flat: peak / bandwidth (operations per byte)."""
    return _positive("peak", peak) / _positive("bandwidth", bandwidth)


def bound(intensity: float, peak: float, bandwidth: float) -> str:
    """``"memory-bound"`` left of the ridge point, ``"compute-bound"`` at or right of it."""
    below = _not_negative("intensity", intensity) < ridge(peak, bandwidth)
    return "memory-bound" if below else "compute-bound"


#: A point within this factor of its roof is limited by that roof; further below, by
#: something the roofline does not draw (its own arithmetic below the peak, per-call
#: overhead). A factor, not a threshold of truth: the judged lines print the shares too.
NEAR_ROOF = 2.0


def limit(point: Point, peak: float, bandwidth: float, near: float = NEAR_ROOF) -> str:
    """What limits a measured point, read from its measured rate, not from its intensity
    alone: ``"memory"`` or ``"peak arithmetic"`` when it runs within ``near`` x of that
    roof, else ``"something else"`` (its own arithmetic, overhead): its time exceeds both
    its bytes / bandwidth and its operations / peak by more than ``near`` x."""
    if point.share_of_roof(peak, bandwidth) * near >= 1:
        return (
            "memory"
            if bound(point.intensity, peak, bandwidth) == "memory-bound"
            else ("peak arithmetic")
        )
    return "something else"


def seconds_for_bytes(nbytes: float, bandwidth: float) -> float:
    """The least time moving ``nbytes`` can take at ``bandwidth`` bytes per second."""
    return _not_negative("nbytes", nbytes) / _positive("bandwidth", bandwidth)


# -- measuring the bandwidth ---------------------------------------------------------------
def last_level_cache_bytes() -> int:
    """The largest CPU cache the operating system reports (bytes), or 32 MiB if it says none."""
    sizes = []
    for level in ("SC_LEVEL4_CACHE_SIZE", "SC_LEVEL3_CACHE_SIZE", "SC_LEVEL2_CACHE_SIZE"):
        try:
            sizes.append(int(os.sysconf(level)))
        except (ValueError, OSError, AttributeError):
            pass
    best = max((s for s in sizes if s > 0), default=0)
    return best or DEFAULT_CACHE_BYTES


def stream_elements(cache_bytes: int | None = None) -> int:
    """Elements per STREAM array: each array 4x the last-level cache (STREAM's rule), a
    power of two, at least 2**20 and at most MAX_STREAM_ELEMENTS (see there)."""
    cache = last_level_cache_bytes() if cache_bytes is None else cache_bytes
    want = max(4 * _positive("cache_bytes", cache) / FLOAT64, 2**20)
    return min(2 ** math.ceil(math.log2(want)), MAX_STREAM_ELEMENTS)


def cache_stream_elements(cache_bytes: int | None = None) -> int:
    """Elements per array for STREAM *in cache*: the largest power of two whose three arrays
    together take at most a quarter of the last-level cache (at least 2**10), so every byte
    comes from the cache, not from memory: the bandwidth code that fits in the cache sees."""
    cache = last_level_cache_bytes() if cache_bytes is None else cache_bytes
    want = _positive("cache_bytes", cache) / 4 / (3 * FLOAT64)
    return max(2 ** math.floor(math.log2(max(want, 1))), 2**10)


@dataclass(frozen=True)
class Bandwidth(timing.Repeats):
    """One STREAM kernel's measured bandwidth, with the measurement behind it (STREAM
    reports the best repeat: ``best``)."""

    kernel: str
    elements: int  # per array
    bytes_per_call: int  # counted from the kernel: elements x bytes per element
    seconds: tuple[float, ...]  # measured: seconds per call, one per repeat

    @property
    def bytes_per_second(self) -> float:
        """Bytes per call / fewest seconds per call."""
        return self.bytes_per_call / self.best

    def explain(self) -> str:
        per = self.bytes_per_call // self.elements
        return "\n".join(
            [
                f"{self.kernel}: {self.elements:,} float64 elements per array, "
                f"{per} bytes per element, {self.bytes_per_call:,} bytes per call",
                f"  {len(self.seconds)} timed repeats, best ~{self.best:.3g} s per call",
                f"  bandwidth = {self.bytes_per_call:,} bytes / ~{self.best:.3g} s "
                f"= ~{self.bytes_per_second / 1e9:.3g} GB/s",
            ]
        )

    def __str__(self) -> str:
        return f"{self.kernel}: ~{self.bytes_per_second / 1e9:.3g} GB/s"

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def _kernels(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> dict[str, Callable[[], object]]:
    """STREAM's copy (c = a) and triad (a = b + 3c) on the given arrays, in place."""
    scalar = 3.0

    def copy():
        np.copyto(c, a)

    def triad():
        np.multiply(c, scalar, out=a)
        np.add(a, b, out=a)

    return {"copy": copy, "triad": triad}


def stream(
    elements: int | None = None,
    repeats: int = 10,
    kernels: tuple[str, ...] = ("copy", "triad"),
    clock: timing.Clock = time.perf_counter,
) -> dict[str, Bandwidth]:
    """This machine's memory bandwidth from STREAM's copy and triad kernels, numpy on one
    thread. ``elements`` per array (None: 4x the last-level cache); ``clock`` for tests."""
    n = stream_elements() if elements is None else elements
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"elements must be a whole number >= 1; got {n!r}")
    if n > MAX_STREAM_ELEMENTS:
        raise ValueError(f"elements must be at most {MAX_STREAM_ELEMENTS:,}; got {n:,}")
    unknown = [k for k in kernels if k not in STREAM_BYTES_PER_ELEMENT]
    if unknown:
        raise ValueError(f"unknown kernel(s) {unknown}; choose from copy, triad")
    n = int(n)  # arrays filled (every page touched) before any timing
    fns = _kernels(np.full(n, 1.0), np.full(n, 2.0), np.full(n, 0.0))
    out = {}
    for name in kernels:
        nbytes = n * STREAM_BYTES_PER_ELEMENT[name]
        # one call per repeat out of cache; in cache a call is short: calibrated, several
        number = 1 if n >= 2**20 else None
        measured = timing.measure_seconds(fns[name], repeats=repeats, number=number, clock=clock)
        out[name] = Bandwidth(name, n, nbytes, tuple(measured.seconds))
    return out


# -- a measured point on the roofline ---------------------------------------------------------
@dataclass(frozen=True)
class Point:
    """Code placed on the roofline: its live count and bytes, and its measured rate."""

    name: str
    ops: int  # counted live
    nbytes: int  # counted live: compulsory traffic
    ops_per_second: float  # measured

    @property
    def intensity(self) -> float:
        return intensity(self.ops, self.nbytes)

    def roof(self, peak: float, bandwidth: float) -> float:
        """The roofline's rate at this point's intensity."""
        return attainable(self.intensity, peak, bandwidth)

    def share_of_roof(self, peak: float, bandwidth: float) -> float:
        """Measured rate / the roof above it (1 = as fast as this machine allows)."""
        return self.ops_per_second / self.roof(peak, bandwidth)

    def describe(self, peak: float, bandwidth: float) -> str:
        """One line: intensity (exact); rate and share of the roof (measured, with ~)."""
        return (
            f"{self.name:<20} {self.intensity:8.3g} operations/byte, "
            f"~{self.ops_per_second:.3g} operations/s, "
            f"~{self.share_of_roof(peak, bandwidth):.0%} of its roof"
        )


def points_table(points: Mapping[str, Point] | list[Point], peak: float, bandwidth: float) -> str:
    """One line per point (``Point.describe``), then the judged line: which side of the
    measured ridge point each lies (which roof is over it), and what limits it *here*, read
    from its measured rate (``limit``): a point left of the ridge but far below its slanted
    roof is not held back by memory. The judged line starts with the measured value it is
    judged from (the course's sanitize rule masks it whole, so its words may follow the
    machine)."""
    items = list(points.values()) if isinstance(points, Mapping) else list(points)
    lines = [p.describe(peak, bandwidth) for p in items]
    sides = {"memory": [], "peak arithmetic": [], "something else": []}
    for p in items:
        sides[limit(p, peak, bandwidth)].append(p.name)
    words = {
        "memory": f"within {NEAR_ROOF:g}x of the bandwidth roof, memory-bound",
        "peak arithmetic": f"within {NEAR_ROOF:g}x of the peak, compute-bound",
        "something else": (
            f"more than {NEAR_ROOF:g}x below their roof, limited by something the roofline "
            "does not draw (arithmetic slower than the peak, per-call overhead)"
        ),
    }
    judged = "; ".join(f"{words[k]}: {', '.join(v)}" for k, v in sides.items() if v)
    lines.append(f"~{ridge(peak, bandwidth):.3g} operations/byte is the ridge point. {judged}")
    return "\n".join(lines)


def measure_point(
    name: str,
    fn: Callable[..., object],
    *args: object,
    repeats: int = 3,
    clock: timing.Clock = time.perf_counter,
) -> Point:
    """Place ``fn(*args)`` on the roofline: its operations and bytes counted live (the array
    arguments tracked, once), its rate measured on plain numpy (best of ``repeats``: the
    roofline asks how fast the code can go)."""
    with count() as ops:
        fn(*[track(a) if isinstance(a, np.ndarray) else a for a in args])
    measured = timing.measure_seconds(lambda: fn(*args), repeats=repeats, clock=clock)
    return Point(name, ops.total, ops.bytes, ops.total / measured.best)


def traffic_table(live: Mapping, predicted: Mapping | None = None) -> str:
    """Operations, bytes and intensity per layer and phase (``report.breakdown(ops)``),
    with the formula's bytes beside the live ones when ``predicted`` (``formulas.mlp``)."""
    head = f"{'':<8} {'phase':<9} {'operations':>11} {'bytes':>9} {'ops/byte':>9}"
    lines = [head + (f" {'formula bytes':>14}" if predicted else "")]
    for unit, phases in live.items():
        for phase, kinds in phases.items():
            ops = sum(n for k, n in kinds.items() if k not in NOT_ARITHMETIC)
            nbytes = kinds.get("bytes", 0)
            ratio = f"{ops / nbytes:9.3f}" if nbytes else f"{'-':>9}"
            row = f"{unit:<8} {phase:<9} {ops:>11,} {nbytes:>9,} {ratio}"
            if predicted:
                row += f" {predicted.get(unit, {}).get(phase, {}).get('bytes', 0):>14,}"
            lines.append(row)
    return "\n".join(lines)
