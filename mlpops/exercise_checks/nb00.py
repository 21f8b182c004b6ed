"""Checks for 00-start-here."""

import numpy as np

from ..counting import count
from ..exercises import compare_count, exercise
from ..nn import MLP


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
