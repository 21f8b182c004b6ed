"""How big a network is, and whether one training step of it can run live here.

One home for these facts, used by ``nn.MLP``, the ``mlpops`` command and the course's
explorers alike: the parameter count, the memory a live training step needs, and the one
"too large to run live" rule. Sizes are Python integers and all the arithmetic here is
exact, so a width of 10**300 gets the same clear message as a width of 10**6.

The rule: a step runs live when its memory fits ``LIVE_MEMORY_LIMIT`` (every caller) and,
when the caller passes the step's operation count (the command and the explorers, which
run on a reader's behalf and must answer in a moment), when it does at most
``LIVE_OPS_LIMIT`` operations (``SCALAR_OPS_LIMIT`` on the scalar engine).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: Bytes of one number (float64).
BYTES_PER_NUMBER = 8
#: Running live keeps W, dW, a temporary and the new W (about 4 float64 copies of the
#: parameters) plus 4 of the activations (Z, A and their gradients): past this limit,
#: refuse with a clear message instead of eating the machine. 1 GiB leaves room for the
#: kernel and the notebook inside a Binder session's 2 GB.
LIVE_MEMORY_LIMIT = 1024**3
#: One step run live for a reader (the command, an explorer) answers in about a second.
LIVE_OPS_LIMIT = 500_000_000
#: A Scalar is a Python object (~64 bytes with its pointer) and one call per operation.
SCALAR_PARAMETER_LIMIT = 200_000
#: The scalar engine makes one Python call per operation: keep a run to seconds.
SCALAR_OPS_LIMIT = 3_000_000

_GIB = 1024**3


def num_parameters(sizes: Sequence[int]) -> int:
    """Weights and biases of a multilayer perceptron: N·M + M per layer."""
    return sum(n * m + m for n, m in zip(sizes[:-1], sizes[1:]))


def live_memory(sizes: Sequence[int], batch: int = 1) -> int:
    """Bytes a live training step needs, roughly: 4 copies of the parameters and 4 of the
    activations of the batch (Z, A and their gradients), 8 bytes a number."""
    return BYTES_PER_NUMBER * (4 * num_parameters(sizes) + 4 * batch * sum(sizes))


def max_batch(sizes: Sequence[int]) -> int:
    """The largest batch whose training step fits under ``LIVE_MEMORY_LIMIT`` (0 if none):
    ``live_memory`` is linear in the batch."""
    per_example = live_memory(sizes, 1) - live_memory(sizes, 0)
    return max(0, (LIVE_MEMORY_LIMIT - live_memory(sizes, 0)) // per_example)


def gib_text(nbytes: int) -> str:
    """Bytes as GiB to one decimal ('596.1'), exactly for any size of integer (huge ones
    in powers of ten: '7.45e+290')."""
    tenths = (20 * int(nbytes) + _GIB) // (2 * _GIB)  # rounded to the nearest 0.1 GiB
    whole, tenth = divmod(tenths, 10)
    if whole < 10**12:
        return f"{whole:,}.{tenth}"
    exponent = int(math.log10(whole))  # no str(): Python refuses > 4,300-digit strings
    while whole // 10 ** (exponent - 2) >= 1000:  # log10 is a float: it may miss by one
        exponent += 1
    while whole // 10 ** (exponent - 2) < 100:
        exponent -= 1
    lead = whole // 10 ** (exponent - 2)
    return f"{lead // 100}.{lead % 100:02d}e+{exponent}"


def too_large(
    sizes: Sequence[int], batch: int = 1, engine: str = "array", ops: int | None = None
) -> str | None:
    """Why one training step of this network cannot run live here, or None when it can.

    The memory rule holds for both engines; the scalar engine also refuses more than
    ``SCALAR_PARAMETER_LIMIT`` parameters. ``ops``, the step's operation count, is given by
    callers that run on a reader's behalf: then more than ``LIVE_OPS_LIMIT`` operations
    (``SCALAR_OPS_LIMIT`` on the scalar engine, one Python call each) is too large too.
    """
    needed = live_memory(sizes, batch)
    if needed > LIVE_MEMORY_LIMIT:
        return (
            f"too large to run live: about {gib_text(needed)} GiB of weights, gradients "
            f"and activations (the limit here is {LIVE_MEMORY_LIMIT // _GIB} GiB)"
        )
    params = num_parameters(sizes)
    if engine == "scalar" and params > SCALAR_PARAMETER_LIMIT:
        return (
            f"too large for the scalar engine: {params:,} weights and biases, one Python "
            f"object each (the limit is {SCALAR_PARAMETER_LIMIT:,}); use the array engine"
        )
    if engine == "scalar" and ops is not None and ops > SCALAR_OPS_LIMIT:
        return (
            f"too large for the scalar engine: {ops:,} operations, one Python call "
            f"each (the limit is {SCALAR_OPS_LIMIT:,}); use the array engine"
        )
    if ops is not None and ops > LIVE_OPS_LIMIT:
        return (
            f"too large to run live: {ops:,} operations in one step (the limit here is "
            f"{LIVE_OPS_LIMIT:,}, about a second)"
        )
    return None
