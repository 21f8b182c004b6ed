"""report: live counts arranged per layer and phase, read from scope paths wherever the
network's scopes sit under the user's own."""

import numpy as np
import pytest

from mlpops import MLP, breakdown, count, formulas, scope
from mlpops.report import PHASES, ScopePath, parse_scope


def test_a_scope_path_splits_into_the_users_prefix_phase_unit_and_term():
    assert parse_scope("forward/layer1/weighted-sum") == ScopePath(
        "", "forward", "layer1", "weighted-sum"
    )
    assert parse_scope("epoch1/step/backward/layer2/dW") == ScopePath(
        "epoch1/step", "backward", "layer2", "dW"
    )
    # the loss is its own phase, and its one unit is the loss
    assert parse_scope("run/loss/gradient") == ScopePath("run", "loss", "loss", "gradient")
    assert parse_scope("loss/value") == ScopePath("", "loss", "loss", "value")
    assert parse_scope("loss") == ScopePath("", "loss", "loss", "")
    assert parse_scope("update") == ScopePath("", "update", "", "")
    # a user scope named like a phase, around the network: the innermost phase is the network's
    assert parse_scope("forward/update/layer1/W") == ScopePath("forward", "update", "layer1", "W")
    assert parse_scope("mine/other") is None and parse_scope("") is None


@pytest.mark.parametrize("engine", ["array", "scalar"])
@pytest.mark.parametrize("user_scopes", [(), ("epoch1",), ("epoch1", "step"), ("forward",)])
def test_breakdown_with_user_scopes_around_train_step_equals_the_formulas(engine, user_scopes):
    sizes, batch = [3, 4, 2], 2
    net = MLP(sizes, engine=engine)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(batch, 3)), rng.uniform(size=(batch, 2))
    with count() as ops:
        with _nested(user_scopes):
            net.train_step(x, y, lr=0.1)
    want = formulas.mlp(sizes, batch)
    assert breakdown(ops) == (want if engine == "array" else formulas.without_bytes(want))


def test_breakdown_adds_up_the_same_layer_under_different_user_scopes():
    sizes = [3, 2]
    net = MLP(sizes)
    with count() as ops:
        for name in ("epoch1", "epoch2"):
            with scope(name):
                net.forward(np.ones(3))
    one = formulas.mlp(sizes, train=False)["layer1"]["forward"]
    assert breakdown(ops) == {"layer1": {"forward": {k: 2 * n for k, n in one.items()}}}


def _nested(names):
    from contextlib import ExitStack

    stack = ExitStack()
    for name in names:
        stack.enter_context(scope(name))
    return stack


def test_the_phases_are_forward_loss_backward_update_and_the_formulas_sum_them_in_that_order():
    assert PHASES == ("forward", "loss", "backward", "update")
    assert tuple(formulas.phase_totals(formulas.mlp([3, 4, 2]))) == PHASES
