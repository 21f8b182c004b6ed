"""The explorers' callbacks, run headless (no kernel): every number they show is live.

Expected values come from mlpops itself (count() around a training step, the formulas,
the conventions), never from typed-in numbers.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from reference_counts import live_step

import mlpops
from mlpops import formulas, widgets
from mlpops.cli import main
from mlpops.conventions import from_counts
from mlpops.course.explorers import architecture, estimator, ui
from mlpops.scalar import values


def shown_total(html: str) -> int:
    m = re.search(r"class='mlpops-explorer-total' data-total='(\d+)'", html)
    assert m, html
    return int(m.group(1))


# -- architecture explorer ---------------------------------------------------------------
@pytest.mark.parametrize("sizes", [(30, 30, 30), (2, 2, 1), (784, 128, 10), (5, 7, 3, 2)])
@pytest.mark.parametrize("batch", [1, 4])
@pytest.mark.parametrize("activation", widgets.ACTIVATION_CHOICES)
def test_explorer_rows_live_equal_formula(sizes, batch, activation):
    for convention in widgets.CONVENTION_LABELS:
        rows = widgets.explorer_rows(sizes, batch, activation, convention=convention)
        assert rows and all(r["source"] == "live" for r in rows)
        assert all(r["live"] == r["formula"] and r["match"] for r in rows), rows


@pytest.mark.parametrize("convention", list(widgets.CONVENTION_LABELS))
def test_explorer_total_is_the_live_count_of_a_training_step(convention):
    ops = live_step((30, 30, 30))
    rows = widgets.explorer_rows((30, 30, 30), convention=convention)
    assert widgets.explorer_total(rows) == from_counts(ops)[convention]
    assert shown_total(widgets.explorer_html(rows, convention)) == from_counts(ops)[convention]


def test_explorer_rows_per_layer_and_phase_match_breakdown():
    ops = live_step((4, 6, 3), batch=3, activation="relu")
    table = mlpops.breakdown(ops)
    rows = widgets.explorer_rows((4, 6, 3), 3, "relu")
    for r in rows:
        assert r["live"] == formulas.total(table[r["unit"]][r["phase"]])
        operations = formulas.without_bytes(table[r["unit"]][r["phase"]])  # bytes: not shown
        assert r["kinds"] == {k: n for k, n in operations.items() if n}
    assert {r["unit"] for r in rows} == {"layer1", "layer2", "loss"}


def test_explorer_phase_toggles_filter_rows():
    rows = widgets.explorer_rows((30, 30, 30), phases=("forward",))
    assert {r["phase"] for r in rows} == {"forward"}
    ops = mlpops.count
    net = mlpops.MLP([30, 30, 30], seed=0)
    with ops() as fwd:
        net.forward(np.ones((1, 30)))
    layers = sum(r["live"] for r in rows if r["unit"] != "loss")
    assert layers == fwd.total
    assert widgets.explorer_rows((30, 30, 30), phases=()) == []


def test_explorer_first_layer_skips_dx_in_formula_text():
    rows = widgets.explorer_rows((30, 30, 30), phases=("backward",))
    by_unit = {r["unit"]: r for r in rows}
    assert "dX skipped" in by_unit["layer1"]["expression"]
    assert "dX = dZ·Wᵀ" in by_unit["layer2"]["expression"]


def test_explorer_too_large_uses_formula_without_running(monkeypatch):
    def refuse(*args):
        raise AssertionError("a too-large network must not run live")

    monkeypatch.setattr(ui, "_live_cells", refuse)
    sizes = (784, 20_000, 20_000, 10)
    assert widgets.too_large(sizes)
    rows = widgets.explorer_rows(sizes, batch=8)
    assert all(r["live"] is None and r["source"] == widgets.FORMULA_ONLY for r in rows)
    table = formulas.mlp(sizes, 8)
    assert widgets.explorer_total(rows) == sum(
        formulas.total(k) for phases in table.values() for k in phases.values()
    )
    html = widgets.explorer_html(rows, "flops", widgets.too_large(sizes, 8))
    assert "formula (too large to run live)" in html
    assert "data-source='formula (too large to run live)'" in html


def test_explorer_memory_limit_is_the_one_rule_of_mlpops_sizes_at_its_exact_edge(monkeypatch):
    def refuse(*args):
        raise AssertionError("a too-large network must not run live")

    sizes = (2, 1)  # so small that memory, not work, is the limit
    params = 2 * 1 + 1  # weights and biases, written out
    per_example = 8 * 4 * (2 + 1)  # Z, A, dZ, dA of every layer, 8 bytes each
    edge = (1024**3 - 8 * 4 * params) // per_example  # the largest batch under 1 GiB
    assert mlpops.sizes.num_parameters(sizes) == params
    assert mlpops.sizes.max_batch(sizes) == edge
    assert widgets.too_large(sizes, edge) is None
    reason = widgets.too_large(sizes, edge + 1)
    assert reason == (
        "too large to run live: about 1.0 GiB of weights, gradients and activations "
        "(the limit here is 1 GiB)"
    )
    monkeypatch.setattr(ui, "_live_cells", refuse)
    rows = widgets.explorer_rows(sizes, batch=edge + 1)  # the branch runs nothing live
    assert all(r["live"] is None and r["source"] == widgets.FORMULA_ONLY for r in rows)
    phases = formulas.phase_totals(formulas.mlp(sizes, edge + 1))
    assert widgets.explorer_total(rows) == sum(map(formulas.total, phases.values()))
    with pytest.raises(MemoryError, match=r"a batch of .* too large to run live: about 1.0 GiB"):
        mlpops.MLP(list(sizes)).forward(np.broadcast_to(np.ones(2), (edge + 1, 2)))


def test_explorer_work_limit_is_the_commands_at_its_exact_edge(monkeypatch, capsys):
    sizes = (30, 30, 30)
    per_example = live_step(sizes, batch=2).total - live_step(sizes, batch=1).total
    fixed = live_step(sizes, batch=1).total - per_example  # the update does not grow with B
    edge = (mlpops.sizes.LIVE_OPS_LIMIT - fixed) // per_example  # the last batch in budget
    assert fixed + edge * per_example <= 500_000_000 < fixed + (edge + 1) * per_example
    assert widgets.explorer_rows(sizes, batch=3)[0]["source"] == "live"
    monkeypatch.setattr(ui, "_live_cells", lambda *a: pytest.fail("ran past the work limit"))
    assert ui.not_live(sizes, edge) is None
    reason = ui.not_live(sizes, edge + 1)
    assert reason == (
        f"too large to run live: {fixed + (edge + 1) * per_example:,} operations in one step "
        "(the limit here is 500,000,000, about a second)"
    )
    rows = widgets.explorer_rows(sizes, batch=edge + 1)
    assert all(r["live"] is None for r in rows)
    assert main(["30", "30", "30", "--train", "--batch", str(edge + 1)]) == 0
    assert reason in capsys.readouterr().out  # the command draws the same line


@pytest.mark.parametrize("width", [10**300, 10**1000], ids=["1e300", "1e1000"])
def test_sizes_too_large_to_write_as_floats_get_the_clear_message(width):
    reason = widgets.too_large((width, 3))
    assert reason.startswith("too large to run live: about ") and "e+" in reason
    rows = widgets.explorer_rows((3, width), batch=2)
    assert rows[0]["formula"] == formulas.total(formulas.mlp((3, width), 2)["layer1"]["forward"])
    with pytest.raises(MemoryError, match="too large to run live"):
        mlpops.MLP([width, 3])


def test_explorer_rejects_bad_input():
    with pytest.raises(ValueError):
        widgets.explorer_rows((30,))
    with pytest.raises(ValueError):
        widgets.explorer_rows((30, 30), batch=0)
    with pytest.raises(ValueError):
        widgets.explorer_rows((30, 30), convention="gflops")
    with pytest.raises(ValueError):
        widgets.explorer_rows((30, 30), phases=("sideways",))


def test_bar_chart_has_a_bar_per_unit_and_phase():
    rows = widgets.explorer_rows((30, 30, 30))
    html = widgets.bar_chart_html(rows)
    for unit in ("layer1", "layer2", "loss"):
        assert f">{unit}<" in html
    assert html.count("title='forward:") == 2  # the layers; the loss is its own phase
    assert html.count("title='loss:") == 1
    assert html.count("title='update:") == 2


def test_architecture_explorer_widget_follows_its_controls():
    box = widgets.architecture_explorer()
    ex = box.explorer
    assert shown_total(ex.table.value) == live_step((30, 30, 30)).total
    ex.width_boxes[1].value = 20  # the hidden layer
    assert ex.sizes == [30, 20, 30]
    assert shown_total(ex.table.value) == live_step((30, 20, 30)).total
    ex.batch.value = 5
    assert shown_total(ex.table.value) == live_step((30, 20, 30), batch=5).total
    ex.activation.value = "tanh"
    assert shown_total(ex.table.value) == live_step((30, 20, 30), 5, "tanh").total
    ex.convention.value = "macs"
    assert shown_total(ex.table.value) == live_step((30, 20, 30), 5, "tanh").macs
    ex.convention.value = "flops"
    ex.add.click()
    assert ex.sizes == [30, 20, 30, 30] and len(ex.width_boxes) == 4
    assert shown_total(ex.table.value) == live_step((30, 20, 30, 30), 5, "tanh").total
    ex.remove.click()
    ex.remove.click()
    assert ex.sizes == [30, 20] and ex.remove.disabled
    ex.remove.click()  # never fewer than two widths
    assert ex.sizes == [30, 20]
    ex.phase_toggles["update"].value = False
    assert {r["phase"] for r in ex.rows} == {"forward", "loss", "backward"}
    assert "mlpops-explorer-chart" in ex.chart.value


def test_architecture_explorer_widget_labels_formula_only():
    box = widgets.architecture_explorer((784, 20_000, 20_000, 10), batch=8)
    assert "formula (too large to run live)" in box.explorer.table.value


# -- op stepper ---------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [(2, 2, 1), (3, 2, 1), (3, 4, 2), (2, 3, 2, 2)])
@pytest.mark.parametrize("activation", widgets.ACTIVATION_CHOICES)
def test_stepper_steps_are_every_operation_of_a_training_step(sizes, activation):
    trace = widgets.stepper_steps(sizes, activation)
    net = mlpops.MLP(list(sizes), activation=activation, seed=0)
    with mlpops.count() as ops:
        net.train_step(trace["x"], trace["target"], lr=0.1)
    steps = trace["steps"]
    assert len(steps) == ops.total == trace["total"]
    final = steps[-1]["tally"]
    table = mlpops.breakdown(ops)
    for phase in widgets.PHASES:
        want: dict[str, int] = {}
        for unit in table.values():
            for k, n in unit.get(phase, {}).items():
                if k not in ("activations", "bytes"):  # operations only
                    want[k] = want.get(k, 0) + n
        assert final.get(phase, {}) == want


@pytest.mark.parametrize("sizes", [(2, 2, 1), (3, 2, 1), (3, 4, 2), (2, 3, 2, 2)])
@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
def test_stepper_highlights_the_weight_that_meets_the_input(sizes, activation):
    """The drawn edge W_ij is the weight in the operation's operands (values agree)."""
    trace = widgets.stepper_steps(sizes, activation)
    W = trace["W"]
    inputs = {1: list(trace["x"])}
    net = mlpops.MLP(list(sizes), activation=activation, engine="scalar", seed=0)
    net.forward(trace["x"])  # the same engine as the stepper: the same floats, bit for bit
    for layer in range(2, len(sizes)):
        inputs[layer] = list(values(net.layers[layer - 2].A)[0])
    checked = 0
    for s in trace["steps"]:
        term = s["scope"].split("/")[-1]
        if s["kind"] != "mul" or not s["edges"]:
            continue
        ((layer, i, j),) = s["edges"]
        w = W[layer - 1][i, j]
        if s["phase"] == "forward" and term == "weighted-sum":
            assert s["operands"] == (inputs[layer][i], w)
        elif s["phase"] == "backward" and term == "dX":
            assert s["operands"][1] == w
        elif s["phase"] == "backward" and term == "dW":
            assert s["operands"][0] == inputs[layer][i]
        else:
            continue
        checked += 1
    assert checked >= 2 * sum(n * m for n, m in zip(sizes[:-1], sizes[1:]))
    Z = {k + 1: list(values(layer.Z)[0]) for k, layer in enumerate(net.layers)}
    steps = trace["steps"]
    for k, s in enumerate(steps):  # the running sums and the bias: the node they finish
        if s["phase"] != "forward" or not s["scope"].endswith("weighted-sum"):
            continue
        if s["kind"] == "add" and s["edges"]:  # adds the product made just before
            assert steps[k - 1]["kind"] == "mul" and steps[k - 1]["edges"] == s["edges"]
            assert s["operands"][1] == steps[k - 1]["result"]
        elif s["kind"] == "add":  # z_j = b_j + sum: the node is neuron j
            ((layer, j),) = s["nodes"]
            assert s["result"] == Z[layer][j]
    for s in trace["steps"]:  # update: W_ij - lr dW_ij starts from the old W_ij
        if s["scope"].endswith("/W") and s["kind"] == "add":
            ((layer, i, j),) = s["edges"]
            assert s["operands"][0] == W[layer - 1][i, j]


def test_stepper_view_draws_the_highlight():
    trace = widgets.stepper_steps((2, 2, 1))
    svg, text, tally = widgets.stepper_view(trace, 0)
    assert "Ready" in text and "class='hot'" not in svg
    svg, text, tally = widgets.stepper_view(trace, 1)
    assert svg.count("class='hot'") == 1 and "W¹₁₁" in svg
    assert "op 1 of" in text and "forward" in text
    assert ">1</b>" in tally
    svg, text, _ = widgets.stepper_view(trace, len(trace["steps"]))
    assert f"op {len(trace['steps'])} of" in text and "update" in text


def test_op_stepper_widget_steps_plays_and_resets():
    box = widgets.op_stepper()
    st = box.stepper
    n = len(st.trace["steps"])
    assert st.slider.max == n and st.progress.max == n
    st.step.click()
    st.step.click()
    assert st.slider.value == 2 and "op 2 of" in st.text.value
    st.back.click()
    assert st.slider.value == 1
    st.next_phase.click()  # shows the first operation of the loss
    assert st.trace["steps"][st.slider.value - 1]["phase"] == "loss"
    assert st.trace["steps"][st.slider.value - 2]["phase"] == "forward"
    st.next_phase.click()  # then the first of the backward pass
    assert st.trace["steps"][st.slider.value - 1]["phase"] == "backward"
    assert st.trace["steps"][st.slider.value - 2]["phase"] == "loss"
    assert "backward" in st.text.value
    st.reset.click()
    assert st.slider.value == 0 and "Ready" in st.text.value
    st.slider.value = n
    st.step.click()  # never past the last operation
    assert st.slider.value == n


def test_op_stepper_play_steps_to_the_end_and_pauses_when_pressed_again():
    import asyncio

    st = widgets.op_stepper().stepper
    n = len(st.trace["steps"])
    st.play.value = True  # no event loop here: straight to the last operation
    assert st.slider.value == n and st.progress.value == n and not st.play.value

    async def play_then_pause():
        st.interval = 0.001
        st.play.value = True  # from the end: starts again at 0
        while st.slider.value < 3:
            await asyncio.sleep(0.001)
        st.play.value = False
        stopped = st.slider.value
        await asyncio.sleep(0.01)
        return stopped

    stopped = asyncio.run(play_then_pause())
    assert 3 <= stopped < n and st.slider.value == stopped and f"op {stopped} of" in st.text.value


def test_every_explorer_control_has_a_name_a_screen_reader_reads():
    """Each width box, number box, button and toggle carries a description (the <label>
    or text ipywidgets renders as its accessible name); no Play or slider widget, whose
    controls ipywidgets leaves unnamed."""
    ipw = pytest.importorskip("ipywidgets")
    boxes = [
        widgets.architecture_explorer(),
        widgets.op_stepper(),
        widgets.predict_then_reveal(),
        widgets.time_estimator((4, 3, 2), examples=10, epochs=1),
    ]

    def walk(w):
        yield w
        for c in getattr(w, "children", ()):
            yield from walk(c)

    for box in boxes:
        controls = [w for w in walk(box) if isinstance(w, ipw.ValueWidget | ipw.Button)]
        controls = [
            w for w in controls if not isinstance(w, ipw.HTML | ipw.Label | ipw.IntProgress)
        ]
        assert controls
        for w in controls:
            assert not isinstance(w, ipw.Play | ipw.IntSlider), f"{w!r} in {box!r}"
            named = w.description or getattr(w, "options", None)
            assert named, f"a control without a name in {box!r}: {type(w).__name__}"
    widths = boxes[0].explorer.width_boxes
    assert [b.description for b in widths] == ["inputs", "layer 1", "layer 2"]


def test_explorer_bars_use_the_course_palette_and_a_pattern_per_phase():
    from mlpops.course import figures
    from mlpops.course.explorers import ui

    assert set(widgets.PHASE_COLORS.values()) <= set(figures.PALETTE)
    backgrounds = {ui.phase_background(p) for p in widgets.PHASES}
    assert len(backgrounds) == 4  # told apart without colour: solid, two stripes, dots
    rows = widgets.explorer_rows((30, 30, 30))
    html = widgets.bar_chart_html(rows)
    for phase in widgets.PHASES:
        assert html.count(ui.phase_background(phase)) >= 2  # bars and legend
    layer1 = {r["phase"]: r["live"] for r in rows if r["unit"] == "layer1"}
    words = ", ".join(f"{p} {layer1[p]:,}" for p in widgets.PHASES if p in layer1)
    assert f"({words})" in html  # each bar's phases, in words beside it


def test_stepper_refuses_big_networks():
    with pytest.raises(ValueError, match="tiny"):
        widgets.stepper_steps((30, 30, 30))


def test_stepper_replays_the_example_it_is_given_and_its_training_step():
    x, target = np.array([0.5, -1.0]), np.array([1.0])
    trace = widgets.stepper_steps((2, 2, 1), "sigmoid", 0, x=x, target=target)
    assert trace["x"].tolist() == [0.5, -1.0] and trace["target"].tolist() == [1.0]
    net = mlpops.MLP([2, 2, 1], activation="sigmoid", engine="scalar", seed=0)
    with mlpops.count() as ops:
        net.train_step(x, target, lr=0.1)
    assert len(trace["steps"]) == trace["total"] == ops.total
    assert "input x = [0.5, -1], target [1]" in widgets.stepper_view(trace, 0)[1]


def test_stepper_refuses_an_example_of_the_wrong_width():
    with pytest.raises(ValueError, match="x must be 2 finite numbers"):
        widgets.stepper_steps((2, 2, 1), x=[0.5, -1.0, 2.0])
    with pytest.raises(ValueError, match="target must be 1 finite numbers"):
        widgets.stepper_steps((2, 2, 1), target=[np.nan])


# -- predict, then reveal ------------------------------------------------------------------
def backward_mul(sizes, input_grad=False):
    net = mlpops.MLP(list(sizes), seed=0)
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(1, sizes[0])), rng.uniform(size=(1, sizes[-1]))
    with mlpops.count() as ops:
        net.train_step(X, Y, input_grad=input_grad)
    return ops.within("backward")["mul"]


def test_reveal_exact():
    want = backward_mul((30, 30, 30))
    res = widgets.reveal_feedback(f"{want:,}")
    assert res["verdict"] == "exact" and res["expected"] == want and res["gap"] == 0


def test_reveal_too_low_names_what_was_missed():
    sizes = (30, 30, 30)
    res = widgets.reveal_feedback(0, sizes)
    terms = dict(res["terms"])
    # predict only the dW products, as the learner's "1,800 backward" did: missed f' and dX
    guess = terms["layer1: dW = Xᵀ·dZ"] + terms["layer2: dW = Xᵀ·dZ"]
    res = widgets.reveal_feedback(guess, sizes)
    assert res["verdict"] == "low" and res["gap"] == backward_mul(sizes) - guess
    missed = " ".join(res["missed"])
    assert "dX = dZ·Wᵀ" in missed and "f′(Z)" in missed and "dW" not in missed
    assert "Too low by" in res["message"]


def test_reveal_too_high_explains_layer1_dx():
    with_dx = backward_mul((30, 30, 30), input_grad=True)
    res = widgets.reveal_feedback(with_dx)
    assert res["verdict"] == "high" and "layer 1's dX" in res["message"]


def test_reveal_other_phases_and_kinds():
    ops = live_step((30, 30, 30))
    for phase in widgets.PHASES:
        for kind in ("mul", "add", "total"):
            res = widgets.reveal_feedback(1, (30, 30, 30), phase, kind)
            want = ops.within(phase).total if kind == "total" else ops.within(phase)[kind]
            assert res["expected"] == want


def test_reveal_rejects_unknown_phase_and_kind():
    with pytest.raises(ValueError, match="unknown kind"):
        widgets.predict_then_reveal(kind="muls")
    with pytest.raises(ValueError, match="unknown phase"):
        widgets.predict_then_reveal(phase="sideways")


def test_reveal_invalid_and_parsing():
    assert widgets.reveal_feedback("lots")["verdict"] == "invalid"
    assert widgets.parse_prediction("1,800") == 1800
    assert widgets.parse_prediction(" 3 600 ") == 3600
    assert widgets.parse_prediction("1.8e3") == 1800
    assert widgets.parse_prediction("") is None
    assert widgets.parse_prediction(True) is None


def test_predict_then_reveal_widget_hides_until_predicted():
    box = widgets.predict_then_reveal()
    r = box.reveal
    want = backward_mul((30, 30, 30))
    assert r.button.disabled and f"{want:,}" not in r.result.value
    r.guess.value = "1,800"
    assert not r.button.disabled
    r.button.click()
    assert f"data-count='{want}'" in r.result.value and "Too low" in r.result.value
    r.guess.value = str(want)
    r.button.click()
    assert "Exactly right" in r.result.value


# -- time estimator -------------------------------------------------------------------------
FAKE_RATES = {"pure Python": 1e7, "scalar engine": 1e6, "numpy": 1e9}


def test_training_ops_is_steps_times_live_count():
    per_example = live_step((784, 128, 10)).total
    assert widgets.training_ops((784, 128, 10), 600, 2) == 1200 * per_example
    batch8 = live_step((784, 128, 10), batch=8).total
    batch4 = live_step((784, 128, 10), batch=4).total
    assert widgets.training_ops((784, 128, 10), 20, 3, batch=8) == 3 * (2 * batch8 + batch4)


def test_time_rows_divide_counted_ops_by_measured_rates():
    rows = widgets.time_rows((784, 128, 10), 60000, 10, rates=FAKE_RATES)
    ops = widgets.training_ops((784, 128, 10), 60000, 10)
    assert [r["route"] for r in rows] == list(widgets.ROUTES)
    for r in rows:
        assert r["ops"] == ops and r["seconds"] == pytest.approx(ops / FAKE_RATES[r["route"]])
    html = widgets.time_html(rows)
    assert f"data-ops='{ops}'" in html and "~1.00e+09 ops/s" in html


def test_human_seconds_is_marked_measured():
    assert widgets.human_seconds(3.2) == "~3.2 s"
    assert widgets.human_seconds(150) == "~2.5 min"
    assert widgets.human_seconds(7200) == "~2 h"
    assert widgets.human_seconds(0.0042) == "~4.2 ms"
    assert widgets.human_seconds(40 * 86400) == "~40 days"
    assert all(widgets.human_seconds(s).startswith("~") for s in (1e-7, 1, 1e5, 1e9))


def test_measured_rates_are_positive_and_ordered():
    rates = widgets.measured_rates((784, 128, 10), batch=32)
    assert set(rates) == set(widgets.ROUTES) and all(r > 0 for r in rates.values())
    assert rates["numpy"] > rates["scalar engine"]


def test_time_estimator_widget(monkeypatch):
    monkeypatch.setattr(estimator, "measured_rates", lambda *a, **k: dict(FAKE_RATES))
    box = widgets.time_estimator((784, 128, 10), 600, 1)
    est = box.estimator
    assert f"data-ops='{600 * live_step((784, 128, 10)).total}'" in est.out.value
    est.sizes.value = "784, 64, 10"
    assert f"data-ops='{600 * live_step((784, 64, 10)).total}'" in est.out.value
    est.sizes.value = "784, x"
    assert "whole numbers" in est.out.value


def test_time_estimator_starts_on_the_batch_it_is_given(monkeypatch):
    monkeypatch.setattr(estimator, "measured_rates", lambda *a, **k: dict(FAKE_RATES))
    box = widgets.time_estimator((784, 128, 10), 640, 1, batch=32)
    assert box.estimator.batch.value == 32
    html = box.estimator.out.value
    assert f"data-ops='{20 * widgets.step_ops((784, 128, 10), 32)}'" in html
    assert "20 steps of 32 examples" in html


def test_time_estimator_times_numpy_on_a_proxy_only_when_huge():
    assert widgets.numpy_timed_network((784, 128, 10), 1000) == ((784, 128, 10), 1000)
    assert widgets.numpy_timed_network((784, 20_000, 20_000, 10), 1) == widgets.NUMPY_PROXY
    assert ui.not_live(*widgets.NUMPY_PROXY) is None  # the proxy itself runs live


def test_time_estimator_labels_formula_and_proxy(monkeypatch):
    monkeypatch.setattr(estimator, "measured_rates", lambda *a, **k: dict(FAKE_RATES))
    box = widgets.time_estimator((784, 20_000, 20_000, 10), 600, 1)
    html = box.estimator.out.value
    assert "formula (too large to run live)" in html and "1024-1024-1024" in html


# -- errors inside callbacks are shown in the widget, not lost in the log -------------------
def test_unexpected_callback_errors_show_in_the_widget(monkeypatch):
    box = widgets.architecture_explorer()
    monkeypatch.setattr(architecture, "explorer_rows", lambda *a, **k: 1 / 0)
    box.explorer.width_boxes[1].value = 12
    assert "mlpops-widget-error" in box.explorer.status.value
    assert "ZeroDivisionError" in box.explorer.status.value
    monkeypatch.undo()
    box.explorer.width_boxes[1].value = 13  # recovers on the next change
    assert box.explorer.status.value == ""
    assert shown_total(box.explorer.table.value) == live_step((30, 13, 30)).total


def test_input_errors_are_messages_not_tracebacks():
    box = widgets.time_estimator((784, 128, 10), 60, 1)
    box.estimator.sizes.value = "784"
    assert "mlpops-widget-error" not in box.estimator.out.value
    assert "at least two widths" in box.estimator.out.value


def test_explorer_helpers_refuse_what_is_not_a_count():
    with pytest.raises(ValueError, match="whole numbers >= 1"):
        widgets.parse_sizes("30,-30")
    with pytest.raises(ValueError, match="whole numbers >= 1"):
        widgets.parse_sizes("30, -30")
    for seconds in (-1, float("nan"), float("inf"), True, "3"):
        with pytest.raises(ValueError, match="seconds is a finite number >= 0"):
            widgets.human_seconds(seconds)
    for kw in ({"examples": 1.5}, {"epochs": 0}, {"batch": True}, {"examples": -60}):
        with pytest.raises(ValueError, match="is a whole number >= 1"):
            widgets.training_ops((784, 128, 10), **{"examples": 60, "epochs": 1, **kw})
    with pytest.raises(ValueError, match="batch is a whole number >= 1"):
        widgets.explorer_rows((30, 30), batch=2.5)


def test_parse_sizes():
    assert widgets.parse_sizes("784, 128, 10") == [784, 128, 10]
    assert widgets.parse_sizes("30 30 30") == [30, 30, 30]
    assert widgets.parse_sizes("30-30-30") == [30, 30, 30]
    with pytest.raises(ValueError):
        widgets.parse_sizes("30")
