"""The lesson's dense_backward (four lines, nothing counted by name) is what Dense.backward
computes and counts, term by term."""

import numpy as np
import pytest

from mlpops import count, formulas, track
from mlpops.nn import ACTIVATION_FUNCTIONS, Dense, dense_backward


def layer_and_data(activation, N=5, M=4, B=3, seed=0):
    rng = np.random.default_rng(seed)
    layer = Dense(
        rng.normal(size=(N, M)), rng.normal(size=M), ACTIVATION_FUNCTIONS[activation], "l"
    )
    X, dA = rng.normal(size=(B, N)), rng.normal(size=(B, M))
    return layer, X, dA


@pytest.mark.parametrize("activation", sorted(ACTIVATION_FUNCTIONS))
@pytest.mark.parametrize("batch", [1, 3])
def test_dense_backward_gives_the_gradients_and_counts_of_Dense_backward(activation, batch):
    layer, X, dA = layer_and_data(activation, B=batch)
    layer.forward(X)
    with count() as counted_by_layer:
        dX = layer.backward(track(dA), need_dX=True)
    with count() as counted_plain:
        dW, db, dX_plain = dense_backward(
            track(dA), track(X), track(layer.W), track(layer.Z), track(layer.A), layer.f
        )
    for got, want in [(dW, layer.dW), (db, layer.db), (dX_plain, dX)]:
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    assert dict(counted_plain) == dict(counted_by_layer)
    assert dict(counted_plain) == formulas.dense_backward(5, 4, batch, activation)
    assert {"dW", "db", "dX"} <= set(counted_by_layer.scopes()) <= {"activation", "dW", "db", "dX"}
