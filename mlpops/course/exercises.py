"""Self-checks for the notebooks' exercises: live-counted answers and helpful hints.

A notebook cell ends with ``check("02.1", answer)``. The expected value is counted live
here (never typed in), and a wrong answer gets a hint, not just False. The checks of
each notebook are registered with ``@exercise`` in ``mlpops.exercise_checks``.
"""

from __future__ import annotations

import importlib
import numbers
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_REGISTRY: dict[str, Callable[[Any], Feedback]] = {}
#: The most recent Feedback (tests read it after running a folded solution).
last: Feedback | None = None


@dataclass
class Feedback:
    """The result of a check: ``ok`` and a message for the learner."""

    exercise: str
    ok: bool
    message: str
    expected: Any = field(default=None, repr=False)

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.ok else "#9a6700"
        return f"<p style='color:{color}'><b>{self.message}</b></p>"

    def __bool__(self) -> bool:
        return self.ok


def exercise(exercise_id: str) -> Callable:
    """Register ``fn(answer) -> Feedback`` as the check of exercise ``exercise_id``."""

    def register(fn: Callable[[Any], Feedback]) -> Callable[[Any], Feedback]:
        if exercise_id in _REGISTRY:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        _REGISTRY[exercise_id] = fn
        return fn

    return register


def _load() -> None:
    from . import exercise_checks

    for mod in pkgutil.iter_modules(exercise_checks.__path__):
        importlib.import_module(f"{exercise_checks.__name__}.{mod.name}")


def registered() -> list[str]:
    """The ids of every exercise that has a check."""
    _load()
    return sorted(_REGISTRY)


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check a learner's answer to exercise ``exercise_id``; returns Feedback."""
    global last
    _load()
    if exercise_id not in _REGISTRY:
        raise KeyError(f"no exercise {exercise_id!r}; exercises: {', '.join(sorted(_REGISTRY))}")
    if answer is None or answer is Ellipsis:
        result = Feedback(
            exercise_id, False, f"Exercise {exercise_id}: no answer yet. Replace ... with yours."
        )
    else:
        result = _REGISTRY[exercise_id](answer)
    last = result
    return result


def compare_count(
    exercise_id: str,
    answer: Any,
    expected: int,
    too_low: str = "",
    too_high: str = "",
    what: str = "operations",
) -> Feedback:
    """Feedback for a whole-number answer against a live count, with a hint each way."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return Feedback(
            exercise_id, False, f"Exercise {exercise_id}: give a number, not {answer!r}.", expected
        )
    if answer == expected:
        return Feedback(
            exercise_id, True, f"Exercise {exercise_id}: correct, {expected:,} {what}.", expected
        )
    if answer < expected:
        gap = f"too low by {expected - answer:,}"
        hint = too_low
    else:
        gap = f"too high by {answer - expected:,}"
        hint = too_high
    msg = f"Exercise {exercise_id}: not yet, {gap}."
    if hint:
        msg += f" Hint: {hint}"
    return Feedback(exercise_id, False, msg, expected)
