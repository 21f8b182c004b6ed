"""What the four explorers share: the widget box, error display, escaping, colours and
the one cached live training step that the tables are read from.

The widgets only arrange controls; what they show comes from plain functions that the
tests call without a kernel.
"""

from __future__ import annotations

import functools
import html
import numbers
import re
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ... import formulas
from ...counting import MACS, Counts, count
from ...nn import MLP, check_sizes
from ...report import breakdown
from ...sizes import too_large
from ..figures import PALETTE

#: one colour per phase, from the course's palette (``figures.PALETTE``, Okabe–Ito: safe
#: for colour-blind readers); always beside the phase's name and its own pattern, never
#: alone, and at least 3:1 on white (WCAG's non-text rule)
PHASE_COLORS = {
    "forward": PALETTE[0],
    "loss": PALETTE[4],
    "backward": PALETTE[3],
    "update": PALETTE[2],
}
#: the second cue beside each phase's colour (CSS backgrounds): solid, upright stripes,
#: slanted stripes, dots
PHASE_PATTERNS = {
    "forward": "{c}",
    "loss": "repeating-linear-gradient(90deg,{c} 0 2px,#fff 2px 4px)",
    "backward": "repeating-linear-gradient(45deg,{c} 0 3px,#fff 3px 5px)",
    "update": "radial-gradient(circle,#fff 1.2px,transparent 1.6px) 0 0/5px 5px,{c}",
}


def phase_background(phase: str) -> str:
    """The CSS background of a phase's bars and swatches: its colour and its pattern."""
    return PHASE_PATTERNS[phase].format(c=PHASE_COLORS[phase])


def phase_swatch(phase: str) -> str:
    """A small patterned square for a phase (decorative: its name is always beside it)."""
    return (
        "<span aria-hidden='true' style='display:inline-block;width:12px;height:12px;"
        f"vertical-align:middle;border:1px solid {PHASE_COLORS[phase]};"
        f"background:{phase_background(phase)}'></span>"
    )


FORMULA_ONLY = "formula (too large to run live)"
#: what the stepper highlights, and error text: 6.4:1 on white (WCAG AA asks 4.5:1)
HIGHLIGHT = "#b42318"


def esc(s: Any) -> str:
    """Text made safe to put inside HTML."""
    return html.escape(str(s))


def check_whole(name: str, value: Any, least: int = 1) -> int:
    """``value`` as an int if it is a whole number >= ``least``, else a clear ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise ValueError(f"{name} is a whole number >= {least}; got {value!r}")
    return int(value)


def check_batch(batch: Any) -> int:
    return check_whole("batch", batch)


def parse_sizes(text: str | Sequence[int]) -> list[int]:
    """Layer widths from '30, 30, 30' (or '30 30 30', '30-30-30', or a list), checked by
    mlpops. A minus sign is refused, never read as a separator: '30,-30' is an error."""
    if isinstance(text, str):
        if re.search(r"(^|[\s,])-\d", text):  # a negative number, not '30-30' dashes
            raise ValueError(f"layer widths are whole numbers >= 1; got {text!r}")
        parts = text.replace(",", " ").replace("-", " ").split()
        try:
            sizes = [int(p.replace("_", "")) for p in parts]
        except ValueError:
            raise ValueError(
                f"layer widths are whole numbers such as 30, 30, 30; got {text!r}"
            ) from None
        return check_sizes(sizes)
    return check_sizes(list(text))


def step_ops_by_formula(sizes: Sequence[int], batch: int = 1, activation: str = "sigmoid") -> int:
    """All operations of one training step, from the formulas (known before running)."""
    phases = formulas.phase_totals(formulas.mlp(sizes, batch, activation))
    return sum(map(formulas.total, phases.values()))


def not_live(sizes: Sequence[int], batch: int = 1, activation: str = "sigmoid") -> str | None:
    """Why an explorer shows the formula instead of running this step live, or None:
    ``mlpops.sizes.too_large`` given the step's operations, as the command does."""
    return too_large(sizes, batch, ops=step_ops_by_formula(sizes, batch, activation))


def counted_step(
    sizes: Sequence[int], batch: int = 1, activation: str = "sigmoid", input_grad: bool = False
) -> Counts:
    """One training step of ``MLP(sizes)`` on seeded data, counted live."""
    net = MLP(list(sizes), activation=activation, seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(batch, sizes[0]))
    Y = rng.uniform(size=(batch, sizes[-1]))
    with count() as ops:
        net.train_step(X, Y, lr=0.1, input_grad=input_grad)
    return ops


@functools.lru_cache(maxsize=128)
def _live_cells(sizes: tuple[int, ...], batch: int, activation: str) -> dict:
    """One training step run live: {unit: {phase: {kind: n, ..., 'macs': n}}}."""
    ops = counted_step(sizes, batch, activation)
    cells = breakdown(ops)  # {unit: {phase: {kind: n}}}, read from the scopes
    for unit, by_phase in cells.items():
        for phase, cell in by_phase.items():
            cell[MACS] = ops.within(phase if unit == phase else f"{phase}/{unit}").macs
    return {"cells": cells, "uncounted": ops.uncounted, "total": ops.total}


def live_counts(sizes: Sequence[int], batch: int = 1, activation: str = "sigmoid") -> dict:
    """Live per-unit, per-phase counts of one training step (cached), with ``macs``.

    Returns ``{"cells": {unit: {phase: {kind: n}}}, "uncounted": {...}, "total": n}``.
    """
    return _live_cells(tuple(check_sizes(sizes)), check_batch(batch), activation)


def ipywidgets():
    """The ipywidgets module, imported when the first widget is made."""
    import ipywidgets as module

    return module


@functools.lru_cache(maxsize=1)
def _box_class():
    """A VBox whose text form is one short, stable line (what GitHub shows of a widget)."""
    w = ipywidgets()

    class ExplorerBox(w.VBox):
        _text = "mlpops explorer"
        _snapshot: Callable[[], str] | None = None

        def __repr__(self) -> str:
            return f"{self._text}  (a widget: run the notebook to use it)"[:110]

        def _repr_mimebundle_(self, **kwargs: Any) -> dict:
            """The widget view, and beside it a static HTML view of the explorer as it
            is now: what GitHub, nbviewer and a screen reader get without a kernel."""
            data = super()._repr_mimebundle_(**kwargs)
            if self._snapshot is not None:
                title = self._text.split("(")[0].replace("_", " ").capitalize()
                data["text/html"] = static_html(title, self._snapshot())
            return data

    return ExplorerBox


def box(children: list, text: str, snapshot: Callable[[], str] | None = None):
    """The explorer's box; ``snapshot()`` gives the HTML of its present state."""
    view = _box_class()(children)
    view._text = text
    view._snapshot = snapshot
    return view


#: text and background of the static view: 16:1 contrast (WCAG AA asks 4.5:1)
TEXT_COLOR, BACKGROUND = "#1f2328", "#ffffff"


def static_html(title: str, body: str) -> str:
    """A static view of an explorer: its first state, readable with no kernel at all."""
    return (
        f"<div class='mlpops-static' style='color:{TEXT_COLOR};background:{BACKGROUND};"
        "padding:4px 8px;border:1px solid #8c959f'>"
        f"<p><b>{esc(title)}</b> — a static view of the explorer's first state; "
        "run the notebook to change it.</p>"
        f"{body}</div>"
    )


def error_html(text: str) -> str:
    """An unexpected error, shown inside the widget (class ``mlpops-widget-error``)."""
    return (
        "<pre class='mlpops-widget-error' style='color:#b42318;white-space:pre-wrap'>"
        f"{esc(text)}</pre>"
    )


def guard(target: Any, fn: Callable) -> Callable:
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
