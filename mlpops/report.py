"""Tables and charts of counts: per layer and phase, live beside the formula."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from .counting import Counts, _sort_kinds
from .formulas import Kinds

#: The phases of a training step, in the order they run (nn.MLP opens one scope for each):
#: ``forward`` the layers, input to output (what inference counts); ``loss`` the loss's
#: value and its gradient (dL/dA, or dL/dZ for a fused softmax cross-entropy);
#: ``backward`` the layers' gradients; ``update`` the SGD step.
PHASES = ("forward", "loss", "backward", "update")


def sort_kinds(kinds: Iterable[str]) -> list[str]:
    """Kinds in the order every mlpops table shows them: mul, add, div, max, then the
    elementary functions, others by name, ``activations`` last."""
    return _sort_kinds(kinds)


class ScopePath(NamedTuple):
    """A scope path read the network's way: ``epoch1/backward/layer2/dW`` is the user's
    ``epoch1``, phase ``backward``, unit ``layer2``, term ``dW``. The loss phase has one
    unit, the loss: ``loss/gradient`` is phase ``loss``, unit ``loss``, term ``gradient``."""

    prefix: str  # the user's own scopes around the network's call ("" when none)
    phase: str  # forward, loss, backward or update
    unit: str  # layer1, layer2, ..., loss ("" when counted in the phase itself)
    term: str  # weighted-sum, activation, dW, db, dX, W, b, value, gradient ... ("" if none)

    @property
    def layer(self) -> int | None:
        """The layer's number for units ``layer1``, ``layer2`` ...; None for ``loss``."""
        digits = self.unit.removeprefix("layer")
        return int(digits) if self.unit.startswith("layer") and digits.isdigit() else None


def parse_scope(path: str) -> ScopePath | None:
    """The parts of a scope path, or None when it lies outside every phase.

    The phase is the innermost part named like one: the network opens its phase scope
    inside whatever scopes the user opened around it (even one the user called
    ``forward``), and nothing the network opens below a phase is named like one.
    """
    parts = path.split("/") if path else []
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in PHASES:
            rest = parts[i + 1 :]
            if parts[i] == "loss":  # the loss phase's one unit is the loss itself
                return ScopePath("/".join(parts[:i]), "loss", "loss", "/".join(rest))
            return ScopePath(
                "/".join(parts[:i]), parts[i], rest[0] if rest else "", "/".join(rest[1:])
            )
    return None


def breakdown(ops: Counts) -> dict[str, dict[str, Kinds]]:
    """Live counts arranged like ``formulas.mlp``: ``{"layer1": {"forward": {...}}}``.

    Reads each scope path with ``parse_scope``: ``forward/layer1/activation``,
    ``loss/gradient`` (unit ``loss``, phase ``loss``), or the same under the user's own scopes (``epoch1/forward/...``:
    the same unit and phase under several user scopes add up). Operations outside the
    network's phases and units have no cell here: read them with ``ops.by_scope()``.
    """
    out: dict[str, dict[str, Kinds]] = {}
    for path, kinds in ops.by_scope().items():
        where = parse_scope(path)
        if where is None or not where.unit:
            continue
        cell = out.setdefault(where.unit, {}).setdefault(where.phase, {})
        for k, n in kinds.items():  # (by_scope leaves macs out: they are not operations)
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
