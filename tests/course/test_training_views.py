"""mlpops.course.training_views (notebook 06's tables) and the checks of 06's exercises:
every number the tables print is a live count equal to the formulas, and a wrong
prediction is answered with the hint of its mistake."""

import numpy as np
import pytest

import mlpops
from mlpops import formulas
from mlpops.course import training_views as views
from mlpops.exercises import check
from mlpops.report import PHASES


def step(sizes, batch=1, **kw):
    net = mlpops.MLP(sizes, seed=0, **kw)
    rng = np.random.default_rng(1)
    with mlpops.count() as ops:
        net.train_step(rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1])))
    return ops


def test_phases_are_the_four_phases_in_order_and_equal_the_formulas():
    ops = step([5, 4, 3], batch=2)
    assert list(views.phases(ops)) == list(PHASES)
    assert views.phases(ops) == formulas.phase_totals(formulas.mlp([5, 4, 3], batch=2))


def test_print_phases_says_the_steps_forward_pass_is_exactly_inference(capsys):
    net = mlpops.MLP([30, 30, 30], seed=0)
    x, target = np.random.default_rng(0).random((2, 30))
    with mlpops.count() as ops:
        net.train_step(x, target)
    with mlpops.count() as inference:
        net.forward(x)
    views.print_phases(ops, inference)
    text = capsys.readouterr().out
    want = formulas.phase_totals(formulas.mlp([30, 30, 30]))
    for phase in PHASES:
        assert f"{phase:<9} {formulas.total(want[phase]):>7,}" in text
    assert f"counts {inference.total:,}: exactly the step's forward pass" in text


def test_print_loss_splits_the_loss_phase_into_its_value_and_its_gradient(capsys):
    ops = step([3, 4], batch=5)
    views.print_loss(ops)
    text = capsys.readouterr().out
    value = formulas.total(formulas.loss_forward("mse", 4, 5))
    gradient = formulas.total(formulas.loss_backward("mse", 4, 5))
    assert f"the loss value L:   {value:>4,}" in text
    assert f"its gradient:       {gradient:>4,}" in text
    assert f"the loss phase:     {value + gradient:>4,}" in text


def test_the_batch_sweep_shares_the_update_and_saves_P_times_B_minus_1_over_B_per_example():
    sizes, batches = [6, 5, 4], [1, 3, 8]
    rows = views.batch_sweep(sizes, batches)
    P = mlpops.MLP(sizes).num_parameters
    one = rows[0]["per_example"]
    for r in rows:
        B, per = r["batch"], r["per_example"]
        assert (
            per["update"]
            == formulas.total(formulas.phase_totals(formulas.mlp(sizes))["update"]) / B
        )
        assert per["forward"] == one["forward"] and per["loss"] == one["loss"]
        assert one["step"] - per["step"] == pytest.approx(P * (B - 1) / B, rel=1e-12)
        assert r["ratio"] == pytest.approx(per["step"] / per["forward"])


def test_the_ratio_table_says_whether_any_ratio_reaches_4(capsys):
    found = views.ratio_table([([3, 4, 2], "relu")], batches=(1, 4))
    text = capsys.readouterr().out
    assert len(found) == 2 and all(1 < r < 4 for r in found)
    assert f"between {min(found):.2f} and {max(found):.2f}: none reaches 4" in text


# -- the checks of 06.2-06.4: right functions pass, each typical mistake gets its hint ----
def step_ops(sizes, B=1):
    layers = list(zip(sizes, sizes[1:]))
    forward = B * sum(2 * n * m + 4 * m for n, m in layers)
    loss = B * 6 * sizes[-1]
    backward = sum(3 * B * m + n * m * (2 * B - 1) + (B - 1) * m for n, m in layers)
    backward += sum(B * n * (2 * m - 1) for n, m in layers[1:])
    return forward + loss + backward + sum(2 * (n * m + m) for n, m in layers)


def forward(sizes):
    return sum(2 * n * m + 4 * m for n, m in zip(sizes, sizes[1:]))


def params(sizes):
    return sum(n * m + m for n, m in zip(sizes, sizes[1:]))


def test_a_right_prediction_passes_each_check():
    assert check("07.2", lambda sizes: step_ops(sizes)).ok
    assert check("07.3", step_ops).ok
    assert check("07.4", lambda sizes, B: params(sizes) * (B - 1) / B).ok


@pytest.mark.parametrize(
    "exercise, wrong, hint",
    [
        ("07.2", lambda s: step_ops(s) - 6 * s[-1], "the loss is a phase of its own"),
        ("07.2", lambda s: step_ops(s) - 3 * s[-1], "its value and its gradient dA"),
        ("07.2", lambda s: step_ops(s) + s[0] * (2 * s[1] - 1), "first layer's dX"),
        ("07.2", lambda s: step_ops(s) - 2 * params(s), "a step ends with the update"),
        ("07.2", lambda s: step_ops(s) + forward(s), "the forward pass runs once per step"),
        ("07.3", lambda s, B: step_ops(s, B) + (B - 1) * 2 * params(s), "once per step"),
        ("07.3", lambda s, B: step_ops(s, B) + params(s), "B − 1 additions per entry"),
        ("07.4", lambda s, B: 2 * params(s) * (B - 1) / B, "the backward pass grows"),
        ("07.4", lambda s, B: 0, "a batch does save operations"),
    ],
)
def test_each_typical_mistake_is_answered_with_its_hint(exercise, wrong, hint):
    result = check(exercise, wrong)
    assert not result.ok and "Hint:" in result.message and hint in result.message


def test_the_transformers_term_table_lists_the_loss_phases_value_and_gradient():
    from mlpops import transformer as tr
    from mlpops import transformer_formulas as tf
    from mlpops.course.gpt import term_table

    net = tr.GPT(1, 4, 2, 3, 5)
    ids, targets = tr.random_tokens(2, 3, 5)
    with mlpops.count() as ops:
        net.train_step(ids, targets, lr=0.1)
    rows = {
        line.split()[0]: line.split()[-1]
        for line in term_table(ops, "loss", "loss").splitlines()[2:]
    }
    want = tf.terms(1, 4, 2, 3, 5, batch=2)["loss"]["loss"]
    assert rows == {t: f"{formulas.total(k):,}" for t, k in want.items()}
