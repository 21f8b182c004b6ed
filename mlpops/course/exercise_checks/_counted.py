"""What the checks of the early notebooks share: a live forward count, a check that
compares a number with one, and a check that tries a learner's function of the sizes on
sizes drawn at random (the pattern of exercise 03.2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ...counting import Counts, count
from ...nn import MLP
from ..exercises import compare_count, exercise
from ._predict import compare_function


def forward_counts(sizes: Sequence[int], batch: int = 1, activation: str = "sigmoid") -> Counts:
    """One forward pass of ``MLP(sizes)`` on ``batch`` examples, counted live."""
    net = MLP(list(sizes), activation=activation)
    with count() as ops:
        net.forward(np.ones((batch, sizes[0])))
    return ops


def draw_sizes(count_of: int, low: int = 1, high: int = 60) -> Callable:
    """A ``draw(rng)`` for ``compare_function``: ``count_of`` whole numbers in [low, high)."""
    return lambda rng: tuple(int(v) for v in rng.integers(low, high, count_of))


def draw_network(rng: np.random.Generator) -> list[int]:
    """One architecture drawn at random: 1 to 4 weight layers, widths 1 to 60."""
    return [int(n) for n in rng.integers(1, 61, int(rng.integers(2, 6)))]


def count_exercise(
    exercise_id: str,
    expected: Callable[[], int],
    what: str,
    hints: tuple[str, str],
    mistakes: Sequence[tuple[int, str]] = (),
):
    """Register a check of a number against ``expected()``, counted live at each check;
    ``hints`` is (too low, too high); ``mistakes`` pairs a typical wrong answer with the
    hint it earns instead."""

    @exercise(exercise_id)
    def _check(answer):
        hint = next((h for wrong, h in mistakes if answer == wrong), None)
        too_low, too_high = (hint, hint) if hint else hints
        return compare_count(exercise_id, answer, expected(), too_low, too_high, what)

    return _check


def sizes_exercise(
    exercise_id: str,
    expected: Callable[..., int],
    draw: Callable,
    what: str,
    mistakes: Sequence[tuple[Callable[..., float], str]] = (),
):
    """Register a check of a learner's function of the sizes: called on sizes drawn at
    random and compared with ``expected`` (a live count); a typical mistake earns its hint."""

    @exercise(exercise_id)
    def _check(answer):
        return compare_function(exercise_id, answer, expected, draw, what, mistakes=mistakes)

    return _check
