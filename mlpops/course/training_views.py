"""Tables of notebook 06 (a training step): the phases of one step, the loss's two parts,
the update, the batch sweep, the "3 or 4" ratios and a training run, printed from live
counts so that the notebook's cells stay short and free of scope strings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..counting import Counts, count
from ..nn import MLP
from ..report import PHASES


def phases(ops: Counts) -> dict[str, dict[str, int]]:
    """A step's count per phase, ``{"forward": {kind: n}, "loss": ..., ...}``, in the
    order the step runs them (only the phases that ran); compare with
    ``formulas.phase_totals(formulas.mlp(...))``."""
    return {p: dict(ops.within(p)) for p in PHASES if ops.within(p).total}


def _kinds(kinds: dict[str, int]) -> str:
    """Kinds as text, without bytes and applications of f (which are not operations)."""
    return ", ".join(f"{k} {n:,}" for k, n in kinds.items() if k not in ("bytes", "activations"))


def print_loss(ops: Counts) -> None:
    """The loss phase in its two parts: the value L and its gradient (dA, or dZ when
    softmax and cross-entropy are fused)."""
    value, gradient = ops.within("loss/value"), ops.within("loss/gradient")
    print(f"the loss value L:   {value.total:>4,} operations ({_kinds(dict(value))})")
    print(f"its gradient:       {gradient.total:>4,} operations ({_kinds(dict(gradient))})")
    print(f"the loss phase:     {ops.within('loss').total:>4,} operations")


def print_dZ_given(ops: Counts, layer: str) -> None:
    """What the last layer's own dZ = dA * f'(Z) cost: nothing when the loss gave dZ."""
    own = ops.within(f"backward/{layer}/activation").total
    print(f"{layer}'s own dZ = dA * f'(Z): {own} operations", end="")
    print(" (the loss's gradient is already dZ)" if own == 0 else "")


def print_update(ops: Counts, num_parameters: int) -> None:
    """The update per layer and term, and its total against 2 x the parameters."""
    update = ops.within("update")
    for path, kinds in update.by_scope().items():
        print(f"{path:<10} {_kinds(kinds)}")
    total = update.total
    print(
        f"{total:,} operations = 2 x {num_parameters:,} parameters: {total == 2 * num_parameters}"
    )


def print_phases(step: Counts, inference: Counts | None = None) -> None:
    """One row per phase (total and kinds), then the step and its ratio to the forward
    pass; with ``inference`` (a count of ``net.forward``), whether the step's forward
    pass is exactly inference."""
    by_phase = phases(step)
    for phase, kinds in by_phase.items():
        print(f"{phase:<9} {step.within(phase).total:>7,}   {_kinds(kinds)}")
    forward = step.within("forward").total
    print(f"{'step':<9} {step.total:>7,}   = {step.total / forward:.2f} x the forward pass")
    if inference is not None:
        same = dict(inference) == dict(step.within("forward"))
        print(
            f"inference (net.forward) counts {inference.total:,}: "
            f"{'exactly' if same else 'NOT'} the step's forward pass"
        )


def stacked_rows(step: Counts) -> dict[str, dict[str, int]]:
    """Rows for ``plots.stacked_kinds``: ``"layer1 forward"``, ..., ``"loss"`` (the loss
    phase's one unit), from ``report.breakdown``."""
    from ..report import breakdown

    return {
        unit if unit == phase else f"{unit} {phase}": kinds
        for unit, by_phase in breakdown(step).items()
        for phase, kinds in by_phase.items()
    }


def _random_step(sizes: Sequence[int], batch: int, rng: np.random.Generator, **kw) -> Counts:
    net = MLP(list(sizes), seed=0, **kw)
    with count() as ops:
        net.train_step(
            rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1])), lr=0.1
        )
    return ops


def batch_sweep(
    sizes: Sequence[int], batches: Sequence[int], activation: str = "sigmoid", seed: int = 0
) -> list[dict]:
    """One training step per batch size: each phase's operations per example, the step's
    per example, and the ratios step / forward with and without the update."""
    rng = np.random.default_rng(seed)
    rows = []
    for B in batches:
        ops = _random_step(sizes, B, rng, activation=activation)
        per = {p: ops.within(p).total / B for p in PHASES}
        rows.append(
            {
                "batch": B,
                "per_example": {**per, "step": ops.total / B},
                "ratio": ops.total / ops.within("forward").total,
                "ratio_without_update": 1 + (per["loss"] + per["backward"]) / per["forward"],
            }
        )
    return rows


def print_batch_sweep(rows: list[dict]) -> None:
    """The sweep as a table: operations per example in each phase, then the ratios."""
    head = " ".join(f"{p:>9}" for p in (*PHASES, "step"))
    print(f"{'batch':>5}  per example: {head}   step/forward  without update")
    for r in rows:
        cells = " ".join(f"{r['per_example'][p]:>9,.1f}" for p in (*PHASES, "step"))
        print(
            f"{r['batch']:>5}               {cells}   {r['ratio']:>12.2f}"
            f"  {r['ratio_without_update']:>14.2f}"
        )


def print_batch_saving(rows: list[dict]) -> None:
    """How the step's operations per example change from the first batch to the last,
    phase by phase: the update is shared, the backward pass adds a little."""
    first, last = rows[0], rows[-1]
    print(
        f"per example, batch {first['batch']} -> batch {last['batch']}: "
        f"{first['per_example']['step']:,.1f} -> {last['per_example']['step']:,.1f} operations"
    )
    for p in PHASES:
        a, b = first["per_example"][p], last["per_example"][p]
        change = "the same" if a == b else f"{b - a:+,.1f}"
        print(f"  {p:<9} {a:>9,.1f} -> {b:>9,.1f}  ({change})")


def ratio_table(
    cases: Sequence[tuple[Sequence[int], str]], batches: Sequence[int] = (1, 32), seed: int = 0
) -> list[float]:
    """Print forward, training step and their ratio for each network and batch; return the
    ratios, and say where they lie against the rule "multiply by 3 or 4"."""
    rng = np.random.default_rng(seed)
    found = []
    print(
        f"{'network':<28} {'f':<8} {'batch':>5} {'forward':>11} {'training step':>14} {'ratio':>6}"
    )
    for sizes, f in cases:
        for B in batches:
            ops = _random_step(sizes, B, rng, activation=f)
            forward = ops.within("forward").total
            found.append(ops.total / forward)
            print(
                f"{str(list(sizes)):<28} {f:<8} {B:>5} {forward:>11,} {ops.total:>14,} "
                f"{found[-1]:>6.2f}"
            )
    low, high = min(found), max(found)
    reach = "some reach 4" if high >= 4 else "none reaches 4"
    print(f"\nevery ratio lies between {low:.2f} and {high:.2f}: {reach}")
    return found


def progress(epoch: int, epochs: int, loss: float, accuracy: float, total: int) -> None:
    """One line of a training run's progress: a bar, the loss, the accuracy, the count."""
    bar = "#" * (20 * epoch // epochs)
    print(
        f"[{bar:<20}] epoch {epoch:>3}/{epochs}  loss {loss:.3f}  accuracy {accuracy:.0%}  "
        f"operations {total:,}"
    )


def print_run(run: Counts, epoch_ops: Sequence[int], predicted: int, steps: int, seen: int) -> None:
    """A counted run against one step's prediction, its cost per example, step, epoch and
    run, and each phase's share."""
    print(f"counted in the run:        {run.total:,}")
    print(f"predicted from one step:   {predicted:,}   equal: {run.total == predicted}")
    print(f"every epoch cost the same: {len(set(epoch_ops)) == 1}\n")
    print(f"per example seen  {run.total / seen:>14,.1f}")
    print(f"per step          {run.total // steps:>14,}")
    print(f"per epoch         {epoch_ops[0]:>14,}")
    print(f"per run           {run.total:>14,}")
    for phase in PHASES:
        print(f"  {phase:<9} {run.within(phase).total / run.total:>6.1%}")
