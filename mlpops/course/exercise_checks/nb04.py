"""Checks for 04-activation-functions."""

import numpy as np

from ...counting import count
from ...nn import MLP
from ..exercises import compare_count, exercise


@exercise("04.1")
def _softmax_cost(answer):
    net = MLP([10, 10], activation="softmax")
    with count() as ops:
        net.forward(np.ones(10))
    return compare_count(
        "04.1",
        answer,
        ops.within("forward/layer1/activation").total,
        too_low=(
            "softmax is four steps over the M = 10 values: the largest z (M - 1 "
            "comparisons), z - max (M subtractions), exp (M), the sum of the exps "
            "(M - 1 additions), and M divisions."
        ),
        too_high="a sum or a max over M values takes M - 1 steps, not M.",
        what="operations",
    )


@exercise("04.2")
def _sigmoid_derivative_multiplies(answer):
    net = MLP([30, 30], activation="sigmoid")
    with count() as ops:
        net.forward(np.ones(30))
        net.backward(np.zeros(30))
    return compare_count(
        "04.2",
        answer,
        ops.within("backward/layer1/activation")["mul"],
        too_low="two products per neuron: a * (1 - a), then that times da.",
        too_high="a = f(z) is already known from the forward pass: no exp is re-computed.",
        what="multiplications",
    )


@exercise("04.3")
def _relu_saving(answer):
    totals = {}
    for f in ("sigmoid", "relu"):
        net = MLP([30, 30, 30], activation=f)
        with count() as ops:
            net.forward(np.ones(30))
        totals[f] = ops.total
    return compare_count(
        "04.3",
        answer,
        totals["sigmoid"] - totals["relu"],
        too_low=(
            "per neuron sigmoid costs 4 operations (a negation, an exp, an addition, a "
            "division), ReLU 1 comparison; and there are 60 neurons."
        ),
        too_high="the weighted sums are the same in both networks: only f changes.",
        what="fewer operations",
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
