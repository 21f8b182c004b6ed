"""The course's four explorers (ipywidgets): look and play, every number counted.

    architecture_explorer()   layer sizes, batch, f, phases, convention -> live table + chart
    op_stepper()              step through every operation of a tiny network, drawn
    predict_then_reveal()     type a prediction, then see the live count and the gap
    time_estimator()          operations -> seconds on this CPU, three routes side by side

One module per explorer, and ``ui`` for what they share. The widgets only arrange
controls: what they show comes from plain functions (``explorer_rows``,
``stepper_steps``, ``reveal_feedback``, ``time_rows`` ...) that the tests call directly,
without a kernel.
"""

from ...report import PHASES
from ...sizes import too_large
from .architecture import (
    ACTIVATION_CHOICES,
    CONVENTION_LABELS,
    CONVENTION_NOTES,
    architecture_explorer,
    bar_chart_html,
    explorer_html,
    explorer_rows,
    explorer_total,
    formula_text,
)
from .estimator import (
    NUMPY_PROXY,
    ROUTES,
    human_seconds,
    measured_rates,
    numpy_timed_network,
    step_ops,
    time_estimator,
    time_html,
    time_rows,
    training_ops,
)
from .reveal import (
    count_terms,
    parse_prediction,
    predict_then_reveal,
    reveal_feedback,
    reveal_html,
)
from .stepper import TERMS, network_svg, op_stepper, stepper_steps, stepper_view, tally_html
from .ui import FORMULA_ONLY, HIGHLIGHT, PHASE_COLORS, error_html, live_counts, parse_sizes

__all__ = [
    "ACTIVATION_CHOICES",
    "CONVENTION_LABELS",
    "CONVENTION_NOTES",
    "ROUTES",
    "FORMULA_ONLY",
    "HIGHLIGHT",
    "NUMPY_PROXY",
    "PHASES",
    "PHASE_COLORS",
    "TERMS",
    "architecture_explorer",
    "bar_chart_html",
    "count_terms",
    "error_html",
    "explorer_html",
    "explorer_rows",
    "explorer_total",
    "formula_text",
    "human_seconds",
    "live_counts",
    "measured_rates",
    "network_svg",
    "numpy_timed_network",
    "op_stepper",
    "parse_prediction",
    "parse_sizes",
    "predict_then_reveal",
    "reveal_feedback",
    "reveal_html",
    "stepper_steps",
    "stepper_view",
    "step_ops",
    "tally_html",
    "time_estimator",
    "time_html",
    "time_rows",
    "too_large",
    "training_ops",
]
