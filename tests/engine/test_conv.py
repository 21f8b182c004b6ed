"""Convolutions and pooling: live counts == formulas, array engine == scalar engine, values
== an independent nested-loop reference (and PyTorch when it is installed), clear errors."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import mlpops
from mlpops import conv, count, values
from mlpops.conv import AvgPool2D, Conv2D, Flatten, MaxPool2D, Sequential
from mlpops.formulas import without_bytes
from mlpops.report import breakdown

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TINY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ACTIVATIONS = st.sampled_from([None, "identity", "relu", "sigmoid", "tanh", "softmax"])


# -- an independent reference: the equation, one output element at a time ------------------
def reference_conv2d(X, W, b, stride, padding):
    """z[b,o,i,j] = bias_o + sum_{c,u,v} W[o,c,u,v] x[b, c, i*s+u-p, j*s+v-p] (0 outside)."""
    B, C, H, Wd = X.shape
    C_out, _, kH, kW = W.shape
    (sH, sW), (pH, pW) = stride, padding
    H_out = (H + 2 * pH - kH) // sH + 1
    W_out = (Wd + 2 * pW - kW) // sW + 1
    Z = np.zeros((B, C_out, H_out, W_out))
    for n in range(B):
        for o in range(C_out):
            for i in range(H_out):
                for j in range(W_out):
                    total = 0.0 if b is None else b[o]
                    for c in range(C):
                        for u in range(kH):
                            for v in range(kW):
                                r, q = i * sH + u - pH, j * sW + v - pW
                                if 0 <= r < H and 0 <= q < Wd:  # outside: a padded zero
                                    total += W[o, c, u, v] * X[n, c, r, q]
                    Z[n, o, i, j] = total
    return Z


def reference_pool(X, k, s, reduce):
    B, C, H, W = X.shape
    H_out, W_out = (H - k[0]) // s[0] + 1, (W - k[1]) // s[1] + 1
    out = np.zeros((B, C, H_out, W_out))
    for n, c, i, j in np.ndindex(B, C, H_out, W_out):
        window = [X[n, c, i * s[0] + u, j * s[1] + v] for u in range(k[0]) for v in range(k[1])]
        out[n, c, i, j] = reduce(window)
    return out


@st.composite
def conv_cases(draw, batch=3, channels=4, size=12, kernel=5, stride=3, padding=2):
    case = dict(
        batch=draw(st.integers(1, batch)),
        in_channels=draw(st.integers(1, channels)),
        out_channels=draw(st.integers(1, channels)),
        height=draw(st.integers(1, size)),
        width=draw(st.integers(1, size)),
        kernel_size=(draw(st.integers(1, kernel)), draw(st.integers(1, kernel))),
        stride=(draw(st.integers(1, stride)), draw(st.integers(1, stride))),
        padding=(draw(st.integers(0, padding)), draw(st.integers(0, padding))),
        bias=draw(st.booleans()),
        activation=draw(ACTIVATIONS),
    )
    assume(case["kernel_size"][0] <= case["height"] + 2 * case["padding"][0])
    assume(case["kernel_size"][1] <= case["width"] + 2 * case["padding"][1])
    return case


#: The keys of a case that size the input image; the others configure the layer.
INPUT_KEYS = ("batch", "height", "width")


def _layer_and_input(case, engine="array", seed=0):
    layer_args = {k: v for k, v in case.items() if k not in INPUT_KEYS}
    layer = Conv2D(**layer_args, engine=engine, seed=seed)
    if case["bias"]:  # non-zero biases, so the values test sees them
        b = np.random.default_rng(seed + 1).normal(size=case["out_channels"])
        layer.b = mlpops.scalars(b) if engine == "scalar" else b
    rng = np.random.default_rng(seed + 2)
    X = rng.normal(size=(case["batch"], case["in_channels"], case["height"], case["width"]))
    return layer, X


# -- live == formula ----------------------------------------------------------------------
@FAST
@given(conv_cases())
def test_conv2d_live_counts_equal_the_formula(case):
    layer, X = _layer_and_input(case)
    with count() as ops:
        Z = layer.forward(X)
    assert without_bytes(dict(ops)) == conv.conv2d_forward_counts(**case)
    assert ops.uncounted == {}
    B, C_out, H_out, W_out = layer.output_shape(X.shape)
    assert Z.shape == (B, C_out, H_out, W_out)
    K = case["in_channels"] * math.prod(case["kernel_size"])
    assert ops.macs == B * C_out * H_out * W_out * K  # one per product in a weighted sum


def test_conv2d_per_output_element_is_a_neuron_on_its_patch():
    # one 32x32 grey image, 6 kernels of 5x5: 6*28*28 outputs, each 25 mul, 24 + 1 add
    layer = Conv2D(1, 6, 5)
    with count() as ops:
        layer.forward(np.zeros((1, 1, 32, 32)))
    outputs, K = 6 * 28 * 28, 1 * 5 * 5
    assert without_bytes(dict(ops)) == {"mul": outputs * K, "add": outputs * K}
    without_bias = Conv2D(1, 6, 5, bias=False)
    with count() as ops:
        without_bias.forward(np.zeros((1, 1, 32, 32)))
    assert without_bytes(dict(ops)) == {"mul": outputs * K, "add": outputs * (K - 1)}


def test_conv2d_scopes_split_weighted_sum_and_activation():
    layer = Conv2D(2, 3, 3, padding=1, activation="relu")
    with count() as ops:
        layer.forward(np.ones((1, 2, 4, 4)))
    assert without_bytes(ops.by_scope()) == {
        "weighted-sum": {"mul": 3 * 16 * 18, "add": 3 * 16 * 18},
        "activation": {"max": 48, "activations": 48},
    }


def test_padding_is_free_but_the_products_with_its_zeros_are_counted():
    # padding copies zeros (no arithmetic); every output still takes C_in*kH*kW products
    layer = Conv2D(1, 1, 3, padding=1, bias=False)
    with count() as ops:
        layer.forward(np.ones((1, 1, 3, 3)))
    assert without_bytes(dict(ops)) == {"mul": 9 * 9, "add": 9 * 8}


def test_outside_count_a_layer_runs_on_plain_numpy():
    Z = Conv2D(1, 2, 3).forward(np.ones((1, 1, 5, 5)))
    assert type(Z) is np.ndarray


def pool_shapes(batch, channels, sizes, kernel):
    """(B, C, H, W, k): a batch of images, H and W in ``sizes``, and a k x k window that fits."""
    shape = st.tuples(*(st.integers(1, n) for n in (batch, channels)), sizes, sizes)
    return st.tuples(shape, st.integers(1, kernel)).filter(lambda c: c[1] <= min(c[0][2:]))


@FAST
@given(
    pool_shapes(3, 4, st.integers(1, 12), 4),
    st.one_of(st.none(), st.integers(1, 3)),
    st.sampled_from(["max", "avg"]),
)
def test_pooling_live_counts_equal_the_formula(shape_and_k, s, kind):
    (B, C, H, W), k = shape_and_k
    Pool, formula = {
        "max": (MaxPool2D, conv.maxpool2d_counts),
        "avg": (AvgPool2D, conv.avgpool2d_counts),
    }[kind]
    X = np.random.default_rng(0).normal(size=(B, C, H, W))
    with count() as ops:
        Y = Pool(k, s).forward(X)
    assert without_bytes(dict(ops)) == formula(B, C, H, W, k, s)
    assert ops.uncounted == {}
    stride = (k, k) if s is None else (s, s)
    reduce = max if kind == "max" else (lambda w: sum(w) / len(w))
    np.testing.assert_allclose(values(Y), reference_pool(X, (k, k), stride, reduce))


def test_one_pool_formula_serves_max_and_avg_and_refuses_other_kinds():
    assert conv.maxpool2d_counts(1, 2, 4, 4) == conv.pool2d_counts("max", 1, 2, 4, 4)
    assert conv.avgpool2d_counts(1, 2, 4, 4, 2, 1) == conv.pool2d_counts("avg", 1, 2, 4, 4, 2, 1)
    with pytest.raises(ValueError, match="kind is 'max' or 'avg'; got 'min'"):
        conv.pool2d_counts("min", 1, 2, 4, 4)


def test_pooling_counts_per_output():
    X = np.zeros((1, 6, 28, 28))
    with count() as ops:
        MaxPool2D(2).forward(X)
    assert without_bytes(dict(ops)) == {
        "max": 6 * 14 * 14 * 3
    }  # 3 comparisons pick the largest of 4
    with count() as ops:
        AvgPool2D(2).forward(X)
    assert without_bytes(dict(ops)) == {"add": 6 * 14 * 14 * 3, "div": 6 * 14 * 14}


def test_flatten_is_free():
    with count() as ops:
        Y = Flatten().forward(mlpops.track(np.ones((2, 3, 4, 5))))
    assert Y.shape == (2, 60) and without_bytes(dict(ops)) == {}


# -- two engines, one layer code ----------------------------------------------------------
def engines_agree(array_run, scalar_run, rtol=1e-7, atol=0.0):
    """The same computation run on each engine: the same counts, scope by scope (bytes
    only the array engine sees), the same MACs, the same values."""
    with count() as a:
        Ya = array_run()
    with count() as s:
        Ys = scalar_run()
    assert without_bytes(dict(a)) == without_bytes(dict(s))
    assert without_bytes(a.by_scope()) == s.by_scope() and a.macs == s.macs
    np.testing.assert_allclose(values(Ys), values(Ya), rtol=rtol, atol=atol)


@TINY
@given(conv_cases(batch=2, channels=2, size=5, kernel=3, stride=2, padding=1))
def test_array_and_scalar_engines_count_conv2d_identically(case):
    array_layer, X = _layer_and_input(case, "array")
    scalar_layer, _ = _layer_and_input(case, "scalar")
    engines_agree(lambda: array_layer.forward(X), lambda: scalar_layer.forward(X), 1e-12, 1e-12)


@TINY
@given(pool_shapes(2, 2, st.integers(2, 6), 3), st.sampled_from([MaxPool2D, AvgPool2D]))
def test_array_and_scalar_engines_count_pooling_identically(shape_and_k, Pool):
    (B, C, H, W), k = shape_and_k
    X = np.random.default_rng(1).normal(size=(B, C, H, W))
    X[X < 0] = 0  # ties, as after a ReLU
    engines_agree(lambda: Pool(k).forward(X), lambda: Pool(k).forward(mlpops.scalars(X)))


def test_relu_zeros_stay_counted_in_a_following_max_pool():
    # on the scalar engine ReLU returns plain 0s: comparing two of them must still count
    layer = Conv2D(1, 1, 1, bias=False, activation="relu", engine="scalar")
    layer.W = mlpops.scalars(-np.ones((1, 1, 1, 1)))  # every output negative: all ReLU zeros
    with count() as ops:
        MaxPool2D(2).forward(layer.forward(np.ones((1, 1, 4, 4))))
    assert ops["max"] == 16 + 4 * 3  # 16 for the ReLU, 3 per pooled window


def test_lenet5_counts_layer_by_layer_equal_the_formulas():
    net = conv.lenet5(seed=0)
    X = np.random.default_rng(0).normal(size=(3, 1, 32, 32))
    with count() as ops:
        Y = net.forward(X)
    assert Y.shape == (3, 10)
    assert without_bytes(breakdown(ops)) == net.formula(X.shape)
    assert ops.uncounted == {}
    # per image: outputs x terms per output (conv), N x M (dense), from the LeNet-5 shapes
    per_image = {
        "conv1": 6 * 28 * 28 * (1 * 5 * 5),
        "conv2": 16 * 10 * 10 * (6 * 5 * 5),
        "dense1": 400 * 120,
        "dense2": 120 * 84,
        "dense3": 84 * 10,
    }
    for name, mul in per_image.items():
        assert ops.within(f"forward/{name}")["mul"] == 3 * mul
    assert net.num_parameters == 61_706  # the classic LeNet-5 size (full C3)
    assert net.shapes(X.shape)[3] == (3, 16, 5, 5)


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_lenet5_array_and_scalar_engines_agree(pool):
    X = np.random.default_rng(3).normal(size=(1, 1, 32, 32))
    array_net = conv.lenet5(pool=pool, seed=1)
    scalar_net = conv.lenet5(pool=pool, engine="scalar", seed=1)
    engines_agree(lambda: array_net.forward(X), lambda: scalar_net.forward(X), 1e-9, 1e-12)


def test_scalar_engine_traces_each_product_of_a_convolution():
    layer = Conv2D(1, 1, 2, engine="scalar")
    with count(trace=True) as ops:
        layer.forward(np.arange(9.0).reshape(1, 1, 3, 3))
    first = [e.kind for e in ops.trace[:7]]  # the first output: 4 products summed by 3 adds
    assert sorted(first) == ["add"] * 3 + ["mul"] * 4
    assert all(e.scope == "weighted-sum" for e in ops.trace)
    assert len(ops.trace) == ops.total == 4 * (4 + 4)


# -- values ----------------------------------------------------------------------------------
@FAST
@given(conv_cases(batch=2, channels=3, size=7, kernel=4))
def test_conv2d_values_equal_the_nested_loop_reference(case):
    case = dict(case, activation=None)
    layer, X = _layer_and_input(case)
    b = None if layer.b is None else values(layer.b)
    want = reference_conv2d(X, layer.W, b, case["stride"], case["padding"])
    np.testing.assert_allclose(layer.forward(X), want, rtol=1e-10, atol=1e-12)


def test_from_weights_uses_the_given_kernel():
    W = np.zeros((1, 1, 3, 3))
    W[0, 0, 1, 1] = 1.0  # the identity kernel: with padding 1 the output is the input
    X = np.random.default_rng(0).normal(size=(2, 1, 5, 4))
    layer = Conv2D.from_weights(W, b=[0.5], padding=1)
    np.testing.assert_allclose(layer.forward(X), X + 0.5)


@pytest.mark.parametrize(
    "C_in, C_out, k, stride, padding, H, W",
    [(1, 6, 5, 1, 0, 32, 32), (3, 4, (3, 2), (2, 1), (1, 2), 9, 7), (2, 2, 1, 3, 2, 5, 6)],
)
def test_values_and_conventions_match_pytorch(torch, C_in, C_out, k, stride, padding, H, W):
    F = torch.nn.functional
    from torch.utils.flop_counter import FlopCounterMode

    rng = np.random.default_rng(0)
    Wt = rng.normal(size=(C_out, C_in) + conv._pair(k, "k", "test", 1))
    b = rng.normal(size=C_out)
    X = rng.normal(size=(2, C_in, H, W))
    layer = Conv2D.from_weights(Wt, b, stride=stride, padding=padding)
    with count() as ops:
        Z = layer.forward(X)
    with FlopCounterMode(display=False) as flops:
        want = F.conv2d(
            torch.tensor(X), torch.tensor(Wt), torch.tensor(b), stride=stride, padding=padding
        )
    np.testing.assert_allclose(values(Z), want.numpy(), rtol=1e-10, atol=1e-12)
    assert flops.get_total_flops() == 2 * ops.macs  # PyTorch: 2 per multiply-accumulate
    pooled = MaxPool2D(2).forward(values(Z)) if min(Z.shape[2:]) >= 2 else None
    if pooled is not None:
        np.testing.assert_allclose(pooled, F.max_pool2d(want, 2).numpy())
        np.testing.assert_allclose(AvgPool2D(2).forward(values(Z)), F.avg_pool2d(want, 2).numpy())


# -- formulas --------------------------------------------------------------------------------
def test_output_size_is_the_textbook_formula():
    assert conv.output_size(32, 5) == 28
    assert conv.output_size(32, 3, stride=1, padding=1) == 32  # "same" padding
    assert conv.output_size(32, 3, stride=2, padding=1) == 16
    assert conv.output_size(7, 3, stride=3) == 2  # the last, partial window is dropped


def test_parameters_formula_matches_the_layers():
    for args in [(1, 6, 5), (6, 16, 5), (3, 8, (3, 1))]:
        assert conv.conv2d_parameters(*args) == Conv2D(*args).num_parameters
        assert conv.conv2d_parameters(*args, bias=False) == Conv2D(*args, bias=False).num_parameters


def test_sequential_formula_needs_no_run():
    net = conv.lenet5()
    table = net.formula((1, 1, 32, 32))
    assert list(table) == ["conv1", "pool1", "conv2", "pool2", "dense1", "dense2", "dense3"]
    assert table["conv2"]["forward"] == {
        "mul": 240_000,
        "add": 240_000,
        "max": 1_600,
        "activations": 1_600,
    }


# -- clear errors -------------------------------------------------------------------------------
def test_wrong_number_of_axes_says_nchw_and_how_to_fix_it():
    layer = Conv2D(1, 6, 5, name="conv1")
    with pytest.raises(
        ValueError,
        match=r"conv1.*\(batch, 1, height, width\).*got shape \(32, 32\).*x\[None, None\]",
    ):
        layer.forward(np.zeros((32, 32)))
    with pytest.raises(ValueError, match=r"got shape \(4, 32, 32\).*X\[:, None\]"):
        layer.forward(np.zeros((4, 32, 32)))


def test_channel_mismatch_names_the_layer_and_both_shapes():
    layer = Conv2D(6, 16, 5, name="conv2")
    with pytest.raises(ValueError) as err:
        layer.forward(np.zeros((2, 3, 14, 14)))
    msg = str(err.value)
    assert "conv2" in msg and "(16, 6, 5, 5)" in msg and "(2, 3, 14, 14)" in msg
    assert "expects 6 input channels" in msg


def test_kernel_larger_than_the_padded_input_is_refused():
    with pytest.raises(ValueError, match=r"conv1.*5x5 kernel is larger than the padded input 4x4"):
        Conv2D(1, 1, 5, padding=1, name="conv1").forward(np.zeros((1, 1, 2, 2)))
    with pytest.raises(ValueError, match="3x3 kernel is larger"):
        MaxPool2D(3).forward(np.zeros((1, 1, 2, 5)))
    with pytest.raises(ValueError, match="kernel is larger"):
        conv.conv2d_forward_counts(1, 1, 1, 2, 2, 5)


@pytest.mark.parametrize("stride", [0, -1, 1.5, True, (1, 0)])
def test_non_positive_stride_is_refused(stride):
    with pytest.raises(ValueError, match=r"Conv2D conv7: stride must be a positive whole number"):
        Conv2D(1, 1, 3, stride=stride, name="conv7")


def test_other_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="padding must be a whole number >= 0; got -1"):
        Conv2D(1, 1, 3, padding=-1)
    with pytest.raises(ValueError, match="kernel_size must be a positive whole number; got 0"):
        Conv2D(1, 1, 0)
    with pytest.raises(ValueError, match="in_channels must be a positive whole number"):
        Conv2D(0, 1, 3)
    with pytest.raises(ValueError, match=r"one number or a pair"):
        MaxPool2D((2, 2, 2))
    with pytest.raises(ValueError, match=r"weights have shape \(out_channels, in_channels"):
        Conv2D.from_weights(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"one value per output channel, shape \(2,\)"):
        Conv2D.from_weights(np.zeros((2, 1, 3, 3)), b=np.zeros(3))
    with pytest.raises(ValueError, match="unknown activation 'rleu'.*did you mean 'relu'"):
        Conv2D(1, 1, 3, activation="rleu")
    with pytest.raises(TypeError, match="images must be numbers"):
        MaxPool2D(2).forward([[[["a", "b"], ["c", "d"]]]])
    with pytest.raises(ValueError, match="layer names must differ"):
        Sequential([MaxPool2D(name="p"), MaxPool2D(name="p")])
