"""Tables and charts of counts: per layer and phase, live beside the formula."""

from __future__ import annotations

from .counting import MACS, Counts
from .formulas import Kinds


def breakdown(ops: Counts) -> dict[str, dict[str, Kinds]]:
    """Live counts arranged like ``formulas.mlp``: ``{"layer1": {"forward": {...}}}``.

    Reads scope paths ``phase/unit/...`` (``forward/layer1/activation``, ``backward/loss``).
    """
    out: dict[str, dict[str, Kinds]] = {}
    for path, kinds in ops.by_scope().items():
        parts = path.split("/")
        if len(parts) < 2:
            continue
        phase, unit = parts[0], parts[1]
        cell = out.setdefault(unit, {}).setdefault(phase, {})
        for k, n in kinds.items():
            if k != MACS:
                cell[k] = cell.get(k, 0) + n
    return out
