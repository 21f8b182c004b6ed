"""The views of notebooks 08-13: a training step's four phases, and counts by term."""

import numpy as np
import pytest

import mlpops
from mlpops import transformer
from mlpops.course import scale_views as views
from mlpops.exercises import check


def _mlp_step(sizes=(30, 30, 30), batch=1):
    net = mlpops.MLP(list(sizes), activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    x, target = rng.normal(size=(batch, sizes[0])), rng.normal(size=(batch, sizes[-1]))
    with mlpops.count() as step:
        net.train_step(x, target, lr=0.1)
    with mlpops.count() as inference:
        net.forward(x)
    return step, inference


def test_forward_phase_of_a_training_step_is_exactly_what_inference_counts():
    step, inference = _mlp_step()
    phases = views.training_phases(step)
    assert phases["forward"].total == inference.total == 3_840
    assert dict(phases["forward"]) == dict(inference)


def test_the_four_phases_add_up_to_the_step_kind_by_kind():
    step, _ = _mlp_step(batch=4)
    phases = views.training_phases(step)
    assert list(phases) == ["forward", "loss", "backward", "update"]
    for kind in ("mul", "add", "div", "exp"):
        assert sum(p[kind] for p in phases.values()) == step[kind]


def test_loss_phase_holds_the_value_and_the_gradient_of_mse():
    step, _ = _mlp_step()
    loss = views.training_phases(step)["loss"]
    # value: 30 differences, 30 squares, 29 adds, 1 division; gradient: 2 (A - Y) / n per output
    assert loss.total == (30 + 30 + 29 + 1) + 3 * 30


def test_update_phase_is_a_multiply_and_a_subtraction_per_parameter():
    step, _ = _mlp_step()
    assert views.training_phases(step)["update"].total == 2 * (30 * 30 + 30) * 2


def test_phase_of_files_the_loss_under_loss_whichever_phase_the_engine_ran_it_in():
    assert views.phase_of("forward/loss") == views.phase_of("backward/loss/x") == "loss"
    assert views.phase_of("loss/value") == "loss"
    assert views.phase_of("forward/layer1/weighted-sum") == "forward"
    assert views.phase_of("backward/lossy") == "backward"


def test_phase_table_prints_every_phase_and_the_step():
    step, _ = _mlp_step()
    table = views.phase_table(step)
    assert [line.split()[0] for line in table.splitlines()] == [*views.PHASES, "one"]
    assert f"{step.total:,} operations" in table


def test_transformer_views_match_the_formula_units():
    L, D, H, T, V = 1, 16, 2, 8, 32
    net = transformer.GPT(L, D, H, T, V, seed=0)
    ids, _ = transformer.random_tokens(1, T, V, seed=0)
    with mlpops.count() as fwd:
        net.forward(ids)
    units = ("embedding", "block1", "ln-f", "lm-head")
    assert sum(views.unit_total(fwd, u) for u in units) == fwd.total
    groups = views.block_groups(fwd, T)
    assert groups["the projections (Q, K, V, output)"] == 4 * 2 * D * D
    assert groups["the MLP (up, gelu, down)"] * T == views.terms_total(fwd, ["mlp"], unit="block1")


def test_term_totals_of_a_layer_counted_alone_add_up_to_its_count():
    attn = transformer.CausalSelfAttention(8, 2, np.random.default_rng(0), "array")
    with mlpops.count() as ops:
        attn.forward(np.ones((4, 8)), 1, 4)
    terms = [s for s in ops.scopes()]
    assert sum(views.term_totals(ops, terms)) == ops.total


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (
            lambda c, o, h, w, k, s, p: (
                o * ((h + 2 * p - k) // s + 1) * ((w + 2 * p - k) // s + 1) * c * k * k
            ),
            "MACs",
        ),
        (
            lambda c, o, h, w, k, s, p: (
                o * ((h + 2 * p - k) // s + 1) * ((w + 2 * p - k) // s + 1) * (2 * c * k * k - 1)
            ),
            "bias",
        ),
        (
            lambda c, o, h, w, k, s, p: (
                o * ((h + 2 * p) // s + 1) * ((w + 2 * p) // s + 1) * 2 * c * k * k
            ),
            "kernel must fit",
        ),
    ],
)
def test_convolution_check_names_the_typical_mistake(wrong, hint):
    feedback = check("10.3", wrong)
    assert not feedback.ok and hint in feedback.message, feedback.message


def test_time_check_says_a_rate_is_divided_by_not_multiplied():
    feedback = check("09.2", lambda o, b, n, e, r: o * (n // b) * e * r)
    assert not feedback.ok and "operations / rate" in feedback.message


def test_mnist_epoch_at_batch_one_is_the_sum_of_its_phases_from_the_sizes():
    N, M, K = 784, 128, 10
    forward = 2 * N * M + 4 * M + 2 * M * K + (5 * K - 2)
    loss = (3 * K + 1) + 2 * K
    backward = M * K + (M * K + (K - 1) * M) + 3 * M + N * M
    update = 2 * (N * M + M + M * K + K)
    assert check("09.1", (forward + loss + backward + update) * 60_000).ok
    assert not check("09.1", (forward + backward + update) * 60_000).ok
