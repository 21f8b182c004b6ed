"""Checks for 14-the-answer: functions tried on random sizes (see nb11.compare_function)."""

from __future__ import annotations

import numpy as np

from ...counting import count
from ...nn import MLP
from ..exercises import exercise
from .nb11 import TRIALS, compare_function


def _forward_ops(n: int) -> int:
    """Every operation of MLP([n, n, n]) (sigmoid) forward on one example, counted live."""
    net = MLP([n, n, n], activation="sigmoid", seed=0)
    with count() as ops:
        net.forward(np.zeros(n))
    return ops.total


@exercise("14.1")
def _learner_forward(answer):
    rng = np.random.default_rng()  # fresh sizes each time: nothing to read off a cell
    cases = [(int(n),) for n in rng.integers(2, 200, size=5)]
    return compare_function(
        "14.1",
        answer,
        _forward_ops,
        cases,
        "widths",
        hint=(
            "per layer: n x n multiplications and exactly n x n additions, bias included "
            "(n - 1 between each neuron's n products, 1 for its bias), and each sigmoid 1 / (1 + exp(-z)) is a negation, an exp, an "
            "add and a division."
        ),
    )


@exercise("14.2")
def _least_seconds(answer):
    rng = np.random.default_rng()
    cases = []
    for _ in range(TRIALS):
        ops, nbytes = int(10 ** rng.uniform(3, 24)), int(10 ** rng.uniform(3, 24))
        cases.append(
            (ops, nbytes, float(10 ** rng.uniform(9, 15)), float(10 ** rng.uniform(9, 13)))
        )
    return compare_function(
        "14.2",
        answer,
        lambda ops, nbytes, peak, bandwidth: max(ops / peak, nbytes / bandwidth),
        cases,
        "codes and machines",
        hint=(
            "the arithmetic needs ops / peak seconds, the bytes nbytes / bandwidth; if the two "
            "overlap perfectly, the step takes as long as the slower of the two."
        ),
    )
