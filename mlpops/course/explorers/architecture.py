"""The architecture explorer: layer widths, batch, f, phases and a convention -> a table
of live counts beside the formula, and a bar per layer.

``explorer_rows`` makes the table's rows (what the tests check); ``explorer_html`` and
``bar_chart_html`` draw them; ``architecture_explorer()`` is the widget.
"""

from __future__ import annotations

from collections.abc import Sequence

from ... import conventions, formulas
from ...counting import BYTES, MACS
from ...nn import check_sizes, get_activation
from ...report import PHASES
from . import ui
from .ui import FORMULA_ONLY, PHASE_COLORS, check_batch, live_counts

#: convention -> its label on the toggle (the conventions are ``mlpops.conventions``')
CONVENTION_LABELS = {
    "flops": "mlpops FLOPs",
    "macs": "MACs",
    "pytorch_flop_counter": "PyTorch rule",
}
#: convention -> what it counts and leaves out, as ``mlpops.conventions`` says it
CONVENTION_NOTES = {
    key: f"counts {counts}; leaves out {left_out}"
    for key, (counts, left_out) in conventions.CONVENTIONS.items()
}
#: transfer functions offered for the hidden and output layers
ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu", "identity")
#: above this many multiplications, say "running…" while the step runs
SLOW_MUL_COUNT = 5_000_000


def _muls(sizes: Sequence[int], batch: int) -> int:
    """Multiplications in one training step, by the formula (to decide before running)."""
    phases = formulas.phase_totals(formulas.mlp(sizes, batch))
    return sum(kinds.get("mul", 0) for kinds in phases.values())


def _value(kinds: dict[str, int], convention: str) -> int:
    """One cell's count under a convention (``kinds`` holds its ``macs``)."""
    if convention not in CONVENTION_LABELS:
        choices = ", ".join(CONVENTION_LABELS)
        raise ValueError(f"unknown convention {convention!r}; choose one of {choices}")
    return conventions.from_counts(kinds)[convention]


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
        return (  # the loss phase: its value, then its gradient
            f"mean((a − y)²): 3·B·K = 3·{B}·{K} = {3 * B * K:,}; "
            f"dA = 2(a − y)/(B·K): 3·B·K = 3·{B}·{K} = {3 * B * K:,}"
        )
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
    batch = check_batch(batch)
    for p in phases:
        if p not in PHASES:
            raise ValueError(f"unknown phase {p!r}; choose from {', '.join(PHASES)}")
    _value({}, convention)  # validates the convention
    reason = ui.not_live(sizes, batch, activation)
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
                fkinds[MACS] = formulas.dense_macs(sizes[i - 1], sizes[i], batch, phase, i > 1)
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
                    "kinds": {k: n for k, n in kinds.items() if k not in (MACS, BYTES) and n},
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
        body.append(
            f"<tr title='{ui.esc(_kinds_text(r['kinds']))}'>"
            f"<td style='{_NOWRAP}'>{ui.esc(r['unit'])}</td>"
            f"<td style='{_NOWRAP}'>{ui.esc(r['shape'])}</td>"
            f"<td style='{_NOWRAP}'>{ui.phase_swatch(r['phase'])} "
            f"{ui.esc(r['phase'])}</td>"
            f"<td style='{_NOWRAP};text-align:right'>{live}</td>"
            f"<td style='{_NOWRAP};text-align:right'>{r['formula']:,}{ok}</td>"
            f"<td style='text-align:left;font-size:90%'>{ui.esc(r['expression'])}</td></tr>"
        )
    total = explorer_total(rows)
    source = "live" if not reason else FORMULA_ONLY
    banner = (
        f"<p class='mlpops-formula-only' style='color:#9a6700'><b>{ui.esc(FORMULA_ONLY)}</b>: "
        f"{ui.esc(reason)}. The numbers below are the formula's.</p>"
        if reason
        else ""
    )
    note = ui.esc(CONVENTION_NOTES[convention])
    return (
        f"<div class='mlpops-explorer-table'>{banner}"
        "<table style='border-collapse:collapse'>"
        f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
        f"<p>Total ({ui.esc(source)}): <b><span class='mlpops-explorer-total' "
        f"data-total='{total}' data-source='{ui.esc(source)}'>{total:,}</span></b> "
        f"{unit_label} &nbsp;·&nbsp; <small>{note}</small></p></div>"
    )


def bar_chart_html(rows: list[dict], width: int = 420) -> str:
    """A horizontal stacked bar per unit (layer, loss), one colour and pattern per phase,
    and beside each bar its phases' counts in words (nothing told by colour alone)."""
    units: dict[str, dict[str, int]] = {}
    for r in rows:
        value = r["live"] if r["live"] is not None else r["formula"]
        units.setdefault(r["unit"], {})[r["phase"]] = value
    biggest = max((sum(v.values()) for v in units.values()), default=0) or 1
    lines = []
    for unit, by_phase in units.items():
        segs, words = [], []
        for phase in PHASES:
            v = by_phase.get(phase, 0)
            if not v:
                continue
            w = max(1.0, width * v / biggest)
            segs.append(
                f"<div title='{ui.esc(phase)}: {v:,}' class='mlpops-bar-{phase}' "
                f"style='display:inline-block;height:14px;width:{w:.1f}px;"
                f"background:{ui.phase_background(phase)}'></div>"
            )
            words.append(f"{phase} {v:,}")
        total = sum(by_phase.values())
        lines.append(
            "<div style='display:flex;align-items:center;gap:6px;margin:2px 0'>"
            f"<span style='width:60px;text-align:right'>{ui.esc(unit)}</span>"
            f"<span style='display:inline-flex' aria-hidden='true'>{''.join(segs)}</span>"
            f"<span style='font-size:90%'>{total:,} ({', '.join(words)})</span></div>"
        )
    legend = " ".join(
        f"{ui.phase_swatch(p)} {p}" for p in PHASE_COLORS if any(r["phase"] == p for r in rows)
    )
    return f"<div class='mlpops-explorer-chart'>{''.join(lines)}<div>{legend}</div></div>"


class _ArchitectureExplorer:
    """Controls -> explorer_rows -> HTML table and chart (kept as .explorer on the box)."""

    def __init__(self, sizes, batch, activation) -> None:
        w = ui.ipywidgets()
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
            value=int(batch),
            min=1,
            max=1_000_000,
            description="batch B",
            continuous_update=False,
            layout=w.Layout(width="170px"),
        )
        self.batch.add_class("mlpops-batch")
        self.activation = w.Dropdown(
            options=list(dict.fromkeys([*ACTIVATION_CHOICES, activation])),
            value=activation,
            description="f",
            layout=w.Layout(width="170px"),
        )
        self.phase_toggles = {
            p: w.ToggleButton(
                value=True,
                description=p,
                tooltip=f"show the {p} phase",
                layout=w.Layout(width="90px"),
            )
            for p in PHASES
        }
        for p, t in self.phase_toggles.items():
            t.add_class(f"mlpops-phase-{p}")
        self.convention = w.ToggleButtons(
            options=[(label, key) for key, label in CONVENTION_LABELS.items()],
            value="flops",
            tooltips=[CONVENTION_NOTES[k] for k in CONVENTION_LABELS],
            style={"button_width": "130px"},
        )
        self.status = w.HTML()
        self.table = w.HTML()
        self.chart = w.HTML()
        self.table.add_class("mlpops-explorer-out")
        for name in ("update", "_on_add", "_on_remove", "_on_width"):
            setattr(self, name, ui.guard(self.status, getattr(self, name)))
        self.add.on_click(self._on_add)
        self.remove.on_click(self._on_remove)
        for c in [self.batch, self.activation, self.convention, *self.phase_toggles.values()]:
            c.observe(self._on_change, names="value")
        self._build_width_boxes()
        self.box = ui.box(
            [
                w.HTML(
                    "<b>Architecture explorer</b> — every number below is counted live "
                    "by mlpops while one training step runs (formula beside it)."
                ),
                w.HBox(
                    [w.Label("layer widths (inputs first):"), self.widths, self.add, self.remove],
                    layout=w.Layout(flex_flow="row wrap"),
                ),
                w.HBox([self.batch, self.activation]),
                w.HBox([w.Label("phases:"), *self.phase_toggles.values()]),
                w.HBox([w.Label("count:"), self.convention]),
                self.status,
                self.table,
                self.chart,
            ],
            f"architecture_explorer({self.sizes}, batch={batch}, activation={activation!r})",
            snapshot=lambda: self.table.value + self.chart.value,
        )
        self.box.add_class("mlpops-architecture-explorer")
        self.box.explorer = self
        self.update()

    def _build_width_boxes(self) -> None:
        w = ui.ipywidgets()
        boxes = []
        for i, n in enumerate(self.sizes):
            box = w.BoundedIntText(
                value=n,
                min=1,
                max=10**7,
                continuous_update=False,
                # the description is the box's <label>: its accessible name
                description="inputs" if i == 0 else f"layer {i}",
                tooltip="inputs" if i == 0 else f"neurons of layer {i}",
                style={"description_width": "initial"},
                layout=w.Layout(width="140px" if i == 0 else "130px"),
            )
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
            reason = ui.not_live(self.sizes, self.batch.value, self.activation.value)
            key = (tuple(self.sizes), self.batch.value, self.activation.value)
            if reason is None and key not in self._seen and _muls(*key[:2]) > SLOW_MUL_COUNT:
                self.status.value = "<small>running one training step live…</small>"
            self._seen.add(key)
            rows = explorer_rows(
                self.sizes,
                self.batch.value,
                self.activation.value,
                self.selected_phases(),
                self.convention.value,
            )
        except (ValueError, TypeError) as e:
            self.status.value = f"<span style='color:#b42318'>{ui.esc(e)}</span>"
            return
        self.rows = rows
        self.status.value = ""
        note = ""
        if reason is None:
            unc = live_counts(self.sizes, self.batch.value, self.activation.value)["uncounted"]
            if unc:  # never a silent zero: calls that ran without a counting rule
                calls = ", ".join(f"{k} x{n}" for k, n in sorted(unc.items()))
                note = f"<p style='color:#9a6700'>ran without a counting rule: {ui.esc(calls)}</p>"
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
