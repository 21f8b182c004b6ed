"""Name the learner's mistake in a prediction check: when ``_predict.compare_function``
found the function wrong, call it once more and set its result beside the results of the
typical wrong formulas, each with its hint."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..exercises import Feedback

#: A typical mistake: the hint that names it, and the wrong formula it leads to.
Mistake = tuple[str, Callable[..., float]]


def with_mistake_hint(feedback: Feedback, answer, expected, draw, mistakes) -> Feedback:
    """``feedback`` with the hint of the first mistake whose formula gives the learner's
    result on fresh values from ``draw`` (where the right formula ``expected`` does not)."""
    if feedback.ok or not callable(answer) or "Hint:" in feedback.message:
        return feedback
    rng = np.random.default_rng()
    for _ in range(3):  # a few draws: on one, a mistake may give the right value
        args = tuple(draw(rng))
        try:
            got = float(answer(*args))
        except Exception:  # noqa: BLE001 - the feedback reports it already
            return feedback
        want = expected(*args)
        for hint, wrong in mistakes:
            value = wrong(*args)
            if math.isclose(got, value, rel_tol=1e-6) and not math.isclose(
                value, want, rel_tol=1e-6
            ):
                return Feedback(
                    feedback.exercise, False, f"{feedback.message} Hint: {hint}", feedback.expected
                )
    return feedback
