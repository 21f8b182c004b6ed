"""Networks counted live: equal to the formulas, equal across engines, right gradients."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlpops
from mlpops import MLP, breakdown, count, formulas, one_hot
from mlpops.formulas import without_bytes
from mlpops.report import PHASES

ACTIVATIONS = ["identity", "relu", "sigmoid", "tanh", "softmax"]


def data(sizes, batch, loss, seed=0, single=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, sizes[0]))
    if loss == "cross-entropy":
        y = one_hot(rng.integers(0, sizes[-1], batch), sizes[-1])
    else:
        y = rng.uniform(size=(batch, sizes[-1]))
    return (x[0], y[0]) if single else (x, y)


@st.composite
def networks(draw, max_width=64, max_batch=8):
    sizes = draw(st.lists(st.integers(1, max_width), min_size=2, max_size=6))
    loss = draw(st.sampled_from(["mse", "cross-entropy"]))
    activation = draw(st.sampled_from(ACTIVATIONS))
    output = "softmax" if loss == "cross-entropy" else draw(st.sampled_from([None, *ACTIVATIONS]))
    return dict(
        sizes=sizes,
        batch=draw(st.integers(1, max_batch)),
        activation=activation,
        output_activation=output,
        loss=loss,
        input_grad=draw(st.booleans()),
    )


def live_train_step(spec, engine, seed=0):
    net = MLP(
        spec["sizes"],
        spec["activation"],
        spec["output_activation"],
        spec["loss"],
        engine=engine,
        seed=seed,
    )
    x, y = data(spec["sizes"], spec["batch"], spec["loss"], seed)
    with count() as ops:
        net.train_step(x, y, lr=0.1, input_grad=spec["input_grad"])
    return net, ops


def predicted(spec):
    """The formulas' counts for a network spec (the independent reference)."""
    keys = ("sizes", "batch", "activation", "output_activation", "loss", "input_grad")
    return formulas.mlp(*(spec[k] for k in keys))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_live_counts_equal_the_formulas_per_layer_and_phase_array_engine(spec):
    _, ops = live_train_step(spec, "array")
    expected = predicted(spec)
    assert breakdown(ops) == expected
    assert ops.uncounted == {}
    backward = spec["input_grad"]
    assert ops.macs == formulas.matmul_macs(spec["sizes"], spec["batch"], True, backward)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_width=6, max_batch=3))
def test_scalar_engine_equals_array_engine_and_the_formulas(spec):
    net_a, ops_a = live_train_step(spec, "array")
    net_s, ops_s = live_train_step(spec, "scalar")
    assert ops_s.by_scope() == formulas.without_bytes(ops_a.by_scope())
    assert ops_s.macs == ops_a.macs
    assert ops_s.bytes is None  # the scalar engine cannot see memory traffic: said, not 0
    expected = predicted(spec)
    assert breakdown(ops_s) == formulas.without_bytes(expected)
    for (Wa, ba), (Ws, bs) in zip(net_a.parameters(), net_s.parameters()):
        np.testing.assert_allclose(Ws, Wa, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(bs, ba, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("engine", ["array", "scalar"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", ["mse", "cross-entropy"])
def test_gradients_equal_finite_differences(engine, activation, loss):
    sizes, batch = [3, 4, 3], 2
    net = MLP(sizes, activation=activation, loss=loss, engine=engine, seed=1)
    x, y = data(sizes, batch, loss, seed=2)
    net.forward(x)
    dX = mlpops.values(net.backward(y, input_grad=True))
    plain = MLP(sizes, activation=activation, loss=loss, seed=1)  # same weights, plain floats

    def loss_at(params, x_in=x):
        for layer, (W, b) in zip(plain.layers, params):
            layer.W, layer.b = W, b
        return plain.loss(plain.forward(x_in), y)

    params = [(W.copy(), b.copy()) for W, b in plain.parameters()]
    eps = 1e-6
    for (dW, db), li in zip(net.gradients(), range(len(params))):
        for arr_index, grad in ((0, dW), (1, db)):
            numeric = np.zeros_like(grad)
            for idx in np.ndindex(grad.shape):
                up = [(W.copy(), b.copy()) for W, b in params]
                down = [(W.copy(), b.copy()) for W, b in params]
                up[li][arr_index][idx] += eps
                down[li][arr_index][idx] -= eps
                numeric[idx] = (loss_at(up) - loss_at(down)) / (2 * eps)
            np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)
    numeric_dX = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xu, xd = x.copy(), x.copy()
        xu[idx] += eps
        xd[idx] -= eps
        numeric_dX[idx] = (loss_at(params, xu) - loss_at(params, xd)) / (2 * eps)
    np.testing.assert_allclose(dX, numeric_dX, rtol=1e-5, atol=1e-8)


# -- the learner's example, 30-30-30 ------------------------------------------------------
def test_classic_30_30_30_forward_is_900_multiplications_a_layer():
    net = MLP([30, 30, 30], activation="sigmoid", seed=0)
    with count() as ops:
        net.forward(np.ones(30))
    N = M = 30
    # hand derivation from a_j = f(b_j + sum_i W_ij x_i): N products per neuron, M neurons
    per_layer_mul = N * M
    per_layer_add = M * ((N - 1) + 1)  # N-1 adds between the products, 1 for the bias
    for layer in ("layer1", "layer2"):
        part = ops.within(f"forward/{layer}/weighted-sum")
        assert without_bytes(dict(part)) == {"mul": per_layer_mul, "add": per_layer_add}
        assert ops.within(f"forward/{layer}")["activations"] == M
    assert ops["mul"] == 2 * per_layer_mul  # the learner's 1,800
    assert breakdown(ops) == formulas.mlp([30, 30, 30], train=False)
    # what the 1,800 leaves out: the additions and f (sigmoid: a negation, exp, add, div)
    assert ops.total == 2 * (per_layer_mul + per_layer_add + M * 4)


def test_classic_30_30_30_backward_and_training_step():
    net = MLP([30, 30, 30], activation="sigmoid", seed=0)
    x, y = np.ones(30), np.zeros(30)
    with count() as ops:
        net.train_step(x, y, lr=0.1)
    N = M = 30
    back = ops.within("backward")
    # layer 2: dZ (sigmoid: 2 mul + 1 add per neuron), dW (N*M mul), no batch sum, dX (N*M mul)
    assert without_bytes(dict(back.within("layer2"))) == {
        "mul": 2 * M + N * M + N * M,
        "add": M + N * (M - 1),
    }
    # layer 1 skips dX: the gradient for the input data is never used
    assert without_bytes(dict(back.within("layer1"))) == {"mul": 2 * M + N * M, "add": M}
    assert back.within("layer1/dX").total == 0
    assert without_bytes(dict(ops.within("update"))) == {
        "mul": 2 * (N * M + M),
        "add": 2 * (N * M + M),
    }
    expected = formulas.phase_totals(formulas.mlp([30, 30, 30]))
    for phase in ("forward", "backward", "update"):
        assert ops.within(phase) == expected[phase]  # bytes compared too
    # the learner's "1,800 derivatives": the backward pass multiplies more than that
    assert back["mul"] > ops.within("forward")["mul"]


def test_unbatched_input_counts_like_a_batch_of_one():
    net = MLP([5, 4, 3], activation="tanh", seed=0)
    x, y = data([5, 4, 3], 1, "mse")
    with count() as one:
        net.forward(x[0])
    with count() as batch:
        out = net.forward(x)
    assert dict(one) == dict(batch)
    assert out.shape == (1, 3) and np.shape(net.forward(x[0])) == (3,)


def test_outside_count_the_network_runs_on_plain_numpy():
    net = MLP([4, 3, 2], seed=0)
    out = net.forward(np.ones((2, 4)))
    assert type(out) is np.ndarray
    net.train_step(np.ones((2, 4)), np.zeros((2, 2)))
    assert all(type(W) is np.ndarray for W, _ in ((layer.W, layer.b) for layer in net.layers))


def test_training_reduces_the_loss_on_both_engines():
    X, labels = mlpops.datasets.spirals(20, 2, seed=0)
    Y = one_hot(labels, 2)
    for engine in ("array", "scalar"):
        net = MLP([2, 8, 2], activation="tanh", loss="cross-entropy", engine=engine, seed=0)
        first = net.train_step(X, Y, lr=0.5)
        for _ in range(30 if engine == "array" else 5):
            last = net.train_step(X, Y, lr=0.5)
        assert last < first


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sizes, message",
    [
        ([30, 0, 10], r"whole numbers >= 1; got 0 at position 1"),
        ([30, -3], r"got -3 at position 1"),
        ([30, 2.5], r"got 2.5"),
        ([30, "10"], r"got '10'"),
        ([30], r"at least two widths"),
        ("30 30", r"list of layer widths"),
    ],
)
def test_bad_sizes_are_refused_clearly(sizes, message):
    with pytest.raises((ValueError, TypeError), match=message):
        MLP(sizes)


def test_bad_names_suggest_the_right_one():
    with pytest.raises(
        ValueError, match=r"unknown activation 'sigmod' \(did you mean 'sigmoid'\?\)"
    ):
        MLP([2, 2], activation="sigmod")
    with pytest.raises(ValueError, match="unknown loss"):
        MLP([2, 2], loss="mae")
    with pytest.raises(ValueError, match="unknown engine"):
        MLP([2, 2], engine="gpu")
    with pytest.raises(ValueError, match="softmax cross-entropy"):
        MLP([2, 2], loss="cross-entropy", output_activation="sigmoid")


def test_shape_mismatches_name_the_layer_and_both_shapes():
    net = MLP([30, 30, 10])
    with pytest.raises(
        ValueError,
        match=r"layer1 \(W is 30x30\) expects x of shape \(30,\) or \(batch, 30\); got x of shape \(5, 20\)",
    ):
        net.forward(np.ones((5, 20)))
    net.forward(np.ones((5, 30)))
    with pytest.raises(
        ValueError, match=r"output of layer2, shape \(5, 10\); got target of shape \(5, 3\)"
    ):
        net.backward(np.ones((5, 3)))
    with pytest.raises(TypeError, match="x must be numbers"):
        net.forward(["a"] * 30)


def test_phases_in_the_wrong_order_are_explained():
    net = MLP([2, 2])
    with pytest.raises(RuntimeError, match="forward"):
        net.backward(np.ones(2))
    with pytest.raises(RuntimeError, match="backward"):
        net.update(0.1)
    net.forward(np.ones(2))
    net.backward(np.ones(2))
    with pytest.raises(TypeError, match="learning rate"):
        net.update("fast")


def test_one_hot_checks_its_labels():
    np.testing.assert_array_equal(one_hot([0, 2], 3), [[1, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="0..2"):
        one_hot([3], 3)
    with pytest.raises(ValueError, match="integer labels"):
        one_hot([0.5], 3)


def test_formulas_read_like_the_equations():
    assert formulas.neuron(30) == {"mul": 30, "add": 30, "activations": 1}
    # bytes: X @ W reads X (N) and W (N*M), writes M; b + . reads b (M) and M, writes M
    moved = 8 * (30 + 30 * 30 + 30) + 8 * (30 + 30 + 30)
    assert formulas.weighted_sum(30, 30) == {"mul": 30 * 30, "add": 30 * 30, "bytes": moved}
    assert formulas.without_bytes(formulas.weighted_sum(30, 30, batch=4)) == {
        "mul": 4 * 30 * 30,
        "add": 4 * 30 * 30,
    }


def test_networks_too_large_to_run_are_refused_before_allocating():
    with pytest.raises(MemoryError, match=r"596.1 GiB.*mlpops.formulas.mlp"):
        MLP([100_000, 100_000, 100_000])
    with pytest.raises(ValueError, match="too many for the scalar engine"):
        MLP([1000, 1000], engine="scalar")
    net = MLP([1000, 1000])
    huge = np.broadcast_to(np.ones(1000), (1_000_000, 1000))  # a view: no memory yet
    with pytest.raises(MemoryError, match="a batch of 1,000,000"):
        net.forward(huge)


@pytest.mark.parametrize("engine", ["array", "scalar"])
def test_phases_counted_separately_add_up_to_the_whole_step(engine):
    sizes, batch = [4, 5, 3], 2
    x, y = data(sizes, batch, "mse")
    whole = MLP(sizes, engine=engine, seed=0)
    with count() as step:
        whole.train_step(x, y, lr=0.1)
    net = MLP(sizes, engine=engine, seed=0)
    net.forward(x)  # outside any count: the backward pass below must still count fully
    with count() as back:
        net.backward(y)
    with count() as update:
        net.update(0.1)
    # net.backward files the loss's gradient under the loss phase, the layers' under backward
    assert set(back.by_scope()) == {
        p for p in step.by_scope() if p.split("/")[0] in ("backward", "loss") and p != "loss/value"
    }
    assert without_bytes(dict(back.within("backward"))) == without_bytes(
        dict(step.within("backward"))
    )
    assert without_bytes(dict(back.within("loss"))) == without_bytes(
        dict(step.within("loss/gradient"))
    )
    assert without_bytes(dict(update)) == without_bytes(dict(step.within("update")))
    with count() as loss:
        net.loss(net.forward(x), y)
    assert without_bytes(dict(loss.within("loss"))) == without_bytes(
        dict(step.within("loss/value"))
    )


@pytest.mark.parametrize("loss", ["mse", "cross-entropy"])
def test_a_training_steps_forward_is_exactly_what_inference_counts_and_the_loss_is_its_own_phase(
    loss,
):
    sizes, batch = [30, 30, 30], 1
    x, y = data(sizes, batch, loss, single=True)
    net = MLP(sizes, loss=loss)
    with count() as inference:
        net.forward(x)
    with count() as step:
        net.train_step(x, y, lr=0.1)
    assert dict(step.within("forward")) == dict(inference)
    assert [p.split("/")[0] for p in step.by_scope()] == sorted(
        (p.split("/")[0] for p in step.by_scope()), key=PHASES.index
    )  # the phases run in PHASES' order
    table = formulas.mlp(sizes, batch, loss=loss)
    value, gradient = formulas.loss_forward(loss, 30), formulas.loss_backward(loss, 30)
    assert dict(step.within("loss/value")) == value
    assert dict(step.within("loss/gradient")) == gradient
    assert formulas.phase_totals(table)["loss"] == {
        k: value.get(k, 0) + gradient.get(k, 0) for k in {*value, *gradient}
    }
    inference_table = formulas.mlp(sizes, batch, loss=loss, train=False)
    assert (
        formulas.phase_totals(table)["forward"] == formulas.phase_totals(inference_table)["forward"]
    )
