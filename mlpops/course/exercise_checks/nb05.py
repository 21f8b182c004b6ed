"""Checks for 05-the-backward-pass."""

import numpy as np

from ...counting import count
from ...nn import MLP
from ..exercises import compare_count, exercise


def _backward(sizes, batch: int, input_grad: bool = False):
    """The live count of one backward pass on a batch (scope ``backward``)."""
    net = MLP(sizes, activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    with count() as ops:  # forward inside too: backward reuses what it kept
        net.forward(rng.normal(size=(batch, sizes[0])))
        net.backward(rng.uniform(size=(batch, sizes[-1])), input_grad=input_grad)
    return ops.within("backward")


@exercise("05.1")
def _dW_multiplies(answer):
    ops = _backward([2, 4, 3], batch=5).within("layer2/dW")
    return compare_count(
        "05.1",
        answer,
        ops["mul"],
        too_low=(
            "dW = X.T @ dZ: every weight W_ij collects one product x_bi * dz_bj from each "
            "of the B = 5 examples."
        ),
        too_high="dW has N x M = 4 x 3 entries, each a sum of B = 5 products: no more.",
        what="multiplications",
    )


@exercise("05.2")
def _layer_backward_total(answer):
    ops = _backward([10, 20, 5], batch=8).within("layer2")
    return compare_count(
        "05.2",
        answer,
        ops.total,
        too_low=(
            "add all four terms: dZ = dA * a(1 - a) (2 mul and 1 add per value), "
            "dW (N*M*B mul, N*M*(B-1) add), db ((B-1)*M add) and dX (B*N*M mul, "
            "B*N*(M-1) add): layer 2 is not the first layer, so it computes dX."
        ),
        too_high=(
            "a sum of k terms takes k - 1 additions: dW's entries add B products "
            "(B - 1 additions), dX's entries add M products (M - 1 additions)."
        ),
        what="operations",
    )


@exercise("05.3")
def _first_layer_dX_saved(answer):
    saved = _backward([784, 128, 10], 1, input_grad=True).total
    saved -= _backward([784, 128, 10], 1, input_grad=False).total
    return compare_count(
        "05.3",
        answer,
        saved,
        too_low=(
            "dX = dZ @ W.T for layer 1 (N = 784, M = 128) is a full matrix product: "
            "B*N*M multiplications and B*N*(M-1) additions."
        ),
        too_high=(
            "only layer 1's dX is skipped, with B = 1: each of the 784 entries of dX is "
            "a sum of M = 128 products (127 additions)."
        ),
        what="operations saved",
    )
