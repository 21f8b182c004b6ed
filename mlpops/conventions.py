"""How other tools count the same arithmetic: FLOPs, MACs, PyTorch's FlopCounterMode.

All three numbers come from one live count (``measure``): the mlpops total, the
multiply-accumulates of the matrix products, and twice those (PyTorch's rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .counting import MACS, Counts, count
from .formulas import total

#: name -> (what it counts, what it leaves out): one line each, shown beside the numbers.
CONVENTIONS: dict[str, tuple[str, str]] = {
    "flops": (
        "every scalar operation that runs (mlpops): multiplies, adds (bias included), "
        "divisions, exp/tanh/..., comparisons",
        "nothing",
    ),
    "macs": (
        "one per multiply-accumulate inside a matrix product (fvcore, thop; often "
        "mislabelled FLOPs)",
        "the bias additions, the loss, the update, and the activation functions that the "
        "tool has no rule for (fvcore: all of them; thop: version-dependent, it has rules for "
        "ReLU, Softmax, BatchNorm and pooling, none for Sigmoid)",
    ),
    "pytorch_flop_counter": (
        "torch.utils.flop_counter.FlopCounterMode: 2*m*n*k per matrix product executed "
        "(mm, addmm, bmm), forward and the ones autograd runs backward",
        "the bias additions (even inside addmm), activations, the loss, elementwise ops; "
        "and layer 1's dX, which autograd skips",
    ),
}


def from_counts(ops: Counts | Mapping[str, int]) -> dict[str, int]:
    """The three conventions' totals for the operations in one Counts, or in a dict of
    counts by kind that holds its multiply-accumulates under ``"macs"``."""
    if isinstance(ops, Counts):
        return {"flops": ops.total, "macs": ops.macs, "pytorch_flop_counter": 2 * ops.macs}
    macs = ops.get(MACS, 0)
    return {"flops": total(ops), "macs": macs, "pytorch_flop_counter": 2 * macs}


@dataclass
class Comparison:
    """Live counts of one network under each convention: forward, and forward + loss + backward."""

    forward: Counts
    forward_backward: Counts

    def totals(self) -> dict[str, dict[str, int]]:
        f, fb = from_counts(self.forward), from_counts(self.forward_backward)
        return {name: {"forward": f[name], "forward_backward": fb[name]} for name in f}

    def table(self) -> str:
        rows = [("convention", "forward", "forward + loss + backward")]
        rows += [
            (n, f"{v['forward']:,}", f"{v['forward_backward']:,}") for n, v in self.totals().items()
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}" for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        return "\n".join(lines)

    def reasons(self) -> str:
        return "\n".join(f"{n}: counts {a}; leaves out {b}." for n, (a, b) in CONVENTIONS.items())

    def __repr__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        head = "<tr><th>convention</th><th>forward</th><th>forward + loss + backward</th><th>leaves out</th></tr>"
        body = "".join(
            f"<tr><td style='text-align:left'>{n}</td><td>{v['forward']:,}</td>"
            f"<td>{v['forward_backward']:,}</td><td style='text-align:left'>{CONVENTIONS[n][1]}</td></tr>"
            for n, v in self.totals().items()
        )
        return f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"


def measure(net: Any, x: Any, target: Any, input_grad: bool = False) -> Comparison:
    """Count ``net`` live: the forward pass alone, then forward + loss + backward.

    No update is applied, so the network is unchanged.
    """
    with count() as forward:
        net.forward(x)
    with count() as forward_backward:
        y = net.forward(x)
        net.loss(y, target)
        net.backward(target, input_grad=input_grad)
    return Comparison(forward, forward_backward)
