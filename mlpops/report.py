"""Tables and charts of counts: per layer and phase, live beside the formula."""

from __future__ import annotations

from .counting import MACS, Counts, _sort_kinds
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
    return {
        unit: {
            p: {k: kinds[k] for k in _sort_kinds(kinds)}
            for p, kinds in _in_order(out[unit], PHASES).items()
        }
        for unit in sorted(out, key=_unit_order)
    }


PHASES = ("forward", "backward", "update")


def _unit_order(unit: str) -> tuple:
    digits = "".join(c for c in unit if c.isdigit())
    return (unit == "loss", unit.rstrip("0123456789"), int(digits) if digits else 0)


def _in_order(d: dict, order: tuple) -> dict:
    return {k: d[k] for k in sorted(d, key=lambda k: order.index(k) if k in order else len(order))}
