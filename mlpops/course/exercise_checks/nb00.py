"""Checks for 00-start-here."""

import numpy as np

from ...counting import count
from ...nn import MLP
from ..exercises import compare_count, exercise


@exercise("00.1")
def _one_layer_multiplies(answer):
    net = MLP([4, 3])
    with count() as ops:
        net.forward(np.ones(4))
    return compare_count(
        "00.1",
        answer,
        ops["mul"],
        too_low="each of the 3 neurons multiplies every one of the 4 inputs by its own weight.",
        too_high="count multiplications only: the bias is added, not multiplied.",
        what="multiplications",
    )


@exercise("00.2")
def _two_layer_multiplies(answer):
    net = MLP([10, 20, 5])
    with count() as ops:
        net.forward(np.ones(10))
    return compare_count(
        "00.2",
        answer,
        ops["mul"],
        too_low="[10, 20, 5] has two weight layers, 10 -> 20 and 20 -> 5: count both.",
        too_high=(
            "the first width is the inputs, not a layer of neurons: [10, 20, 5] has two "
            "weight layers, not three."
        ),
        what="multiplications",
    )
