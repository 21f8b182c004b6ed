"""Predict, then reveal: the learner types a count, then sees the live count, its terms
and what a wrong guess left out.

``reveal_feedback`` compares a prediction with the live count; ``predict_then_reveal()``
is the widget.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np

from ... import formulas
from ...counting import KNOWN_KINDS
from ...nn import check_sizes, get_activation
from ...report import PHASES, parse_scope
from . import ui
from .stepper import TERMS
from .ui import check_batch, counted_step


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
    sizes: Sequence[int],
    phase: str,
    kind: str,
    batch: int = 1,
    activation: str = "sigmoid",
    input_grad: bool = False,
) -> list[tuple[str, int]]:
    """The live count of ``kind`` in ``phase``, split into its terms (layer, equation)."""
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; choose from {', '.join(PHASES)}")
    if kind != "total" and kind not in KNOWN_KINDS:
        raise ValueError(
            f"unknown kind {kind!r}: 'total' or one of {', '.join(sorted(KNOWN_KINDS))}"
        )
    ops = counted_step(check_sizes(sizes), check_batch(batch), activation, input_grad)
    terms = []
    for path, kinds in ops.by_scope().items():
        where = parse_scope(path)
        if where is None or where.phase != phase:
            continue
        n = formulas.total(kinds) if kind == "total" else kinds.get(kind, 0)
        if not n:
            continue
        unit, term = where.unit, where.term or where.unit
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
    out = {
        "expected": expected,
        "prediction": guess,
        "terms": terms,
        "missed": [],
        "extra": "",
        "gap": None,
    }
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
            extra = (
                "You counted layer 1's dX = dZ·Wᵀ: the gradient of the data is never "
                "used, so mlpops skips it."
            )
    if not extra and kind != "total":
        everything = sum(n for _, n in count_terms(sizes, phase, "total", batch, activation))
        if guess == everything:
            extra = f"That is every kind of operation; the question asks for {kind} only."
    if not extra and kind == "add" and batch >= 1:
        extra = (
            "A sum of k terms takes k − 1 additions (the bias brings it back to k for a neuron)."
        )
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
        return f"<p style='color:{color}'>{ui.esc(result['message'])}</p>"
    return f"<p style='color:{color}'><b>{ui.esc(result['message'])}</b></p>" + terms_html(
        result["expected"], result["terms"]
    )


def terms_html(expected: int, terms: list[tuple[str, int]]) -> str:
    """The live count and the terms it is made of."""
    rows = "".join(
        f"<tr><td style='text-align:left'>{ui.esc(label)}</td>"
        f"<td style='text-align:right'>{n:,}</td></tr>"
        for label, n in terms
    )
    return (
        f"<p>Live count: <b><span class='mlpops-reveal-count' data-count='{expected}'>"
        f"{expected:,}</span></b>, made of:</p>"
        f"<table><tbody>{rows}</tbody></table>"
    )


class _PredictThenReveal:
    def __init__(self, sizes, phase, kind, batch, activation) -> None:
        w = ui.ipywidgets()
        self.args = (check_sizes(list(sizes)), phase, kind, int(batch), activation)
        get_activation(activation)
        count_terms(*self.args[:1], phase, kind, int(batch), activation)  # checks phase, kind
        net = "-".join(map(str, self.args[0]))
        what = "operations (all kinds)" if kind == "total" else f"<code>{ui.esc(kind)}</code>"
        self.question = w.HTML(
            f"<b>Predict, then reveal.</b> How many {what} does the <b>{ui.esc(phase)}</b> "
            f"pass of a {net} network ({activation}, batch {batch}) perform in one "
            "training step?"
        )
        self.guess = w.Text(
            placeholder="your prediction, e.g. 1,800", description="predict", continuous_update=True
        )
        self.guess.add_class("mlpops-prediction")
        self.button = w.Button(description="Reveal", button_style="primary", disabled=True)
        self.button.add_class("mlpops-reveal")
        self.result = w.HTML("<small>The live count stays hidden until you predict.</small>")
        self._on_reveal = ui.guard(self.result, self._on_reveal)
        self.guess.observe(self._on_type, names="value")
        self.button.on_click(self._on_reveal)
        self.box = ui.box(
            [self.question, w.HBox([self.guess, self.button]), self.result],
            f"predict_then_reveal({self.args[0]}, {phase!r}, {kind!r}, batch={batch})",
            snapshot=self._snapshot,
        )
        self.box.add_class("mlpops-predict-reveal")
        self.box.reveal = self

    def _snapshot(self) -> str:
        """The question, and the answer folded away: predict before you open it."""
        terms = count_terms(*self.args)
        return (
            f"<p>{self.question.value}</p><details><summary>Predict first, then open: "
            "the live count</summary>"
            f"{terms_html(sum(n for _, n in terms), terms)}</details>"
        )

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
