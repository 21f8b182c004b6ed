"""Counts made here, outside the explorers: the reference their displayed numbers must equal."""

from __future__ import annotations

import numpy as np

import mlpops


def live_step(sizes, batch=1, activation="sigmoid") -> mlpops.Counts:
    """One training step of ``MLP(sizes)`` counted live, independently of the explorers."""
    net = mlpops.MLP(list(sizes), activation=activation, seed=0)
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1]))
    with mlpops.count() as ops:
        net.train_step(X, Y, lr=0.1)
    return ops
