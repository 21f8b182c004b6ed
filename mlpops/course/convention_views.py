"""Tables for notebook 07 (counting conventions): one live count read three ways, term by
term (mlpops' count, the MACs, PyTorch's 2 x MACs rule), and conversions checked against
the live count."""

from __future__ import annotations

from collections.abc import Sequence

from ..counting import Counts
from ..report import parse_scope

#: A term of a training step, by (phase, term) of its scope, in the order a step runs.
#: The loss has two spellings: filed under forward/backward, or as its own phase.
TERM_LABELS = {
    ("forward", "weighted-sum"): "X W + b (forward)",
    ("forward", "activation"): "f (forward)",
    ("forward", "loss"): "the loss",
    ("loss", "value"): "the loss",
    ("backward", "loss"): "dA of the loss",
    ("loss", "gradient"): "dA of the loss",
    ("backward", "activation"): "dZ = dA * f'(Z)",
    ("backward", "dW"): "dW = X.T dZ",
    ("backward", "db"): "db = sum of dZ",
    ("backward", "dX"): "dX = dZ W.T",
    ("update", "W"): "W -= lr * dW",
    ("update", "b"): "b -= lr * db",
}
_ORDER = list(dict.fromkeys(TERM_LABELS.values()))


def _label(path: str) -> str:
    """The term a scope path belongs to, e.g. ``backward/layer2/dW`` -> ``dW = X.T dZ``."""
    parts = path.split("/")
    where = parse_scope(path)
    if where is not None:
        key = (where.phase, where.term or where.unit)
    elif parts[0] == "loss":  # the loss as a phase of its own: loss/value, loss/gradient
        key = ("loss", parts[1] if len(parts) > 1 else "value")
    else:
        return path
    return TERM_LABELS.get(key, "/".join(key))


def by_term(ops: Counts) -> dict[str, dict[str, int]]:
    """``{term: {"mlpops": n, "MACs": n, "PyTorch rule": n}}`` of a live count, every
    layer's share of a term added together (PyTorch's rule is 2 per MAC)."""
    parts: dict[str, Counts] = {}
    for path in ops.by_scope():
        label = _label(path)
        parts[label] = parts.get(label, Counts()) + ops.within(path)
    order = sorted(parts, key=lambda t: _ORDER.index(t) if t in _ORDER else len(_ORDER))
    return {
        t: {"mlpops": parts[t].total, "MACs": parts[t].macs, "PyTorch rule": 2 * parts[t].macs}
        for t in order
    }


def term_table(rows: dict[str, dict[str, int]], ops: Counts) -> str:
    """``by_term``'s rows as a table, with the whole count's total last."""
    lines = [f"{'term':<20} {'mlpops':>9} {'MACs':>9} {'PyTorch':>9}"]
    for label, r in rows.items():
        lines.append(f"{label:<20} {r['mlpops']:>9,} {r['MACs']:>9,} {r['PyTorch rule']:>9,}")
    lines.append(f"{'total':<20} {ops.total:>9,} {ops.macs:>9,} {2 * ops.macs:>9,}")
    return "\n".join(lines)


def tool_table(totals: dict) -> str:
    """What each tool prints for the network of ``conventions.measure(...).totals()``:
    fvcore and thop trace the forward pass only."""
    rows = [
        ("mlpops, every operation", "flops", True),
        ("fvcore FlopCountAnalysis", "macs", False),
        ("thop profile (MACs)", "macs", False),
        ("PyTorch FlopCounterMode", "pytorch_flop_counter", True),
    ]
    lines = [f"{'tool':<26} {'forward':>8} {'forward + loss + backward':>25}"]
    for name, key, sees_backward in rows:
        both = f"{totals[key]['forward_backward']:,}" if sees_backward else "not counted"
        lines.append(f"{name:<26} {totals[key]['forward']:>8,} {both:>25}")
    return "\n".join(lines)


def conversion_table(conversions: Sequence[tuple[str, int, int]]) -> str:
    """One line per (rule, converted number, live count), and whether the two are equal."""
    return "\n".join(
        f"{rule:<52} {converted:>9,}   live {counted:>9,}   equal: {converted == counted}"
        for rule, converted, counted in conversions
    )


def matmul_rule_line(what: str, m: int, k: int, n: int, counted: int) -> str:
    """A matrix product (m x k) @ (k x n): its live count beside PyTorch's 2*m*n*k."""
    rule = 2 * m * n * k
    return (
        f"{what:<26} ({m}x{k}) @ ({k}x{n}): counted {counted:>6,}, rule {rule:>6,}, "
        f"over by {rule - counted:,} = {m}x{n}, one per output"
    )
