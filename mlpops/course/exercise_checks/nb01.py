"""Checks for 01-one-neuron."""

import numpy as np

from ...counting import count
from ...nn import MLP
from ..exercises import compare_count, exercise


def _one_neuron(num_inputs: int, activation: str):
    """The live count of one neuron (a layer of M = 1) on one example."""
    net = MLP([num_inputs, 1], activation=activation)
    with count() as ops:
        net.forward(np.ones(num_inputs))
    return ops


@exercise("01.1")
def _neuron_additions(answer):
    ops = _one_neuron(5, "identity")
    return compare_count(
        "01.1",
        answer,
        ops["add"],
        too_low="the bias is a term of the sum too: b + w1 x1 + ... + w5 x5 has 6 terms.",
        too_high="adding up k terms takes k - 1 additions (3 terms: a + b + c is 2 additions).",
        what="additions",
    )


@exercise("01.2")
def _sigmoid_neuron_total(answer):
    ops = _one_neuron(30, "sigmoid")
    return compare_count(
        "01.2",
        answer,
        ops.total,
        too_low=(
            "count f too: sigmoid(z) = 1 / (1 + exp(-z)) is a negation (an add), an exp, "
            "an addition and a division."
        ),
        too_high=(
            "N multiplications and N additions for the weighted sum (not N + 1), then "
            "sigmoid's 4 operations; applications of f are not added on top."
        ),
        what="arithmetic operations",
    )
