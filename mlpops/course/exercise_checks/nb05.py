"""Checks for 05-derivatives-and-the-loss.

Each exercise asks for a function, tried on values drawn at random (sizes no cell shows,
weights no cell printed), against an independent reference: the live count of the same
numpy code, or a nudged (finite-difference) slope. A wrong function is matched against
the typical mistakes, each computed on the same values, to give the hint that fits.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

from ...counting import count
from ...nn import mse
from ...tracked import track
from ..exercises import Feedback, exercise

#: A typical mistake: what the learner computed instead, and the hint for it.
Mistake = tuple[Callable[..., float], str]


def _draw_rng() -> np.random.Generator:
    """Unseeded: values no cell shows (tests replace it with a seeded generator)."""
    return np.random.default_rng()


def _judge(exercise_id: str, answer, trials: list[tuple], truth, mistakes, what, rel) -> Feedback:
    """Run ``answer`` on each argument tuple; the first disagreement with ``truth`` is
    reported with the values used and the hint of the mistake it matches, if any."""
    if not callable(answer):
        return Feedback(
            exercise_id,
            False,
            f"Exercise {exercise_id}: give a function (def ...), not {type(answer).__name__}.",
        )
    for args in trials:
        shown = ", ".join(f"{v:.3g}" if isinstance(v, float) else str(v) for v in args)
        try:
            got = answer(*args)
        except Exception as err:  # the learner's code: say where, never crash
            return Feedback(
                exercise_id,
                False,
                f"Exercise {exercise_id}: your function raised {type(err).__name__}: {err} "
                f"(called with {shown}).",
            )
        if got is Ellipsis or got is None:
            return Feedback(
                exercise_id,
                False,
                f"Exercise {exercise_id}: no answer yet. Replace ... with yours.",
            )
        if isinstance(got, bool) or not isinstance(got, numbers.Real | np.number):
            return Feedback(
                exercise_id, False, f"Exercise {exercise_id}: return a number, not {got!r}."
            )
        want = truth(*args)
        if math.isclose(got, want, rel_tol=rel, abs_tol=rel * 1e-3):
            continue
        hints = [hint for wrong, hint in mistakes if math.isclose(got, wrong(*args), rel_tol=rel)]
        message = (
            f"Exercise {exercise_id}: not yet: with ({shown}) your function gives {got:.6g}, "
            f"the {what} is {want:.6g}."
        )
        return Feedback(exercise_id, False, message + (f" Hint: {hints[0]}" if hints else ""), want)
    return Feedback(
        exercise_id,
        True,
        f"Exercise {exercise_id}: correct on {len(trials)} sets of values drawn at random.",
    )


def _sizes(rng: np.random.Generator, trials: int = 5, low: int = 2, high: int = 30) -> list:
    """Sizes from low to high: at least 2, so that a forgotten factor always shows."""
    return [tuple(int(v) for v in rng.integers(low, high + 1, size=3)) for _ in range(trials)]


# -- 05.1: what the mean squared error costs ---------------------------------------------
def _loss_operations(batch: int, num_outputs: int) -> int:
    """The live count of the mean squared error over a batch (the network's own ``mse``)."""
    rng = np.random.default_rng(batch * 1000 + num_outputs)
    outputs = track(rng.uniform(size=(batch, num_outputs)))
    with count() as ops:
        mse(outputs, rng.uniform(size=(batch, num_outputs)))
    return ops.total


_LOSS_MISTAKES: list[Mistake] = [
    (lambda B, M: 3 * M, "that is one example; a batch of B examples has B * M outputs."),
    (
        lambda B, M: 3 * B * M - 1,
        "the mean ends with a division by the number of outputs: one more operation.",
    ),
    (lambda B, M: 3 * B * M + 1, "a sum of n terms takes n - 1 additions, not n."),
    (
        lambda B, M: 2 * B * M,
        "every output takes a subtraction (a - y) and a square (d * d, a multiplication).",
    ),
    (
        lambda B, M: 4 * B * M - 1,
        "the mean divides once, the sum by n, not each output by n.",
    ),
]


@exercise("05.1")
def _loss_cost(answer):
    trials = [(B, M) for B, M, _ in _sizes(_draw_rng())]
    return _judge("05.1", answer, trials, _loss_operations, _LOSS_MISTAKES, "live count", rel=1e-12)


# -- 05.2: dL/db through one neuron, by the chain rule -----------------------------------
def _neuron_loss(w: float, b: float, x: float, y: float) -> float:
    return float((1 / (1 + np.exp(-(w * x + b))) - y) ** 2)


def _nudged_dL_db(w: float, b: float, x: float, y: float, h: float = 1e-6) -> float:
    """The slope of the loss in b, by nudging b a little each way (no chain rule)."""
    return (_neuron_loss(w, b + h, x, y) - _neuron_loss(w, b - h, x, y)) / (2 * h)


def _sig(w, b, x):
    return 1 / (1 + math.exp(-(w * x + b)))


_CHAIN_MISTAKES: list[Mistake] = [
    (
        lambda w, b, x, y: 2 * (_sig(w, b, x) - y),
        "that is dL/da; multiply by da/dz = a(1 - a), the sigmoid's slope, and by dz/db.",
    ),
    (
        lambda w, b, x, y: 2 * (_sig(w, b, x) - y) * _sig(w, b, x) * (1 - _sig(w, b, x)) * x,
        "that is dL/dw: z = w x + b moves by x per unit of w, but by 1 per unit of b.",
    ),
    (
        lambda w, b, x, y: (_sig(w, b, x) - y) * _sig(w, b, x) * (1 - _sig(w, b, x)),
        "(a - y)² moves 2(a - y) per unit of a: the 2 is missing.",
    ),
    (
        lambda w, b, x, y: 2 * (y - _sig(w, b, x)) * _sig(w, b, x) * (1 - _sig(w, b, x)),
        "the sign: dL/da = 2(a - y), positive when a is above its target.",
    ),
    (
        lambda w, b, x, y: 2 * (_sig(w, b, x) - y) * (w * x + b) * (1 - (w * x + b)),
        "the sigmoid's slope is a(1 - a) with a = σ(z), the neuron's output, not z(1 - z).",
    ),
]


@exercise("05.2")
def _chain_rule(answer):
    rng = _draw_rng()
    trials = [
        (*(float(v) for v in rng.uniform(-2, 2, size=3)), float(rng.uniform(0, 1)))
        for _ in range(5)
    ]
    return _judge("05.2", answer, trials, _nudged_dL_db, _CHAIN_MISTAKES, "nudged slope", rel=1e-5)


# -- 05.3: the multiplications of dW = Xᵀ dZ ---------------------------------------------
def _dW_multiplies(batch: int, num_inputs: int, num_neurons: int) -> int:
    """The live count of dW = Xᵀ dZ for a layer of these sizes."""
    rng = np.random.default_rng(0)
    X = track(rng.normal(size=(batch, num_inputs)))
    dZ = rng.normal(size=(batch, num_neurons))
    with count() as ops:
        X.T @ dZ
    return ops["mul"]


_DW_MISTAKES: list[Mistake] = [
    (
        lambda B, N, M: N * M,
        "that is one example; dW[i, j] adds one product x[b, i] dz[b, j] for each of the "
        "B examples.",
    ),
    (
        lambda B, N, M: N * M * (B - 1),
        "those are the additions (a sum of B products takes B - 1); count the products.",
    ),
    (
        lambda B, N, M: 2 * N * M * B - N * M,
        "that counts the additions too; the question is the multiplications alone.",
    ),
    (
        lambda B, N, M: 2 * N * M * B,
        "that is two per product: a multiply and an add (FLOPs), or dW and dX together; "
        "count dW's multiplications alone.",
    ),
    (lambda B, N, M: B * M, "dW has N × M entries, each a sum of B products."),
    (lambda B, N, M: B * N, "dW has N × M entries, each a sum of B products."),
]


@exercise("05.3")
def _dW_cost(answer):
    trials = _sizes(_draw_rng())
    return _judge("05.3", answer, trials, _dW_multiplies, _DW_MISTAKES, "live count", rel=1e-12)
