"""mlpops: count, live, every arithmetic operation a neural network performs.

import mlpops
net = mlpops.MLP([30, 30, 30], activation="sigmoid", seed=0)
with mlpops.count() as ops:
    net.forward(x)
ops["mul"], ops["add"], ops.total, ops.by_scope()
"""

from . import conv, conventions, formulas, sizes
from .counting import Counts, TraceEntry, TraceLimitError, count, scope
from .nn import MLP, Dense, one_hot
from .report import breakdown
from .scalar import Scalar, values
from .tracked import Tracked, TrackedFloat, scalars, track, untrack

__version__ = "0.1.0"


def __getattr__(name: str):
    """``mlpops.datasets`` still works, loaded on first use: it lives in the course."""
    if name == "datasets":
        import importlib

        return importlib.import_module(".course.datasets", __name__)
    raise AttributeError(f"module 'mlpops' has no attribute {name!r}")


__all__ = [
    "MLP",
    "Counts",
    "Dense",
    "Scalar",
    "TraceEntry",
    "TraceLimitError",
    "Tracked",
    "TrackedFloat",
    "breakdown",
    "conv",
    "conventions",
    "count",
    "datasets",
    "formulas",
    "one_hot",
    "scalars",
    "scope",
    "sizes",
    "track",
    "untrack",
    "values",
]
