"""Views for the notebooks on time and scale (08 to 13): a training step's phases, tables of
counts by term, so that the cells a learner reads hold the lesson, not the printing.

A training step has four phases, the words of the course's glossary: **forward** (the
layers, input to output: what inference counts), **loss** (its value and its gradient),
**backward** (the layers' gradients) and **update**.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from ..counting import Counts

PHASES = ("forward", "loss", "backward", "update")


def phase_of(path: str) -> str:
    """The phase a scope path belongs to: ``"forward/layer1/..."`` -> ``"forward"``; the
    loss's value and gradient (``"loss/..."``, or ``"forward/loss"`` and ``"backward/loss"``
    where the engine files them under forward and backward) -> ``"loss"``."""
    head, _, rest = path.partition("/")
    if head in ("forward", "backward") and (rest == "loss" or rest.startswith("loss/")):
        return "loss"
    return head


def select(ops: Counts, keep: Callable[[str], bool]) -> Counts:
    """The Counts of the scope paths for which ``keep(path)`` is true."""
    buckets = {p: d for p, d in ops._buckets.items() if keep(p)}
    return Counts(buckets, bytes_unseen=ops.bytes is None)


def training_phases(ops: Counts) -> dict[str, Counts]:
    """A training step's Counts in its four phases, forward, loss, backward, update."""
    return {phase: select(ops, lambda p, ph=phase: phase_of(p) == ph) for phase in PHASES}


def phase_table(
    ops: Counts, per: int = 1, unit: str = "", kinds: Sequence[str] = ("mul", "add", "div", "exp")
) -> str:
    """One line per phase of a training step: its operations (divided by ``per``, e.g. the
    tokens), and its main kinds; then the whole step."""
    lines = []
    rows = [*training_phases(ops).items(), ("one step", ops)]
    for phase, part in rows:
        shown = ", ".join(f"{part[k] // per:,} {k}" for k in kinds if part[k])
        lines.append(f"{phase:<9} {part.total // per:>12,} operations{unit}: {shown or '-'}")
    return "\n".join(lines)


def terms_total(ops: Counts, terms: Iterable[str], phase: str = "forward", unit: str = "") -> int:
    """Operations of some terms of one unit (``unit`` e.g. ``"block1"``, or ``""`` for a
    layer counted on its own), every term's nested scopes included."""
    prefix = "/".join(p for p in (phase, unit) if p)
    total = 0
    for term in terms:
        path = "/".join(p for p in (prefix, term) if p)
        total += select(ops, lambda p, t=path: p == t or p.startswith(t + "/")).total
    return total


def unit_total(ops: Counts, unit: str, phase: str = "forward") -> int:
    """Operations of one unit of a model (``"block1"``, ``"lm-head"``) in one phase."""
    return terms_total(ops, [unit], phase)


def kind_of(ops: Counts, term: str, kind: str) -> int:
    """One kind of operation (``"mul"``) in one term of a layer counted on its own."""
    return select(ops, lambda p: p == term or p.startswith(term + "/"))[kind]


def per_token_lines(ops: Counts, units: Iterable[str], tokens: int) -> str:
    """Each unit's forward operations per token, one line each."""
    return "\n".join(
        f"{unit:10} {unit_total(ops, unit) // tokens:>9,} operations per token" for unit in units
    )


def block_groups(ops: Counts, tokens: int, unit: str = "block1") -> dict[str, int]:
    """A block's forward operations per token in three groups: the MLP, the four
    projections with weights, and the scores."""
    groups = {
        "the MLP (up, gelu, down)": ["mlp"],
        "the projections (Q, K, V, output)": [f"attention/{t}" for t in ("Q", "K", "V", "output")],
        "the scores": ["attention/scores"],
    }
    return {g: terms_total(ops, ts, unit=unit) // tokens for g, ts in groups.items()}


def growth_table(rows: Mapping[int, Sequence[int]], terms: Sequence[str]) -> str:
    """A table of counts by term (columns) for each size (rows), e.g. context lengths."""
    head = f"{'T':>4} " + " ".join(f"{t:>13}" for t in terms)
    body = [f"{T:>4} " + " ".join(f"{n:>13,}" for n in row) for T, row in rows.items()]
    return "\n".join([head, *body])


def term_totals(ops: Counts, terms: Iterable[str]) -> list[int]:
    """Operations of each term of a layer counted on its own (``"Q"``, ``"scores"``...)."""
    return [terms_total(ops, [term], phase="") for term in terms]


def block_table(ops: Counts, tokens: int, unit: str = "block1") -> str:
    """A block's forward counts by term, per token (the table of ``course.gpt.term_table``)."""
    from .gpt import term_table

    return term_table(ops, "forward", unit, per=tokens)


def forward_by_layer(net, ops: Counts) -> dict[str, dict[str, int]]:
    """Each layer's forward counts by kind (a network of ``mlpops.conv``), in layer order."""
    from ..report import breakdown

    live = breakdown(ops)
    return {layer.name: live.get(layer.name, {}).get("forward", {}) for layer in net.layers}


def layer_table(net, ops: Counts, input_shape: Sequence[int]) -> str:
    """A network's forward pass layer by layer: output shape, mul, add, max and total,
    each layer's live counts set against its formula from the shapes alone."""
    from ..formulas import total, without_bytes

    rule, rows = net.formula(input_shape), forward_by_layer(net, ops)
    lines = [
        f"{'layer':8} {'output':>16} {'mul':>10} {'add':>10} {'max':>8} {'total':>10}  formula"
    ]
    for layer, shape in zip(net.layers, net.shapes(input_shape), strict=True):
        kinds = rows[layer.name]
        same = without_bytes(kinds) == rule.get(layer.name, {}).get("forward", {})
        counts = " ".join(
            f"{kinds.get(k, 0):>{w},}" for k, w in (("mul", 10), ("add", 10), ("max", 8))
        )
        lines.append(
            f"{layer.name:8} {str(shape):>16} {counts} {total(kinds):>10,}  "
            f"{'ok' if same else 'DIFFERS'}"
        )
    return "\n".join(lines)


def rules_table(approximations: Mapping[str, Mapping[str, Mapping]]) -> str:
    """Per token, for each model: the exact count and each published rule's, with the
    parameters N each uses and its gap to the exact training count
    (``approximations``: model name -> ``transformer_formulas.approximations(...)``)."""
    lines = [
        f"{'model':18} {'rule':7} {'N it uses':>16} {'forward':>16} {'training':>18} {'gap':>7}"
    ]
    for name, rules in approximations.items():
        for rule in ("exact", "kaplan", "palm"):
            r = rules[rule]
            gap = f"{r['gap_forward_backward']:+.1%}" if rule != "exact" else ""
            lines.append(
                f"{name:18} {rule:7} {r['N']:>16,} {r['forward']:>16,.0f} "
                f"{r['forward_backward']:>18,.0f} {gap:>7}"
            )
    return "\n".join(lines)


def published_table(chips: Mapping) -> str:
    """Published peaks (10^12 operations/s) by precision and memory bandwidth (GB/s), one
    chip a line (``chips``: ``mlpops.hardware.PUBLISHED``)."""

    def tera(value):
        return "-" if value is None else f"{value / 1e12:,.1f}"

    lines = [f"{'chip':<38} {'fp64':>6} {'fp32':>6} {'bf16':>6}  (10^12 operations/s) {'GB/s':>7}"]
    for chip in chips.values():
        lines.append(
            f"{chip.name:<38} {tera(chip.fp64):>6} {tera(chip.fp32):>6} {tera(chip.bf16):>6}"
            f"{'':>22}{chip.bandwidth / 1e9:>7,.0f}"
        )
    return "\n".join(lines)
