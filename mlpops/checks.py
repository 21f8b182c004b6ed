"""Argument checks shared by the network, the formulas and the command.

Each check either returns the value in its plain form or raises an error that names
what was wrong and what was expected. The network (``nn``) and the closed-form counts
(``formulas``) read their arguments here, so both refuse exactly the same things.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

#: The transfer functions f (nn.ACTIVATION_FUNCTIONS has one entry for each) and losses.
ACTIVATION_NAMES = ("identity", "relu", "sigmoid", "tanh", "softmax")
LOSSES = ("mse", "cross-entropy")


def choose(kind: str, value: Any, options: Sequence[str]) -> str:
    """``value`` if it is one of ``options``, else an error listing them (and the closest)."""
    if isinstance(value, str) and value in options:
        return value
    close = difflib.get_close_matches(str(value), options, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"unknown {kind} {value!r}{hint}; choose one of {', '.join(options)}")


def whole(name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int >= minimum; floats, bools and strings are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} is a whole number >= {minimum}; got {value!r}")
    return int(value)


def check_sizes(sizes: Any) -> list[int]:
    """Layer sizes as a list of whole numbers >= 1 (inputs first), or a clear error.

    A list, a tuple or a 1-D integer numpy array: ``[30, 30, 30]``, ``np.array([3, 2])``.
    """
    if isinstance(sizes, np.ndarray) and sizes.ndim == 1:
        sizes = sizes.tolist()  # numpy ints become ints; floats stay floats and are refused
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes is a list of layer widths such as [30, 30, 30]; got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(
            f"sizes needs at least two widths (inputs, then each layer's neurons); got {sizes!r}"
        )
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(
                f"layer widths are whole numbers >= 1; got {n!r} at position {i} of {list(sizes)}"
            )
    return [int(n) for n in sizes]


def check_batch(batch: Any) -> int:
    """The number of examples in a batch: a whole number >= 1."""
    return whole("batch (the number of examples)", batch)


def network_options(activation: Any, output_activation: Any, loss: Any) -> tuple[str, str, str]:
    """(f of the hidden layers, f of the last layer, loss), each checked.

    ``output_activation=None`` means the same as ``activation``, or softmax with the
    cross-entropy loss; the cross-entropy loss here is softmax cross-entropy, so any
    other last f is refused.
    """
    loss = choose("loss", loss, LOSSES)
    hidden = choose("activation", activation, ACTIVATION_NAMES)
    if output_activation is None:
        out = "softmax" if loss == "cross-entropy" else hidden
    else:
        out = choose("output activation", output_activation, ACTIVATION_NAMES)
    if loss == "cross-entropy" and out != "softmax":
        raise ValueError(
            "the cross-entropy loss here is softmax cross-entropy: use "
            f"output_activation='softmax' (got {out!r})"
        )
    return hidden, out, loss


def finite_number(name: str, value: Any, what: str) -> float:
    """``value`` as a float that is a real, finite number (a 0-d real array counts too)."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} ({what}) is a number; got {value!r:.60}")
    if not math.isfinite(value):
        raise ValueError(f"{name} ({what}) must be a finite number; got {value!r}")
    return float(value)
