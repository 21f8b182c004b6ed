"""mlpops: count, live, every arithmetic operation a neural network performs.

import mlpops
net = mlpops.MLP([30, 30, 30], activation="sigmoid", seed=0)
with mlpops.count() as ops:
    net.forward(x)
ops["mul"], ops["add"], ops.total, ops.by_scope()
"""

from . import conv, conventions, datasets, formulas
from .counting import Counts, TraceEntry, TraceLimitError, count, scope
from .nn import MLP, Dense, one_hot
from .report import breakdown
from .scalar import Scalar, scalars, values
from .tracked import Tracked, track, untrack

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "Counts",
    "Dense",
    "Scalar",
    "TraceEntry",
    "TraceLimitError",
    "Tracked",
    "breakdown",
    "conv",
    "conventions",
    "count",
    "datasets",
    "formulas",
    "one_hot",
    "scalars",
    "scope",
    "track",
    "untrack",
    "values",
]
