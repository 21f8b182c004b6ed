"""Checks for 07-a-training-step."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...counting import Counts, count
from ...nn import MLP, one_hot
from ..datasets import spirals
from ..exercises import Feedback, compare_count, exercise
from ._predict import compare_function


@exercise("07.1")
def _update_ops(answer):
    net = MLP([2, 16, 16, 3], activation="tanh", loss="cross-entropy", seed=0)
    X, y = spirals(100, 3, noise=0.2, seed=0)
    with count() as ops:
        net.train_step(X[:30], one_hot(y[:30], 3), lr=0.5)
    return compare_count(
        "07.1",
        answer,
        ops.within("update").total,
        too_low=(
            "every parameter, biases included, takes one multiplication (lr * gradient) "
            "and one subtraction: count the 16 + 16 + 3 biases too."
        ),
        too_high=(
            "the update does not depend on the batch: one multiplication and one "
            "subtraction per parameter, once per step."
        ),
        what="operations",
    )


# -- predictions: functions of the sizes (and the batch), tried on random shapes ------------
def _step(sizes: list[int], batch: int, input_grad: bool = False) -> Counts:
    """One training step of MLP(sizes) (sigmoid, mean squared error), counted live."""
    net = MLP(sizes, activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    x, target = rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1]))
    with count() as ops:
        net.train_step(x, target, lr=0.1, input_grad=input_grad)
    return ops


def _sizes(rng: np.random.Generator) -> list[int]:
    """Widths no cell shows: one to three weight layers, 1 to 40 wide."""
    return [int(n) for n in rng.integers(1, 41, size=int(rng.integers(2, 5)))]


#: The typical wrong answers, each as the live count it would equal: (name, hint).
_MISTAKES: dict[str, str] = {
    "no loss": (
        "the loss is a phase of its own: its value (3 operations per output for the "
        "mean squared error) and its gradient dA (3 more per output), on the last layer only."
    ),
    "no loss gradient": (
        "the loss phase has two parts: its value and its gradient dA, where the backward pass "
        "starts (a subtraction, a multiplication and a division per output)."
    ),
    "forward twice": (
        "the forward pass runs once per step: the backward pass reuses the Z and A it kept."
    ),
    "dX in layer 1": (
        "the first layer's dX = dZ W.T is skipped: nothing below it needs a gradient."
    ),
    "no update": "a step ends with the update: 2 operations per parameter, W and b.",
    "update per example": (
        "the update runs once per step, whatever the batch: 2 operations per parameter, not 2·B."
    ),
    "B additions": "dW and db sum B products each: B − 1 additions per entry, not B.",
}


def _mistaken(sizes: list[int], batch: int) -> dict[str, int]:
    """What each typical mistake gives, from the live counts of the step's parts."""
    ops = _step(sizes, batch)
    total, update = ops.total, ops.within("update").total
    layers = list(zip(sizes, sizes[1:]))
    return {
        "no loss": total - ops.within("loss").total,
        "no loss gradient": total - ops.within("loss/gradient").total,
        "forward twice": total + ops.within("forward").total,
        "dX in layer 1": _step(sizes, batch, input_grad=True).total,
        "no update": total - update,
        "update per example": total + (batch - 1) * update,
        "B additions": total + sum(n * m + m for n, m in layers),
    }


def _predicted_step(exercise_id: str, answer, with_batch: bool, names: tuple[str, ...]) -> Feedback:
    """Try the learner's function on random shapes; on a miss, name the mistake it makes."""

    def draw(rng):
        return (_sizes(rng), int(rng.integers(2, 17))) if with_batch else (_sizes(rng),)

    def live(sizes, batch=1):
        return _step(list(sizes), batch).total

    result = compare_function(exercise_id, answer, live, draw, "operations")
    if result.ok or not callable(answer):
        return result
    return _with_hint(result, answer, draw, names, with_batch)


def _with_hint(result: Feedback, answer: Callable, draw, names, with_batch: bool) -> Feedback:
    """Add the hint of the mistake the learner's function makes on two shapes, if one fits."""
    rng = np.random.default_rng(6)
    tries = [draw(rng) for _ in range(2)]
    try:
        got = [answer(*args) for args in tries]
    except Exception:  # the learner's code: compare_function has reported it already
        return result
    wrong = [_mistaken(args[0], args[1] if with_batch else 1) for args in tries]
    for name in names:
        if all(g == w[name] for g, w in zip(got, wrong)):
            return Feedback(result.exercise, False, f"{result.message} Hint: {_MISTAKES[name]}")
    return result


@exercise("07.2")
def _step_ops(answer):
    names = ("no loss", "no loss gradient", "forward twice", "dX in layer 1", "no update")
    return _predicted_step("07.2", answer, with_batch=False, names=names)


@exercise("07.3")
def _batch_step_ops(answer):
    names = ("update per example", "B additions", "no loss", "forward twice", "dX in layer 1")
    return _predicted_step("07.3", answer, with_batch=True, names=names)


@exercise("07.4")
def _saved_per_example(answer):
    def live(sizes, batch):
        return _step(sizes, 1).total - _step(sizes, batch).total / batch

    return compare_function(
        "07.4",
        answer,
        live,
        lambda rng: (_sizes(rng), int(rng.integers(2, 65))),
        "operations saved per example",
        hints={
            2.0: (
                "the update's 2P operations per step are shared by the B examples, but the "
                "backward pass grows: dW and db now sum B products per entry, P·(B − 1) more "
                "additions per step (P = the parameters), shared by the B examples too."
            ),
            0.0: (
                "a batch does save operations in a training step: the update runs once per "
                "step, so B examples share its 2P operations (P = the parameters)."
            ),
        },
    )
