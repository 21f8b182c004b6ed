"""Course helpers for 13 · A transformer block: tables and a figure with its alt text.

The numbers all come from ``mlpops.transformer`` (live) or ``mlpops.transformer_formulas``
(the closed form the tests hold equal to the live count); this module only arranges them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

from ..counting import Counts
from ..formulas import total
from ..transformer_formulas import block_parts_per_token, crossover_context

#: The three parts of a block's count, with one colour each (colour-blind safe, and named
#: in the legend and the alt text, never told by colour alone).
PARTS = {"weights": "#0072B2", "attention": "#D55E00", "other": "#009E73"}


def term_table(ops: Counts, phase: str, unit: str, per: int = 1) -> str:
    """One unit's live counts by term (``attention/Q``, ``mlp/gelu``...), as text,
    optionally per token (``per`` = tokens). The loss phase's one unit is the loss:
    ``term_table(ops, "loss", "loss")`` lists its value and its gradient."""
    rows = [("term", "mul", "add", "other kinds", "total")]
    prefix = f"{phase}/" if unit == phase else f"{phase}/{unit}/"
    for path, kinds in ops.by_scope().items():
        kinds = {k: n for k, n in kinds.items() if k not in ("macs", "bytes")}  # operations only
        if not path.startswith(prefix) or not any(kinds.values()):
            continue
        rest = {k: n for k, n in kinds.items() if k not in ("mul", "add", "activations") and n}
        rows.append(
            (
                path[len(prefix) :],
                f"{kinds.get('mul', 0) // per:,}",
                f"{kinds.get('add', 0) // per:,}",
                ", ".join(f"{k} {n // per:,}" for k, n in rest.items()) or "-",
                f"{total(kinds) // per:,}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [
        f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  "
        f"{r[3]:<{widths[3]}}  {r[4]:>{widths[4]}}"
        for r in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def context_growth(d_model: int, heads: int, contexts: Sequence[int]) -> dict[str, list[float]]:
    """A block's forward operations per token in its three parts, for each context length."""
    rows = [block_parts_per_token(d_model, heads, T) for T in contexts]
    return {part: [r[part] for r in rows] for part in PARTS}


def context_growth_figure(
    d_model: int, heads: int, contexts: Sequence[int], title: str
) -> tuple[bytes, str]:
    """The per-token count of one block against the context length, as PNG bytes, and an
    alt text written from the same numbers."""
    parts = context_growth(d_model, heads, contexts)
    cross = crossover_context(d_model, heads)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    styles = {"weights": "-", "attention": "--", "other": ":"}
    for part, values in parts.items():
        ax.plot(contexts, values, styles[part], marker="o", color=PARTS[part], label=part)
    ax.axvline(cross, color="0.4", lw=0.8)
    ax.annotate(
        f"T = {cross:,}",
        (cross, max(parts["weights"])),
        xytext=(6, -16),
        textcoords="offset points",
        fontsize=9,
    )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("context length T (tokens)")
    ax.set_ylabel("operations per token, one block")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(title="part of the block")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    alt = _alt(parts, contexts, cross, d_model, heads)
    return buffer.getvalue(), alt


def _alt(parts: Mapping[str, list[float]], contexts, cross: int, d_model: int, heads: int) -> str:
    first, last = contexts[0], contexts[-1]
    return (
        f"Line chart, both axes logarithmic: operations per token of one transformer block "
        f"(d_model {d_model}, {heads} heads) against the context length, {first:,} to "
        f"{last:,} tokens. Weights (solid line) stay at {parts['weights'][0]:,.0f} per token. "
        f"Attention (dashed) grows from {parts['attention'][0]:,.0f} to "
        f"{parts['attention'][-1]:,.0f} per token, and reaches the weights at T = {cross:,} "
        f"(vertical line). Other operations (dotted: LayerNorm, GELU, residual adds) "
        + (
            f"stay at {parts['other'][0]:,.0f} per token."
            if parts["other"][0] == parts["other"][-1]
            else f"go from {parts['other'][0]:,.0f} to {parts['other'][-1]:,.0f} per token."
        )
    )
