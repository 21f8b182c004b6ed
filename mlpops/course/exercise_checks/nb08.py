"""Checks for 08-counting-conventions."""

import numpy as np

from ...conventions import measure
from ...nn import MLP
from ._counted import count_exercise, draw_sizes, sizes_exercise


def _totals(sizes, batch: int) -> dict:
    """Every convention's totals for one training step of MLP(sizes), counted live."""
    net = MLP(sizes, activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1]))
    return measure(net, X, T).totals()


count_exercise(
    "08.1",
    lambda: _totals([784, 128, 10], 1)["macs"]["forward"],
    "MACs",
    hints=(
        "one multiply-accumulate per weight: 784 x 128 for layer 1, and layer 2 too.",
        "MACs count only the products of the matrix products: no bias, no sigmoid, "
        "and one MAC is a multiply and its add together.",
    ),
    mistakes=[
        (2 * (784 * 128 + 128 * 10), "that is PyTorch's rule, 2 per MAC: MACs for FLOPs."),
        (784 * 128 + 128 * 10 + 128 + 10, "MACs leave out the bias additions."),
    ],
)

sizes_exercise(
    "08.2",
    lambda B, N, H, M: _totals([N, H, M], B)["pytorch_flop_counter"]["forward_backward"],
    draw_sizes(4, 1, 40),
    "FLOPs by PyTorch's rule",
    mistakes=[
        (lambda B, N, H, M: B * (N * H + H * M) * 3 - B * N * H, "2*m*n*k: two per MAC."),
        (lambda B, N, H, M: 6 * B * (N * H + H * M), "autograd skips layer 1's dX."),
    ],
)


def _left_out(B, N, H, M) -> int:
    totals = _totals([N, H, M], B)
    return totals["flops"]["forward"] - totals["pytorch_flop_counter"]["forward"]


sizes_exercise(
    "08.3",
    _left_out,
    draw_sizes(4, 1, 40),
    "operations left out (the sigmoids')",
    mistakes=[
        (lambda B, N, H, M: 4 * (H + M), "every example of the batch has its own sigmoids."),
        (lambda B, N, H, M: 4 * B * (N + H + M), "the N inputs pass through no sigmoid."),
        (lambda B, N, H, M: 5 * B * (H + M), "the bias adds are in 2*m*n*k: not left out."),
        (lambda B, N, H, M: B * (H + M), "count sigmoid's own operations: 4 per neuron."),
    ],
)
