"""Checks for 09-from-counts-to-seconds."""

import numpy as np

from ...counting import count
from ...nn import MLP, one_hot
from ..exercises import compare_count, exercise
from ._mistakes import with_mistake_hint
from ._predict import compare_function


@exercise("09.1")
def _mnist_epoch(answer):
    net = MLP([784, 128, 10], activation="sigmoid", loss="cross-entropy", seed=0)
    rng = np.random.default_rng(0)
    with count() as ops:
        net.train_step(rng.uniform(size=784), one_hot(np.array([3]), 10)[0], lr=0.1)
    return compare_count(
        "09.1",
        answer,
        ops.total * 60_000,
        too_low=(
            "add the four phases of a step on one example (forward, loss, backward and "
            "update), then multiply by the 60,000 examples of an epoch. A batch-32 count "
            "divided by 32 is too low: at batch 1 the update runs once per example."
        ),
        too_high=(
            "one epoch is 60,000 steps of one example each: multiply by 60,000 once. "
            "6 per parameter per example is a large-batch rule of thumb; at batch 1 it "
            "over-counts (dW is an outer product with no additions, layer 1's dX is "
            "skipped, db of one example needs no additions): add the phases."
        ),
        what="operations",
    )


def _seconds(ops_per_step, batch, examples, epochs, ops_per_second):
    return ops_per_step * (examples // batch) * epochs / ops_per_second


_RATE = "a rate is operations per second: seconds = operations / rate, not operations x rate."
_SECONDS_MISTAKES = [
    (_RATE, lambda o, b, n, e, r: o * (n // b) * e * r),
    (_RATE, lambda o, b, n, e, r: r / (o * (n // b) * e)),
    (
        "one step per batch, and ops_per_step counts the whole batch: an epoch is "
        "examples // batch steps, not one per example.",
        lambda o, b, n, e, r: o * n * e / r,
    ),
    (
        "every epoch runs all the steps again: multiply by epochs.",
        lambda o, b, n, e, r: o * (n // b) / r,
    ),
]


def _draw_run(rng):
    batch = int(rng.choice([8, 32, 128]))
    return (
        int(rng.integers(10_000, 10**8)),
        batch,
        batch * int(rng.integers(10, 5_000)),  # whole batches only
        int(rng.integers(2, 50)),
        float(10 ** rng.uniform(6, 11)),
    )


@exercise("09.2")
def _training_seconds(answer):
    what = "seconds (steps per epoch = examples // batch)"
    feedback = compare_function("09.2", answer, _seconds, _draw_run, what)
    return with_mistake_hint(feedback, answer, _seconds, _draw_run, _SECONDS_MISTAKES)


@exercise("09.3")
def _fraction_of_peak(answer):
    def expected(ops, seconds, cores, ghz, ops_per_cycle):
        return ops / seconds / (cores * ghz * 1e9 * ops_per_cycle)

    def draw(rng):
        return (
            int(rng.integers(10**6, 10**10)),
            float(10 ** rng.uniform(-3, 1)),
            int(rng.integers(1, 65)),
            float(rng.uniform(1.5, 4.5)),
            int(rng.choice([4, 8, 16, 32])),
        )

    return compare_function(
        "09.3",
        answer,
        expected,
        draw,
        "(a fraction: 0.5 is half the peak)",
        hints={1e9: "the clock is in GHz: 1 GHz is 1e9 cycles per second."},
    )
