"""Checks for 07-counting-conventions."""

import numpy as np

from ...conventions import measure
from ...nn import MLP
from ..exercises import compare_count, exercise


def _measure(sizes, batch: int):
    net = MLP(sizes, activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    return measure(net, rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1])))


@exercise("07.1")
def _macs_forward(answer):
    totals = _measure([784, 128, 10], 1).totals()
    return compare_count(
        "07.1",
        answer,
        totals["macs"]["forward"],
        too_low="one multiply-accumulate per weight: 784 x 128 for layer 1, and layer 2 too.",
        too_high=(
            "MACs count only the products inside the matrix products: no bias, no "
            "sigmoid, and one MAC is one multiply and its add together, not two."
        ),
        what="MACs",
    )


@exercise("07.2")
def _pytorch_forward_backward(answer):
    from ._predict import compare_function

    def expected(B, N, H, M):
        return _measure([N, H, M], B).totals()["pytorch_flop_counter"]["forward_backward"]

    def draw(rng):
        return tuple(int(v) for v in rng.integers(1, 40, 4))

    return compare_function(
        "07.2",
        answer,
        expected,
        draw,
        "FLOPs by PyTorch's rule",
        hints={
            1 / 2: "PyTorch's rule counts 2*m*n*k per product: two per multiply-accumulate.",
        },
    )


@exercise("07.3")
def _left_out_forward(answer):
    totals = _measure([30, 30, 30], 1).totals()
    left_out = totals["flops"]["forward"] - totals["pytorch_flop_counter"]["forward"]
    return compare_count(
        "07.3",
        answer,
        left_out,
        too_low=(
            "the matrix products and biases match exactly (2*B*N*M per layer): what is "
            "left is f. Count sigmoid's operations, 1 / (1 + exp(-z)), for every neuron."
        ),
        too_high=(
            "for a layer with a bias 2*m*n*k is exact: the only operations PyTorch's rule "
            "leaves out of this forward pass are the sigmoids'."
        ),
        what="operations left out",
    )
