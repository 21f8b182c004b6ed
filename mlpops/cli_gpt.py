"""``mlpops gpt --layers L --d-model D --heads H --context T --vocab V [--batch B] [--train]
[--json]``: a GPT-style decoder counted live, or from the formula when it is too large.

The same table and JSON shape as the MLP command (per unit and phase, ``conventions``,
``formula_check``), plus the count per token beside the published rules of thumb.
"""

from __future__ import annotations

import argparse
from typing import Any

from . import transformer as tr
from . import transformer_formulas as tf
from .cli import (
    _Parser,
    _Usage,
    add_engine_and_json,
    check_lines,
    conventions_lines,
    count_live,
    count_table,
    counted,
    not_run,
    run_command,
)
from .formulas import _plus, total, without_bytes
from .report import PHASES, breakdown
from .sizes import LIVE_MEMORY_LIMIT, SCALAR_OPS_LIMIT, SCALAR_PARAMETER_LIMIT


def _positive(what: str):
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} {text!r} is not a whole number") from None
        if n < 1:
            raise argparse.ArgumentTypeError(f"{what} {n} must be at least 1")
        return n

    return parse


class _GptParser(_Parser):
    def error(self, message: str) -> None:  # one line, exit code 2, no usage dump
        self.exit(2, f"mlpops gpt: error: {message} (see mlpops gpt --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _GptParser(
        prog="mlpops gpt",
        description="Count every arithmetic operation of a GPT-style decoder, live where it "
        "fits in memory, from the closed-form formula beyond.",
        epilog="example: mlpops gpt --layers 2 --d-model 64 --heads 4 --context 64 "
        "--vocab 256 --train   (GPT-2 small: --layers 12 --d-model 768 --heads 12 "
        "--context 1024 --vocab 50257)",
    )
    for flag, what in (
        ("--layers", "layers (blocks)"),
        ("--d-model", "d_model (width)"),
        ("--heads", "attention heads"),
        ("--context", "context (tokens)"),
        ("--vocab", "vocabulary size"),
    ):
        p.add_argument(flag, type=_positive(flag), required=True, help=what)
    p.add_argument("--batch", type=_positive("--batch"), default=1, help="sequences (default 1)")
    p.add_argument("--d-ff", type=_positive("--d-ff"), default=None, help="MLP width (4 d_model)")
    p.add_argument("--untied", action="store_true", help="an output projection of its own")
    p.add_argument("--train", action="store_true", help="forward, backward and update")
    add_engine_and_json(p)
    return p


def too_large(args: argparse.Namespace, ops_total: int) -> str | None:
    """Why this model cannot run live here, or None when it can."""
    sizes = (args.layers, args.d_model, args.heads, args.context, args.vocab)
    needed = tr.live_memory(*sizes, batch=args.batch, d_ff=args.d_ff)
    if needed > LIVE_MEMORY_LIMIT:
        return (
            f"too large to run live: about {needed / 1024**3:,.1f} GiB of weights, gradients "
            f"and activations (the limit here is {LIVE_MEMORY_LIMIT / 1024**3:.0f} GiB)"
        )
    params = tf.num_parameters(
        args.layers, args.d_model, args.context, args.vocab, args.d_ff, not args.untied
    )
    if args.engine == "scalar" and params > SCALAR_PARAMETER_LIMIT:
        return (
            f"too large for the scalar engine: {params:,} parameters, one Python object each "
            f"(the limit is {SCALAR_PARAMETER_LIMIT:,}); use --engine array"
        )
    if args.engine == "scalar" and ops_total > SCALAR_OPS_LIMIT:
        return (
            f"too large for the scalar engine: {ops_total:,} operations, one Python call each "
            f"(the limit is {SCALAR_OPS_LIMIT:,}); use --engine array"
        )
    return None


def _units(table: dict) -> dict:
    """Per unit and phase (terms summed) from a per-term table."""
    return {u: {p: _plus(*ts.values()) for p, ts in ph.items()} for u, ph in table.items()}


def _phases(per_unit: dict) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for phases in per_unit.values():
        for p, kinds in phases.items():
            out[p] = _plus(out.get(p, {}), kinds)
    return {p: out[p] for p in PHASES if p in out}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Count the model live (or, if too large, from the formula): a JSON-ready dict."""
    if args.d_model % args.heads:
        raise _Usage(
            f"--d-model {args.d_model} must be a multiple of --heads {args.heads} "
            "(each head gets d_model / heads dimensions)"
        )
    sizes = (args.layers, args.d_model, args.heads, args.context, args.vocab)
    tied = not args.untied
    kw = dict(batch=args.batch, d_ff=args.d_ff, tied=tied)
    predicted = tf.terms(*sizes, **kw, train=args.train)
    predicted_units = _units(predicted)
    predicted_phases = _phases(predicted_units)
    reason = too_large(args, sum(map(total, predicted_phases.values())))
    result: dict[str, Any] = {
        "model": "gpt",
        "layers": args.layers,
        "d_model": args.d_model,
        "heads": args.heads,
        "context": args.context,
        "vocab": args.vocab,
        "d_ff": args.d_ff or 4 * args.d_model,
        "tied": tied,
        "batch": args.batch,
        "engine": args.engine,
        "train": args.train,
        "parameters": tf.num_parameters(*sizes[:2], args.context, args.vocab, args.d_ff, tied),
        "notes": [
            "the embedding lookup copies rows of the token table: 0 operations "
            "(data movement); the position add is B*T*D additions"
        ],
        "bytes_predicted": tf.PREDICTS_BYTES,
    }
    if args.engine == "scalar":
        result["notes"].append("bytes (memory traffic): the scalar engine cannot see them: '-'")
    elif not tf.PREDICTS_BYTES:
        how = "counted live here" if not reason else "so '-' here"
        result["notes"].append(
            f"bytes (memory traffic): the transformer's formulas do not predict them yet; {how}, "
            "and the formula check compares the operations"
        )
    result["per_token"] = tf.per_token(*sizes, d_ff=args.d_ff, tied=tied)
    result["approximations"] = tf.approximations(*sizes, d_ff=args.d_ff, tied=tied)
    macs = tf.macs(*sizes, batch=args.batch, d_ff=args.d_ff)
    if reason:
        fb = _phases(tf.gpt(*sizes, **kw, train=True))  # forward, the loss, backward
        f_total = total(_phases(tf.gpt(*sizes, **kw, train=False))["forward"])
        fb_total = sum(total(fb[p]) for p in ("forward", "loss", "backward"))
        tables = dict(per_layer=predicted_units, per_term=predicted, phases=predicted_phases)
        result.update(not_run(reason, f_total, fb_total, macs, **tables))
        return result

    net = tr.GPT(*sizes, d_ff=args.d_ff, tied=tied, engine=args.engine, seed=0)
    ids, targets = tr.random_tokens(args.batch, args.context, args.vocab, seed=0)
    comparison, ops = count_live(net, ids, targets, args.train)
    live_units = breakdown(ops)
    live_units = {u: live_units[u] for u in predicted_units if u in live_units}
    live_terms = tr.term_breakdown(ops)
    want_terms = {
        u: {p: {t: k for t, k in ts.items() if k} for p, ts in ph.items()}
        for u, ph in predicted.items()
    }
    if args.engine == "scalar" or not tf.PREDICTS_BYTES:  # compare the operations only
        live_terms, want_terms = without_bytes(live_terms), without_bytes(want_terms)
    mismatches = [
        f"{unit} {phase} {term}: live {live_terms.get(unit, {}).get(phase, {}).get(term, {})} "
        f"!= formula {kinds}"
        for unit, phases in want_terms.items()
        for phase, terms in phases.items()
        for term, kinds in terms.items()
        if live_terms.get(unit, {}).get(phase, {}).get(term, {}) != kinds
    ]
    if live_terms != want_terms and not mismatches:
        mismatches.append("live counts hold terms the formula does not name")
    result.update(
        counted(ops, comparison, mismatches, True, per_layer=live_units, per_term=predicted)
    )
    return result


def render(result: dict[str, Any]) -> str:
    """The result as text: per unit and phase, the conventions, the rules per token."""
    how = "counted live" if result["live"] else "from the formula"
    lines = [
        f"GPT: {result['layers']} layers, d_model {result['d_model']}, {result['heads']} heads, "
        f"context {result['context']}, vocab {result['vocab']}, d_ff {result['d_ff']}, "
        f"{'tied' if result['tied'] else 'untied'} output, {result['parameters']:,} parameters; "
        f"batch {result['batch']}, {result['engine']} engine: {how}",
    ]
    if not result["live"]:
        lines.append(result["reason"])
    lines += result["notes"]
    rows = [  # the loss phase's one unit is the loss: one word, "loss"
        (u if u == p else f"{u} {p}", ph[p])
        for u, ph in result["per_layer"].items()
        for p in PHASES
        if p in ph
    ]
    rows += [(f"all {p}", result["phases"][p]) for p in PHASES if p in result["phases"]]
    lines += ["", *count_table(rows), "", "the same model under other conventions:"]
    lines += conventions_lines(result["conventions"], 26)
    a = result["approximations"]
    lines += [
        "",
        f"per token (one sequence of {result['context']} tokens), every operation "
        "against the published rules:",
    ]
    lines.append(
        f"  {'exact (mlpops, N = ' + format(a['exact']['N'], ',') + ')':<52} forward "
        f"{a['exact']['forward']:>22,.0f}   forward+backward "
        f"{a['exact']['forward_backward']:>22,.0f}"
    )
    for key in ("kaplan", "palm"):
        r = a[key]
        lines.append(
            f"  {r['name'] + ' (N = ' + format(r['N'], ',') + ')':<52} forward "
            f"{r['forward']:>22,.0f}   forward+backward {r['forward_backward']:>22,.0f}"
            f"   gap {r['gap_forward_backward']:+.1%}"
        )
        lines.append(
            f"    {r['formula']}; N counts {r['parameters']}; leaves out {r['leaves_out']}"
        )
    return "\n".join(lines + check_lines(result))


def main(argv: list[str]) -> int:
    return run_command("mlpops gpt", parser(), run, render, argv)
