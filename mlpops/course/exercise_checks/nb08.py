"""Checks for 08-from-counts-to-seconds."""

import math
import numbers

import numpy as np

from ...counting import count
from ...nn import MLP, one_hot
from ..exercises import Feedback, compare_count, exercise

#: Published figures the exercises use (sources in the notebook).
GPT3_TRAINING_FLOPS = 3.14e23  # Brown et al. 2020, Table D.1
A100_BF16_PEAK = 312e12  # NVIDIA A100 datasheet, dense BF16 Tensor Core FLOP/s
SECONDS_PER_DAY = 24 * 60 * 60


def compare_float(
    exercise_id: str,
    answer,
    expected: float,
    what: str,
    rel: float = 0.01,
    hints: dict[float, str] | None = None,
) -> Feedback:
    """Feedback for an answer within ``rel`` of ``expected``; ``hints`` maps a telling
    wrong ratio (answer / expected) to a hint."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return Feedback(exercise_id, False, f"Exercise {exercise_id}: give a number.", expected)
    if math.isclose(answer, expected, rel_tol=rel):
        return Feedback(
            exercise_id,
            True,
            f"Exercise {exercise_id}: correct, about {expected:.3g} {what}.",
            expected,
        )
    msg = f"Exercise {exercise_id}: not yet, {'too low' if answer < expected else 'too high'}."
    for ratio, hint in (hints or {}).items():
        if expected and math.isclose(answer / expected, ratio, rel_tol=0.05):
            return Feedback(exercise_id, False, f"{msg} Hint: {hint}", expected)
    return Feedback(exercise_id, False, msg, expected)


@exercise("08.1")
def _mnist_epoch(answer):
    net = MLP([784, 128, 10], activation="sigmoid", loss="cross-entropy", seed=0)
    rng = np.random.default_rng(0)
    with count() as ops:
        net.train_step(rng.uniform(size=784), one_hot(np.array([3]), 10)[0], lr=0.1)
    return compare_count(
        "08.1",
        answer,
        ops.total * 60_000,
        too_low=(
            "count a whole training step on one example (forward, loss, backward and "
            "update), then multiply by the 60,000 examples of an epoch."
        ),
        too_high="one epoch is 60,000 steps of one example each: multiply by 60,000 once.",
        what="operations",
    )


@exercise("08.2")
def _six_n_d(answer):
    return compare_float(
        "08.2",
        answer,
        6 * 1.5e9 * 4e10,
        "FLOPs",
        hints={
            1 / 3: "2*N*D is the forward pass alone; training adds the backward pass (4*N*D).",
            2 / 3: "4*N*D is the backward pass alone: add the forward pass (2*N*D).",
            1 / 6: "N*D is one operation per parameter per token: Kaplan et al. use 6.",
        },
    )


@exercise("08.3")
def _gpt3_days(answer):
    return compare_float(
        "08.3",
        answer,
        GPT3_TRAINING_FLOPS / A100_BF16_PEAK / SECONDS_PER_DAY,
        "days",
        hints={
            24: "that is hours: divide by 24 for days.",
            24 * 60 * 60: "that is seconds: divide by 24 * 60 * 60 for days.",
            1 / 365: "that is years: multiply by 365 for days.",
        },
    )
