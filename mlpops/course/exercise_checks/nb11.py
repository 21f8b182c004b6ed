"""Checks for 11-memory-and-the-roofline.

Each answer is a function; the check calls it on random sizes drawn when it runs (not
seeded: no cell shows them), so the learner must work out the rule, not copy a number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ...roofline import attainable, dense_intensity
from ..exercises import Feedback, exercise

TRIALS = 20


def compare_function(
    exercise_id: str,
    answer: object,
    expected: Callable[..., float],
    cases: Sequence[tuple],
    what: str,
    hints: dict[float, str] | None = None,
    hint: str = "",
) -> Feedback:
    """Feedback for a function answer: right on every case (within 1e-9), or the first case
    it gets wrong, with a hint when answer / expected is a telling ratio."""
    if not callable(answer):
        return Feedback(
            exercise_id, False, f"Exercise {exercise_id}: give a function (def ...), not a value."
        )
    for case in cases:
        try:
            got = answer(*case)
        except Exception as e:  # the learner's code: say what went wrong, do not crash
            return Feedback(
                exercise_id, False, f"Exercise {exercise_id}: your function raised {e!r:.80}."
            )
        if got is None or got is Ellipsis:
            return Feedback(
                exercise_id,
                False,
                f"Exercise {exercise_id}: no answer yet. Replace ... with yours.",
            )
        want = expected(*case)
        if isinstance(got, bool) or not isinstance(got, (int, float, np.number)):
            return Feedback(
                exercise_id, False, f"Exercise {exercise_id}: return a number, not {got!r:.40}."
            )
        if not math.isclose(float(got), want, rel_tol=1e-9):
            msg = (
                f"Exercise {exercise_id}: not yet: for {case} you return {got:.4g}, not {want:.4g}."
            )
            for ratio, telling in (hints or {}).items():
                if want and math.isclose(got / want, ratio, rel_tol=1e-6):
                    msg += f" Hint: {telling}"
                    break
            else:
                if hint:
                    msg += f" Hint: {hint}"
            return Feedback(exercise_id, False, msg, want)
    return Feedback(
        exercise_id, True, f"Exercise {exercise_id}: correct on {len(cases)} random {what}."
    )


def _rng() -> np.random.Generator:
    return np.random.default_rng()  # fresh sizes each time: nothing to read off a cell


@exercise("11.1")
def _dense_intensity(answer):
    rng = _rng()
    cases = [tuple(int(v) for v in rng.integers(1, 2049, size=3)) for _ in range(TRIALS)]
    return compare_function(
        "11.1",
        answer,
        dense_intensity,
        cases,
        "layers",
        hints={
            8: "the bytes: each float64 number is 8 bytes.",
            0.5: "operations: a multiply *and* an add per weight per example.",
        },
    )


@exercise("11.2")
def _elementwise_seconds(answer):
    rng = _rng()
    cases = [(int(rng.integers(1, 10**9)), float(10 ** rng.uniform(8, 12))) for _ in range(TRIALS)]
    return compare_function(
        "11.2",
        answer,
        lambda n, bandwidth: 24 * n / bandwidth,
        cases,
        "sizes and bandwidths",
        hints={
            2 / 3: "count the output too: z is written, 8 bytes per element.",
            1 / 3: "x and y are read and z written: three float64 numbers per element.",
            1 / 24: "bytes, not elements: each float64 number is 8 bytes.",
            1 / 8: "bytes, not elements: 3 numbers of 8 bytes per element.",
        },
    )


@exercise("11.3")
def _attainable(answer):
    rng = _rng()
    cases = []
    for i in range(TRIALS):
        peak, bandwidth = float(10 ** rng.uniform(9, 14)), float(10 ** rng.uniform(9, 13))
        ridge = peak / bandwidth
        intensity = ridge * float(10 ** rng.uniform(-2, 0) if i % 2 else 10 ** rng.uniform(0, 2))
        nbytes = int(rng.integers(1_000, 10**9))
        cases.append((intensity * nbytes, nbytes, peak, bandwidth))
    return compare_function(
        "11.3",
        answer,
        lambda ops, nbytes, peak, bandwidth: attainable(ops / nbytes, peak, bandwidth),
        cases,
        "machines and codes",
        hint=(
            "no code runs faster than the peak, nor faster than the bytes arrive "
            "(bandwidth x intensity): the roof is the lower of the two."
        ),
    )
