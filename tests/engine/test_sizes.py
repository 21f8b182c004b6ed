"""mlpops.sizes: the parameter count, the live-memory model and the one "too large to run
live" rule that nn, the command and the explorers share."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlpops import MLP, sizes
from mlpops.cli import main


@pytest.mark.parametrize("layers", [[30, 30, 30], [784, 128, 10], [1, 1], [5, 7, 3, 2]])
def test_parameter_count_is_the_size_of_every_W_and_b(layers):
    net = MLP(layers)
    assert sizes.num_parameters(layers) == sum(L.W.size + L.b.size for L in net.layers)
    assert net.num_parameters == sizes.num_parameters(layers)


def test_live_memory_is_four_copies_of_parameters_and_of_activations():
    layers, batch = [784, 128, 10], 32
    params = sum(L.W.size + L.b.size for L in MLP(layers).layers)
    assert sizes.live_memory(layers, batch) == 8 * (4 * params + 4 * batch * sum(layers))


def test_exactly_the_limit_runs_and_one_example_more_does_not():
    # MLP([1, 1]): 2 parameters, 2 activations per example: 8 * (4 * 2 + 4 * 2 * B) bytes
    batch = 2**24 - 1  # 8 * (8 + 8 * (2**24 - 1)) = 2**30 bytes, exactly 1 GiB
    assert sizes.live_memory([1, 1], batch) == 1024**3 == sizes.LIVE_MEMORY_LIMIT
    assert sizes.too_large([1, 1], batch) is None
    assert sizes.max_batch([1, 1]) == batch
    assert sizes.too_large([1, 1], batch + 1) == (
        "too large to run live: about 1.0 GiB of weights, gradients and activations "
        "(the limit here is 1 GiB)"
    )


def test_max_batch_is_the_last_batch_under_the_limit():
    layers = [784, 128, 10]
    edge = sizes.max_batch(layers)
    assert sizes.live_memory(layers, edge) <= sizes.LIVE_MEMORY_LIMIT
    assert sizes.live_memory(layers, edge + 1) > sizes.LIVE_MEMORY_LIMIT
    assert sizes.too_large(layers, edge) is None and sizes.too_large(layers, edge + 1)
    assert sizes.max_batch([100_000, 100_000, 100_000]) == 0


@pytest.mark.parametrize(
    ("nbytes", "text"),
    [
        (0, "0.0"),
        (1024**3, "1.0"),
        (640_016_000_000, "596.1"),  # MLP([100_000] * 3): 8 * (4 * 20,000,200,000 + 4 * 300,000)
        (1024**3 * (10**12 - 1), "999,999,999,999.0"),
        (1024**3 * 999_999_999_999_999, "9.99e+14"),
        (1024**3 * 10**300, "1.00e+300"),
        (1024**3 * 10**4500, "1.00e+4500"),  # past the 4,300 digits str() will write
    ],
    ids=["0", "1GiB", "596GiB", "1e12GiB", "1e15GiB", "1e300GiB", "1e4500GiB"],
)
def test_gib_text_is_exact_for_any_size(nbytes, text):
    assert sizes.gib_text(nbytes) == text


@pytest.mark.parametrize("where", ["width", "batch"])
def test_command_says_too_large_for_sizes_past_float_range(where, capsys):
    huge = str(10**300)
    argv = [huge, "3", "--json"] if where == "width" else ["3", "4", "--batch", huge, "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["live"] is False and out["reason"].startswith("too large to run live: about ")


def test_scalar_engine_limits_live_in_the_same_rule():
    assert "scalar engine" in sizes.too_large([1000, 1000], engine="scalar")
    assert sizes.too_large([1000, 1000]) is None
    reason = sizes.too_large([30, 30], engine="scalar", ops=sizes.SCALAR_OPS_LIMIT + 1)
    assert f"{sizes.SCALAR_OPS_LIMIT + 1:,} operations" in reason
    assert sizes.too_large([30, 30], engine="scalar", ops=sizes.SCALAR_OPS_LIMIT) is None


def test_work_rule_applies_when_the_caller_gives_the_operations():
    limit = sizes.LIVE_OPS_LIMIT
    assert sizes.too_large([30, 30], ops=limit) is None
    assert sizes.too_large([30, 30], ops=limit + 1) == (
        f"too large to run live: {limit + 1:,} operations in one step "
        f"(the limit here is {limit:,}, about a second)"
    )
    assert sizes.too_large([30, 30]) is None  # nn.MLP runs what its user wrote


def test_nn_refuses_a_batch_one_past_the_edge_before_allocating():
    layers = [784, 128, 10]
    net = MLP(layers)
    edge = sizes.max_batch(layers)
    with pytest.raises(MemoryError, match=f"a batch of {edge + 1:,}"):
        net.forward(np.broadcast_to(np.ones(784), (edge + 1, 784)))
