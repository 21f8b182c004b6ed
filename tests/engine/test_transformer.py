"""The GPT-style decoder: gradients by finite differences on both engines, live counts
equal to the closed-form formulas per term, unit and phase, both engines agreeing, the
published rules beside the exact count, and PyTorch's FlopCounterMode (when installed)."""

import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlpops import conventions, count
from mlpops import transformer as tr
from mlpops import transformer_formulas as tf
from mlpops.formulas import without_bytes
from mlpops.report import PHASES
from mlpops.scalar import Scalar, values
from mlpops.tracked import scalars, track

ENGINES = ["array", "scalar"]


def nonzero(table):
    """A formulas.terms table without the terms that do no arithmetic (the lookup)."""
    return {
        u: {p: {t: k for t, k in ts.items() if k} for p, ts in ph.items()}
        for u, ph in table.items()
    }


# -- finite differences ------------------------------------------------------------------
def nudge(a, i, delta):
    """Add delta to a[i], on either engine (Scalars are replaced, not changed)."""
    if np.asarray(a).dtype == object:
        a[i] = Scalar(a[i].v + delta)
    else:
        a[i] += delta


def numerical_gradient(f, a, i, h=1e-6):
    nudge(a, i, h)
    up = f()
    nudge(a, i, -2 * h)
    down = f()
    nudge(a, i, h)
    return (up - down) / (2 * h)


def sample(shape, rng, n=4):
    return [tuple(int(rng.integers(0, s)) for s in shape) for _ in range(n)]


def as_engine(X, engine):
    return scalars(X) if engine == "scalar" else X


def check_layer(forward, backward, X, params, grads_of, engine, seed=0):
    """A layer's dX and parameter gradients against finite differences of sum(Y * C)."""
    rng = np.random.default_rng(seed)
    Y = forward(X)
    C = rng.normal(size=np.shape(Y))
    dX = np.array(values(backward(as_engine(C, engine))), dtype=float)
    grads = {k: np.array(values(g), dtype=float) for k, g in grads_of().items()}

    def f():
        return float((np.array(values(forward(X)), dtype=float) * C).sum())

    for i in sample(np.shape(X), rng):
        assert numerical_gradient(f, X, i) == pytest.approx(dX[i], rel=1e-5, abs=1e-7)
    for name, p in params.items():
        for i in sample(np.shape(p), rng):
            got = numerical_gradient(f, p, i)
            assert got == pytest.approx(grads[name][i], rel=1e-5, abs=1e-7), name


def random_layernorm(rng, engine):
    """LayerNorm over 5 features with random gains and shifts, and 3 rows to normalise."""
    ln = tr.LayerNorm(5, engine)
    ln.gamma[:] = as_engine(rng.normal(size=5), engine)
    ln.beta[:] = as_engine(rng.normal(size=5), engine)
    return ln, (3, 5)


def random_linear(rng, engine):
    """A linear layer 4 -> 3 with random biases, and 5 rows in."""
    lin = tr.Linear.random(4, 3, rng, engine)
    lin.b[:] = as_engine(rng.normal(size=3), engine)
    return lin, (5, 4)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("make_layer, seed", [(random_layernorm, 1), (random_linear, 2)])
def test_layernorm_and_linear_gradients_match_finite_differences(make_layer, seed, engine):
    rng = np.random.default_rng(seed)
    layer, shape = make_layer(rng, engine)
    X = as_engine(rng.normal(size=shape), engine)
    check_layer(layer.forward, layer.backward, X, layer.parameters(), layer.gradients, engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_gelu_gradient_matches_finite_differences(engine):
    rng = np.random.default_rng(3)
    gelu = tr.GELU()
    X = as_engine(rng.normal(scale=2.0, size=(4, 6)), engine)
    check_layer(gelu.forward, gelu.backward, X, {}, dict, engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_feed_forward_gradients_match_finite_differences(engine):
    rng = np.random.default_rng(4)
    mlp = tr.FeedForward(4, 6, rng, engine)
    X = as_engine(rng.normal(size=(3, 4)), engine)
    params = {f"up/{k}": v for k, v in mlp.up.parameters().items()}
    params |= {f"down/{k}": v for k, v in mlp.down.parameters().items()}

    def grads():
        g = {f"up/{k}": v for k, v in mlp.up.gradients().items()}
        return g | {f"down/{k}": v for k, v in mlp.down.gradients().items()}

    check_layer(mlp.forward, mlp.backward, X, params, grads, engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_causal_attention_gradients_match_finite_differences(engine):
    rng = np.random.default_rng(5)
    B, T, D, H = 2, 4, 6, 3
    attn = tr.CausalSelfAttention(D, H, rng, engine)
    X = as_engine(rng.normal(size=(B * T, D)), engine)
    params = {f"{t}/{k}": v for t, p in attn.parts.items() for k, v in p.parameters().items()}

    def grads():
        return {f"{t}/{k}": v for t, p in attn.parts.items() for k, v in p.gradients().items()}

    check_layer(lambda X: attn.forward(X, B, T), attn.backward, X, params, grads, engine)


def test_causal_attention_never_looks_at_a_later_token():
    rng = np.random.default_rng(6)
    attn = tr.CausalSelfAttention(4, 2, rng, "array")
    X = rng.normal(size=(5, 4))
    Y = attn.forward(X, 1, 5)
    X2 = X.copy()
    X2[3:] += 10.0  # change tokens 3 and 4 only
    Y2 = attn.forward(X2, 1, 5)
    np.testing.assert_allclose(Y[:3], Y2[:3])
    assert not np.allclose(Y[3:], Y2[3:])
    assert np.all(np.triu(values(attn.P)[0, 0], 1) == 0)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("tied", [True, False])
def test_every_gpt_gradient_matches_finite_differences(engine, tied):
    net = tr.GPT(2, 6, 2, 4, 7, d_ff=5, tied=tied, engine=engine, seed=1)
    ids, targets = tr.random_tokens(2, 4, 7, seed=2)
    net.forward(ids)
    net.backward(targets)
    grads = net.named_gradients()
    rng = np.random.default_rng(0)

    def f():
        return net.loss(net.forward(ids), targets)

    for name, p in net.named_parameters().items():
        for i in sample(np.shape(p), rng, n=2):
            got = numerical_gradient(f, p, i)
            assert got == pytest.approx(grads[name][i], rel=1e-5, abs=1e-8), name


# -- live == formula -----------------------------------------------------------------------
shapes = st.fixed_dictionaries(
    {
        "layers": st.integers(1, 2),
        "heads": st.integers(1, 3),
        "d_head": st.integers(1, 3),
        "context": st.integers(1, 5),
        "vocab": st.integers(1, 7),
        "batch": st.integers(1, 3),
        "d_ff": st.integers(1, 6),
        "tied": st.booleans(),
    }
)


def make(s, engine="array", seed=0):
    D = s["heads"] * s["d_head"]
    args = (s["layers"], D, s["heads"], s["context"], s["vocab"], s["batch"])
    net = tr.GPT(*args[:5], d_ff=s["d_ff"], tied=s["tied"], engine=engine, seed=seed)
    ids, targets = tr.random_tokens(s["batch"], s["context"], s["vocab"], seed=seed)
    return net, ids, targets, args


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=shapes, train=st.booleans())
def test_live_counts_equal_the_formulas_per_term_unit_and_phase(s, train):
    net, ids, targets, args = make(s)
    with count() as ops:
        if train:
            net.train_step(ids, targets, lr=0.01)
        else:
            net.forward(ids)
    predicted = tf.terms(*args, d_ff=s["d_ff"], tied=s["tied"], train=train)
    live = tr.term_breakdown(ops)
    assert all(
        "bytes" in kinds for ph in live.values() for ts in ph.values() for kinds in ts.values()
    )
    # the operations, and the bytes where the formulas predict them (tf.PREDICTS_BYTES)
    assert without_bytes(live) == without_bytes(nonzero(predicted))
    if tf.PREDICTS_BYTES:
        assert live == nonzero(predicted)
    by_unit = tf.gpt(*args, d_ff=s["d_ff"], tied=s["tied"], train=train)
    assert list(by_unit) == [
        "embedding",
        *(f"block{i}" for i in range(1, s["layers"] + 1)),
        "ln-f",
        "lm-head",
        *(["loss"] if train else []),
    ]
    for phase in PHASES:  # the loss is its own phase: forward is the layers alone
        want = tf._plus(*(u[phase] for u in by_unit.values() if phase in u))
        assert without_bytes(dict(ops.within(phase))) == without_bytes(want)
        if tf.PREDICTS_BYTES:
            assert dict(ops.within(phase)) == want
    assert ops.uncounted == {}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=shapes)
def test_matrix_product_macs_equal_the_formula_forward_and_backward(s):
    net, ids, targets, args = make(s)
    c = conventions.measure(net, ids, targets).totals()
    assert c["macs"] == tf.macs(*args, d_ff=s["d_ff"])
    assert c["pytorch_flop_counter"] == {k: 2 * v for k, v in c["macs"].items()}


def test_the_lookup_is_free_and_said_so():
    net = tr.GPT(1, 4, 2, 3, 5)
    with count() as ops:
        net.forward(np.array([[1, 2, 3]]))
    assert ops.within("forward/embedding/token").total == 0
    assert tf.terms(1, 4, 2, 3, 5, train=False)["embedding"]["forward"]["token"] == {}
    assert ops.within("forward/embedding/position")["add"] == 3 * 4  # tok + pos: T*D adds


# -- the two engines -----------------------------------------------------------------------
def test_the_scalar_engine_counts_and_computes_what_the_array_engine_does():
    s = dict(layers=1, heads=2, d_head=2, context=3, vocab=5, batch=2, d_ff=6, tied=True)
    results = {}
    for engine in ENGINES:
        net, ids, targets, _ = make(s, engine, seed=3)
        with count() as ops:
            loss = net.train_step(ids, targets, lr=0.1)
        results[engine] = (ops.by_scope(), loss, net.named_gradients(), ops.macs)
    (sa, la, ga, ma), (ss, ls, gs, ms) = results["array"], results["scalar"]
    # the scalar engine cannot see memory traffic: the array side's bytes are stripped
    assert all("bytes" not in kinds for kinds in ss.values())
    assert without_bytes(sa) == ss and ma == ms
    assert la == pytest.approx(ls, rel=1e-12)
    for k in ga:
        np.testing.assert_allclose(ga[k], gs[k], rtol=1e-10, atol=1e-14)


# -- parameters and the published rules -------------------------------------------------------
def test_parameter_count_of_gpt2_small_is_124m_from_its_published_sizes():
    # Radford et al. 2019 (the 12-layer model; its released weights, as nanoGPT counts them)
    assert tf.num_parameters(12, 768, 1024, 50257) == 124_439_808
    assert tf.nanogpt_parameters(12, 768, 1024, 50257) == 124_439_808 - 1024 * 768


def test_the_model_holds_as_many_parameters_as_the_formula_says():
    for tied in (True, False):
        net = tr.GPT(2, 6, 3, 4, 9, d_ff=7, tied=tied)
        assert sum(np.size(p) for p in net.named_parameters().values()) == net.num_parameters
        assert net.num_parameters == tf.num_parameters(2, 6, 4, 9, 7, tied)


def test_published_rules_sit_beside_the_exact_count_with_their_gap():
    L, D, H, T, V = 2, 64, 4, 64, 256
    a = tf.approximations(L, D, H, T, V)
    exact = a["exact"]
    assert exact["forward"] == tf.per_token(L, D, H, T, V)["forward"]
    N = 2 * D * L * (2 * D + 4 * D)
    assert a["kaplan"]["forward"] == 2 * N + 2 * L * T * D
    assert a["kaplan"]["forward_backward"] == 3 * a["kaplan"]["forward"]
    n = tf.num_parameters(L, D, T, V) - T * D
    assert a["palm"]["forward_backward"] == 6 * n + 12 * L * H * (D // H) * T
    for rule in ("kaplan", "palm"):
        gap = a[rule]["forward"] / exact["forward"] - 1
        assert a[rule]["gap_forward"] == pytest.approx(gap)
        assert "LayerNorm" in a[rule]["leaves_out"] and "arXiv" in a[rule]["source"]


def test_each_rule_reports_the_parameters_it_calls_n_and_which_they_are():
    L, D, H, T, V = 2, 64, 4, 64, 256
    a = tf.approximations(L, D, H, T, V)
    net = tr.GPT(L, D, H, T, V, seed=0)
    params = {k: np.size(v) for k, v in net.named_parameters().items()}
    assert a["exact"]["N"] == sum(params.values())
    # nanoGPT's get_num_params(): all but the position table
    assert a["palm"]["N"] == sum(params.values()) - params["embedding/position/W"]
    # Kaplan's non-embedding N: the blocks' weight matrices, no biases and no LayerNorm
    weights = sum(n for k, n in params.items() if k.startswith("block") and k.endswith("/W"))
    assert a["kaplan"]["N"] == weights
    for rule in ("exact", "kaplan", "palm"):
        assert a[rule]["parameters"] == tf.PARAMETERS_COUNTED[rule]
    assert "position" in a["palm"]["parameters"] and "non-embedding" in a["kaplan"]["parameters"]


def test_the_exact_count_is_near_six_per_parameter_per_token_for_a_large_short_context_model():
    # GPT-3 175B sizes (Brown et al. 2020, Table 2.1): every weight used once per token
    L, D, H, T, V = 96, 12288, 96, 2048, 50257
    exact = tf.per_token(L, D, H, T, V)["forward_backward"]
    N = tf.num_parameters(L, D, T, V)
    assert 6.0 < exact / N < 6.6


def test_attention_overtakes_the_weights_at_the_crossover_context():
    D, H = 32, 4
    T = tf.crossover_context(D, H)
    before, at = tf.block_parts_per_token(D, H, T - 1), tf.block_parts_per_token(D, H, T)
    assert before["attention"] < before["weights"] and at["attention"] >= at["weights"]
    assert at["weights"] == 2 * 12 * D * D  # every weight: one mul and one add per token
    # near 6 d_model: QK^T and PV take 2 T D multiply-accumulates per token, the weights 12 D^2
    assert 3 * D < T < 6 * D


def test_block_parts_add_up_to_the_block_and_grow_as_the_count_says():
    D, H, T = 16, 2, 9
    parts = tf.block_parts_per_token(D, H, T)
    block = tf.gpt(1, D, H, T, 3, train=False)["block1"]["forward"]
    assert sum(parts.values()) * T == tf.total(block)
    muls = tf.block_parts_per_token(D, H, T, kind="mul")
    assert muls["attention"] == 2 * T * D + H * T  # QK^T, the scale, PV
    assert muls["weights"] == 12 * D * D


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(d_model=6, heads=4), "multiple of heads"),
        (dict(layers=0), "layers must be a whole number"),
        (dict(vocab=2.5), "vocab must be a whole number"),
        (dict(engine="gpu"), "unknown engine"),
    ],
)
def test_bad_sizes_are_refused_with_a_clear_message(kwargs, message):
    sizes = dict(layers=1, d_model=4, heads=2, context=4, vocab=5) | kwargs
    with pytest.raises(ValueError, match=message):
        tr.GPT(**sizes)


def test_bad_token_ids_are_refused_with_a_clear_message():
    net = tr.GPT(1, 4, 2, 4, 5)
    with pytest.raises(ValueError, match="must lie in 0..4"):
        net.forward(np.array([1, 5]))
    with pytest.raises(ValueError, match="context is 4"):
        net.forward(np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="batch and T >= 1"):
        net.forward(np.zeros((0, 3), dtype=int))
    with pytest.raises(TypeError, match="whole-number token ids"):
        net.forward(np.array([0.5]))
    with pytest.raises(RuntimeError, match="before net.backward"):
        tr.GPT(1, 4, 2, 4, 5).backward(np.array([1]))


@pytest.mark.parametrize(
    "f", [tf.terms, tf.gpt, tf.macs, tf.per_token, tf.approximations, tr.live_memory]
)
def test_every_function_of_the_sizes_checks_them_alike(f):
    with pytest.raises(ValueError, match="layers must be a whole number >= 1; got 0"):
        f(0, 4, 2, 3, 5)
    with pytest.raises(ValueError, match=r"d_model \(5\) must be a multiple of heads \(2\)"):
        f(1, 5, 2, 3, 5)
    with pytest.raises(ValueError, match="d_ff must be a whole number >= 1; got 0"):
        f(1, 4, 2, 3, 5, d_ff=0)


def test_the_per_token_counts_refuse_a_batch_or_a_shorter_sequence():
    for f in (tf.per_token, tf.approximations):
        with pytest.raises(TypeError, match="one full sequence"):
            f(1, 4, 2, 3, 5, batch=2)
        with pytest.raises(TypeError, match="one full sequence"):
            f(1, 4, 2, 3, 5, seq=2)


def test_a_model_too_large_for_memory_is_refused_before_allocating():
    with pytest.raises(MemoryError, match="mlpops gpt"):
        tr.GPT(12, 768, 12, 1024, 50257)
    assert tr.live_memory(96, 12288, 96, 2048, 50257) > 10**12


# -- PyTorch's own FlopCounterMode ---------------------------------------------------------------
def _torch():
    try:
        import torch
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("torch is not installed under CI=true: the reference test must run")
        pytest.skip("torch is not installed (the reference test runs where it is)")
    return torch


def torch_gpt_flops(net, ids, targets):
    """The same block written in PyTorch with net's weights, under FlopCounterMode."""
    torch = _torch()
    from torch.utils.flop_counter import FlopCounterMode

    F = torch.nn.functional
    T_ = lambda a: torch.tensor(np.array(values(a), dtype=float), requires_grad=True)
    p = {k: T_(v) for k, v in net.named_parameters().items()}
    B, T = ids.shape
    D, H = net.d_model, net.heads
    idx, tgt = torch.tensor(ids), torch.tensor(targets).reshape(-1)

    def linear(x, name):
        return F.linear(x, p[f"{name}/W"].T, p[f"{name}/b"])

    def ln(x, name):
        return F.layer_norm(x, (D,), p[f"{name}/gamma"], p[f"{name}/beta"], tr.EPS)

    def model():
        x = (F.embedding(idx, p["embedding/token/W"]) + p["embedding/position/W"][:T]).reshape(
            B * T, D
        )
        for b in range(1, net.layers_n + 1):
            n = f"block{b}"
            h = ln(x, f"{n}/ln1")
            q, k, v = (
                linear(h, f"{n}/attention/{t}").reshape(B, T, H, D // H).transpose(1, 2)
                for t in "QKV"
            )
            s = (q @ k.transpose(-2, -1)) * (1 / math.sqrt(D // H))
            s = s.masked_fill(~torch.tril(torch.ones(T, T, dtype=torch.bool)), float("-inf"))
            o = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(B * T, D)
            x = x + linear(o, f"{n}/attention/output")
            u = linear(ln(x, f"{n}/ln2"), f"{n}/mlp/up")
            x = x + linear(F.gelu(u, approximate="tanh"), f"{n}/mlp/down")
        x = F.layer_norm(x, (D,), p["ln-f/gamma"], p["ln-f/beta"], tr.EPS)
        w = p["embedding/token/W"] if net.tied else p["lm-head/logits/W"].T
        return torch.softmax(F.linear(x, w), -1)

    with FlopCounterMode(display=False) as fwd:
        model()
    with FlopCounterMode(display=False) as fb:
        P = model()
        loss = -torch.log(P[torch.arange(B * T), tgt]).mean()
        loss.backward()
    ours = net.loss(net.forward(ids), targets)
    assert loss.item() == pytest.approx(ours, rel=1e-10)
    return {"forward": fwd.get_total_flops(), "forward_backward": fb.get_total_flops()}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=shapes)
def test_pytorch_flop_counter_mode_gives_the_number_mlpops_predicts(s):
    _torch()
    net, ids, targets, args = make(s)
    ours = conventions.measure(net, ids, targets).totals()["pytorch_flop_counter"]
    assert torch_gpt_flops(net, ids, targets) == ours
    assert ours == {k: 2 * v for k, v in tf.macs(*args, d_ff=s["d_ff"]).items()}


def test_track_keeps_token_ids_out_of_the_count():
    # ids are data, not counted arrays: a Tracked id array still indexes for free
    net = tr.GPT(1, 4, 2, 3, 5)
    with count() as ops:
        net.forward(track(np.array([[0, 1, 2]])))
    assert ops.within("forward/embedding/token").total == 0
