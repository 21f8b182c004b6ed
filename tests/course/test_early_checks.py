"""The checks of notebooks 00-04 and 07: a learner's formula is tried on sizes drawn at
random against the live count, and each typical mistake earns its own hint."""

import numpy as np
import pytest

import mlpops
from mlpops.course import convention_views
from mlpops.exercises import check

#: exercise -> a correct formula, written from the equations (not from mlpops)
FORMULAS = {
    "01.1": lambda N: N,
    "01.2": lambda N: 2 * N + 4,
    "02.2": lambda B, N, M: B * (2 * N * M + 4 * M),
    "03.2": lambda sizes: sum(n * m for n, m in zip(sizes, sizes[1:])),
    "04.1": lambda M: 5 * M - 2,
    "04.3": lambda sizes: 3 * sum(sizes[1:]),
    "08.2": lambda B, N, H, M: 2 * (3 * B * (N * H + H * M) - B * N * H),
    "08.3": lambda B, N, H, M: 4 * B * (H + M),
}

#: exercise -> (a typical wrong formula, words of the hint it must earn)
MISTAKES = [
    ("01.1", lambda N: N - 1, "the bias is a term"),
    ("01.1", lambda N: N + 1, "k - 1 additions"),
    ("01.2", lambda N: 2 * N, "count f too"),
    ("02.2", lambda B, N, M: B * (2 * N * M + 3 * M), "forgot the bias add"),
    ("02.2", lambda B, N, M: 2 * N * M + 4 * M, "times B"),
    ("02.2", lambda B, N, M: B * N * M, "the MACs"),
    ("02.2", lambda B, N, M: B * (2 * (N + M) + 4 * M), "not N + M"),
    ("04.1", lambda M: 5 * M, "M - 1 steps"),
    ("04.3", lambda sizes: 3 * sum(sizes), "the first width is the inputs"),
    ("08.2", lambda B, N, H, M: 6 * B * (N * H + H * M), "skips layer 1's dX"),
    ("08.3", lambda B, N, H, M: 4 * (H + M), "every example"),
]


@pytest.mark.parametrize("exercise_id", sorted(FORMULAS))
def test_a_formula_from_the_equations_passes_on_sizes_drawn_at_random(exercise_id):
    result = check(exercise_id, FORMULAS[exercise_id])
    assert result.ok, result.message


@pytest.mark.parametrize(("exercise_id", "wrong", "hint"), MISTAKES)
def test_a_typical_mistake_is_refused_with_its_own_hint(exercise_id, wrong, hint):
    result = check(exercise_id, wrong)
    assert not result.ok
    assert "Hint: " in result.message and hint in result.message, result.message


def test_a_wrong_answer_that_is_no_typical_mistake_gets_no_hint():
    result = check("01.1", lambda N: 7 * N + 3)
    assert not result.ok and "Hint" not in result.message


def test_a_number_where_a_function_is_asked_for_is_refused_clearly():
    result = check("04.1", 48)
    assert not result.ok and "give a function" in result.message


@pytest.mark.parametrize(
    ("exercise_id", "answer"),
    [
        ("00.1", 4 * 3),
        ("00.2", 10 * 20 + 20 * 5),
        ("02.1", 28 * 28 * 50),
        ("03.1", 64 * 32 + 32 * 10),
    ],
)
def test_a_number_checked_against_the_live_count_passes_only_when_exact(exercise_id, answer):
    assert check(exercise_id, answer).ok
    assert not check(exercise_id, answer + 1).ok


def _train_step_counts(sizes, batch):
    net = mlpops.MLP(sizes, activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1]))
    with mlpops.count() as ops:
        net.train_step(X, T, lr=0.1)
    return ops


@pytest.mark.parametrize(("sizes", "batch"), [([30, 30, 30], 32), ([4, 7, 3, 2], 5), ([6, 1], 1)])
def test_by_term_splits_a_training_step_into_terms_that_add_up_to_the_live_count(sizes, batch):
    ops = _train_step_counts(sizes, batch)
    rows = convention_views.by_term(ops)
    assert sum(r["mlpops"] for r in rows.values()) == ops.total
    assert sum(r["MACs"] for r in rows.values()) == ops.macs
    assert all(r["PyTorch rule"] == 2 * r["MACs"] for r in rows.values())
    # the forward products, one MAC per weight per example (an independent reference)
    forward = batch * sum(n * m for n, m in zip(sizes, sizes[1:]))
    assert rows["X W + b (forward)"]["MACs"] == forward
    assert rows["X W + b (forward)"]["mlpops"] == 2 * forward


@pytest.mark.parametrize(("sizes", "batch"), [([30, 30, 30], 32), ([5, 4], 3)])
def test_by_term_names_the_loss_value_and_its_gradient_each_three_operations_per_output(
    sizes, batch
):
    # MSE over B x M outputs: a subtraction and a square per output, the sum, one division;
    # its gradient 2 (a - y) / n: a subtraction, a multiplication and a division per output
    rows = convention_views.by_term(_train_step_counts(sizes, batch))
    outputs = batch * sizes[-1]
    assert rows["the loss"] == {"mlpops": 3 * outputs, "MACs": 0, "PyTorch rule": 0}
    assert rows["dA of the loss"] == {"mlpops": 3 * outputs, "MACs": 0, "PyTorch rule": 0}


def test_term_table_ends_with_the_whole_count():
    ops = _train_step_counts([30, 30, 30], 32)
    last = convention_views.term_table(convention_views.by_term(ops), ops).splitlines()[-1]
    assert last.split() == ["total", f"{ops.total:,}", f"{ops.macs:,}", f"{2 * ops.macs:,}"]


def test_matmul_rule_line_says_how_far_the_rule_is_over_the_count():
    line = convention_views.matmul_rule_line("dW", 30, 1, 30, counted=900)
    assert "rule  1,800" in line and "over by 900 = 30x30" in line


@pytest.mark.parametrize(
    ("exercise_id", "wrong", "hint"),
    [
        ("00.1", 4 + 3, "not N + M"),
        ("02.1", 28 * 28 + 50, "not N + M"),
        ("02.1", 2 * 28 * 28 * 50, "multiplications only"),
        ("03.1", 64 * 32 * 10, "do not multiply all the widths"),
        ("08.1", 2 * (784 * 128 + 128 * 10), "MACs for FLOPs"),
        ("08.1", 784 * 128 + 128 * 10 + 128 + 10, "leave out the bias"),
    ],
)
def test_a_typical_wrong_number_earns_its_own_hint(exercise_id, wrong, hint):
    result = check(exercise_id, wrong)
    assert not result.ok and hint in result.message, result.message
