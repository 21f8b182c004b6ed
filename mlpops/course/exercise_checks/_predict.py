"""Checks for predictions: a number within a tolerance, or a function tried on values the
learner cannot read off a cell (drawn at random at every check)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np

from ..exercises import Feedback


def compare_float(
    exercise_id: str,
    answer,
    expected: float,
    what: str,
    rel: float = 0.01,
    hints: dict[float, str] | None = None,
) -> Feedback:
    """Feedback for an answer within ``rel`` of ``expected``; ``hints`` maps a telling
    wrong ratio (answer / expected) to a hint."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return Feedback(exercise_id, False, f"Exercise {exercise_id}: give a number.", expected)
    if math.isclose(answer, expected, rel_tol=rel):
        return Feedback(
            exercise_id,
            True,
            f"Exercise {exercise_id}: correct, about {expected:.3g} {what}.",
            expected,
        )
    msg = f"Exercise {exercise_id}: not yet, {'too low' if answer < expected else 'too high'}."
    for ratio, hint in (hints or {}).items():
        if expected and math.isclose(answer / expected, ratio, rel_tol=0.05):
            return Feedback(exercise_id, False, f"{msg} Hint: {hint}", expected)
    return Feedback(exercise_id, False, msg, expected)


def compare_function(
    exercise_id: str,
    answer,
    expected: Callable[..., float],
    draw: Callable[[np.random.Generator], Sequence],
    what: str,
    rel: float = 1e-6,
    hints: dict[float, str] | None = None,
    trials: int = 5,
    mistakes: Sequence[tuple[Callable[..., float], str]] = (),
) -> Feedback:
    """Call the learner's function ``answer(*args)`` on ``trials`` argument tuples drawn
    at random by ``draw(rng)`` and compare each result with ``expected(*args)``.

    ``hints`` maps a telling wrong ratio (answer / expected) to a hint; ``mistakes`` pairs
    a typical wrong formula (called with the same arguments) with the hint it earns."""
    if not callable(answer):
        return Feedback(
            exercise_id,
            False,
            f"Exercise {exercise_id}: give a function (def ...), not {type(answer).__name__}.",
        )
    rng = np.random.default_rng()  # unseeded: values no cell shows
    for _ in range(trials):
        args = tuple(draw(rng))
        want = expected(*args)
        shown = ", ".join(f"{a:.4g}" if isinstance(a, float) else repr(a) for a in args)
        try:
            got = answer(*args)
        except Exception as err:  # the learner's code: report, never crash the check
            return Feedback(
                exercise_id,
                False,
                f"Exercise {exercise_id}: your function raised {type(err).__name__}: {err} "
                f"(called with {shown})",
            )
        if got is Ellipsis or got is None:
            return Feedback(
                exercise_id,
                False,
                f"Exercise {exercise_id}: no answer yet. Replace ... with yours.",
            )
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            return Feedback(
                exercise_id,
                False,
                f"Exercise {exercise_id}: your function returned {got!r}; return a number.",
            )
        if not math.isclose(got, want, rel_tol=rel):
            msg = (
                f"Exercise {exercise_id}: not yet: with ({shown}) it gave {got:.4g}, "
                f"expected {want:.4g} {what}."
            )
            msg += _hint(got, want, args, hints or {}, mistakes)
            return Feedback(exercise_id, False, msg, want)
    return Feedback(
        exercise_id,
        True,
        f"Exercise {exercise_id}: correct on {trials} sets of values drawn at random.",
    )


def _hint(got, want, args, hints, mistakes) -> str:
    """The hint for the first typical mistake that gives ``got``, or ''."""
    for wrong, hint in mistakes:
        if math.isclose(got, wrong(*args), rel_tol=1e-9):
            return f" Hint: {hint}"
    for ratio, hint in hints.items():
        if want and math.isclose(got / want, ratio, rel_tol=0.02):
            return f" Hint: {hint}"
    return ""
