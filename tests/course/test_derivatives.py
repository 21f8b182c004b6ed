"""The derivatives notebook's helpers (mlpops.course.derivatives) and its checks (nb05).

References: finite differences are held against rules worked by hand; the checks' live
counts against mlpops.formulas; each check against the right answer, a wrong one of each
typical kind (with the hint that names it), and a learner's broken function.
"""

import contextlib
import io
import json
import math
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
from test_plots import _drawn_colours

from mlpops import exercises, formulas
from mlpops.course import derivatives, figures
from mlpops.course.exercise_checks import nb05
from mlpops.exercises import check

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks/05-derivatives-and-the-loss.ipynb"


@pytest.fixture(autouse=True)
def seeded_draws(monkeypatch):
    """The checks draw their values unseeded; here seeded, so each run tries the same."""
    monkeypatch.setattr(nb05, "_draw_rng", lambda: np.random.default_rng(1))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# -- nudged_gradient ------------------------------------------------------------------------
def test_nudged_gradient_matches_the_rule_of_a_sum_of_squares_entry_by_entry():
    a = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -0.25]])
    slopes = derivatives.nudged_gradient(lambda v: float((v * v).sum()), a)
    assert slopes.shape == a.shape
    np.testing.assert_allclose(slopes, 2 * a, rtol=1e-7, atol=1e-8)


def test_nudged_gradient_matches_the_chain_rule_of_a_sigmoid_layer():
    rng = np.random.default_rng(3)
    X, W, Y = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.uniform(size=(5, 3))

    def loss(W_):
        A = 1 / (1 + np.exp(-(X @ W_)))
        return ((A - Y) ** 2).mean()

    A = 1 / (1 + np.exp(-(X @ W)))
    dW = X.T @ (2 * (A - Y) / A.size * A * (1 - A))
    np.testing.assert_allclose(derivatives.nudged_gradient(loss, W), dW, rtol=1e-5, atol=1e-10)


def test_nudged_gradient_leaves_the_array_it_nudges_as_it_was():
    a = np.array([1.0, 2.0, 3.0])
    derivatives.nudged_gradient(lambda v: float(v.sum()), a)
    assert a.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("fn", "array", "h", "message"),
    [
        ("not a function", [1.0], 1e-6, "fn must be a function"),
        (sum, [], 1e-6, "no entries to nudge"),
        (sum, [1.0], 0.0, "h must be a small positive number"),
        (sum, [1.0], -1e-6, "h must be a small positive number"),
    ],
)
def test_nudged_gradient_refuses_bad_input_and_says_what_it_expected(fn, array, h, message):
    with pytest.raises((TypeError, ValueError), match=message):
        derivatives.nudged_gradient(fn, array, h=h)


# -- draw_gradient_shapes -------------------------------------------------------------------
def _cells(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


@pytest.mark.parametrize(("B", "N", "M"), [(4, 3, 2), (1, 5, 3), (6, 2, 7)])
def test_gradient_shapes_draw_one_cell_per_entry_of_every_array(B, N, M):
    dw, db, dx = derivatives.draw_gradient_shapes(B, N, M, pick=(N - 1, M - 1))
    assert len(_cells(dw)) == N * M + N * B + B * M  # dW = Xᵀ dZ
    assert len(_cells(db)) == M + B * M  # db = Σ dZ
    assert len(_cells(dx)) == B * N + B * M + M * N  # dX = dZ Wᵀ


def test_gradient_shapes_pick_out_one_entry_of_dW_and_the_row_and_column_it_adds():
    B, N, M = 4, 3, 2
    dw, _, _ = derivatives.draw_gradient_shapes(B, N, M, pick=(1, 0))
    faces = [matplotlib.colors.to_hex(p.get_facecolor()) for p in _cells(dw)]
    out, row, col = (figures.PALETTE[k].lower() for k in (3, 0, 1))
    assert faces.count(out) == 1  # dW[1, 0]
    assert faces.count(row) == B  # row 1 of Xᵀ: B entries
    assert faces.count(col) == B  # column 0 of dZ: B entries


def test_gradient_shapes_alt_text_says_every_shape_it_draws():
    dw, _, _ = derivatives.draw_gradient_shapes(4, 3, 2)
    alt = figures.figure_alt(dw.figure)
    for phrase in (
        "B = 4",
        "N = 3",
        "M = 2",
        "Xᵀ is 3 × 4",
        "dZ is 4 × 2",
        "dW is 3 × 2, the shape of W",
        "dX is 4 × 3, the shape of X",
        "2 entries, the shape of b",
    ):
        assert phrase in alt, phrase


def test_gradient_shapes_draw_in_the_course_palette():
    dw, _, _ = derivatives.draw_gradient_shapes(4, 3, 2)
    assert _drawn_colours(dw.figure) <= {c.lower() for c in figures.PALETTE}


@pytest.mark.parametrize(
    ("sizes", "pick", "message"),
    [
        ((0, 3, 2), (0, 0), "must be 1 to 12"),
        ((4, 30, 2), (0, 0), "must be 1 to 12"),
        ((4, 3, 2), (3, 0), "pick must be an entry"),
    ],
)
def test_gradient_shapes_refuse_sizes_they_cannot_draw(sizes, pick, message):
    with pytest.raises(ValueError, match=message):
        derivatives.draw_gradient_shapes(*sizes, pick=pick)


# -- the checks' references -------------------------------------------------------------------
@pytest.mark.parametrize(("B", "M"), [(1, 1), (1, 3), (4, 3), (32, 10)])
def test_the_loss_check_counts_what_the_formula_predicts(B, M):
    assert nb05._loss_operations(B, M) == formulas.total(formulas.loss_forward("mse", M, B))


@pytest.mark.parametrize(("B", "N", "M"), [(1, 1, 1), (4, 3, 2), (5, 4, 3), (7, 11, 13)])
def test_the_dW_check_counts_what_the_formula_predicts(B, N, M):
    dW = formulas.dense_backward(N, M, B, need_dX=False, dZ_given=True)["mul"]
    assert nb05._dW_multiplies(B, N, M) == dW == B * N * M


@pytest.mark.parametrize(
    "values", [(0.8, 0.1, 1.5, 0.9), (-1.2, 0.7, -0.4, 0.1), (2.0, -1.0, 1.0, 0.2)]
)
def test_the_chain_rule_check_nudges_to_the_chain_rules_value(values):
    w, b, x, y = values
    a = 1 / (1 + math.exp(-(w * x + b)))
    assert math.isclose(nb05._nudged_dL_db(*values), 2 * (a - y) * a * (1 - a), rel_tol=1e-7)


# -- the checks: right answers pass, wrong ones get the hint that names the mistake -----------
RIGHT = {
    "05.1": lambda batch, num_outputs: 3 * batch * num_outputs,
    "05.2": lambda w, b, x, y: (
        2
        * (1 / (1 + math.exp(-(w * x + b))) - y)
        * (1 / (1 + math.exp(-(w * x + b))))
        * (1 - 1 / (1 + math.exp(-(w * x + b))))
    ),
    "05.3": lambda batch, num_inputs, num_neurons: batch * num_inputs * num_neurons,
}
MISTAKES = {
    "05.1": nb05._LOSS_MISTAKES,
    "05.2": nb05._CHAIN_MISTAKES,
    "05.3": nb05._DW_MISTAKES,
}


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_each_check_accepts_the_right_function(exercise_id):
    result = check(exercise_id, RIGHT[exercise_id])
    assert result.ok, result.message
    assert "correct on 5 sets of values drawn at random" in result.message


@pytest.mark.parametrize(
    ("exercise_id", "k"), [(i, k) for i, ms in sorted(MISTAKES.items()) for k in range(len(ms))]
)
def test_each_typical_mistake_is_rejected_with_its_own_hint(exercise_id, k):
    wrong, hint = MISTAKES[exercise_id][k]
    result = check(exercise_id, wrong)
    assert not result.ok
    assert result.message.endswith(f"Hint: {hint}"), result.message


def test_a_wrong_answer_names_the_values_it_was_tried_on_and_the_reference():
    result = check("05.3", lambda batch, num_inputs, num_neurons: 7)
    assert not result.ok and "Hint" not in result.message
    assert re.search(
        r"with \(\d+, \d+, \d+\) your function gives 7, the live count is \d+", result.message
    )


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_each_check_answers_a_learners_broken_function_without_crashing(exercise_id):
    def raises(*args):
        raise ZeroDivisionError("division by zero")

    assert "raised ZeroDivisionError" in check(exercise_id, raises).message
    assert "return a number, not 'six'" in check(exercise_id, lambda *a: "six").message
    assert "no answer yet" in check(exercise_id, lambda *a: ...).message
    assert "give a function" in check(exercise_id, 42).message
    assert "no answer yet" in check(exercise_id, ...).message


# -- the notebook ------------------------------------------------------------------------------
def _notebook_cells():
    return json.loads(NOTEBOOK.read_text())["cells"]


def test_the_notebooks_folded_solutions_pass_their_checks():
    solutions = re.findall(
        r"<details><summary>Solution</summary>\s*```python\n(.*?)```",
        "".join("".join(c["source"]) for c in _notebook_cells() if c["cell_type"] == "markdown"),
        re.S,
    )
    assert len(solutions) == 3
    for code in solutions:
        exercises.last = None
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, "solution", "exec"), {"__name__": "__solution__"})
        assert exercises.last is not None and exercises.last.ok, exercises.last


def test_the_notebooks_code_cells_are_at_most_fifteen_lines():
    lengths = [
        len("".join(c["source"]).splitlines())
        for c in _notebook_cells()
        if c["cell_type"] == "code"
    ]
    assert max(lengths) <= 15, lengths


# -- plot_descent -------------------------------------------------------------------------------
def test_plot_descent_draws_the_loss_curve_and_one_point_per_step_and_says_them():
    def loss(w):
        return (w - 1.0) ** 2

    steps = [-1.0, 0.0, 0.5, 0.75]
    ax = derivatives.plot_descent(loss, steps, title="t")
    curve, points = ax.lines
    assert list(points.get_xdata()) == steps
    assert list(points.get_ydata()) == [4.0, 1.0, 0.25, 0.0625]
    assert np.allclose(curve.get_ydata(), (curve.get_xdata() - 1.0) ** 2)
    alt = figures.figure_alt(ax.figure)
    assert "4 steps of gradient descent" in alt and "each lower than the one before" in alt
    assert "from w = -1 (L = 4) to w = 0.75 (L = 0.0625)" in alt
    assert _drawn_colours(ax.figure) <= {c.lower() for c in figures.PALETTE}


def test_plot_descent_says_so_when_a_step_goes_uphill():
    ax = derivatives.plot_descent(lambda w: w * w, [1.0, -2.0])
    assert "not all lower" in figures.figure_alt(ax.figure)


def test_plot_descent_needs_two_steps():
    with pytest.raises(ValueError, match="at least two weights"):
        derivatives.plot_descent(lambda w: w, [1.0])
