"""The op-by-op stepper: every operation of one training step of a tiny network, traced
live by the scalar engine, drawn on the network (which W_ij meets which x_i).

``stepper_steps`` traces and places each operation; ``stepper_view`` draws one moment;
``op_stepper()`` is the widget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np

from ...counting import ACTIVATIONS, BYTES, count
from ...nn import MLP, check_sizes
from ...report import PHASES, parse_scope, sort_kinds
from ...scalar import values
from . import ui
from .ui import HIGHLIGHT

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


#: each term of a phase: (short label for the stepper, longer label for feedback)
TERMS = {
    ("forward", "weighted-sum"): ("z = b + Σ W·x", "Z = b + X·W (the weighted sums)"),
    ("forward", "activation"): ("a = f(z)", "f(Z) (the transfer function)"),
    ("loss", "value"): ("loss", "the loss"),
    ("loss", "gradient"): ("loss gradient dA", "the loss gradient dA"),
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
    elementwise call runs in index order. tests/course/test_widgets.py checks these
    against the operands' values.
    """
    if phase == "forward" and term == "weighted-sum":
        per = 2 * N - 1  # N products, N-1 additions per output z_j
        if k < M * per:
            j, r = divmod(k, per)
            i = 0 if r == 0 else (r + 1) // 2
            if r == 0 or r % 2 == 1:
                return {
                    "edges": [(layer, i, j)],
                    "nodes": [(layer - 1, i)],
                    "what": f"{_w(layer, i, j)} × {_in(layer, i)}",
                }
            return {
                "edges": [(layer, i, j)],
                "nodes": [(layer, j)],
                "what": f"running sum for {_out(layer, j, 'z')} += {_w(layer, i, j)}·{_in(layer, i)}",
            }
        j = k - M * per
        return {
            "edges": [],
            "nodes": [(layer, j)],
            "what": f"{_out(layer, j, 'z')} = b{str(j + 1).translate(_SUB)} + Σ",
        }
    if term == "activation":
        j = k % M
        name = "a = f(z)" if phase == "forward" else "dz = da·f′(z)"
        return {"edges": [], "nodes": [(layer, j)], "what": f"{name} for neuron {_out(layer, j)}"}
    if phase == "backward" and term == "dW":
        i, j = divmod(k, M)
        return {
            "edges": [(layer, i, j)],
            "nodes": [(layer - 1, i), (layer, j)],
            "what": f"d{_w(layer, i, j)} = {_in(layer, i)} × dz{str(layer).translate(_SUP)}"
            f"{str(j + 1).translate(_SUB)}",
        }
    if phase == "backward" and term == "dX":
        per = 2 * M - 1
        i, r = divmod(k, per)
        j = 0 if r == 0 else (r + 1) // 2
        return {
            "edges": [(layer, i, j)],
            "nodes": [(layer - 1, i)],
            "what": f"d{_in(layer, i)} gathers dz{str(layer).translate(_SUP)}"
            f"{str(j + 1).translate(_SUB)} × {_w(layer, i, j)}",
        }
    if phase == "update" and term == "W":
        i, j = divmod(k % (N * M), M)
        step = "lr × dW" if k < N * M else "W − lr·dW"
        return {"edges": [(layer, i, j)], "nodes": [], "what": f"{_w(layer, i, j)}: {step}"}
    if phase == "update" and term == "b":
        j = k % M
        step = "lr × db" if k < M else "b − lr·db"
        return {
            "edges": [],
            "nodes": [(layer, j)],
            "what": f"b{str(layer).translate(_SUP)}{str(j + 1).translate(_SUB)}: {step}",
        }
    return {"edges": [], "nodes": [], "what": ""}


def _one_example(values, width: int, name: str) -> np.ndarray:
    """``values`` as a float vector of ``width`` entries, or a clear error."""
    v = np.asarray(values, dtype=float)
    if v.shape != (width,) or not np.all(np.isfinite(v)):
        raise ValueError(
            f"{name} must be {width} finite numbers (one example for this network); "
            f"got {np.asarray(values).tolist()!r}"
        )
    return v


def stepper_steps(
    sizes: Sequence[int] = (2, 2, 1),
    activation: str = "sigmoid",
    seed: int = 0,
    x: Sequence[float] | None = None,
    target: Sequence[float] | None = None,
) -> dict:
    """Every operation of one training step of a tiny network, traced live (scalar engine).
    ``x`` and ``target`` (one example) are drawn from ``seed`` unless given, so a notebook
    can replay the very example it counted.

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
    drawn_x = np.round(rng.uniform(-1, 1, sizes[0]), 2)
    drawn_target = np.round(rng.uniform(0, 1, sizes[-1]), 2)
    x = drawn_x if x is None else _one_example(x, sizes[0], "x")
    target = drawn_target if target is None else _one_example(target, sizes[-1], "target")
    W = [values(layer.W).copy() for layer in net.layers]
    with count(trace=20_000) as ops:
        net.train_step(x, target, lr=0.1)
    steps = []
    seen: dict[str, int] = {}
    tally: dict[str, dict[str, int]] = {}
    for e in ops.trace:
        scope = parse_scope(e.scope)
        if scope is None:  # an operation outside the step's phases (none today)
            continue
        phase, term, layer = scope.phase, scope.term or scope.unit, scope.layer
        k = seen.get(e.scope, 0)
        seen[e.scope] = k + 1
        if layer is not None:
            N, M = sizes[layer - 1], sizes[layer]
            where = _locate(phase, term, layer, k, N, M)
        else:
            last = len(sizes) - 1
            where = {
                "edges": [],
                "nodes": [(last, j) for j in range(sizes[-1])],
                "what": "loss" if term == "value" else "loss gradient",
            }
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
    return {"sizes": sizes, "x": x, "target": target, "W": W, "steps": steps, "total": ops.total}


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
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"class='mlpops-network' style='font-family:sans-serif;font-size:11px'>"
    ]
    for layer in range(1, cols):
        for i, y0 in enumerate(ys(sizes[layer - 1])):
            for j, y1 in enumerate(ys(sizes[layer])):
                hot = (layer, i, j) in hot_edges
                color, w = (HIGHLIGHT, 4) if hot else ("#bbb", 1.2)
                cls = " class='hot'" if hot else ""
                parts.append(
                    f"<line x1='{xs[layer - 1]:.0f}' y1='{y0:.0f}' x2='{xs[layer]:.0f}' "
                    f"y2='{y1:.0f}' stroke='{color}' stroke-width='{w}'"
                    f"{cls}><title>{_w(layer, i, j)}</title></line>"
                )
                if hot:
                    mx, my = (xs[layer - 1] + xs[layer]) / 2, (y0 + y1) / 2 - 6
                    parts.append(
                        f"<text x='{mx:.0f}' y='{my:.0f}' fill='{HIGHLIGHT}' "
                        f"text-anchor='middle'>{_w(layer, i, j)}</text>"
                    )
    for c in range(cols):
        for r, y in enumerate(ys(sizes[c])):
            hot = (c, r) in hot_nodes
            fill = HIGHLIGHT if hot else "#fff"
            label = _in(1, r) if c == 0 else _out(c, r)
            parts.append(
                f"<circle cx='{xs[c]:.0f}' cy='{y:.0f}' r='13' fill='{fill}' stroke='#333'/>"
                f"<text x='{xs[c]:.0f}' y='{y + 4:.0f}' text-anchor='middle' "
                f"fill='{'#fff' if hot else '#000'}'>{label}</text>"
            )
            if c == 0 and x is not None:
                parts.append(
                    f"<text x='{xs[c] - 16:.0f}' y='{y + 4:.0f}' text-anchor='end'>{x[r]:g}</text>"
                )
    parts.append("</svg>")
    return "".join(parts)


def tally_html(tally: dict[str, dict[str, int]], kinds: Sequence[str] | None = None) -> str:
    """Running counts by phase (rows) and kind (columns: ``kinds``, or those in tally)."""
    if kinds is None:
        kinds = {k for d in tally.values() for k in d}
    kinds = [k for k in sort_kinds(kinds) if k not in (ACTIVATIONS, BYTES)]
    head = "".join(f"<th style='padding:0 8px'>{ui.esc(k)}</th>" for k in kinds)
    rows = []
    for phase in PHASES:
        d = tally.get(phase, {})
        cells = "".join(
            f"<td style='text-align:right;padding:0 8px'>{d.get(k, 0):,}</td>" for k in kinds
        )
        total = sum(d.get(k, 0) for k in kinds)
        rows.append(
            f"<tr><td style='text-align:left'>{phase}</td>{cells}"
            f"<td style='text-align:right;padding:0 8px'><b>{total:,}</b></td></tr>"
        )
    return (
        f"<table class='mlpops-tally'><thead><tr><th>so far</th>{head}<th>total</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def stepper_view(trace: dict, index: int) -> tuple[str, str, str]:
    """(network SVG, the current operation, the running tallies) after ``index`` steps."""
    steps = trace["steps"]
    index = max(0, min(index, len(steps)))
    kinds = {k for d in steps[-1]["tally"].values() for k in d} if steps else set()
    if index == 0:
        svg = network_svg(trace["sizes"], x=trace["x"])
        x = ", ".join(f"{v:g}" for v in trace["x"])
        y = ", ".join(f"{v:g}" for v in trace["target"])
        text = (
            f"Ready: {len(steps):,} operations in one training step of "
            f"{'-'.join(map(str, trace['sizes']))} (input x = [{x}], target [{y}], "
            "lr 0.1). Press step ▶ or play."
        )
        return svg, text, tally_html({}, kinds)
    s = steps[index - 1]
    svg = network_svg(trace["sizes"], s["edges"], s["nodes"], trace["x"])
    where = f"layer {s['layer']}" if s["layer"] else "loss"
    text = (
        f"<b>op {index:,} of {len(steps):,}</b> · {s['phase']} · {where} · "
        f"<i>{ui.esc(s['term'])}</i><br><code>{s['kind']}</code>: {ui.esc(s['text'])}"
    )
    return svg, text, tally_html(s["tally"], kinds)


def stepper_summary(trace: dict) -> str:
    """The network as drawn before the first step, and the tallies after the last one."""
    steps = trace["steps"]
    svg, text, _ = stepper_view(trace, 0)
    text = text.replace(" Press step ▶ or play.", "")
    final = tally_html(steps[-1]["tally"]) if steps else ""
    return (
        f"{svg}<p>{text}</p><p>After all {len(steps):,} operations, by phase and kind:</p>{final}"
    )


class _OpStepper:
    def __init__(self, sizes, activation, seed, x=None, target=None) -> None:
        w = ui.ipywidgets()
        self.trace = stepper_steps(sizes, activation, seed, x, target)
        n = len(self.trace["steps"])
        # the operation's number: a labelled number box (arrow keys step it), not a slider,
        # whose handle ipywidgets leaves without an accessible name; a bar shows progress
        self.slider = w.BoundedIntText(
            value=0,
            min=0,
            max=n,
            description=f"operation (of {n:,})",
            continuous_update=True,
            style={"description_width": "initial"},
            layout=w.Layout(width="220px"),
        )
        self.slider.add_class("mlpops-op")
        self.progress = w.IntProgress(value=0, min=0, max=n, layout=w.Layout(width="300px"))
        # play: a named toggle button (widgets.Play's buttons are icons with no name)
        self.play = w.ToggleButton(
            value=False,
            description="play",
            tooltip="step on by itself, one operation every 0.4 s; press again to pause",
            layout=w.Layout(width="70px"),
        )
        self.play.add_class("mlpops-play")
        self.interval = 0.4
        self._task = None
        self.back = w.Button(description="◀ back", layout=w.Layout(width="80px"))
        self.step = w.Button(description="step ▶", layout=w.Layout(width="80px"))
        self.reset = w.Button(description="reset", layout=w.Layout(width="70px"))
        self.next_phase = w.Button(description="next phase ▶▶", layout=w.Layout(width="130px"))
        self.step.add_class("mlpops-step")
        self.reset.add_class("mlpops-reset")
        self.svg, self.text, self.tally = w.HTML(), w.HTML(), w.HTML()
        self.text.add_class("mlpops-stepper-text")
        self.go = ui.guard(self.text, self.go)
        self.render = ui.guard(self.text, self.render)
        self.step.on_click(lambda _: self.go(self.slider.value + 1))
        self.back.on_click(lambda _: self.go(self.slider.value - 1))
        self.reset.on_click(lambda _: self.go(0))
        self.next_phase.on_click(lambda _: self.go(self._next_phase_index()))
        self.slider.observe(lambda ch: self.render(), names="value")
        self._on_play = ui.guard(self.text, self._on_play)
        self.play.observe(self._on_play, names="value")
        self.box = ui.box(
            [
                w.HTML(
                    "<b>Op-by-op stepper</b> — every operation of one training step, "
                    "traced live by the scalar engine."
                ),
                w.HBox([self.reset, self.back, self.step, self.next_phase, self.play]),
                w.HBox([self.slider, self.progress]),
                self.svg,
                self.text,
                self.tally,
            ],
            f"op_stepper({self.trace['sizes']}, activation={activation!r}, seed={seed})",
            snapshot=lambda: stepper_summary(self.trace),
        )
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

    def _on_play(self, change) -> None:
        """Play: step on every ``interval`` seconds in the kernel's event loop until the
        last operation or until play is pressed again. With no running loop (plain
        Python), it steps to the end at once."""
        if not change["new"]:
            if self._task is not None:
                self._task.cancel()
                self._task = None
            return
        if self.slider.value >= self.slider.max:
            self.go(0)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.go(self.slider.max)
            self.play.value = False
            return
        self._task = loop.create_task(self._playing())

    async def _playing(self) -> None:
        try:
            while self.play.value and self.slider.value < self.slider.max:
                await asyncio.sleep(self.interval)
                self.go(self.slider.value + 1)
        finally:
            self._task = None
            self.play.value = False

    def go(self, index: int) -> None:
        self.slider.value = max(0, min(index, len(self.trace["steps"])))

    def render(self) -> None:
        self.progress.value = self.slider.value
        self.svg.value, self.text.value, self.tally.value = stepper_view(
            self.trace, self.slider.value
        )


def op_stepper(
    sizes: Sequence[int] = (2, 2, 1),
    activation: str = "sigmoid",
    seed: int = 0,
    x: Sequence[float] | None = None,
    target: Sequence[float] | None = None,
):
    """Step, play or reset through every operation of one training step of a tiny network.

    The drawn network highlights which W_ij meets which x_i; tallies by kind run below.
    ``x`` and ``target``: the example to train on (drawn from ``seed`` if not given).
    """
    return _OpStepper(sizes, activation, seed, x, target).box
