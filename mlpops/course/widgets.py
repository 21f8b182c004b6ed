"""Interactive explorers for the course (ipywidgets): look and play, every number counted.

Four explorers, each a function returning a widget:

    architecture_explorer()   layer sizes, batch, f, phases, convention -> live table + chart
    op_stepper()              step through every operation of a tiny network, drawn
    predict_then_reveal()     type a prediction, then see the live count and the gap
    time_estimator()          operations -> seconds on this CPU, three engines side by side

The widgets only arrange controls. What they show comes from plain module-level
functions of the mlpops API (``explorer_rows``, ``stepper_steps``, ``reveal_feedback``,
``time_rows`` ...), which the tests call directly, without a kernel.
"""

from __future__ import annotations

import functools
import html
import math
import traceback
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any

import numpy as np

from .. import formulas
from ..counting import KNOWN_KINDS, MACS, count
from ..nn import MLP, check_sizes, get_activation
from ..report import breakdown
from ..scalar import values
from ..timing import measure_rate
from ..tracked import scalars

PHASES = ("forward", "backward", "update")
#: convention key -> label on the toggle (keys are those of ``conventions.from_counts``)
CONVENTIONS = {
    "flops": "mlpops FLOPs",
    "macs": "MACs",
    "pytorch_flop_counter": "PyTorch rule",
}
CONVENTION_NOTES = {
    "flops": "every scalar operation that runs: mul, add (bias included), div, exp, max ...",
    "macs": "one per multiply-accumulate inside a matrix product (fvcore, thop): "
    "bias, f, loss and update cost 0",
    "pytorch_flop_counter": "torch FlopCounterMode: 2 per multiply-accumulate of each matrix "
    "product that runs (layer 1's dX is skipped); bias, f, loss and update cost 0",
}
#: transfer functions offered for the hidden and output layers
ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu", "identity")
PHASE_COLORS = {"forward": "#4c78a8", "backward": "#f58518", "update": "#54a24b"}
#: above this many multiplications in one training step, use the formula (no live run)
LIVE_MUL_LIMIT = 50_000_000
#: above this much memory for weights, gradients and activations, use the formula
LIVE_BYTES_LIMIT = 1 << 30
FORMULA_ONLY = "formula (too large to run live)"

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _ints(n: int) -> str:
    return f"{n:,}"


def _esc(s: Any) -> str:
    return html.escape(str(s))


# =====================================================================================
# Architecture explorer: callbacks
# =====================================================================================
def parse_sizes(text: str | Sequence[int]) -> list[int]:
    """Layer widths from '30, 30, 30' (or '30 30 30', or a list), checked by mlpops."""
    if isinstance(text, str):
        parts = text.replace(",", " ").replace("-", " ").split()
        try:
            sizes = [int(p.replace("_", "")) for p in parts]
        except ValueError:
            raise ValueError(
                f"layer widths are whole numbers such as 30, 30, 30; got {text!r}"
            ) from None
        return check_sizes(sizes)
    return check_sizes(list(text))


def _muls(sizes: Sequence[int], batch: int) -> int:
    """Multiplications in one training step, by the formula (to decide before running)."""
    table = formulas.mlp(sizes, batch)
    return sum(kinds.get("mul", 0) for phases in table.values() for kinds in phases.values())


def too_large(sizes: Sequence[int], batch: int = 1) -> str | None:
    """Why one training step of this network is too large to run live, or None."""
    sizes = check_sizes(sizes)
    muls = _muls(sizes, batch)
    params = sum(n * m + m for n, m in zip(sizes[:-1], sizes[1:]))
    # W, dW and the updated W; X, Z, A, dZ for every layer of the batch (8-byte floats)
    nbytes = 8 * (3 * params + 4 * batch * sum(sizes))
    if muls > LIVE_MUL_LIMIT:
        return f"{muls:,} multiplications per step (live limit {LIVE_MUL_LIMIT:,})"
    if nbytes > LIVE_BYTES_LIMIT:
        return f"~{nbytes / 2**30:.1f} GiB of weights and activations (live limit 1 GiB)"
    return None


@functools.lru_cache(maxsize=128)
def _live_cells(sizes: tuple[int, ...], batch: int, activation: str) -> dict:
    """One training step run live: {unit: {phase: {kind: n, ..., 'macs': n}}}."""
    net = MLP(list(sizes), activation=activation, seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(batch, sizes[0]))
    Y = rng.uniform(size=(batch, sizes[-1]))
    with count() as ops:
        net.train_step(X, Y, lr=0.1)
    cells = breakdown(ops)  # {unit: {phase: {kind: n}}}, read from the scopes
    for unit, by_phase in cells.items():
        for phase, cell in by_phase.items():
            cell[MACS] = ops.within(f"{phase}/{unit}").macs
    return {"cells": cells, "uncounted": ops.uncounted, "total": ops.total}


def live_counts(sizes: Sequence[int], batch: int = 1, activation: str = "sigmoid") -> dict:
    """Live per-unit, per-phase counts of one training step (cached), with ``macs``.

    Returns ``{"cells": {unit: {phase: {kind: n}}}, "uncounted": {...}, "total": n}``.
    """
    return _live_cells(tuple(check_sizes(sizes)), int(batch), activation)


def _formula_macs(i: int, n: int, m: int, batch: int, phase: str) -> int:
    """Multiply-accumulates of layer i's matrix products in one phase."""
    if phase == "forward":
        return batch * n * m  # Z = X W
    if phase == "backward":
        return n * m * batch + (batch * n * m if i > 1 else 0)  # dW = X.T dZ, dX = dZ W.T
    return 0


def _value(kinds: dict[str, int], convention: str) -> int:
    if convention == "flops":
        return formulas.total(kinds)
    if convention == "macs":
        return kinds.get(MACS, 0)
    if convention == "pytorch_flop_counter":
        return 2 * kinds.get(MACS, 0)
    raise ValueError(f"unknown convention {convention!r}; choose one of {', '.join(CONVENTIONS)}")


def formula_text(
    unit: str,
    phase: str,
    sizes: Sequence[int],
    batch: int = 1,
    activation: str = "sigmoid",
    convention: str = "flops",
) -> str:
    """The equation behind one cell of the table, symbols then numbers."""
    B = batch
    if unit == "loss":
        K = sizes[-1]
        if convention != "flops":
            return "0 (no matrix product)"
        if phase == "forward":
            return f"mean((a − y)²): 3·B·K = 3·{B}·{K} = {3 * B * K:,}"
        return f"dA = 2(a − y)/(B·K): 3·B·K = 3·{B}·{K} = {3 * B * K:,}"
    i = int(unit.removeprefix("layer"))
    N, M = sizes[i - 1], sizes[i]
    if convention in ("macs", "pytorch_flop_counter"):
        two, tw = ("2·", 2) if convention == "pytorch_flop_counter" else ("", 1)
        if phase == "forward":
            return f"Z = X·W: {two}B·N·M = {two}{B}·{N}·{M} = {tw * B * N * M:,}"
        if phase == "backward":
            if i == 1:
                return f"dW = Xᵀ·dZ: {two}N·M·B = {tw * N * M * B:,} (layer 1 skips dX)"
            return f"dW = Xᵀ·dZ + dX = dZ·Wᵀ: {two}(N·M·B + B·N·M) = {tw * 2 * N * M * B:,}"
        return "0 (no matrix product)"
    if phase == "forward":
        f = formulas.total(formulas.activation_forward(activation, M, B))
        per = f // (B * M) if B * M else 0
        return f"Z = b + X·W: 2·B·N·M = {2 * B * N * M:,}; {activation}(Z): {per}·B·M = {f:,}"
    if phase == "backward":
        fb = formulas.total(formulas.activation_backward(activation, M, B))
        per = fb // (B * M) if B * M else 0
        parts = [f"dZ = dA⊙f′(Z): {per}·B·M = {fb:,}"]
        parts.append(f"dW = Xᵀ·dZ: N·M·(2B−1) = {N * M * (2 * B - 1):,}")
        parts.append(f"db: (B−1)·M = {(B - 1) * M:,}")
        if i > 1:
            parts.append(f"dX = dZ·Wᵀ: B·N·(2M−1) = {B * N * (2 * M - 1):,}")
        else:
            parts.append("dX skipped (layer 1)")
        return "; ".join(parts)
    return f"W ← W − lr·dW, b ← b − lr·db: 2·(N·M + M) = {2 * (N * M + M):,}"


def explorer_rows(
    sizes: Sequence[int] = (30, 30, 30),
    batch: int = 1,
    activation: str = "sigmoid",
    phases: Sequence[str] = PHASES,
    convention: str = "flops",
) -> list[dict]:
    """One row per layer (and the loss) per selected phase: the live count and the formula.

    Each row: ``unit`` (layer1, ..., loss), ``shape`` ('N → M'), ``phase``, ``live`` (int,
    or None when too large to run), ``formula`` (int), ``kinds`` (by kind, of whichever
    ran), ``source`` ('live' or the formula-only label), ``expression`` and ``match``.
    """
    sizes = check_sizes(sizes)
    get_activation(activation)
    if isinstance(batch, bool) or int(batch) != batch or batch < 1:
        raise ValueError(f"batch is a whole number >= 1; got {batch!r}")
    batch = int(batch)
    for p in phases:
        if p not in PHASES:
            raise ValueError(f"unknown phase {p!r}; choose from {', '.join(PHASES)}")
    _value({}, convention)  # validates the convention
    reason = too_large(sizes, batch)
    live = None if reason else live_counts(sizes, batch, activation)["cells"]
    table = formulas.mlp(sizes, batch, activation)
    rows = []
    for unit, by_phase in table.items():
        for phase in PHASES:
            if phase not in phases or phase not in by_phase:
                continue
            fkinds = dict(by_phase[phase])
            if unit != "loss":
                i = int(unit.removeprefix("layer"))
                fkinds[MACS] = _formula_macs(i, sizes[i - 1], sizes[i], batch, phase)
                shape = f"{sizes[i - 1]} → {sizes[i]}"
            else:
                shape = f"{sizes[-1]} outputs"
            formula_value = _value(fkinds, convention)
            if live is not None:
                lkinds = dict(live.get(unit, {}).get(phase, {}))
                live_value = _value(lkinds, convention)
                kinds = lkinds
            else:
                live_value, kinds = None, fkinds
            rows.append(
                {
                    "unit": unit,
                    "shape": shape,
                    "phase": phase,
                    "live": live_value,
                    "formula": formula_value,
                    "kinds": {k: n for k, n in kinds.items() if k != MACS and n},
                    "source": "live" if live is not None else FORMULA_ONLY,
                    "expression": formula_text(unit, phase, sizes, batch, activation, convention),
                    "match": None if live_value is None else live_value == formula_value,
                }
            )
    return rows


def explorer_total(rows: list[dict]) -> int:
    """The total shown under the table: live counts, or the formula when too large."""
    return sum(r["live"] if r["live"] is not None else r["formula"] for r in rows)


_NOWRAP = "text-align:left;white-space:nowrap;padding:1px 8px"


def _kinds_text(kinds: dict[str, int]) -> str:
    return ", ".join(f"{k} {n:,}" for k, n in kinds.items())


def explorer_html(rows: list[dict], convention: str = "flops", reason: str | None = None) -> str:
    """The table (live | formula | equation), with the total and the source labelled."""
    unit_label = {"flops": "operations", "macs": "MACs", "pytorch_flop_counter": "FLOPs"}[
        convention
    ]
    head = (
        "<tr><th>unit</th><th>N → M</th><th>phase</th>"
        f"<th>live count ({unit_label})</th><th>formula</th><th>equation</th></tr>"
    )
    body = []
    for r in rows:
        live = (
            f"<span class='mlpops-live'>{r['live']:,}</span>"
            if r["live"] is not None
            else "<em>—</em>"
        )
        ok = "" if r["match"] is None else (" ✓" if r["match"] else " ✗ differs")
        color = PHASE_COLORS.get(r["phase"], "#888")
        body.append(
            f"<tr title='{_esc(_kinds_text(r['kinds']))}'>"
            f"<td style='{_NOWRAP}'>{_esc(r['unit'])}</td>"
            f"<td style='{_NOWRAP}'>{_esc(r['shape'])}</td>"
            f"<td style='{_NOWRAP}'><span style='color:{color}'>■</span> "
            f"{_esc(r['phase'])}</td>"
            f"<td style='{_NOWRAP};text-align:right'>{live}</td>"
            f"<td style='{_NOWRAP};text-align:right'>{r['formula']:,}{ok}</td>"
            f"<td style='text-align:left;font-size:90%'>{_esc(r['expression'])}</td></tr>"
        )
    total = explorer_total(rows)
    source = "live" if not reason else FORMULA_ONLY
    banner = (
        f"<p class='mlpops-formula-only' style='color:#9a6700'><b>{_esc(FORMULA_ONLY)}</b>: "
        f"{_esc(reason)}. The numbers below are the formula's.</p>"
        if reason
        else ""
    )
    note = _esc(CONVENTION_NOTES[convention])
    return (
        f"<div class='mlpops-explorer-table'>{banner}"
        "<table style='border-collapse:collapse'>"
        f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
        f"<p>Total ({_esc(source)}): <b><span class='mlpops-explorer-total' "
        f"data-total='{total}' data-source='{_esc(source)}'>{total:,}</span></b> "
        f"{unit_label} &nbsp;·&nbsp; <small>{note}</small></p></div>"
    )


def bar_chart_html(rows: list[dict], width: int = 420) -> str:
    """A horizontal stacked bar per unit (layer, loss), one colour per phase."""
    units: dict[str, dict[str, int]] = {}
    for r in rows:
        value = r["live"] if r["live"] is not None else r["formula"]
        units.setdefault(r["unit"], {})[r["phase"]] = value
    biggest = max((sum(v.values()) for v in units.values()), default=0) or 1
    lines = []
    for unit, by_phase in units.items():
        segs = []
        for phase in PHASES:
            v = by_phase.get(phase, 0)
            if not v:
                continue
            w = max(1.0, width * v / biggest)
            segs.append(
                f"<div title='{_esc(phase)}: {v:,}' style='display:inline-block;height:14px;"
                f"width:{w:.1f}px;background:{PHASE_COLORS[phase]}'></div>"
            )
        total = sum(by_phase.values())
        lines.append(
            "<div style='display:flex;align-items:center;gap:6px;margin:2px 0'>"
            f"<span style='width:60px;text-align:right'>{_esc(unit)}</span>"
            f"<span style='display:inline-flex'>{''.join(segs)}</span>"
            f"<span style='font-size:90%'>{total:,}</span></div>"
        )
    legend = " ".join(
        f"<span style='color:{c}'>■</span> {p}"
        for p, c in PHASE_COLORS.items()
        if any(r["phase"] == p for r in rows)
    )
    return f"<div class='mlpops-explorer-chart'>{''.join(lines)}<div>{legend}</div></div>"


# =====================================================================================
# Architecture explorer: the widget
# =====================================================================================
def _widgets():
    import ipywidgets

    return ipywidgets


@functools.lru_cache(maxsize=1)
def _box_class():
    """A VBox whose text form is one short, stable line (what GitHub shows of a widget)."""
    w = _widgets()

    class ExplorerBox(w.VBox):
        _text = "mlpops explorer"

        def __repr__(self) -> str:
            return f"{self._text}  (a widget: run the notebook to use it)"[:110]

    return ExplorerBox


def _box(children: list, text: str):
    box = _box_class()(children)
    box._text = text
    return box


def error_html(text: str) -> str:
    """An unexpected error, shown inside the widget (class ``mlpops-widget-error``)."""
    return (
        "<pre class='mlpops-widget-error' style='color:#b42318;white-space:pre-wrap'>"
        f"{_esc(text)}</pre>"
    )


def _guard(target: Any, fn: Callable) -> Callable:
    """A widget callback whose unexpected errors show their traceback in ``target``.

    Without this, an error in a callback goes to JupyterLab's log console, out of sight:
    the widget would just stop answering. The browser test looks for the error class.
    """

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception:
            target.value = error_html(traceback.format_exc())

    return run


class _ArchitectureExplorer:
    """Controls -> explorer_rows -> HTML table and chart (kept as .explorer on the box)."""

    def __init__(self, sizes, batch, activation) -> None:
        w = _widgets()
        self.sizes = check_sizes(list(sizes))
        get_activation(activation)
        self._seen: set = set()  # networks already counted (cached): no "running" note
        self.width_boxes: list = []
        self.widths = w.HBox(layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.add = w.Button(description="+ layer", tooltip="add a layer", button_style="")
        self.remove = w.Button(description="− layer", tooltip="remove the last layer")
        self.add.add_class("mlpops-add-layer")
        self.remove.add_class("mlpops-remove-layer")
        self.batch = w.BoundedIntText(
            value=int(batch), min=1, max=1_000_000, description="batch B",
            continuous_update=False, layout=w.Layout(width="170px"),
        )  # fmt: skip
        self.batch.add_class("mlpops-batch")
        self.activation = w.Dropdown(
            options=list(dict.fromkeys([*ACTIVATION_CHOICES, activation])), value=activation,
            description="f",
            layout=w.Layout(width="170px"),
        )  # fmt: skip
        self.phase_toggles = {
            p: w.ToggleButton(value=True, description=p, tooltip=f"show the {p} phase",
                              layout=w.Layout(width="90px"))
            for p in PHASES
        }  # fmt: skip
        for p, t in self.phase_toggles.items():
            t.add_class(f"mlpops-phase-{p}")
        self.convention = w.ToggleButtons(
            options=[(label, key) for key, label in CONVENTIONS.items()], value="flops",
            tooltips=[CONVENTION_NOTES[k] for k in CONVENTIONS],
            style={"button_width": "130px"},
        )  # fmt: skip
        self.status = w.HTML()
        self.table = w.HTML()
        self.chart = w.HTML()
        self.table.add_class("mlpops-explorer-out")
        for name in ("update", "_on_add", "_on_remove", "_on_width"):
            setattr(self, name, _guard(self.status, getattr(self, name)))
        self.add.on_click(self._on_add)
        self.remove.on_click(self._on_remove)
        for c in [self.batch, self.activation, self.convention, *self.phase_toggles.values()]:
            c.observe(self._on_change, names="value")
        self._build_width_boxes()
        self.box = _box(
            [
                w.HTML("<b>Architecture explorer</b> — every number below is counted live "
                       "by mlpops while one training step runs (formula beside it)."),
                w.HBox([w.Label("layer widths (inputs first):"), self.widths,
                        self.add, self.remove], layout=w.Layout(flex_flow="row wrap")),
                w.HBox([self.batch, self.activation]),
                w.HBox([w.Label("phases:"), *self.phase_toggles.values()]),
                w.HBox([w.Label("count:"), self.convention]),
                self.status,
                self.table,
                self.chart,
            ],
            f"architecture_explorer({self.sizes}, batch={batch}, activation={activation!r})",
        )  # fmt: skip
        self.box.add_class("mlpops-architecture-explorer")
        self.box.explorer = self
        self.update()

    def _build_width_boxes(self) -> None:
        w = _widgets()
        boxes = []
        for i, n in enumerate(self.sizes):
            box = w.BoundedIntText(
                value=n, min=1, max=10**7, continuous_update=False,
                tooltip="inputs" if i == 0 else f"neurons of layer {i}",
                layout=w.Layout(width="80px"),
            )  # fmt: skip
            box.add_class("mlpops-width")
            box.add_class(f"mlpops-width-{i}")
            box.observe(self._on_width, names="value")
            boxes.append(box)
        for old in self.width_boxes:
            old.unobserve(self._on_width, names="value")
            old.close()
        self.width_boxes = boxes
        self.widths.children = boxes
        self.remove.disabled = len(self.sizes) <= 2

    def _on_width(self, change) -> None:
        self.sizes = [b.value for b in self.width_boxes]
        self.update()

    def _on_add(self, _button=None) -> None:
        self.sizes = self.sizes + [self.sizes[-1]]
        self._build_width_boxes()
        self.update()

    def _on_remove(self, _button=None) -> None:
        if len(self.sizes) > 2:
            self.sizes = self.sizes[:-1]
            self._build_width_boxes()
            self.update()

    def _on_change(self, change) -> None:
        self.update()

    def selected_phases(self) -> list[str]:
        return [p for p, t in self.phase_toggles.items() if t.value]

    def update(self) -> None:
        try:
            reason = too_large(self.sizes, self.batch.value)
            key = (tuple(self.sizes), self.batch.value, self.activation.value)
            if reason is None and key not in self._seen and _muls(*key[:2]) > 5_000_000:
                self.status.value = "<small>running one training step live…</small>"
            self._seen.add(key)
            rows = explorer_rows(
                self.sizes, self.batch.value, self.activation.value,
                self.selected_phases(), self.convention.value,
            )  # fmt: skip
        except (ValueError, TypeError) as e:
            self.status.value = f"<span style='color:#b42318'>{_esc(e)}</span>"
            return
        self.rows = rows
        self.status.value = ""
        note = ""
        if reason is None:
            unc = live_counts(self.sizes, self.batch.value, self.activation.value)["uncounted"]
            if unc:  # never a silent zero: calls that ran without a counting rule
                calls = ", ".join(f"{k} x{n}" for k, n in sorted(unc.items()))
                note = f"<p style='color:#9a6700'>ran without a counting rule: {_esc(calls)}</p>"
        self.table.value = explorer_html(rows, self.convention.value, reason) + note
        self.chart.value = bar_chart_html(rows) if rows else "<em>no phase selected</em>"


def architecture_explorer(
    sizes: Sequence[int] = (30, 30, 30), batch: int = 1, activation: str = "sigmoid"
):
    """Layer widths, batch, f, phases and convention -> a live-counted table and chart.

    Each change runs one training step of the network under ``mlpops.count()`` (cached),
    so the table is live; networks too large to run show the formula, labelled so.
    """
    return _ArchitectureExplorer(sizes, batch, activation).box


# =====================================================================================
# Op-by-op stepper: callbacks
# =====================================================================================
#: each term of a phase: (short label for the stepper, longer label for feedback)
TERMS = {
    ("forward", "weighted-sum"): ("z = b + Σ W·x", "Z = b + X·W (the weighted sums)"),
    ("forward", "activation"): ("a = f(z)", "f(Z) (the transfer function)"),
    ("forward", "loss"): ("loss", "the loss"),
    ("backward", "loss"): ("loss gradient dA", "the loss gradient dA"),
    ("backward", "activation"): ("dZ = dA ⊙ f′(Z)", "dZ = dA ⊙ f′(Z)"),
    ("backward", "dW"): ("dW = Xᵀ·dZ", "dW = Xᵀ·dZ"),
    ("backward", "db"): ("db = Σ dZ", "db = Σ dZ"),
    ("backward", "dX"): ("dX = dZ·Wᵀ", "dX = dZ·Wᵀ"),
    ("update", "W"): ("W ← W − lr·dW", "W ← W − lr·dW"),
    ("update", "b"): ("b ← b − lr·db", "b ← b − lr·db"),
}


def _w(layer: int, i: int, j: int) -> str:
    return f"W{str(layer).translate(_SUP)}{str(i + 1).translate(_SUB)}{str(j + 1).translate(_SUB)}"


def _in(layer: int, i: int) -> str:
    """The name of input i of a layer: x_i for layer 1, else a of the layer before."""
    if layer == 1:
        return f"x{str(i + 1).translate(_SUB)}"
    return f"a{str(layer - 1).translate(_SUP)}{str(i + 1).translate(_SUB)}"


def _out(layer: int, j: int, what: str = "a") -> str:
    return f"{what}{str(layer).translate(_SUP)}{str(j + 1).translate(_SUB)}"


def _locate(phase: str, term: str, layer: int, k: int, N: int, M: int) -> dict:
    """Which edge W_ij / node a step touches, from its place k within its scope (batch 1).

    numpy runs a matrix product output by output, each a running sum of products; an
    elementwise call runs in index order. tests/test_widgets.py checks these positions
    against the operands' values.
    """
    if phase == "forward" and term == "weighted-sum":
        per = 2 * N - 1  # N products, N-1 additions per output z_j
        if k < M * per:
            j, r = divmod(k, per)
            i = 0 if r == 0 else (r + 1) // 2
            if r == 0 or r % 2 == 1:
                return {"edges": [(layer, i, j)], "nodes": [(layer - 1, i)],
                        "what": f"{_w(layer, i, j)} × {_in(layer, i)}"}  # fmt: skip
            return {"edges": [(layer, i, j)], "nodes": [(layer, j)],
                    "what": f"running sum for {_out(layer, j, 'z')} += {_w(layer, i, j)}·{_in(layer, i)}"}  # fmt: skip  # noqa: E501
        j = k - M * per
        return {"edges": [], "nodes": [(layer, j)],
                "what": f"{_out(layer, j, 'z')} = b{str(j + 1).translate(_SUB)} + Σ"}  # fmt: skip
    if term == "activation":
        j = k % M
        name = "a = f(z)" if phase == "forward" else "dz = da·f′(z)"
        return {"edges": [], "nodes": [(layer, j)],
                "what": f"{name} for neuron {_out(layer, j)}"}  # fmt: skip
    if phase == "backward" and term == "dW":
        i, j = divmod(k, M)
        return {"edges": [(layer, i, j)], "nodes": [(layer - 1, i), (layer, j)],
                "what": f"d{_w(layer, i, j)} = {_in(layer, i)} × dz{str(layer).translate(_SUP)}"
                        f"{str(j + 1).translate(_SUB)}"}  # fmt: skip
    if phase == "backward" and term == "dX":
        per = 2 * M - 1
        i, r = divmod(k, per)
        j = 0 if r == 0 else (r + 1) // 2
        return {"edges": [(layer, i, j)], "nodes": [(layer - 1, i)],
                "what": f"d{_in(layer, i)} gathers dz{str(layer).translate(_SUP)}"
                        f"{str(j + 1).translate(_SUB)} × {_w(layer, i, j)}"}  # fmt: skip
    if phase == "update" and term == "W":
        i, j = divmod(k % (N * M), M)
        step = "lr × dW" if k < N * M else "W − lr·dW"
        return {"edges": [(layer, i, j)], "nodes": [],
                "what": f"{_w(layer, i, j)}: {step}"}  # fmt: skip
    if phase == "update" and term == "b":
        j = k % M
        step = "lr × db" if k < M else "b − lr·db"
        return {
            "edges": [],
            "nodes": [(layer, j)],
            "what": f"b{str(layer).translate(_SUP)}{str(j + 1).translate(_SUB)}: {step}",
        }
    return {"edges": [], "nodes": [], "what": ""}


def stepper_steps(
    sizes: Sequence[int] = (2, 2, 1), activation: str = "sigmoid", seed: int = 0
) -> dict:
    """Every operation of one training step of a tiny network, traced live (scalar engine).

    Returns ``{"sizes", "x", "target", "steps", "W"}``; each step has ``kind``, ``op``,
    ``operands``, ``result``, ``phase``, ``layer`` (or None for the loss), ``term``,
    ``edges`` [(layer, i, j)], ``nodes`` [(column, index)], ``text`` and ``tally`` (the
    running count by phase and kind after this step).
    """
    sizes = check_sizes(sizes)
    if max(sizes) > 8 or len(sizes) > 5:
        raise ValueError(
            f"the stepper draws tiny networks (widths up to 8, up to 4 layers); got {sizes}"
        )
    net = MLP(sizes, activation=activation, engine="scalar", seed=seed)
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(-1, 1, sizes[0]), 2)
    target = np.round(rng.uniform(0, 1, sizes[-1]), 2)
    W = [values(layer.W).copy() for layer in net.layers]
    with count(trace=20_000) as ops:
        net.train_step(x, target, lr=0.1)
    steps = []
    seen: dict[str, int] = {}
    tally: dict[str, dict[str, int]] = {}
    for e in ops.trace:
        parts = e.scope.split("/")
        phase = parts[0]
        unit = parts[1] if len(parts) > 1 else ""
        term = parts[2] if len(parts) > 2 else unit
        k = seen.get(e.scope, 0)
        seen[e.scope] = k + 1
        layer = int(unit.removeprefix("layer")) if unit.startswith("layer") else None
        if layer is not None:
            N, M = sizes[layer - 1], sizes[layer]
            where = _locate(phase, term, layer, k, N, M)
        else:
            last = len(sizes) - 1
            where = {"edges": [], "nodes": [(last, j) for j in range(sizes[-1])],
                     "what": "loss" if phase == "forward" else "loss gradient"}  # fmt: skip
        by_kind = tally.setdefault(phase, {})
        by_kind[e.kind] = by_kind.get(e.kind, 0) + 1
        args = ", ".join(f"{v:.4g}" for v in e.operands)
        result = f"{e.result:.4g}" if isinstance(e.result, float) else str(e.result)
        steps.append(
            {
                "kind": e.kind,
                "op": e.op,
                "operands": tuple(e.operands),
                "result": e.result,
                "scope": e.scope,
                "phase": phase,
                "layer": layer,
                "term": TERMS.get((phase, term), (term,))[0],
                "edges": where["edges"],
                "nodes": where["nodes"],
                "text": f"{where['what']}: {e.op}({args}) = {result}",
                "tally": {p: dict(d) for p, d in tally.items()},
            }
        )
    return {"sizes": sizes, "x": x, "target": target, "W": W, "steps": steps,
            "total": ops.total}  # fmt: skip


def network_svg(
    sizes: Sequence[int],
    edges: Sequence[tuple[int, int, int]] = (),
    nodes: Sequence[tuple[int, int]] = (),
    x: Sequence[float] | None = None,
    width: int = 460,
    height: int = 220,
) -> str:
    """The network drawn as SVG: edge W_ij from input i to neuron j; highlights in orange."""
    cols = len(sizes)
    xs = [70 + c * (width - 110) / max(cols - 1, 1) for c in range(cols)]

    def ys(n: int) -> list[float]:
        gap = (height - 40) / max(n, 1)
        return [20 + gap * (r + 0.5) for r in range(n)]

    hot_edges, hot_nodes = set(edges), set(nodes)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"class='mlpops-network' style='font-family:sans-serif;font-size:11px'>"]  # fmt: skip
    for layer in range(1, cols):
        for i, y0 in enumerate(ys(sizes[layer - 1])):
            for j, y1 in enumerate(ys(sizes[layer])):
                hot = (layer, i, j) in hot_edges
                color, w = ("#e45756", 4) if hot else ("#bbb", 1.2)
                cls = " class='hot'" if hot else ""
                parts.append(
                    f"<line x1='{xs[layer - 1]:.0f}' y1='{y0:.0f}' x2='{xs[layer]:.0f}' "
                    f"y2='{y1:.0f}' stroke='{color}' stroke-width='{w}'"
                    f"{cls}><title>{_w(layer, i, j)}</title></line>"
                )
                if hot:
                    mx, my = (xs[layer - 1] + xs[layer]) / 2, (y0 + y1) / 2 - 6
                    parts.append(f"<text x='{mx:.0f}' y='{my:.0f}' fill='#e45756' "
                                 f"text-anchor='middle'>{_w(layer, i, j)}</text>")  # fmt: skip
    for c in range(cols):
        for r, y in enumerate(ys(sizes[c])):
            hot = (c, r) in hot_nodes
            fill = "#e45756" if hot else "#fff"
            label = _in(1, r) if c == 0 else _out(c, r)
            parts.append(
                f"<circle cx='{xs[c]:.0f}' cy='{y:.0f}' r='13' fill='{fill}' stroke='#333'/>"
                f"<text x='{xs[c]:.0f}' y='{y + 4:.0f}' text-anchor='middle' "
                f"fill='{'#fff' if hot else '#000'}'>{label}</text>"
            )
            if c == 0 and x is not None:
                parts.append(f"<text x='{xs[c] - 16:.0f}' y='{y + 4:.0f}' "
                             f"text-anchor='end'>{x[r]:g}</text>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def tally_html(tally: dict[str, dict[str, int]], kinds: Sequence[str] | None = None) -> str:
    """Running counts by phase (rows) and kind (columns: ``kinds``, or those in tally)."""
    if kinds is None:
        kinds = {k for d in tally.values() for k in d}
    order = ["mul", "add", "div", "exp", "tanh", "max"]
    kinds = sorted((k for k in kinds if k not in ("activations", "bytes")),
                   key=lambda k: (order.index(k) if k in order else len(order), k))  # fmt: skip
    head = "".join(f"<th style='padding:0 8px'>{_esc(k)}</th>" for k in kinds)
    rows = []
    for phase in PHASES:
        d = tally.get(phase, {})
        cells = "".join(f"<td style='text-align:right;padding:0 8px'>{d.get(k, 0):,}</td>"
                        for k in kinds)  # fmt: skip
        total = sum(d.get(k, 0) for k in kinds)
        rows.append(f"<tr><td style='text-align:left'>{phase}</td>{cells}"
                    f"<td style='text-align:right;padding:0 8px'><b>{total:,}</b></td></tr>")  # fmt: skip
    return (f"<table class='mlpops-tally'><thead><tr><th>so far</th>{head}<th>total</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")  # fmt: skip


def stepper_view(trace: dict, index: int) -> tuple[str, str, str]:
    """(network SVG, the current operation, the running tallies) after ``index`` steps."""
    steps = trace["steps"]
    index = max(0, min(index, len(steps)))
    kinds = {k for d in steps[-1]["tally"].values() for k in d} if steps else set()
    if index == 0:
        svg = network_svg(trace["sizes"], x=trace["x"])
        x = ", ".join(f"{v:g}" for v in trace["x"])
        y = ", ".join(f"{v:g}" for v in trace["target"])
        text = (f"Ready: {len(steps):,} operations in one training step of "
                f"{'-'.join(map(str, trace['sizes']))} (input x = [{x}], target [{y}], "
                "lr 0.1). Press step ▶ or play.")  # fmt: skip
        return svg, text, tally_html({}, kinds)
    s = steps[index - 1]
    svg = network_svg(trace["sizes"], s["edges"], s["nodes"], trace["x"])
    where = f"layer {s['layer']}" if s["layer"] else "loss"
    text = (f"<b>op {index:,} of {len(steps):,}</b> · {s['phase']} · {where} · "
            f"<i>{_esc(s['term'])}</i><br><code>{s['kind']}</code>: {_esc(s['text'])}")  # fmt: skip
    return svg, text, tally_html(s["tally"], kinds)


class _OpStepper:
    def __init__(self, sizes, activation, seed) -> None:
        w = _widgets()
        self.trace = stepper_steps(sizes, activation, seed)
        n = len(self.trace["steps"])
        self.slider = w.IntSlider(value=0, min=0, max=n, description="op",
                                  continuous_update=True, layout=w.Layout(width="420px"))  # fmt: skip
        self.play = w.Play(value=0, min=0, max=n, step=1, interval=400, description="play")
        w.jslink((self.play, "value"), (self.slider, "value"))
        self.back = w.Button(description="◀ back", layout=w.Layout(width="80px"))
        self.step = w.Button(description="step ▶", layout=w.Layout(width="80px"))
        self.reset = w.Button(description="reset", layout=w.Layout(width="70px"))
        self.next_phase = w.Button(description="next phase ▶▶", layout=w.Layout(width="130px"))
        self.step.add_class("mlpops-step")
        self.reset.add_class("mlpops-reset")
        self.svg, self.text, self.tally = w.HTML(), w.HTML(), w.HTML()
        self.text.add_class("mlpops-stepper-text")
        self.go = _guard(self.text, self.go)
        self.render = _guard(self.text, self.render)
        self.step.on_click(lambda _: self.go(self.slider.value + 1))
        self.back.on_click(lambda _: self.go(self.slider.value - 1))
        self.reset.on_click(lambda _: self.go(0))
        self.next_phase.on_click(lambda _: self.go(self._next_phase_index()))
        self.slider.observe(lambda ch: self.render(), names="value")
        self.box = _box(
            [
                w.HTML("<b>Op-by-op stepper</b> — every operation of one training step, "
                       "traced live by the scalar engine."),
                w.HBox([self.reset, self.back, self.step, self.next_phase, self.play]),
                self.slider,
                self.svg,
                self.text,
                self.tally,
            ],
            f"op_stepper({self.trace['sizes']}, activation={activation!r}, seed={seed})",
        )  # fmt: skip
        self.box.add_class("mlpops-op-stepper")
        self.box.stepper = self
        self.render()

    def _next_phase_index(self) -> int:
        steps, i = self.trace["steps"], self.slider.value
        if i >= len(steps):
            return i
        here = steps[i - 1]["phase"] if i else None
        for k in range(i, len(steps)):
            if steps[k]["phase"] != here:
                return k + 1
        return len(steps)

    def go(self, index: int) -> None:
        self.slider.value = max(0, min(index, len(self.trace["steps"])))

    def render(self) -> None:
        self.svg.value, self.text.value, self.tally.value = stepper_view(
            self.trace, self.slider.value
        )


def op_stepper(sizes: Sequence[int] = (2, 2, 1), activation: str = "sigmoid", seed: int = 0):
    """Step, play or reset through every operation of one training step of a tiny network.

    The drawn network highlights which W_ij meets which x_i; tallies by kind run below.
    """
    return _OpStepper(sizes, activation, seed).box


# =====================================================================================
# Predict, then reveal: callbacks
# =====================================================================================
def parse_prediction(text: Any) -> int | None:
    """A learner's number from '1,800', '1 800', '1800' or '1.8e3'; None if not a number."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, np.integer)):
        return int(text)
    if isinstance(text, float):
        return int(round(text)) if math.isfinite(text) else None
    s = str(text).strip().replace(",", "").replace("_", "").replace(" ", "")
    if not s:
        return None
    try:
        v = float(s)
    except ValueError:
        return None
    return int(round(v)) if math.isfinite(v) else None


def count_terms(
    sizes: Sequence[int], phase: str, kind: str, batch: int = 1, activation: str = "sigmoid",
    input_grad: bool = False,
) -> list[tuple[str, int]]:  # fmt: skip
    """The live count of ``kind`` in ``phase``, split into its terms (layer, equation)."""
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; choose from {', '.join(PHASES)}")
    if kind != "total" and kind not in KNOWN_KINDS:
        raise ValueError(
            f"unknown kind {kind!r}: 'total' or one of {', '.join(sorted(KNOWN_KINDS))}"
        )
    sizes = check_sizes(sizes)
    net = MLP(sizes, activation=activation, seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(batch, sizes[0]))
    Y = rng.uniform(size=(batch, sizes[-1]))
    with count() as ops:
        net.train_step(X, Y, lr=0.1, input_grad=input_grad)
    terms = []
    for path, kinds in ops.by_scope().items():
        parts = path.split("/")
        if parts[0] != phase:
            continue
        n = (
            sum(v for k, v in kinds.items() if k not in ("activations", "bytes", MACS))
            if kind == "total"
            else kinds.get(kind, 0)
        )
        if not n:
            continue
        unit = parts[1] if len(parts) > 1 else ""
        term = parts[2] if len(parts) > 2 else unit
        label = TERMS.get((phase, term), (term, term))[1]
        terms.append((f"{unit}: {label}" if unit != "loss" else label, n))
    return terms


def reveal_feedback(
    prediction: Any,
    sizes: Sequence[int] = (30, 30, 30),
    phase: str = "backward",
    kind: str = "mul",
    batch: int = 1,
    activation: str = "sigmoid",
) -> dict:
    """Compare a prediction with the live count: verdict, gap, terms and what was missed.

    Returns ``{"expected", "prediction", "verdict": "exact"|"low"|"high"|"invalid", "gap",
    "terms": [(label, n)], "missed": [labels], "extra": str, "message"}``.
    """
    terms = count_terms(sizes, phase, kind, batch, activation)
    expected = sum(n for _, n in terms)
    guess = parse_prediction(prediction)
    out = {"expected": expected, "prediction": guess, "terms": terms, "missed": [],
           "extra": "", "gap": None}  # fmt: skip
    what = "operations" if kind == "total" else f"{kind} operations"
    if guess is None:
        out.update(verdict="invalid", message="Type a number first (e.g. 1800 or 1,800).")
        return out
    gap = expected - guess
    out["gap"] = gap
    if gap == 0:
        out.update(verdict="exact", message=f"Exactly right: {expected:,} {what}.")
        return out
    if gap > 0:
        missed = _missed_terms(terms, guess)
        out["missed"] = missed
        msg = f"Too low by {gap:,} (live count {expected:,} {what})."
        if missed:
            msg += " Your number is the count without: " + "; ".join(missed) + "."
        else:
            msg += " Check each term below: which did you leave out or undercount?"
        out.update(verdict="low", message=msg)
        return out
    msg = f"Too high by {-gap:,} (live count {expected:,} {what})."
    extra = ""
    if phase == "backward":
        with_dx = sum(n for _, n in count_terms(sizes, phase, kind, batch, activation, True))
        if guess == with_dx:
            extra = ("You counted layer 1's dX = dZ·Wᵀ: the gradient of the data is never "
                     "used, so mlpops skips it.")  # fmt: skip
    if not extra and kind != "total":
        everything = sum(n for _, n in count_terms(sizes, phase, "total", batch, activation))
        if guess == everything:
            extra = f"That is every kind of operation; the question asks for {kind} only."
    if not extra and kind == "add" and batch >= 1:
        extra = ("A sum of k terms takes k − 1 additions (the bias brings it back to k "
                 "for a neuron).")  # fmt: skip
    out.update(verdict="high", extra=extra, message=f"{msg} {extra}".strip())
    return out


def _missed_terms(terms: list[tuple[str, int]], guess: int) -> list[str]:
    """Labels of the terms left out, if some subset of the terms adds up to the guess.

    Whole equations first (all layers' dX together: the usual slip), then single layers.
    """
    equations: dict[str, int] = {}
    for label, n in terms:
        eq = label.split(": ", 1)[-1]
        equations[eq] = equations.get(eq, 0) + n
    for candidates in (list(equations.items()), terms):
        if len(candidates) > 14:
            continue
        total = sum(n for _, n in candidates)
        for r in range(1, len(candidates)):  # the smallest set of missed terms first
            for left_out in combinations(range(len(candidates)), r):
                if total - sum(candidates[i][1] for i in left_out) == guess:
                    return [f"{candidates[i][0]} ({candidates[i][1]:,})" for i in left_out]
    return []


def reveal_html(result: dict) -> str:
    """The feedback and the live count's terms, coloured by verdict."""
    color = {"exact": "#1a7f37", "low": "#9a6700", "high": "#9a6700"}.get(
        result["verdict"], "#b42318"
    )
    if result["verdict"] == "invalid":
        return f"<p style='color:{color}'>{_esc(result['message'])}</p>"
    rows = "".join(
        f"<tr><td style='text-align:left'>{_esc(label)}</td>"
        f"<td style='text-align:right'>{n:,}</td></tr>"
        for label, n in result["terms"]
    )
    return (
        f"<p style='color:{color}'><b>{_esc(result['message'])}</b></p>"
        f"<p>Live count: <b><span class='mlpops-reveal-count' data-count='{result['expected']}'>"
        f"{result['expected']:,}</span></b>, made of:</p>"
        f"<table><tbody>{rows}</tbody></table>"
    )


class _PredictThenReveal:
    def __init__(self, sizes, phase, kind, batch, activation) -> None:
        w = _widgets()
        self.args = (check_sizes(list(sizes)), phase, kind, int(batch), activation)
        get_activation(activation)
        count_terms(*self.args[:1], phase, kind, int(batch), activation)  # checks phase, kind
        net = "-".join(map(str, self.args[0]))
        what = "operations (all kinds)" if kind == "total" else f"<code>{_esc(kind)}</code>"
        self.question = w.HTML(
            f"<b>Predict, then reveal.</b> How many {what} does the <b>{_esc(phase)}</b> "
            f"pass of a {net} network ({activation}, batch {batch}) perform in one "
            "training step?"
        )
        self.guess = w.Text(placeholder="your prediction, e.g. 1,800", description="predict",
                            continuous_update=True)  # fmt: skip
        self.guess.add_class("mlpops-prediction")
        self.button = w.Button(description="Reveal", button_style="primary", disabled=True)
        self.button.add_class("mlpops-reveal")
        self.result = w.HTML("<small>The live count stays hidden until you predict.</small>")
        self._on_reveal = _guard(self.result, self._on_reveal)
        self.guess.observe(self._on_type, names="value")
        self.button.on_click(self._on_reveal)
        self.box = _box(
            [self.question, w.HBox([self.guess, self.button]), self.result],
            f"predict_then_reveal({self.args[0]}, {phase!r}, {kind!r}, batch={batch})",
        )
        self.box.add_class("mlpops-predict-reveal")
        self.box.reveal = self

    def _on_type(self, change) -> None:
        self.button.disabled = parse_prediction(self.guess.value) is None

    def _on_reveal(self, _button=None) -> None:
        sizes, phase, kind, batch, activation = self.args
        res = reveal_feedback(self.guess.value, sizes, phase, kind, batch, activation)
        self.last = res
        self.result.value = reveal_html(res)
        if res["verdict"] != "invalid":
            self.button.description = "Check again"


def predict_then_reveal(
    sizes: Sequence[int] = (30, 30, 30),
    phase: str = "backward",
    kind: str = "mul",
    batch: int = 1,
    activation: str = "sigmoid",
):
    """Ask for a prediction of a count, then reveal the live count and explain the gap.

    ``kind`` is an operation kind (``mul``, ``add``, ``exp`` ...) or ``"total"``.
    """
    return _PredictThenReveal(sizes, phase, kind, batch, activation).box


# =====================================================================================
# Time estimator: callbacks
# =====================================================================================
ENGINES = ("pure Python", "scalar engine", "numpy")
_RATE_CACHE: dict[tuple, float] = {}


def _rate(fn: Callable[[], Any], ops_per_call: int, name: str) -> float:
    """Operations per second of fn: mlpops.timing's median of repeats after a warm-up."""
    return measure_rate(fn, ops_per_call, repeats=5, name=name).ops_per_second


def _python_dot(xs, ys):
    total = 0.0
    for x, y in zip(xs, ys):
        total += x * y  # one mul, one add per term
    return total


def _pure_python_rate() -> float:
    """Operations per second of a dot product in a plain Python for loop."""
    rng = np.random.default_rng(0)
    xs, ys = rng.normal(size=1000).tolist(), rng.normal(size=1000).tolist()
    with count() as ops:  # the same loop on counting Scalars: the count is live
        _python_dot(scalars(xs), scalars(ys))
    return _rate(lambda: _python_dot(xs, ys), ops.total, "pure Python")


def _scalar_engine_rate() -> float:
    """Operations per second of a training step on the scalar engine (8-8-8)."""
    net = MLP([8, 8, 8], engine="scalar", seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=8), rng.uniform(size=8)
    with count() as ops:
        net.train_step(x, y, lr=0.01)
    return _rate(lambda: net.train_step(x, y, lr=0.01), ops.total, "scalar engine")


#: the network timed for numpy when the asked one is too big to time in a moment
NUMPY_PROXY = ((1024, 1024, 1024), 256)


def numpy_timed_network(sizes: Sequence[int], batch: int) -> tuple[tuple[int, ...], int]:
    """The network and batch whose numpy speed stands for (sizes, batch): itself, unless
    one step would take more than ~1e9 multiplications or 1 GiB (then ``NUMPY_PROXY``)."""
    sizes = tuple(check_sizes(sizes))
    table = formulas.mlp(sizes, batch)
    muls = sum(k.get("mul", 0) for phases in table.values() for k in phases.values())
    params = sum(n * m + m for n, m in zip(sizes[:-1], sizes[1:]))
    if muls > 20 * LIVE_MUL_LIMIT or 8 * (3 * params + 4 * batch * sum(sizes)) > LIVE_BYTES_LIMIT:
        return NUMPY_PROXY
    return sizes, int(batch)


def _numpy_rate(sizes: tuple[int, ...], batch: int) -> float:
    """Operations per second of this network's training step on plain numpy."""
    sizes, batch = numpy_timed_network(sizes, batch)
    net = MLP(list(sizes), seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1]))
    ops = step_ops(sizes, batch)  # counted live; outside count() numpy runs at full speed
    return _rate(lambda: net.train_step(X, Y, lr=0.01), ops, "numpy")


def measured_rates(
    sizes: Sequence[int] = (784, 128, 10), batch: int = 1, refresh: bool = False
) -> dict[str, float]:  # noqa: E501
    """Measured operations per second on this CPU: pure Python, scalar engine, numpy.

    Pure Python and the scalar engine cost about the same per operation whatever the
    network (one interpreter step each), so they are measured once on a small one; numpy
    is measured on this network and batch, since its speed depends on the shapes.
    """
    sizes = tuple(check_sizes(sizes))
    keys = {"pure Python": ("py",), "scalar engine": ("scalar",),
            "numpy": ("numpy", sizes, int(batch))}  # fmt: skip
    makers = {"pure Python": _pure_python_rate, "scalar engine": _scalar_engine_rate,
              "numpy": lambda: _numpy_rate(sizes, int(batch))}  # fmt: skip
    out = {}
    for engine in ENGINES:
        key = keys[engine]
        if refresh or key not in _RATE_CACHE:
            _RATE_CACHE[key] = makers[engine]()
        out[engine] = _RATE_CACHE[key]
    return out


def step_ops(sizes: Sequence[int], batch: int = 1, activation: str = "sigmoid") -> int:
    """All operations of one training step: live, or the formula when too large to run."""
    sizes = check_sizes(sizes)
    if too_large(sizes, batch):
        table = formulas.mlp(sizes, batch, activation)
        return sum(formulas.total(k) for phases in table.values() for k in phases.values())
    return live_counts(sizes, batch, activation)["total"]


def training_ops(sizes: Sequence[int], examples: int, epochs: int, batch: int = 1) -> int:
    """Operations of a whole training run: every step of every epoch (the last batch of
    an epoch holds the remainder)."""
    if examples < 1 or epochs < 1 or batch < 1:
        raise ValueError("examples, epochs and batch are whole numbers >= 1")
    full, rest = divmod(int(examples), int(batch))
    per_epoch = full * step_ops(sizes, batch) + (step_ops(sizes, rest) if rest else 0)
    return per_epoch * int(epochs)


def human_seconds(seconds: float) -> str:
    """'~3.2 s', '~4.1 min', '~2.3 h', '~5.0 days', '~1.3 years' (measured: a leading ~)."""
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return (
                f"~{seconds / size:.2g} {unit}"
                if seconds / size < 10
                else f"~{seconds / size:,.0f} {unit}"
            )  # noqa: E501
    if seconds >= 1:
        return f"~{seconds:.2g} s"
    if seconds >= 1e-3:
        return f"~{seconds * 1e3:.2g} ms"
    return f"~{seconds * 1e6:.2g} µs"


def time_rows(
    sizes: Sequence[int] = (784, 128, 10),
    examples: int = 60000,
    epochs: int = 10,
    batch: int = 1,
    rates: dict[str, float] | None = None,
) -> list[dict]:
    """Per engine: the counted operations, the measured rate and the estimated seconds."""
    sizes = check_sizes(sizes)
    ops = training_ops(sizes, examples, epochs, batch)
    rates = rates if rates is not None else measured_rates(sizes, batch)
    return [{"engine": e, "ops": ops, "rate": rates[e], "seconds": ops / rates[e]} for e in ENGINES]


def time_html(rows: list[dict], source: str = "live", detail: str = "") -> str:
    """Engines side by side: rate, time, and a log-scale bar (``detail``: how the
    operations add up, one line)."""
    longest = max(r["seconds"] for r in rows)
    shortest = min(r["seconds"] for r in rows)
    span = math.log10(longest / shortest) if longest > shortest else 1.0
    body = []
    for r in rows:
        frac = 0.15 + 0.85 * (math.log10(r["seconds"] / shortest) / span if span else 1.0)
        body.append(
            f"<tr><td style='text-align:left'>{_esc(r['engine'])}</td>"
            f"<td style='text-align:right'>~{r['rate']:.2e} ops/s</td>"
            f"<td style='text-align:right'><b>{human_seconds(r['seconds'])}</b></td>"
            f"<td><div style='height:12px;width:{300 * frac:.0f}px;background:#4c78a8'>"
            "</div></td></tr>"
        )
    ops = rows[0]["ops"]
    return (
        f"<p>Operations to train, {_esc(source)}: <b><span class='mlpops-time-ops' "
        f"data-ops='{ops}'>{ops:,}</span></b>"
        f"{'<br><small>' + _esc(detail) + '</small>' if detail else ''}</p>"
        "<table><thead><tr><th>engine</th><th>measured rate</th><th>time</th>"
        "<th>(log scale)</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        "<p><small>Rates are measured now on this CPU (median of repeats): pure Python "
        "loops, mlpops' scalar engine (one Python object per number), and numpy on this "
        "network and batch.</small></p>"
    )


class _TimeEstimator:
    def __init__(self, sizes, examples, epochs) -> None:
        w = _widgets()
        self.sizes = w.Text(value=", ".join(map(str, check_sizes(list(sizes)))),
                            description="layers", continuous_update=False)  # fmt: skip
        self.examples = w.BoundedIntText(value=examples, min=1, max=10**12,
                                         description="examples", continuous_update=False)  # fmt: skip
        self.epochs = w.BoundedIntText(value=epochs, min=1, max=10**6, description="epochs",
                                       continuous_update=False)  # fmt: skip
        self.batch = w.BoundedIntText(value=1, min=1, max=100_000, description="batch",
                                      continuous_update=False)  # fmt: skip
        self.remeasure = w.Button(description="measure again")
        self.out = w.HTML()
        self.out.add_class("mlpops-time-out")
        self.update = _guard(self.out, self.update)
        for c in (self.sizes, self.examples, self.epochs, self.batch):
            c.observe(lambda ch: self.update(), names="value")
        self.remeasure.on_click(lambda _: self.update(refresh=True))
        self.box = _box(
            [
                w.HTML("<b>Time estimator</b> — operations counted by mlpops, divided by "
                       "operations per second measured on this CPU."),
                w.HBox([self.sizes, self.batch]),
                w.HBox([self.examples, self.epochs, self.remeasure]),
                self.out,
            ],
            f"time_estimator({list(sizes)}, examples={examples}, epochs={epochs})",
        )  # fmt: skip
        self.box.add_class("mlpops-time-estimator")
        self.box.estimator = self
        self.update()

    def update(self, refresh: bool = False) -> None:
        try:
            sizes = parse_sizes(self.sizes.value)
            batch = self.batch.value
            self.out.value = "<small>measuring…</small>"
            rates = measured_rates(sizes, batch, refresh=refresh)
            rows = time_rows(sizes, self.examples.value, self.epochs.value, batch, rates)
        except (ValueError, TypeError) as e:
            self.out.value = f"<span style='color:#b42318'>{_esc(e)}</span>"
            return
        self.rows = rows
        source = "live" if not too_large(sizes, batch) else FORMULA_ONLY
        timed = numpy_timed_network(sizes, batch)
        if timed != (tuple(sizes), batch):
            source += (f"; numpy's rate measured on {'-'.join(map(str, timed[0]))}, "
                       f"batch {timed[1]} (this network is too big to time in a moment)")  # fmt: skip
        examples, epochs = self.examples.value, self.epochs.value
        steps = -(-examples // batch)
        detail = (
            f"{epochs:,} epochs × {steps:,} steps of {batch} example"
            f"{'s' if batch > 1 else ''} × {step_ops(sizes, batch):,} operations per step"
            f"{' (the last step of each epoch holds the rest)' if examples % batch else ''}"
        )
        self.out.value = time_html(rows, source, detail)


def time_estimator(sizes: Sequence[int] = (784, 128, 10), examples: int = 60000, epochs: int = 10):
    """Network, examples, epochs -> operations -> seconds on this CPU, per engine."""
    return _TimeEstimator(sizes, examples, epochs).box
