"""Notebook 09's judged lines about a measured rate against this CPU's theoretical peak.

Every line starts with ``~`` and a measured value (the notebooks' sanitize file masks it),
and its words are chosen from the values, never typed in the notebook.
"""

from __future__ import annotations

from ..hardware import Peak


def blas_ceiling(cpu: Peak, blas_lanes: int | None) -> float:
    """The most a BLAS can do at the clock the OS reports: the CPU's cores x clock x the
    lanes its kernels use (at most the CPU's) x 2 (multiply and add) x 2 FMA units."""
    lanes = min(blas_lanes or cpu.lanes, cpu.lanes)
    return cpu.cores * cpu.ghz * 1e9 * lanes * 2 * 2


def peak_lines(rate: float, cpu: Peak, blas_lanes: int | None) -> str:
    """Two judged lines: ``rate`` (operations/s, measured) as a share of the CPU's peak
    range, then against the most the BLAS's kernels can do at the OS's clock; when the
    rate is above that ceiling, the clock the cores must have run at instead."""
    if rate <= 0:
        raise ValueError(f"rate is operations per second, > 0; got {rate!r}")
    lanes = min(blas_lanes or cpu.lanes, cpu.lanes)
    ceiling = blas_ceiling(cpu, blas_lanes)
    who = f"this BLAS's {lanes}-lane kernels" if lanes < cpu.lanes else "this CPU"
    first = (
        f"~{rate / cpu.high:.0%} to ~{rate / cpu.low:.0%} of the peak range "
        "(2 or 1 FMA units): the large matrix product"
    )
    share = rate / ceiling
    if share > 1:
        ghz = rate / (cpu.cores * lanes * 2 * 2 * 1e9)
        second = (
            f"~{share:.0%} of the most {who} can do at the OS's ~{cpu.ghz:.2f} GHz "
            f"({lanes} lanes x 2 x 2 FMA units): above it, which only a faster clock allows, "
            f"so the cores ran at ~{ghz:.2f} GHz or more (turbo: the OS's figure is not "
            "the highest clock, and the peak range above is computed from it)"
        )
    else:
        words = "near it" if share > 0.5 else "well below it"
        second = (
            f"~{share:.0%} of the most {who} can do at the OS's ~{cpu.ghz:.2f} GHz "
            f"({lanes} lanes x 2 x 2 FMA units): {words}"
        )
    return f"{first}\n{second}"
