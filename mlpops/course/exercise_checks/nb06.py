"""Checks for 06-a-training-step."""

import numpy as np

from ...counting import count
from ...nn import MLP, one_hot
from ..datasets import spirals
from ..exercises import compare_count, exercise


@exercise("06.1")
def _update_ops(answer):
    net = MLP([2, 16, 16, 3], activation="tanh", loss="cross-entropy", seed=0)
    X, y = spirals(100, 3, noise=0.2, seed=0)
    with count() as ops:
        net.train_step(X[:30], one_hot(y[:30], 3), lr=0.5)
    return compare_count(
        "06.1",
        answer,
        ops.within("update").total,
        too_low=(
            "every parameter, biases included, takes one multiplication (lr * gradient) "
            "and one subtraction: count the 16 + 16 + 3 biases too."
        ),
        too_high=(
            "the update does not depend on the batch: one multiplication and one "
            "subtraction per parameter, once per step."
        ),
        what="operations",
    )


@exercise("06.2")
def _epoch_batch_10(answer):
    net = MLP([2, 16, 16, 3], activation="tanh", loss="cross-entropy", seed=0)
    X, y = spirals(100, 3, noise=0.2, seed=0)
    Y = one_hot(y, 3)
    with count() as ops:
        for start in range(0, len(X), 10):
            net.train_step(X[start : start + 10], Y[start : start + 10], lr=0.5)
    return compare_count(
        "06.2",
        answer,
        ops.total,
        too_low=(
            "with a batch of 10 an epoch of 300 examples is 30 steps, and every step pays "
            "for the loss and the update too."
        ),
        too_high=(
            "count one training step on a batch of 10 (forward, loss, backward, update), "
            "then multiply by 300 / 10 steps."
        ),
        what="operations",
    )


@exercise("06.3")
def _learner_step_batch_10(answer):
    net = MLP([30, 30, 30], activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    with count() as ops:
        net.train_step(rng.normal(size=(10, 30)), rng.uniform(size=(10, 30)), lr=0.1)
    return compare_count(
        "06.3",
        answer,
        ops.total,
        too_low=(
            "with a batch, dW and db add over the examples (B - 1 additions per entry) "
            "and every layer but the first also computes dX."
        ),
        too_high=(
            "the update is paid once per step, not once per example: 2 operations per "
            "parameter, whatever the batch."
        ),
        what="operations",
    )
