"""``mlpops 30 30 30 [--train] [--json] ...``: run a network live, print what it counted.

Per layer and phase, the live count beside the closed-form formula, and the totals
under the other tools' conventions. Sizes too large to run live get the formula's
answer and a message saying why.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import numpy as np

from . import conventions, formulas
from .counting import ACTIVATIONS, CORE_KINDS, FUNCTION_KINDS, count
from .nn import (
    ACTIVATION_FUNCTIONS,
    LIVE_MEMORY_LIMIT,
    LOSSES,
    MLP,
    SCALAR_PARAMETER_LIMIT,
    live_memory,
    one_hot,
)
from .report import breakdown

#: The scalar engine makes one Python call per operation: keep a run to seconds.
SCALAR_OPS_LIMIT = 3_000_000
PHASES = ("forward", "backward", "update")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit code 2, no usage dump
        self.exit(2, f"mlpops: error: {message} (see mlpops --help)\n")


def _width(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"layer width {text!r} is not a whole number (expected e.g. 30)"
        ) from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"layer width {n} must be at least 1")
    return n


def _batch(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"batch {text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"batch {n} must be at least 1")
    return n


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="mlpops",
        description="Run a multilayer perceptron live and count every arithmetic operation.",
        epilog="example: mlpops 30 30 30 --train --batch 8",
    )
    p.add_argument(
        "sizes",
        nargs="+",
        type=_width,
        metavar="WIDTH",
        help="layer widths, inputs first: 30 30 30 is two layers of 30 neurons",
    )
    p.add_argument("--batch", type=_batch, default=1, help="examples per batch (default 1)")
    p.add_argument(
        "--activation",
        default="sigmoid",
        choices=list(ACTIVATION_FUNCTIONS),
        metavar="NAME",
        help="f for every layer: %(choices)s (default sigmoid)",
    )
    p.add_argument(
        "--output-activation",
        default=None,
        choices=list(ACTIVATION_FUNCTIONS),
        metavar="NAME",
        help="f for the last layer only (default: as --activation)",
    )
    p.add_argument("--loss", default="mse", choices=list(LOSSES), help="default mse")
    p.add_argument(
        "--train", action="store_true", help="a whole training step: forward, backward and update"
    )
    p.add_argument(
        "--input-grad",
        action="store_true",
        help="also compute dX of the first layer (skipped by default)",
    )
    p.add_argument(
        "--engine",
        default="array",
        choices=("array", "scalar"),
        help="array (numpy, fast) or scalar (one Python call per operation)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p  # fmt: skip


def too_large(sizes: list[int], batch: int, engine: str, ops_total: int) -> str | None:
    """Why this network cannot run live here, or None when it can."""
    needed = live_memory(sizes, batch)
    if needed > LIVE_MEMORY_LIMIT:
        return (
            f"too large to run live: about {needed / 1024**3:,.1f} GiB of weights, gradients "
            f"and activations (the limit here is {LIVE_MEMORY_LIMIT / 1024**3:.0f} GiB)"
        )
    params = sum(n * m + m for n, m in zip(sizes[:-1], sizes[1:]))
    if engine == "scalar" and params > SCALAR_PARAMETER_LIMIT:
        return (
            f"too large for the scalar engine: {params:,} weights and biases, one Python "
            f"object each (the limit is {SCALAR_PARAMETER_LIMIT:,}); use --engine array"
        )
    if engine == "scalar" and ops_total > SCALAR_OPS_LIMIT:
        return (
            f"too large for the scalar engine: {ops_total:,} operations, one Python call "
            f"each (the limit is {SCALAR_OPS_LIMIT:,}); use --engine array"
        )
    return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Count the network live (or, if too large, from the formula): a JSON-ready dict."""
    sizes, batch = args.sizes, args.batch
    if len(sizes) < 2:
        raise _Usage(f"give at least two widths (inputs, then neurons); got {sizes}")
    kw = dict(activation=args.activation, output_activation=args.output_activation, loss=args.loss)
    predicted = formulas.mlp(sizes, batch, **kw, input_grad=args.input_grad, train=args.train)
    predicted_phases = formulas.phase_totals(predicted)
    reason = too_large(
        sizes, batch, args.engine, sum(map(formulas.total, predicted_phases.values()))
    )
    result: dict[str, Any] = {
        "layers": sizes,
        "batch": batch,
        "engine": args.engine,
        "activation": args.activation,
        "output_activation": args.output_activation or (
            "softmax" if args.loss == "cross-entropy" else args.activation),
        "loss": args.loss,
        "train": args.train,
        "input_grad": args.input_grad,
    }  # fmt: skip
    if reason:
        fwd = formulas.mlp(sizes, batch, **kw, train=False)
        fb = formulas.mlp(sizes, batch, **kw, input_grad=args.input_grad)
        fb_kinds = formulas.phase_totals(fb)
        fb_total = formulas.total(fb_kinds["forward"]) + formulas.total(fb_kinds["backward"])
        f_total = formulas.total(formulas.phase_totals(fwd)["forward"])
        macs_f = formulas.matmul_macs(sizes, batch)
        macs_fb = formulas.matmul_macs(sizes, batch, backward=True, input_grad=args.input_grad)
        result.update(
            live=False,
            reason=reason,
            per_layer=predicted,
            phases=predicted_phases,
            conventions={
                "flops": {"forward": f_total, "forward_backward": fb_total},
                "macs": {"forward": macs_f, "forward_backward": macs_fb},
                "pytorch_flop_counter": {"forward": 2 * macs_f, "forward_backward": 2 * macs_fb},
            },
            formula_check="not run: " + reason,
        )
        return result

    net = MLP(sizes, engine=args.engine, seed=0, **kw)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, sizes[0]))
    if args.loss == "cross-entropy":
        target = one_hot(rng.integers(0, sizes[-1], batch), sizes[-1])
    else:
        target = rng.uniform(size=(batch, sizes[-1]))
    comparison = conventions.measure(net, x, target, input_grad=args.input_grad)
    with count() as ops:
        if args.train:
            net.train_step(x, target, lr=0.01, input_grad=args.input_grad)
        else:
            net.forward(x)
    live = breakdown(ops)
    mismatches = [
        f"{unit} {phase}: live {live.get(unit, {}).get(phase, {})} != formula {kinds}"
        for unit, phases in predicted.items()
        for phase, kinds in phases.items()
        if live.get(unit, {}).get(phase, {}) != kinds
    ]
    result.update(
        live=True,
        per_layer=live,
        phases={p: dict(ops.within(p)) for p in PHASES if ops.within(p).total or p == "forward"},
        conventions=comparison.totals(),
        uncounted=ops.uncounted,
        formula_check="ok" if not mismatches and live.keys() == predicted.keys() else "MISMATCH",
    )
    if mismatches:
        result["formula_mismatches"] = mismatches
    return result


class _Usage(Exception):
    pass


def _kinds_order(rows: list[dict[str, int]]) -> list[str]:
    present = {k for r in rows for k in r}
    order = [k for k in CORE_KINDS + FUNCTION_KINDS if k in present]
    return order + sorted(present - set(order) - {ACTIVATIONS})


def render(result: dict[str, Any]) -> str:
    """The result as a text table per layer and phase."""
    sizes = "-".join(map(str, result["layers"]))
    how = "counted live" if result["live"] else "from the formula"
    lines = [
        f"MLP {sizes}, batch {result['batch']}, f = {result['activation']} "
        f"(last layer {result['output_activation']}), loss {result['loss']}, "
        f"{result['engine']} engine: {how}",
    ]
    if not result["live"]:
        lines.append(result["reason"])
    rows = []
    for unit, phases in result["per_layer"].items():
        for phase in PHASES:
            if phase in phases:
                rows.append((f"{unit} {phase}", phases[phase]))
    for phase in PHASES:
        if phase in result["phases"]:
            rows.append((f"all {phase}", result["phases"][phase]))
    kinds = _kinds_order([r for _, r in rows])
    header = ["", *kinds, "total", "f applied"]
    table = [header]
    for name, r in rows:
        table.append([name, *(f"{r.get(k, 0):,}" for k in kinds),
                      f"{formulas.total(r):,}", f"{r.get(ACTIVATIONS, 0):,}"])  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines.append("")
    for row in table:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells))
    lines.append("")
    lines.append("the same network under other conventions:")
    for name, v in result["conventions"].items():
        lines.append(
            f"  {name:<22} forward {v['forward']:>14,}   forward+backward {v['forward_backward']:>14,}"
        )
    if result.get("uncounted"):
        lines.append(f"ran without a counting rule: {result['uncounted']}")
    lines.append(f"formula check: {result['formula_check']}")
    for m in result.get("formula_mismatches", []):
        lines.append(f"  {m}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["doctor"]:  # `mlpops doctor`: the setup check (mlpops/doctor.py)
        from .doctor import main as doctor

        return doctor(argv[1:])
    args = parser().parse_args(argv)
    try:
        result = run(args)
    except _Usage as e:
        print(f"mlpops: error: {e} (see mlpops --help)", file=sys.stderr)
        return 2
    try:
        print(json.dumps(result, indent=2) if args.json else render(result))
    except BrokenPipeError:  # e.g. `mlpops ... | head`: the reader left, not an error
        sys.stdout = open(os.devnull, "w")
    return 0 if result["formula_check"] in ("ok",) or not result["live"] else 1


if __name__ == "__main__":
    sys.exit(main())
