"""Checks for 04-activation-functions."""

import numpy as np

from ...counting import count
from ...nn import MLP
from ..exercises import exercise
from ._counted import count_exercise, draw_network, draw_sizes, forward_counts, sizes_exercise


def _softmax(M: int) -> int:
    """The live count of softmax over M values, one example."""
    return forward_counts([1, M], activation="softmax").within("forward/layer1/activation").total


sizes_exercise(
    "04.1",
    _softmax,
    draw_sizes(1, 2, 300),
    "operations (the max, the subtractions, the exps, the sum, the divisions)",
    mistakes=[
        (lambda M: 5 * M, "a sum or a max over M values takes M - 1 steps, not M."),
        (lambda M: 3 * M, "softmax also takes the max and the sum of the layer: M - 1 each."),
        (lambda M: 4 * M - 2, "z - max is M subtractions too."),
    ],
)


def _sigmoid_derivative_multiplies() -> int:
    net = MLP([30, 30], activation="sigmoid")
    with count() as ops:
        net.forward(np.ones(30))
        net.backward(np.zeros(30))
    return ops.within("backward/layer1/activation")["mul"]


count_exercise(
    "04.2",
    _sigmoid_derivative_multiplies,
    "multiplications",
    hints=(
        "two products per neuron: a * (1 - a), then that times da.",
        "a = f(z) is already known from the forward pass: no exp is re-computed.",
    ),
    mistakes=[(3 * 30, "1 - a is a subtraction (an add), not a multiplication.")],
)


def _relu_saving(sizes) -> int:
    sigmoid = forward_counts(sizes, activation="sigmoid").total
    return sigmoid - forward_counts(sizes, activation="relu").total


sizes_exercise(
    "04.3",
    _relu_saving,
    lambda rng: (draw_network(rng),),
    "fewer operations",
    mistakes=[
        (lambda s: 3 * sum(s), "the first width is the inputs: they pass through no f."),
        (lambda s: 4 * sum(s[1:]), "ReLU still costs 1 comparison per neuron."),
        (lambda s: 3 * s[-1], "every layer's neurons apply f, not only the last layer's."),
    ],
)


@exercise("04.4")
def _sigmoid_arithmetic_ns(answer):
    from ...formulas import activation_forward
    from ._predict import compare_function

    kinds = ("add", "div", "exp")

    def expected(num_neurons, add_ns, div_ns, exp_ns):
        counted = activation_forward("sigmoid", num_neurons=num_neurons)
        per_kind = {"add": add_ns, "div": div_ns, "exp": exp_ns}
        return sum(counted.get(kind, 0) * per_kind[kind] for kind in kinds)

    def draw(rng):
        return (int(rng.integers(1, 5000)), *(float(v) for v in rng.uniform(0.1, 20, 3)))

    return compare_function(
        "04.4",
        answer,
        expected,
        draw,
        "ns (sigmoid counts 2 additions per neuron: the negation -z and the 1 +)",
    )
