"""The time estimator: operations counted by mlpops, divided by operations per second
measured on this CPU, for three routes side by side (pure Python, the scalar engine,
numpy).

``time_rows`` makes the table (what the tests check); ``time_estimator()`` is the widget.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from ... import timing
from ...nn import check_sizes
from . import ui
from .ui import FORMULA_ONLY, PHASE_COLORS, check_batch, check_whole, live_counts, parse_sizes

#: the three routes a training step can take, slowest first (rate labels, not mlpops'
#: two engines: a route is how the arithmetic runs, an engine is how mlpops counts it)
ROUTES = ("pure Python", "scalar engine", "numpy")
#: the network timed for numpy when the asked one is too big to time in a moment
NUMPY_PROXY = ((1024, 1024, 1024), 32)
#: the log-scale bars of the time table
BAR_COLOR = PHASE_COLORS["forward"]
_RATE_CACHE: dict[tuple, float] = {}


def numpy_timed_network(sizes: Sequence[int], batch: int) -> tuple[tuple[int, ...], int]:
    """The network and batch whose numpy speed stands for (sizes, batch): itself, unless
    one step of it is too large to run live (then ``NUMPY_PROXY``)."""
    sizes = tuple(check_sizes(sizes))
    if ui.not_live(sizes, batch):
        return NUMPY_PROXY
    return sizes, int(batch)


def _rate(route: str, sizes: tuple[int, ...], batch: int) -> float:
    """Operations per second of one route, measured by ``mlpops.timing``.

    Pure Python and the scalar engine cost about the same per operation whatever the
    network (one interpreter step each), so they are measured once on a small one; numpy
    is measured on this network and batch, since its speed depends on the shapes.
    """
    if route == "pure Python":
        return timing.python_loop_rate(1000, name=route).ops_per_second
    if route == "scalar engine":
        return timing.train_step_rate([8, 8, 8], "scalar", name=route).ops_per_second
    sizes, batch = numpy_timed_network(sizes, batch)
    return timing.train_step_rate(list(sizes), "array", name=route, batch=batch).ops_per_second


def measured_rates(
    sizes: Sequence[int] = (784, 128, 10), batch: int = 1, refresh: bool = False
) -> dict[str, float]:
    """Measured operations per second on this CPU, per route (cached; ``refresh`` measures
    again): pure Python, the scalar engine, numpy on this network and batch."""
    sizes = tuple(check_sizes(sizes))
    batch = check_batch(batch)
    out = {}
    for route in ROUTES:
        key = (route, sizes, batch) if route == "numpy" else (route,)
        if refresh or key not in _RATE_CACHE:
            _RATE_CACHE[key] = _rate(route, sizes, batch)
        out[route] = _RATE_CACHE[key]
    return out


def step_ops(sizes: Sequence[int], batch: int = 1, activation: str = "sigmoid") -> int:
    """All operations of one training step: live, or the formula when too large to run."""
    sizes = check_sizes(sizes)
    if ui.not_live(sizes, batch, activation):
        return ui.step_ops_by_formula(sizes, batch, activation)
    return live_counts(sizes, batch, activation)["total"]


def training_ops(sizes: Sequence[int], examples: int, epochs: int, batch: int = 1) -> int:
    """Operations of a whole training run: every step of every epoch (the last batch of
    an epoch holds the remainder)."""
    examples = check_whole("examples", examples)
    epochs = check_whole("epochs", epochs)
    batch = check_whole("batch", batch)
    full, rest = divmod(examples, batch)
    per_epoch = full * step_ops(sizes, batch) + (step_ops(sizes, rest) if rest else 0)
    return per_epoch * epochs


def human_seconds(seconds: float) -> str:
    """'~3.2 s', '~4.1 min', '~2.3 h', '~5.0 days', '~1.3 years' (measured: a leading ~)."""
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, numbers.Real)
        or not math.isfinite(seconds)
        or seconds < 0
    ):
        raise ValueError(f"seconds is a finite number >= 0; got {seconds!r}")
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return (
                f"~{seconds / size:.2g} {unit}"
                if seconds / size < 10
                else f"~{seconds / size:,.0f} {unit}"
            )
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
    """Per route: the counted operations, the measured rate and the estimated seconds."""
    sizes = check_sizes(sizes)
    ops = training_ops(sizes, examples, epochs, batch)
    rates = rates if rates is not None else measured_rates(sizes, batch)
    return [
        {
            "route": r,
            "ops": ops,
            "rate": rates[r],
            "seconds": timing.estimate_seconds(ops, rates[r]),
        }
        for r in ROUTES
    ]


def time_html(rows: list[dict], source: str = "live", detail: str = "") -> str:
    """Routes side by side: rate, time, and a log-scale bar (``detail``: how the
    operations add up, one line)."""
    longest = max(r["seconds"] for r in rows)
    shortest = min(r["seconds"] for r in rows)
    span = math.log10(longest / shortest) if longest > shortest else 1.0
    body = []
    for r in rows:
        frac = 0.15 + 0.85 * (math.log10(r["seconds"] / shortest) / span if span else 1.0)
        body.append(
            f"<tr><td style='text-align:left'>{ui.esc(r['route'])}</td>"
            f"<td style='text-align:right'>~{r['rate']:.2e} ops/s</td>"
            f"<td style='text-align:right'><b>{human_seconds(r['seconds'])}</b></td>"
            f"<td><div style='height:12px;width:{300 * frac:.0f}px;background:{BAR_COLOR}'>"
            "</div></td></tr>"
        )
    ops = rows[0]["ops"]
    return (
        f"<p>Operations to train, {ui.esc(source)}: <b><span class='mlpops-time-ops' "
        f"data-ops='{ops}'>{ops:,}</span></b>"
        f"{'<br><small>' + ui.esc(detail) + '</small>' if detail else ''}</p>"
        "<table><thead><tr><th>route</th><th>measured rate</th><th>time</th>"
        "<th>(log scale)</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        "<p><small>Rates are measured now on this CPU (median of repeats): pure Python "
        "loops, mlpops' scalar engine (one Python object per number), and numpy on this "
        "network and batch.</small></p>"
    )


class _TimeEstimator:
    def __init__(self, sizes, examples, epochs, batch=1) -> None:
        w = ui.ipywidgets()
        self.sizes = w.Text(
            value=", ".join(map(str, check_sizes(list(sizes)))),
            description="layers",
            continuous_update=False,
        )
        self.examples = w.BoundedIntText(
            value=examples, min=1, max=10**12, description="examples", continuous_update=False
        )
        self.epochs = w.BoundedIntText(
            value=epochs, min=1, max=10**6, description="epochs", continuous_update=False
        )
        self.batch = w.BoundedIntText(
            value=check_batch(batch),
            min=1,
            max=100_000,
            description="batch",
            continuous_update=False,
        )
        self.remeasure = w.Button(description="measure again")
        self.out = w.HTML()
        self.out.add_class("mlpops-time-out")
        self.update = ui.guard(self.out, self.update)
        for c in (self.sizes, self.examples, self.epochs, self.batch):
            c.observe(lambda ch: self.update(), names="value")
        self.remeasure.on_click(lambda _: self.update(refresh=True))
        self.box = ui.box(
            [
                w.HTML(
                    "<b>Time estimator</b> — operations counted by mlpops, divided by "
                    "operations per second measured on this CPU."
                ),
                w.HBox([self.sizes, self.batch]),
                w.HBox([self.examples, self.epochs, self.remeasure]),
                self.out,
            ],
            f"time_estimator({list(sizes)}, examples={examples}, epochs={epochs}"
            f"{f', batch={batch}' if batch != 1 else ''})",
            snapshot=lambda: self.out.value,
        )
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
            self.out.value = f"<span style='color:#b42318'>{ui.esc(e)}</span>"
            return
        self.rows = rows
        source = "live" if not ui.not_live(sizes, batch) else FORMULA_ONLY
        timed = numpy_timed_network(sizes, batch)
        if timed != (tuple(sizes), batch):
            source += (
                f"; numpy's rate measured on {'-'.join(map(str, timed[0]))}, "
                f"batch {timed[1]} (this network is too big to time in a moment)"
            )
        examples, epochs = self.examples.value, self.epochs.value
        steps = -(-examples // batch)
        detail = (
            f"{epochs:,} epochs × {steps:,} steps of {batch} example"
            f"{'s' if batch > 1 else ''} × {step_ops(sizes, batch):,} operations per step"
            f"{' (the last step of each epoch holds the rest)' if examples % batch else ''}"
        )
        self.out.value = time_html(rows, source, detail)


def time_estimator(
    sizes: Sequence[int] = (784, 128, 10), examples: int = 60000, epochs: int = 10, batch: int = 1
):
    """Network, examples, epochs, batch -> operations -> seconds on this CPU, per route
    (a sigmoid network with the mean squared error, as in ``MLP``'s default)."""
    return _TimeEstimator(sizes, examples, epochs, batch).box
