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
from .checks import network_options
from .counting import ACTIVATIONS, BYTES, Counts, count
from .nn import ACTIVATION_FUNCTIONS, LOSSES, MLP, one_hot
from .report import PHASES, breakdown, sort_kinds
from .sizes import too_large

#: Widths and batches are read up to this many digits. The counts multiply three of them
#: (B*N*M): about 3,000 digits, still printable under Python's 4,300-digit limit for
#: turning an int into text (and far past any network that could ever run).
MAX_DIGITS = 1000


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit code 2, no usage dump
        self.exit(2, f"mlpops: error: {message} (see mlpops --help)\n")


def _whole(text: str, what: str, example: str) -> int:
    """A width or batch typed on the command line: a whole number from 1 to 10^MAX_DIGITS - 1."""
    digits = text.strip().lstrip("+-").replace("_", "")
    if digits.isdecimal() and len(digits) > MAX_DIGITS:  # int() would refuse past 4,300
        raise argparse.ArgumentTypeError(
            f"{what} has {len(digits):,} digits; give a whole number of at most "
            f"{MAX_DIGITS:,} digits (e.g. {example})"
        )
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{what} {text!r:.40} is not a whole number (expected e.g. {example})"
        ) from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{what} {n} must be at least 1")
    return n


def _width(text: str) -> int:
    return _whole(text, "layer width", "30")


def _batch(text: str) -> int:
    return _whole(text, "batch", "8")


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
    add_engine_and_json(p)
    return p


def add_engine_and_json(p: argparse.ArgumentParser) -> None:
    """The options every model's command takes: which engine counts, and JSON output."""
    p.add_argument(
        "--engine",
        default="array",
        choices=("array", "scalar"),
        help="array (numpy, fast) or scalar (one Python call per operation)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Count the network live (or, if too large, from the formula): a JSON-ready dict."""
    sizes, batch = args.sizes, args.batch
    if len(sizes) < 2:
        raise _Usage(f"give at least two widths (inputs, then neurons); got {sizes}")
    kw = dict(activation=args.activation, output_activation=args.output_activation, loss=args.loss)
    try:  # the options MLP would refuse, refused before anything runs, whatever the size
        network_options(**kw)
    except ValueError as e:
        raise _Usage(str(e)) from None
    predicted = formulas.mlp(sizes, batch, **kw, input_grad=args.input_grad, train=args.train)
    predicted_phases = formulas.phase_totals(predicted)
    ops_total = sum(map(formulas.total, predicted_phases.values()))
    reason = too_large(sizes, batch, args.engine, ops_total)
    result: dict[str, Any] = {
        "layers": sizes,
        "batch": batch,
        "engine": args.engine,
        "activation": args.activation,
        "output_activation": args.output_activation
        or ("softmax" if args.loss == "cross-entropy" else args.activation),
        "loss": args.loss,
        "train": args.train,
        "input_grad": args.input_grad,
    }
    if reason:
        fwd = formulas.mlp(sizes, batch, **kw, train=False)
        fb = formulas.mlp(sizes, batch, **kw, input_grad=args.input_grad)
        fb_kinds = formulas.phase_totals(fb)
        fb_total = sum(formulas.total(fb_kinds[p]) for p in ("forward", "loss", "backward"))
        f_total = formulas.total(formulas.phase_totals(fwd)["forward"])
        macs = {
            "forward": formulas.matmul_macs(sizes, batch),
            "forward_backward": formulas.matmul_macs(
                sizes, batch, backward=True, input_grad=args.input_grad
            ),
        }
        result.update(
            not_run(reason, f_total, fb_total, macs, per_layer=predicted, phases=predicted_phases)
        )
        return result

    net = MLP(sizes, engine=args.engine, seed=0, **kw)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, sizes[0]))
    if args.loss == "cross-entropy":
        target = one_hot(rng.integers(0, sizes[-1], batch), sizes[-1])
    else:
        target = rng.uniform(size=(batch, sizes[-1]))
    comparison, ops = count_live(net, x, target, args.train, input_grad=args.input_grad)
    live = breakdown(ops)
    if args.engine == "scalar":  # it cannot see memory traffic: compare the operations
        predicted = formulas.without_bytes(predicted)
    mismatches = [
        f"{unit} {phase}: live {live.get(unit, {}).get(phase, {})} != formula {kinds}"
        for unit, phases in predicted.items()
        for phase, kinds in phases.items()
        if live.get(unit, {}).get(phase, {}) != kinds
    ]
    result.update(
        counted(ops, comparison, mismatches, live.keys() == predicted.keys(), per_layer=live)
    )
    return result


def not_run(reason: str, f_total: int, fb_total: int, macs: dict[str, int], **tables: Any) -> dict:
    """The result's fields for a model too large to run live: the formula's ``tables``
    (per layer, phases) and its totals under the other tools' conventions."""
    return dict(
        live=False,
        reason=reason,
        **tables,
        conventions={
            "flops": {"forward": f_total, "forward_backward": fb_total},
            "macs": macs,
            "pytorch_flop_counter": {k: 2 * v for k, v in macs.items()},
        },
        formula_check="not run: " + reason,
    )


def count_live(net: Any, x: Any, target: Any, train: bool, **kw: Any) -> tuple[Any, Counts]:
    """The other tools' conventions measured on ``net``, then its forward pass (or, with
    ``train``, one training step) counted live."""
    comparison = conventions.measure(net, x, target, **kw)
    with count() as ops:
        if train:
            net.train_step(x, target, lr=0.01, **kw)
        else:
            net.forward(x)
    return comparison, ops


def counted(ops: Counts, comparison: Any, mismatches: list[str], same: bool, **tables: Any) -> dict:
    """The result's fields for a model counted live: the ``tables`` (per layer), phases,
    conventions and the formula check (``same``: the live and formula tables have the
    same units)."""
    out: dict[str, Any] = dict(
        live=True,
        **tables,
        phases={p: dict(ops.within(p)) for p in PHASES if ops.within(p).total or p == "forward"},
        conventions=comparison.totals(),
        uncounted=ops.uncounted,
        formula_check="ok" if not mismatches and same else "MISMATCH",
    )
    if mismatches:
        out["formula_mismatches"] = mismatches
    return out


class _Usage(Exception):
    pass


def _kinds_order(rows: list[dict[str, int]]) -> list[str]:
    return [k for k in sort_kinds({k for r in rows for k in r}) if k not in (ACTIVATIONS, BYTES)]


def count_table(rows: list[tuple[str, dict[str, int]]]) -> list[str]:
    """Rows of counts as aligned text: one column per kind, the total, the applications
    of f and the bytes ("-" where the engine could not see them: the scalar engine)."""
    kinds = _kinds_order([r for _, r in rows])
    header = ["", *kinds, "total", "f applied", "bytes"]
    table = [header]
    for name, r in rows:
        table.append(
            [
                name,
                *(f"{r.get(k, 0):,}" for k in kinds),
                f"{formulas.total(r):,}",
                f"{r.get(ACTIVATIONS, 0):,}",
                f"{r['bytes']:,}" if "bytes" in r else "-",
            ]
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return [
        "  ".join([row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])])
        for row in table
    ]


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
            if phase in phases:  # the loss phase's one unit is the loss: one word, "loss"
                rows.append((unit if unit == phase else f"{unit} {phase}", phases[phase]))
    for phase in PHASES:
        if phase in result["phases"]:
            rows.append((f"all {phase}", result["phases"][phase]))
    lines += ["", *count_table(rows), "", "the same network under other conventions:"]
    lines += conventions_lines(result["conventions"], 14)
    return "\n".join(lines + check_lines(result))


def conventions_lines(totals: dict[str, dict[str, int]], width: int) -> list[str]:
    """The totals under the other tools' conventions, one line each, numbers ``width`` wide."""
    return [
        f"  {name:<22} forward {v['forward']:>{width},}   "
        f"forward+backward {v['forward_backward']:>{width},}"
        for name, v in totals.items()
    ]


def check_lines(result: dict[str, Any]) -> list[str]:
    """The result's last lines: what ran uncounted, and the formula check."""
    lines = []
    if result.get("uncounted"):
        lines.append(f"ran without a counting rule: {result['uncounted']}")
    lines.append(f"formula check: {result['formula_check']}")
    return lines + [f"  {m}" for m in result.get("formula_mismatches", [])]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["gpt"]:  # `mlpops gpt ...`: the transformer's own command
        from .cli_gpt import main as gpt_main

        return gpt_main(argv[1:])
    if argv[:1] == ["doctor"]:  # `mlpops doctor`: the setup check (mlpops/doctor.py)
        from .doctor import main as doctor

        return doctor(argv[1:])
    return run_command("mlpops", parser(), run, render, argv)


def run_command(
    prog: str, p: argparse.ArgumentParser, run: Any, render: Any, argv: list[str]
) -> int:
    """Parse ``argv``, ``run``, print the result (JSON or ``render``): the exit code.

    0 when the formula check passed (or the model was too large to run), 1 on a mismatch
    or when the output cannot be written, 2 on a usage error."""
    args = p.parse_args(argv)
    try:
        result = run(args)
    except _Usage as e:
        print(f"{prog}: error: {e} (see {prog} --help)", file=sys.stderr)
        return 2
    try:
        print(json.dumps(result, indent=2) if args.json else render(result))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `mlpops ... | head`: the reader left, not an error
        _discard_stdout()
    except OSError as e:  # e.g. a full disk: say so in one line, fail, no traceback
        _discard_stdout()
        print(f"{prog}: error: cannot write the output: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0 if result["formula_check"] == "ok" or not result["live"] else 1


def _discard_stdout() -> None:
    """Point stdout at the null device, so Python's exit does not try the write again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no real file behind stdout (e.g. under a test)
        sys.stdout = open(os.devnull, "w")


if __name__ == "__main__":
    sys.exit(main())
