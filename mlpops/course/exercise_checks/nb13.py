"""Checks for 13-a-transformer-block: a block's count as a function of its sizes."""

import math
from collections.abc import Callable

import numpy as np

from ...counting import count
from ...transformer import GPT, random_tokens
from ...transformer_formulas import WEIGHT_TERMS
from ..exercises import Feedback, compare_count, exercise


def _block_forward(T: int, D: int, H: int):
    """The live count of block1's forward pass, one sequence of T tokens (d_ff = 4 D)."""
    net = GPT(1, D, H, T, 5, seed=0)
    ids, _ = random_tokens(1, T, 5, seed=0)
    with count() as ops:
        net.forward(ids)
    return ops


@exercise("13.1")
def _weight_multiplies_per_token(answer):
    T, D = 3, 48
    ops = _block_forward(T, D, 4)
    expected = sum(ops.within(f"forward/block1/{t}")["mul"] for t in WEIGHT_TERMS) // T
    return compare_count(
        "13.1",
        answer,
        expected,
        too_low="four D x D projections (Q, K, V and the output) and two D x 4D layers in the "
        "MLP: each weight is multiplied once per token.",
        too_high="per token, each weight is used once: 4 D^2 for attention's projections, "
        "2 x D x 4D for the MLP; the biases are added, not multiplied.",
        what="multiplications per token",
    )


#: Sizes (T, D, H) the learner's function is tried on, the plain cases first.
_TRIALS = [(1, 4, 1), (2, 4, 2), (5, 8, 2), (8, 6, 3)] + [
    (int(t), int(h * d), int(h))
    for t, h, d in np.random.default_rng(12).integers((1, 1, 1), (13, 5, 7), size=(6, 3))
]


@exercise("13.2")
def _block_formula(answer):
    if not isinstance(answer, Callable):
        return Feedback(
            "13.2", False, "Exercise 13.2: give a function, e.g. def block_mul(T, D, H): ..."
        )
    for T, D, H in _TRIALS:
        expected = _block_forward(T, D, H).within("forward/block1")["mul"]
        try:
            got = answer(T, D, H)
        except Exception as err:  # a learner's bug: say where, not crash the check
            return Feedback(
                "13.2",
                False,
                f"Exercise 13.2: your function raised {err!r} on T={T}, D={D}, H={H}.",
                expected,
            )
        if got != expected:
            hint = (
                "go down the mul column of the per-token table of block1 in 'A whole model, "
                "counted live' (T = 64, D = 64, H = 4) and write each row for T tokens: the "
                "weights: 12 T D^2; QK^T and PV: T^2 D each; the scale: one mul per score, "
                "H T^2; LayerNorm: 3 T D twice; GELU: 6 per value of the 4D-wide layer."
            )
            return Feedback(
                "13.2",
                False,
                f"Exercise 13.2: not yet: for T={T}, D={D}, H={H} "
                f"it gives {got!r}, mlpops counts {expected:,}. Hint: {hint}",
                expected,
            )
    return Feedback("13.2", True, f"Exercise 13.2: correct on all {len(_TRIALS)} sizes tried.")


@exercise("13.3")
def _crossover(answer):
    D, H = 64, 4
    per_token = {}
    for T in (1, 2):  # per token, the weights' mul stay put and attention's grow by a step
        ops = _block_forward(T, D, H)
        attention = sum(
            ops.within(f"forward/block1/attention/{t}")["mul"] for t in ("scores", "weighted-sum")
        )
        weights = sum(ops.within(f"forward/block1/{t}")["mul"] for t in WEIGHT_TERMS)
        per_token[T] = (attention / T, weights / T)
    step = per_token[2][0] - per_token[1][0]  # attention's mul per token, per extra token
    expected = math.ceil(per_token[1][1] / step)
    return compare_count(
        "13.3",
        answer,
        expected,
        too_low="per token, attention makes T D products for QK^T, T D for PV and H T for "
        "the scale; the weights 12 D^2. Solve T (2 D + H) >= 12 D^2, rounding up.",
        too_high="the first T at which attention's multiplications per token reach the "
        "weights': T (2 D + H) >= 12 D^2, rounded up.",
        what="tokens",
    )
