"""Checks for 02-one-layer."""

import numpy as np

from ...counting import count
from ...nn import MLP
from ..exercises import compare_count, exercise


@exercise("02.1")
def _image_layer_multiplies(answer):
    net = MLP([28 * 28, 50])
    with count() as ops:
        net.forward(np.zeros((28, 28)).reshape(-1))
    return compare_count(
        "02.1",
        answer,
        ops["mul"],
        too_low=(
            "flattened, a 28 x 28 image is N = 28 * 28 inputs, and every input meets every "
            "one of the 50 neurons."
        ),
        too_high="one multiplication per weight: N x M for one image, the bias adds nothing.",
        what="multiplications",
    )


@exercise("02.2")
def _batch_activations(answer):
    net = MLP([28 * 28, 50])
    with count() as ops:
        net.forward(np.zeros((32, 28 * 28)))
    return compare_count(
        "02.2",
        answer,
        ops["activations"],
        too_low="f runs once per neuron for every example: M neurons x B examples.",
        too_high=(
            "f is applied to each neuron's finished sum z_j, once, not to each product W_ij x_i."
        ),
        what="applications of f",
    )
