"""05's helpers: the course's backward pass equals finite differences and the network's
gradients, its count equals the formula, and the data-flow figure draws every shape it says."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import mlpops
from mlpops.course import backward_views as views
from mlpops.course import figures
from mlpops.exercises import check


def test_the_course_backward_pass_equals_finite_differences_and_the_network():
    assert max(views.compare_with_finite_differences(views.course_dense_backward).values()) < 1e-6
    assert (
        max(views.compare_with_the_network(views.course_dense_backward, (4, 3, 5, 2)).values())
        < 1e-12
    )


@pytest.mark.parametrize("N, M, B", [(30, 30, 1), (3, 7, 5), (1, 1, 1)])
def test_the_course_backward_pass_counts_what_the_formula_says(N, M, B):
    ops = views.count_layer_backward(views.course_dense_backward, N, M, B)
    want = mlpops.formulas.dense_backward(N, M, B, "sigmoid")
    assert {k: ops[k] for k in want} == want


def test_an_unwritten_exercise_falls_back_to_the_course_function(capsys):
    def skeleton(dA, X, W, A):
        return ..., ..., ...

    assert views.yours_or_ours(skeleton) is views.course_dense_backward
    assert "not written yet" in capsys.readouterr().out
    assert views.yours_or_ours(views.course_dense_backward) is views.course_dense_backward


def test_the_flow_figure_draws_every_array_with_its_shape():
    ax = views.draw_backward_flow((3, 4, 2), batch=5)
    texts = [t.get_text() for t in ax.texts]
    arrays = views.flow_arrays((3, 4, 2), 5)
    assert arrays["dW1"].shape == (3, 4) and arrays["dA1"].shape == (5, 4)
    for name, a in arrays.items():
        i = texts.index(name)
        assert texts[i + 1] == views.shape_text(a)
    alt = figures.axes_alt(ax)
    assert "dW2 (4 × 2)" in alt and "X (5 × 3)" in alt and "dX is not computed" in alt
    plt.close(ax.figure)


def test_the_flow_figure_refuses_other_depths_clearly():
    with pytest.raises(ValueError, match="two-layer network"):
        views.draw_backward_flow((3, 4, 4, 2))


def test_one_example_shows_dW_without_additions_and_no_first_layer_dX(capsys):
    net = mlpops.MLP([30, 30, 30], activation="sigmoid", seed=0)
    with mlpops.count() as ops:
        net.forward(np.ones(30))
        net.backward(np.zeros(30))
    views.why_one_example(ops)
    out = capsys.readouterr().out
    assert "dW 900 mul + 0 add" in out and "dX 0 mul + 0 add  (skipped)" in out
    views.forward_and_backward(ops)
    assert "all layers forward  3,840" in capsys.readouterr().out


def _layer_ops(N, M, B):
    return N * M * B + N * M * (B - 1) + (B - 1) * M + B * N * M + B * N * (M - 1)


def _network_ops(sizes, B, first_dX=False):
    total = 0
    for i, (N, M) in enumerate(zip(sizes, sizes[1:])):
        total += 3 * B * M + N * M * B + N * M * (B - 1) + (B - 1) * M
        if i > 0 or first_dX:
            total += B * N * M + B * N * (M - 1)
    return total


@pytest.mark.parametrize(
    "exercise, answer, hint",
    [
        ("06.2", _layer_ops, None),
        ("06.2", lambda N, M, B: 2 * N * M * B, "(MACs)"),
        ("06.2", lambda N, M, B: _layer_ops(N, M, B) - (B - 1) * M, "db = dZ summed"),
        ("06.2", lambda N, M, B: 4 * N * M * B + B * M, "k - 1 additions"),
        ("06.3", _network_ops, None),
        ("06.3", lambda s, B: _network_ops(s, B, first_dX=True), "first layer skips dX"),
        ("06.3", lambda s, B: _network_ops(s, B) - 3 * B * sum(s[1:]), "dZ = dA * A"),
    ],
)
def test_the_count_exercises_name_each_typical_mistake(exercise, answer, hint):
    feedback = check(exercise, answer)
    assert feedback.ok is (hint is None)
    if hint:
        assert hint in feedback.message


def test_the_backward_pass_exercise_says_which_gradient_is_wrong():
    def transposed_dW(dA, X, W, A):
        dZ = dA * A * (1 - A)
        return dZ.T @ X, dZ.sum(axis=0), dZ @ W.T

    def no_f_prime(dA, X, W, A):
        return X.T @ dA, dA.sum(axis=0), dA @ W.T

    assert check("06.1", views.course_dense_backward).ok
    wrong = check("06.1", transposed_dW)
    assert not wrong.ok and ("dW has W's shape" in wrong.message or "transposed" in wrong.message)
    assert "f'(Z) is A (1 - A)" in check("06.1", no_f_prime).message
