"""Checks for 10-images-and-convolutions."""

import numpy as np

from ...conv import Conv2D
from ...counting import Counts, count
from ...nn import MLP
from ..exercises import compare_count, exercise
from ._mistakes import with_mistake_hint
from ._predict import compare_function

#: The exercises' colour image: 3 channels of 16 x 16 pixels, one image (NCHW).
IMAGE_SHAPE = (1, 3, 16, 16)


def _conv_forward(c_in, c_out, h, w, k, stride, padding) -> Counts:
    """The live count of a convolution layer's forward pass on one image of zeros."""
    layer = Conv2D(c_in, c_out, k, stride=stride, padding=padding)
    with count() as ops:
        layer.forward(np.zeros((1, c_in, h, w)))
    return ops


def _dense_forward(num_inputs: int, num_neurons: int) -> Counts:
    """The live count of a dense layer's forward pass on one example."""
    with count() as ops:
        MLP([num_inputs, num_neurons], seed=0).forward(np.zeros(num_inputs))
    return ops


@exercise("10.1")
def _conv_multiplies(answer):
    return compare_count(
        "10.1",
        answer,
        _conv_forward(3, 8, 16, 16, 3, 1, 1)["mul"],
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


@exercise("10.2")
def _dense_multiplies(answer):
    num_inputs = int(np.prod(IMAGE_SHAPE[1:]))  # 3 x 16 x 16 pixels, flattened
    return compare_count(
        "10.2",
        answer,
        _dense_forward(num_inputs, 8 * 16 * 16)["mul"],  # as many neurons as 09.1's outputs
        too_low=(
            "a dense neuron reads every input: N = 3 x 16 x 16 (all channels), and there are "
            "M = 8 x 16 x 16 neurons, one per output of the convolution: N x M."
        ),
        too_high="one multiplication per weight, N x M, with N = 3 x 16 x 16 and M = 8 x 16 x 16.",
        what="multiplications",
    )


def _side(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def _flops(c_in, c_out, h, w, k, s, p, side=_side, per_output=lambda c, k: 2 * c * k * k):
    """The forward pass's FLOPs with a given rule for the output side and for one output."""
    return c_out * side(h, k, s, p) * side(w, k, s, p) * per_output(c_in, k)


_EDGE = "the kernel must fit inside the padded image: H_out = (H + 2p - k) // s + 1."
_MISTAKES = [
    (
        "that is the multiply-adds (MACs); FLOPs count the multiply and the add: 2 per MAC.",
        lambda *sizes: _flops(*sizes) / 2,
    ),
    (
        "each output also adds its bias: C_in k k products, C_in k k - 1 additions between "
        "them and 1 for the bias, 2 C_in k k in all.",
        lambda *sizes: _flops(*sizes, per_output=lambda c, k: 2 * c * k * k - 1),
    ),
    (_EDGE, lambda *sizes: _flops(*sizes, side=lambda n, k, s, p: (n + 2 * p) // s + 1)),
    (_EDGE, lambda *sizes: _flops(*sizes, side=lambda n, k, s, p: (n + 2 * p) // s)),
    (
        "padding p adds p zeros on each side: the padded side is H + 2p.",
        lambda *sizes: _flops(*sizes, side=lambda n, k, s, p: (n - k) // s + 1),
    ),
    (
        "stride s moves the kernel s pixels at a time: divide by s (rounding down), then + 1.",
        lambda *sizes: _flops(*sizes, side=lambda n, k, s, p: n + 2 * p - k + 1),
    ),
]


def _draw_layer(rng):
    """Sizes of a small convolution layer: C_in, C_out, H, W, k, stride, padding."""
    k, padding = int(rng.integers(1, 6)), int(rng.integers(0, 3))
    low = max(k - 2 * padding, 1)
    h, w = (int(v) for v in rng.integers(low, low + 18, size=2))
    c_in, c_out, stride = (int(v) for v in rng.integers((1, 1, 1), (5, 7, 4)))
    return c_in, c_out, h, w, k, stride, padding


@exercise("10.3")
def _conv_flops(answer):
    def live(*sizes):
        return _conv_forward(*sizes).total

    what = "FLOPs (mul + add), counted live"
    feedback = compare_function("10.3", answer, live, _draw_layer, what)
    return with_mistake_hint(feedback, answer, live, _draw_layer, _MISTAKES)
