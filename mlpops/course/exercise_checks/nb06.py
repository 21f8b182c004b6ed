"""Checks for 06-the-backward-pass: the learner's backward pass of one layer, and the
counts of a backward pass as functions of the sizes, tried on sizes drawn at random."""

import numpy as np

from ...counting import count
from ...nn import MLP, Dense, get_activation
from ...tracked import track
from ..backward_views import (
    compare_with_the_network,
    count_layer_backward,
    finite_differences,
    layer,
)
from ..exercises import Feedback, exercise
from ._predict import compare_function

_NO_ANSWER = "Exercise 06.1: no answer yet. Replace ... with yours."


def _gradient_hint(name: str, got, want) -> str:
    """What a wrong dW, db or dX most likely forgot, from its shape and values."""
    if got.shape != want.shape:
        return {
            "dW": f"dW has W's shape {want.shape}: X.T @ dZ, not dZ.T @ X or X @ dZ.",
            "db": f"db has b's shape {want.shape}: sum dZ over the batch, dZ.sum(axis=0).",
            "dX": f"dX has X's shape {want.shape}: dZ @ W.T.",
        }[name] + f" Yours has shape {got.shape}."
    if got.ndim == 2 and got.shape == want.T.shape and np.allclose(got, want.T):
        return f"{name} is transposed: check the order of the matrix product."
    return (
        f"{name} has the right shape but not the right values: is dZ = dA * A * (1 - A), "
        "the chain rule through f (sigmoid's f'(Z) is A (1 - A))?"
    )


@exercise("06.1")
def _backward_pass(answer):
    if not callable(answer):
        return Feedback("06.1", False, "Exercise 06.1: give your function, dense_backward.")
    rng = np.random.default_rng()  # unseeded: layers no cell shows
    for _ in range(3):
        N, M, B = (int(v) for v in rng.integers(1, 7, size=3))
        L = layer(N, M, B, seed=int(rng.integers(1 << 30)))
        try:
            got = answer(L["dA"], L["X"], L["W"], L["A"])
        except Exception as err:  # the learner's code: report it, never crash
            return Feedback("06.1", False, f"Exercise 06.1: your function raised {err!r}.")
        if got is None or got is Ellipsis or any(g is Ellipsis for g in got):
            return Feedback("06.1", False, _NO_ANSWER)
        if len(got) != 3:
            return Feedback("06.1", False, "Exercise 06.1: return three arrays: dW, db, dX.")
        dense = Dense(L["W"], L["b"], get_activation("sigmoid"), "layer")
        dense.forward(L["X"])
        dX = dense.backward(L["dA"], need_dX=True)
        wanted = {"dW": dense.dW, "db": dense.db, "dX": dX}
        slopes = dict(zip(("dW", "db", "dX"), finite_differences(L)))
        for name, g in zip(wanted, got):
            g = np.asarray(g, dtype=float)
            same = g.shape == wanted[name].shape and np.allclose(g, wanted[name])
            if not (same and np.allclose(g, slopes[name], atol=1e-5)):
                hint = _gradient_hint(name, g, wanted[name])
                return Feedback("06.1", False, f"Exercise 06.1: not yet. Hint: {hint}")
    sizes = [int(v) for v in rng.integers(1, 7, size=3)]
    off = {k: v for k, v in compare_with_the_network(answer, sizes).items() if not v < 1e-9}
    if off:
        return Feedback(
            "06.1",
            False,
            f"Exercise 06.1: right on one layer, but run down MLP({sizes}) it gives other "
            f"gradients than net.gradients() ({', '.join(off)}): return dX as the dA of the "
            "layer below.",
        )
    ops = count_layer_backward(answer, N, M, B)
    return Feedback(
        "06.1",
        True,
        f"Exercise 06.1: correct on 3 layers drawn at random: equal to finite differences, "
        f"to mlpops' Dense.backward and, down a network, to net.gradients(). On the last (N = {N}, M = {M}, B = {B}) your "
        f"function took {ops['mul']:,} mul and {ops['add']:,} add.",
    )


def _hinted(exercise_id, answer, expected, draw, what, mistakes):
    """compare_function, then a hint when the wrong answer equals a typical mistake's
    formula on the values it was tried on (``mistakes``: hint -> wrong formula)."""
    tried = []

    def remember(rng):
        tried.append(tuple(draw(rng)))
        return tried[-1]

    feedback = compare_function(exercise_id, answer, expected, remember, what)
    if feedback.ok or not tried or "not yet" not in feedback.message:
        return feedback
    got = answer(*tried[-1])
    for hint, wrong in mistakes.items():
        if got == wrong(*tried[-1]):
            feedback.message += f" Hint: {hint}"
            return feedback
    feedback.message += " Hint: add dW, db and dX term by term, each from its equation."
    return feedback


def _layer_counted(N: int, M: int, B: int) -> int:
    """dW, db and dX of a layer that is not the first, from its dZ, counted live."""
    rng = np.random.default_rng(0)
    dense = Dense(rng.normal(size=(N, M)), np.zeros(M), get_activation("identity"), "layer")
    dense.forward(track(rng.normal(size=(B, N))))
    with count() as ops:
        dense.backward(None, need_dX=True, dZ=track(rng.normal(size=(B, M))))
    return ops.total


def _draw_layer(rng):
    return [int(v) for v in rng.integers(2, 40, size=3)]


_MACS = "that counts one operation per multiply-add (MACs); count the additions as well."
_FORGOT_DB = "db = dZ summed over the batch also costs additions: (B - 1) per neuron."


@exercise("06.2")
def _layer_backward(answer):
    return _hinted(
        "06.2",
        answer,
        _layer_counted,
        _draw_layer,
        "operations",
        {
            _MACS: lambda N, M, B: 2 * N * M * B,
            _FORGOT_DB: lambda N, M, B: _layer_counted(N, M, B) - (B - 1) * M,
            "a sum of k numbers takes k - 1 additions: B - 1 for each entry of dW, M - 1 "
            "for each entry of dX.": lambda N, M, B: 4 * N * M * B + B * M,
            "this layer is not the first: it computes dX = dZ @ W.T too.": lambda N, M, B: (
                2 * N * M * B - N * M + (B - 1) * M
            ),
        },
    )


def _network_counted(sizes, B: int) -> int:
    """The layers' backward pass of a sigmoid MLP (mse) on a batch of B, counted live."""
    net = MLP(sizes, activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    with count() as ops:
        net.forward(rng.normal(size=(B, sizes[0])))
        net.backward(rng.uniform(size=(B, sizes[-1])))
    return sum(ops.within(f"backward/layer{k}").total for k in range(1, len(sizes)))


def _draw_network(rng):
    sizes = [int(v) for v in rng.integers(2, 30, size=int(rng.integers(3, 6)))]
    return sizes, int(rng.integers(2, 17))


def _first_dX(sizes, B):
    return B * sizes[0] * sizes[1] + B * sizes[0] * (sizes[1] - 1)


@exercise("06.3")
def _network_backward(answer):
    return _hinted(
        "06.3",
        answer,
        _network_counted,
        _draw_network,
        "operations",
        {
            "the first layer skips dX: nothing updates the data.": lambda s, B: (
                _network_counted(s, B) + _first_dX(s, B)
            ),
            "each layer also has dZ = dA * A * (1 - A): 2 mul and 1 add per value of A.": (
                lambda s, B: _network_counted(s, B) - 3 * B * sum(s[1:])
            ),
            _FORGOT_DB: lambda s, B: _network_counted(s, B) - (B - 1) * sum(s[1:]),
        },
    )
