"""How many numpy calls a piece of code makes, read from an mlpops trace: the course counts
calls to show that a tiny network's step is many small calls, each with a fixed cost.

A traced call logs one entry per kind of operation it does (``np.mean`` logs its adds and its
division), all with the same result array; entries that share a result are one call.
"""

from __future__ import annotations

from ..counting import Counts


def arithmetic_calls(ops: Counts) -> int:
    """The numpy calls that did arithmetic in a ``mlpops.count(trace=True)`` block (each
    counted once, however many kinds of operation it did). Calls that only make or view
    arrays (``np.zeros``, ``.T``, a reshape) do no arithmetic and are not in it."""
    calls, last = 0, None
    for entry in ops.trace:
        if entry.result is not last:
            calls += 1
        last = entry.result
    return calls
