"""Checks for 03-stacking-layers."""

from collections.abc import Callable

import numpy as np

from ..exercises import Feedback, exercise
from ._counted import count_exercise, draw_network, forward_counts


def _forward_multiplies(sizes) -> int:
    return forward_counts(sizes)["mul"]


count_exercise(
    "03.1",
    lambda: _forward_multiplies([64, 32, 10]),
    "multiplications",
    hints=(
        "add up every weight layer: 64 -> 32, then 32 -> 10.",
        "[64, 32, 10] has two weight layers: the 64 are inputs, not neurons.",
    ),
    mistakes=[(64 * 32 * 10, "add up the layers' products: do not multiply all the widths.")],
)


#: Architectures a learner's formula is tried on, most telling first.
_TRIALS = ([30, 30, 30], [30, 30], [4, 3], [10, 20, 5], [64, 32, 10], [2, 8, 8, 8, 1], [7])


@exercise("03.2")
def _formula(answer):
    if not isinstance(answer, Callable):
        return Feedback(
            "03.2", False, "Exercise 03.2: give a function, e.g. def forward_multiplies(sizes): ..."
        )
    rng = np.random.default_rng()  # unseeded: networks no cell shows
    for sizes in (*_TRIALS, *(draw_network(rng) for _ in range(5))):
        expected = _forward_multiplies(sizes) if len(sizes) > 1 else 0
        try:
            got = answer(list(sizes))
        except Exception as err:  # a learner's bug: say where, not crash the check
            return Feedback(
                "03.2", False, f"Exercise 03.2: your function raised {err!r} on {sizes}.", expected
            )
        if got != expected:
            hint = (
                "Hint: a network [n0] has no weight layer at all: the sum is empty, 0."
                if len(sizes) == 1
                else "Hint: sum n[l-1] * n[l] over consecutive pairs, e.g. zip(sizes, sizes[1:])."
            )
            return Feedback(
                "03.2",
                False,
                f"Exercise 03.2: not yet: for {sizes} it gives {got!r}, mlpops counts "
                f"{expected:,}. {hint}",
                expected,
            )
    return Feedback(
        "03.2", True, f"Exercise 03.2: correct on all {len(_TRIALS) + 5} architectures tried.", None
    )


@exercise("03.3")
def _width_ratio(answer):
    expected = _forward_multiplies([10, 60, 60, 10]) / _forward_multiplies([10, 30, 30, 10])
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.number)):
        return Feedback("03.3", False, f"Exercise 03.3: give a number, not {answer!r}.", expected)
    if abs(answer - expected) < 1e-9:
        return Feedback("03.3", True, f"Exercise 03.3: correct, {expected:g} times as many.")
    hint = (
        "only the middle layer (30 x 30 -> 60 x 60) grows four-fold; the first and last "
        "layers have one side fixed at 10, so they only double."
        if answer > expected
        else "doubling both sides of a weight matrix multiplies its weights by four."
    )
    return Feedback(
        "03.3",
        False,
        f"Exercise 03.3: not yet ({answer:g} is too {'high' if answer > expected else 'low'}). "
        f"Hint: {hint}",
        expected,
    )
