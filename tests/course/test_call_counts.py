import numpy as np
import pytest

import mlpops
from mlpops.course.call_counts import arithmetic_calls


@pytest.mark.parametrize("sizes", [[30, 30, 30], [5, 7, 3, 2], [4, 4, 4, 4, 4]])
def test_a_sigmoid_mlp_training_step_makes_sixteen_calls_a_layer_and_five_more(sizes):
    # per layer: forward 6 (X @ W, + b, -z, exp, 1 + ., 1 / .), backward 6 (f' is 1 - a,
    # two multiplies; dW, db, dX) less the first layer's dX, update 4 (lr * dW, W - ., and
    # the same for b); the mean squared error: 3 for its value, 3 for its gradient
    layers = len(sizes) - 1
    net = mlpops.MLP(sizes, activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    x, target = rng.normal(size=(2, sizes[0])), rng.uniform(size=(2, sizes[-1]))
    with mlpops.count(trace=True) as ops:
        net.train_step(x, target, lr=0.1)
    assert arithmetic_calls(ops) == 6 * layers + 6 + (6 * layers - 1) + 4 * layers


def test_one_call_with_several_kinds_of_operation_is_one_call_and_views_are_none():
    a = mlpops.track(np.arange(6.0).reshape(2, 3))
    with mlpops.count(trace=True) as ops:
        np.mean(a)  # adds and a division, one call
        a.T  # a view: no arithmetic
        np.multiply(a, 2.0)
        np.add(a, a)
    assert len(ops.trace) == 4
    assert arithmetic_calls(ops) == 3


def test_counting_calls_needs_a_trace():
    with mlpops.count() as ops:
        mlpops.track(np.ones(3)) * 2
    with pytest.raises(ValueError, match="trace=True"):
        arithmetic_calls(ops)
