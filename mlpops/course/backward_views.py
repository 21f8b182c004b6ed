"""Notebook 05's helpers: one sigmoid layer's arrays to run a backward pass on, its
gradients by finite differences, the picture of the backward data flow with every array's
shape, and the by-term and by-layer reports of a counted backward pass.

The lesson's function is the learner's (exercise 06.1): ``dense_backward(dA, X, W, A)``
for a sigmoid layer, returning ``(dW, db, dX)``. ``course_dense_backward`` is the course's
own four lines, used where the learner's is not written yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np

from .. import formulas
from ..counting import Counts, count
from ..nn import MLP, mse_grad
from ..tracked import track
from .figures import PALETTE, TINTS, listing, set_alt

Backward = Callable[..., tuple]


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def course_dense_backward(dA, X, W, A):
    """One sigmoid layer's backward pass: the course's answer to exercise 06.1."""
    dZ = dA * A * (1 - A)
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    dX = dZ @ W.T
    return dW, db, dX


def layer(N: int, M: int, B: int, seed: int = 0) -> dict[str, np.ndarray]:
    """A sigmoid layer with random weights and a batch: X, W, b, A = f(XW + b) and dA."""
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(B, N)), rng.normal(size=(N, M)), rng.normal(size=M)
    return {"X": X, "W": W, "b": b, "A": sigmoid(X @ W + b), "dA": rng.normal(size=(B, M))}


def layer_arrays(N: int, M: int, B: int, seed: int = 0) -> tuple:
    """(dA, X, W, A) of a random sigmoid layer: the arguments of dense_backward."""
    L = layer(N, M, B, seed)
    return L["dA"], L["X"], L["W"], L["A"]


def is_written(fn: Backward) -> bool:
    """Whether ``fn`` returns three arrays (not the exercise's ``...``) on a tiny layer."""
    L = layer(2, 3, 2)
    try:
        out = fn(L["dA"], L["X"], L["W"], L["A"])
        return len(out) == 3 and all(np.asarray(g).dtype.kind == "f" for g in out)
    except Exception:
        return False


def yours_or_ours(fn: Backward) -> Backward:
    """The learner's function once exercise 06.1 passes, else the course's (said aloud)."""
    if is_written(fn):
        print("using your dense_backward")
        return fn
    print("dense_backward is not written yet (exercise 06.1): using the course's instead")
    return course_dense_backward


def finite_differences(L: dict[str, np.ndarray], eps: float = 1e-6) -> tuple:
    """dW, db and dX of loss = sum(dA * A), A = sigmoid(XW + b), one nudge at a time:
    (loss(v + eps) - loss(v - eps)) / 2 eps. The layer above would hand down this dA."""
    X, W, b, dA = L["X"], L["W"], L["b"], L["dA"]

    def slopes(v, loss_of):
        out = np.zeros_like(v)
        for i in np.ndindex(v.shape):
            step = np.zeros_like(v)
            step[i] = eps
            out[i] = (loss_of(v + step) - loss_of(v - step)) / (2 * eps)
        return out

    return (
        slopes(W, lambda w: np.sum(dA * sigmoid(X @ w + b))),
        slopes(b, lambda c: np.sum(dA * sigmoid(X @ W + c))),
        slopes(X, lambda x: np.sum(dA * sigmoid(x @ W + b))),
    )


def compare_with_finite_differences(fn: Backward, N=3, M=4, B=5, seed=0) -> dict[str, float]:
    """The largest gap between fn's dW, db, dX and the finite differences, per gradient."""
    L = layer(N, M, B, seed)
    got = fn(L["dA"], L["X"], L["W"], L["A"])
    return {
        name: float(np.max(np.abs(np.asarray(g) - s)))
        for name, g, s in zip(("dW", "db", "dX"), got, finite_differences(L))
    }


def compare_with_the_network(fn: Backward, sizes=(3, 4, 2), batch=5, seed=0) -> dict[str, float]:
    """fn run layer by layer down an MLP (sigmoid, mse) against net.gradients() after
    net.backward: the largest gap per gradient."""
    net = MLP(list(sizes), activation="sigmoid", seed=seed)
    rng = np.random.default_rng(seed)
    net.forward(rng.normal(size=(batch, sizes[0])))
    target = rng.uniform(size=(batch, sizes[-1]))
    net.backward(target)
    dA, gaps = mse_grad(net.layers[-1].A, target), {}
    for k in range(len(net.layers), 0, -1):
        lay = net.layers[k - 1]
        dW, db, dA = fn(dA, lay.X, lay.W, lay.A)
        want_dW, want_db = net.gradients()[k - 1]
        gaps[f"dW{k}"] = float(np.max(np.abs(np.asarray(dW) - want_dW)))
        gaps[f"db{k}"] = float(np.max(np.abs(np.asarray(db) - want_db)))
    return gaps


def report_gaps(gaps: dict[str, float], against: str, tol: float = 1e-6) -> None:
    """One line: every gradient within ``tol`` of the reference, or the ones that are not."""
    off = [f"{k} (off by {v:.2g})" for k, v in gaps.items() if not v <= tol]
    if off:
        print(f"not equal to {against}: {listing(off)}")
    else:
        print(f"{listing(list(gaps))} equal {against} (to within {tol:g})")


def count_layer_backward(fn: Backward, N: int, M: int, B: int) -> Counts:
    """fn counted on tracked arrays of one sigmoid layer (N inputs, M neurons, batch B)."""
    L = {k: track(v) for k, v in layer(N, M, B).items()}
    with count() as ops:
        fn(L["dA"], L["X"], L["W"], L["A"])
    return ops


def against_the_formula(ops: Counts, N: int, M: int, B: int) -> None:
    """A counted layer backward beside formulas.dense_backward for the same sizes."""
    want = formulas.dense_backward(N, M, B, "sigmoid")
    want = {k: want[k] for k in sorted(want, key=lambda k: (k != "mul", k)) if k != "bytes"}
    got = {k: ops[k] for k in want}
    print(f"N = {N}, M = {M}, B = {B}")
    print(f"counted live:            {', '.join(f'{n:,} {k}' for k, n in got.items())}")
    print(f"formulas.dense_backward: {', '.join(f'{n:,} {k}' for k, n in want.items())}")
    print("equal:", got == want)


# -- a counted network's backward pass, by term and by layer ---------------------------------
def layer_names(ops: Counts, phase: str = "backward") -> list[str]:
    """The layers counted under ``phase``, last first (the order of the backward pass)."""
    names = [s for s in ops.within(phase).scopes() if s.startswith("layer")]
    return sorted(names, key=lambda s: -int(s[5:]))


def layers_total(ops: Counts, phase: str) -> Counts:
    """All the layers' operations in ``phase`` (the loss's own operations left out)."""
    return sum((ops.within(f"{phase}/{name}") for name in layer_names(ops, phase)), Counts())


def term_report(ops: Counts) -> None:
    """Each term of each layer's backward pass, as the four equations name them."""
    for name in layer_names(ops):
        for term, kinds in ops.within(f"backward/{name}").by_scope().items():
            arith = ", ".join(f"{n:,} {k}" for k, n in kinds.items() if k != "bytes")
            print(f"{name}/{term:<11} {arith or 'nothing: with one example db = dZ'}")


def formulas_agree(ops: Counts, sizes: Sequence[int], batch: int) -> None:
    """Each layer's counted backward beside the formulas' (mlpops.formulas.mlp)."""
    table = formulas.mlp(list(sizes), batch=batch, activation="sigmoid")
    for name in layer_names(ops):
        want = table[name]["backward"]
        got = dict(ops.within(f"backward/{name}"))
        print(
            f"{name}: counted {formulas.total(got):,}, formulas {formulas.total(want):,},", end=""
        )
        print(" equal" if got == want else " DIFFERENT")


def forward_and_backward(ops: Counts) -> None:
    """Forward and backward of each layer, and their ratio, from one count."""
    for name in [*layer_names(ops), "all layers"]:
        if name == "all layers":
            f, b = layers_total(ops, "forward").total, layers_total(ops, "backward").total
        else:
            f, b = ops.within(f"forward/{name}").total, ops.within(f"backward/{name}").total
        print(f"{name:<10} forward {f:>6,}   backward {b:>6,}   backward/forward {b / f:.2f}")


def why_one_example(ops: Counts) -> None:
    """Each layer's forward matrix product beside the backward pass's two: dW (no additions
    with one example) and dX (none at all in the first layer)."""
    for name in layer_names(ops):
        fwd = ops.within(f"forward/{name}/weighted-sum")
        dW, dX = ops.within(f"backward/{name}/dW"), ops.within(f"backward/{name}/dX")
        skipped = "  (skipped)" if not dX.total else ""
        print(
            f"{name}: forward X W {fwd['mul']:,} mul + {fwd['add']:,} add | "
            f"dW {dW['mul']:,} mul + {dW['add']:,} add | "
            f"dX {dX['mul']:,} mul + {dX['add']:,} add{skipped}"
        )


def loss_gradient(ops: Counts) -> Counts:
    """The loss's gradient dA, wherever the count filed it (its own phase, or backward)."""
    return ops.within("loss") if "loss" in ops.scopes() else ops.within("backward/loss")


def gradients_and_their_cost(net: MLP, ops: Counts) -> None:
    """What a counted backward pass delivers (one derivative per parameter) against what
    it computes to get there, term by term."""
    weights = sum(lay.num_inputs * lay.num_neurons for lay in net.layers)
    biases = sum(lay.num_neurons for lay in net.layers)
    names = layer_names(ops)

    def term(t):
        return sum((ops.within(f"backward/{n}/{t}") for n in names), Counts())

    dW, dX, dZ = term("dW"), term("dX"), term("activation")
    print(f"delivered: {weights + biases:,} derivatives ({weights:,} dL/dW_ij, {biases} dL/db_j)")
    print(f"computed by the layers in {layers_total(ops, 'backward').total:,} operations:")
    print(f"  dW = X.T @ dZ   {dW['mul']:>5,} mul, {dW['add']:,} add  (one product per weight)")
    print(f"  dX = dZ @ W.T   {dX['mul']:>5,} mul, {dX['add']:,} add  (the error handed down)")
    print(f"  dZ = dA * f'(Z) {dZ['mul']:>5,} mul, {dZ['add']:,} add")
    print(f"the loss's gradient dA: {loss_gradient(ops).total} operations (the loss's own)")
    print(f"forward pass of the layers: {layers_total(ops, 'forward').total:,} operations")


def ratios_by_batch(batches: Sequence[int], depth: int = 6, width: int = 30) -> dict:
    """Backward/forward of layer 1, layer 2, the whole 30-30-30 network and a deeper one,
    counted live at each batch size (the layers only: the loss is its own phase)."""
    series: dict[str, list[float]] = {"layer 1": [], "layer 2": [], "whole network": []}
    series[f"whole network, {depth} layers"] = []
    rng = np.random.default_rng(0)
    for B in batches:
        for sizes in ([width] * 3, [width] * (depth + 1)):
            net = MLP(sizes, activation="sigmoid", seed=0)
            with count() as ops:
                net.forward(rng.normal(size=(B, width)))
                net.backward(rng.uniform(size=(B, width)))
            whole = layers_total(ops, "backward").total / layers_total(ops, "forward").total
            if len(sizes) == 3:
                for k in (1, 2):
                    b = ops.within(f"backward/layer{k}").total
                    series[f"layer {k}"].append(b / ops.within(f"forward/layer{k}").total)
                series["whole network"].append(whole)
            else:
                series[f"whole network, {depth} layers"].append(whole)
    return series


def print_ratios(batches: Sequence[int], series: dict) -> None:
    print("batch " + "".join(f"{name:>25}" for name in series))
    for i, B in enumerate(batches):
        print(f"{B:>5} " + "".join(f"{ys[i]:>25.2f}" for ys in series.values()))


# -- the picture ----------------------------------------------------------------------------
def flow_arrays(sizes: Sequence[int] = (3, 4, 2), batch: int = 5, seed: int = 0) -> dict:
    """Every array of one forward and backward pass of a two-layer sigmoid network (mse),
    computed with the course's four lines: name -> array."""
    net = MLP(list(sizes), activation="sigmoid", seed=seed)
    rng = np.random.default_rng(seed)
    X, target = rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1]))
    net.forward(X)
    l1, l2 = net.layers
    a = {"X": X, "Z1": l1.Z, "A1": l1.A, "Z2": l2.Z, "A2": l2.A}
    a["loss"] = np.asarray(net.loss(l2.A, target))
    a["dA2"] = mse_grad(l2.A, target)
    a["dZ2"] = a["dA2"] * l2.A * (1 - l2.A)
    a["dW2"], a["db2"], a["dA1"] = course_dense_backward(a["dA2"], l1.A, l2.W, l2.A)
    a["dZ1"] = a["dA1"] * l1.A * (1 - l1.A)
    a["dW1"], a["db1"], _ = course_dense_backward(a["dA1"], X, l1.W, l1.A)
    return a


def shape_text(a: np.ndarray) -> str:
    return " × ".join(str(n) for n in np.shape(a)) or "a number"


#: Where each array sits: (column, row); row 0 is the forward pass, rows 1-2 the backward.
_PLACES = {
    "X": (0, 0),
    "Z1": (1, 0),
    "A1": (2, 0),
    "Z2": (3, 0),
    "A2": (4, 0),
    "loss": (5, 0),
    "dA2": (5, 1),
    "dZ2": (4, 1),
    "dA1": (2.5, 1),
    "dZ1": (1, 1),
    "dW2": (3.5, 2),
    "db2": (4.5, 2),
    "dW1": (0.5, 2),
    "db1": (1.5, 2),
}
#: (from, to, label) of each step, in the order the passes take them.
_STEPS = [
    ("X", "Z1", "X W1 + b1"),
    ("Z1", "A1", "f"),
    ("A1", "Z2", "A1 W2 + b2"),
    ("Z2", "A2", "f"),
    ("A2", "loss", "L"),
    ("loss", "dA2", "dL/dA2"),
    ("dA2", "dZ2", "⊙ f′(Z2)"),
    ("dZ2", "dW2", "A1ᵀ dZ2"),
    ("dZ2", "db2", "Σ batch"),
    ("dZ2", "dA1", "dZ2 W2ᵀ"),
    ("dA1", "dZ1", "⊙ f′(Z1)"),
    ("dZ1", "dW1", "Xᵀ dZ1"),
    ("dZ1", "db1", "Σ batch"),
]
#: Arrays the forward pass kept that the backward pass reads (dotted arrows).
_KEPT = [("A2", "dZ2"), ("A1", "dW2"), ("A1", "dZ1"), ("X", "dW1")]


def draw_backward_flow(sizes: Sequence[int] = (3, 4, 2), batch: int = 5, ax=None):
    """The forward and backward data flow of a two-layer network, each array a box with
    its shape read from the array itself; layer 1's dX is drawn as not computed."""
    if len(sizes) != 3:
        raise ValueError(
            f"draw_backward_flow draws a two-layer network, sizes [N0, N1, N2]; got {list(sizes)}"
        )
    arrays = flow_arrays(sizes, batch)
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 4.6))
    xy = {k: (2.4 * c, -1.5 * r) for k, (c, r) in _PLACES.items()}
    for name, (x, y) in xy.items():
        grad, param = name.startswith("d"), name[:2] in ("dW", "db")
        face = TINTS["orange"] if param else TINTS["blue"] if grad else TINTS["grey"]
        edge = PALETTE[1] if param else PALETTE[0] if grad else "0.3"
        ax.add_patch(
            plt.Rectangle(
                (x - 0.6, y - 0.35),
                1.2,
                0.7,
                fc=face,
                ec=edge,
                lw=1.5,
                ls="-" if not param else "--",
            )
        )
        ax.text(x, y + 0.1, name, ha="center", va="center", fontsize=11, weight="bold")
        ax.text(x, y - 0.17, shape_text(arrays[name]), ha="center", va="center", fontsize=9)
    for a, b, label in _STEPS:
        (x0, y0), (x1, y1) = xy[a], xy[b]
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops=dict(arrowstyle="-|>", color="0.2", shrinkA=22, shrinkB=22, lw=1.2),
        )
        ax.text(
            (x0 + x1) / 2,
            (y0 + y1) / 2 + 0.12,
            label,
            ha="center",
            fontsize=8.5,
            color=PALETTE[3],
            bbox=dict(fc="white", ec="none", pad=0.5),
        )
    for a, b in _KEPT:
        (x0, y0), (x1, y1) = xy[a], xy[b]
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops=dict(arrowstyle="->", color="0.5", ls=":", shrinkA=22, shrinkB=22),
        )
    x, y = xy["dZ1"][0] - 2.4, xy["dZ1"][1]
    ax.text(
        x,
        y,
        "dX of layer 1:\nnot computed\n(nothing updates X)",
        ha="center",
        va="center",
        fontsize=8.5,
        color="0.3",
        bbox=dict(fc="white", ec="0.5", ls=":"),
    )
    ax.text(-1.0, 0.55, "forward →", fontsize=10, color="0.3")
    ax.text(-1.0, -0.95, "← backward", fontsize=10, color="0.3")
    ax.set_xlim(-1.4, 12.8)
    ax.set_ylim(-3.6, 0.9)
    ax.axis("off")
    N0, N1, N2 = sizes
    ax.set_title(
        f"Backward data flow of MLP([{N0}, {N1}, {N2}]), batch B = {batch}: every array's shape"
    )
    set_alt(ax, _flow_alt(arrays, sizes, batch))
    return ax


def _flow_alt(arrays: dict, sizes: Sequence[int], batch: int) -> str:
    def seq(names, joiner=", then "):
        return joiner.join(f"{n} ({shape_text(arrays[n])})" for n in names)

    return (
        f"Diagram of the data flow of a two-layer network with sizes {list(sizes)} and a "
        f"batch of {batch}. Forward, left to right: {seq(['X', 'Z1', 'A1', 'Z2', 'A2', 'loss'])}. "
        f"Backward, right to left: {seq(['dA2', 'dZ2'])}; from dZ2 come {seq(['dW2', 'db2'], ' and ')}, "
        f"and {seq(['dA1', 'dZ1'])}; from dZ1 come {seq(['dW1', 'db1'], ' and ')}. Each dW has the "
        f"shape of its W, each db of its b, each dA of its A. Dotted arrows: the backward pass "
        f"reads X, A1 and A2 kept by the forward pass. Layer 1's dX is not computed."
    )
