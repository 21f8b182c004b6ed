"""Tables and charts of counts: per layer and phase, live beside the formula."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from .counting import MACS, Counts, _sort_kinds
from .formulas import Kinds

#: The phases of a training step, in the order they run (the first part of a scope path).
PHASES = ("forward", "backward", "update")


def sort_kinds(kinds: Iterable[str]) -> list[str]:
    """Kinds in the order every mlpops table shows them: mul, add, div, max, then the
    elementary functions, others by name, ``activations`` last."""
    return _sort_kinds(kinds)


class Scope(NamedTuple):
    """A scope path ``phase/unit/term`` taken apart (``""`` for a part that is absent)."""

    phase: str
    unit: str
    term: str

    @property
    def layer(self) -> int | None:
        """The layer's number for units ``layer1``, ``layer2`` ...; None for ``loss``."""
        digits = self.unit.removeprefix("layer")
        return int(digits) if self.unit.startswith("layer") and digits.isdigit() else None


def parse_scope(path: str) -> Scope:
    """``"backward/layer1/dW"`` -> ``Scope("backward", "layer1", "dW")``: the one place a
    scope path of the network's counts is split (``"backward/loss"`` has no term; parts
    past the third, from scopes a user opened inside, are left out)."""
    phase, unit, term, *_ = [*path.split("/"), "", ""]
    return Scope(phase, unit, term)


def breakdown(ops: Counts) -> dict[str, dict[str, Kinds]]:
    """Live counts arranged like ``formulas.mlp``: ``{"layer1": {"forward": {...}}}``.

    Reads scope paths ``phase/unit/...`` (``forward/layer1/activation``, ``backward/loss``).
    """
    out: dict[str, dict[str, Kinds]] = {}
    for path, kinds in ops.by_scope().items():
        phase, unit, _ = parse_scope(path)
        if not unit:
            continue
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


def _unit_order(unit: str) -> tuple:
    digits = "".join(c for c in unit if c.isdigit())
    return (unit == "loss", unit.rstrip("0123456789"), int(digits) if digits else 0)


def _in_order(d: dict, order: tuple) -> dict:
    return {k: d[k] for k in sorted(d, key=lambda k: order.index(k) if k in order else len(order))}
