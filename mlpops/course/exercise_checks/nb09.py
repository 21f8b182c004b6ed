"""Checks for 09-images-and-convolutions."""

import numpy as np

from ...conv import Conv2D
from ...counting import count
from ...nn import MLP
from ..exercises import compare_count, exercise

#: The exercises' colour image: 3 channels of 16 x 16 pixels, one image (NCHW).
IMAGE_SHAPE = (1, 3, 16, 16)


@exercise("09.1")
def _conv_multiplies(answer):
    layer = Conv2D(3, 8, 3, stride=1, padding=1)
    with count() as ops:
        layer.forward(np.zeros(IMAGE_SHAPE))
    return compare_count(
        "09.1",
        answer,
        ops["mul"],
        too_low=(
            "each output element multiplies C_in x kH x kW = 3 x 3 x 3 inputs of its patch, "
            "all three colour channels; and padding 1 keeps the output at 16 x 16, "
            "for each of the 8 output channels."
        ),
        too_high=(
            "the output is 8 x 16 x 16 (padding 1 with a 3 x 3 kernel keeps the size), and each "
            "element takes 3 x 3 x 3 multiplications; the bias is added, not multiplied."
        ),
        what="multiplications",
    )


@exercise("09.2")
def _dense_multiplies(answer):
    num_inputs = int(np.prod(IMAGE_SHAPE[1:]))  # 3 x 16 x 16 pixels, flattened
    num_neurons = 8 * 16 * 16  # as many outputs as the convolution of 09.1
    net = MLP([num_inputs, num_neurons], seed=0)
    with count() as ops:
        net.forward(np.zeros(num_inputs))
    return compare_count(
        "09.2",
        answer,
        ops["mul"],
        too_low=(
            "a dense neuron reads every input: N = 3 x 16 x 16 (all channels), and there are "
            "M = 8 x 16 x 16 neurons, one per output of the convolution: N x M."
        ),
        too_high="one multiplication per weight, N x M, with N = 3 x 16 x 16 and M = 8 x 16 x 16.",
        what="multiplications",
    )


@exercise("09.3")
def _strided_adds(answer):
    layer = Conv2D(3, 8, 3, stride=2, padding=1)
    with count() as ops:
        layer.forward(np.zeros(IMAGE_SHAPE))
    return compare_count(
        "09.3",
        answer,
        ops["add"],
        too_low=(
            "each output adds 3 x 3 x 3 terms (26 adds) plus its bias: 27 adds. "
            "The output is (16 + 2*1 - 3) // 2 + 1 = 8 positions per side, 8 channels."
        ),
        too_high=(
            "stride 2 skips every other position: H_out = (16 + 2*1 - 3) // 2 + 1 = 8, "
            "not 16, and 27 adds per output element (26 for the sum, 1 for the bias)."
        ),
        what="additions",
    )
