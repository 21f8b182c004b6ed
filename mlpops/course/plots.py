"""Small matplotlib helpers for the notebooks: each draws one picture, so a notebook cell
stays about the idea. Every function takes an optional ``ax`` and returns it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

#: One colour per kind of operation, the same in every chart of the course.
KIND_COLORS = {
    "mul": "#4C72B0", "add": "#DD8452", "div": "#55A868", "max": "#C44E52",
    "exp": "#8172B3", "tanh": "#937860", "log": "#DA8BC3", "sqrt": "#8C8C8C",
}  # fmt: skip


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _arrow(ax, start, end, color="0.5", lw=1.0, alpha=1.0):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, alpha=alpha, shrinkA=0, shrinkB=0),
    )


def draw_neuron(
    w: Sequence[float], b: float, x: Sequence[float] | None = None, ax=None, f: str = "f"
):
    """One neuron, a = f(b + sum_i w_i x_i): one arrow per input, labelled with its weight
    (thicker arrow, larger |w_i|)."""
    w = np.asarray(w, dtype=float)
    n = len(w)
    ax = _axes(ax, (7, 0.7 * n + 1.5))
    ys = (n - 1) / 2 - np.arange(n) * 1.0
    cx, r = 4.0, 0.6
    big = max(float(np.abs(w).max()), 1e-12)
    for i, (y, wi) in enumerate(zip(ys, w, strict=True), start=1):
        name = f"$x_{{{i}}}$" if x is None else f"$x_{{{i}}} = {x[i - 1]:g}$"
        ax.add_patch(plt.Circle((0, y), 0.25, fc="#f2f2f2", ec="0.3"))
        ax.text(-0.4, y, name, ha="right", va="center")
        end = np.array([cx, 0.0]) - r * np.array([cx - 0.25, -y]) / np.hypot(cx - 0.25, y)
        _arrow(ax, (0.25, y), tuple(end), color="#4C72B0", lw=0.8 + 2.2 * abs(wi) / big)
        t = 0.42
        ax.text(
            0.25 + t * (end[0] - 0.25),
            y + t * (end[1] - y) + 0.12,
            f"$w_{{{i}}} = {wi:.2f}$",
            ha="center",
            va="bottom",
            fontsize=9,
            color="#4C72B0",
        )
    ax.add_patch(plt.Circle((cx, 0), r, fc="#fde9d9", ec="#DD8452", lw=2))
    ax.text(cx, 0, f"$\\Sigma \\to {f}$", ha="center", va="center")
    ax.text(cx, -r - 0.15, f"$+\\, b = {b:.2f}$", ha="center", va="top", fontsize=9)
    _arrow(ax, (cx + r, 0), (cx + r + 1.0, 0), color="0.2", lw=1.5)
    ax.text(cx + r + 1.1, 0, "$a$", ha="left", va="center")
    ax.set_xlim(-2.0, cx + r + 1.6)
    ax.set_ylim(min(ys.min(), -r) - 0.8, max(ys.max(), r) + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_layer(num_inputs: int, num_neurons: int, highlight: int | None = None, ax=None):
    """A dense layer as a graph: every input x_i joined to every neuron a_j by its own
    weight W_ij. ``highlight`` (a neuron j, from 1) colours and labels that neuron's weights."""
    N, M = num_inputs, num_neurons
    ax = _axes(ax, (6, 0.6 * max(N, M) + 1.2))
    xi = (N - 1) / 2 - np.arange(N)
    aj = (M - 1) / 2 - np.arange(M)
    for i, yi in enumerate(xi, start=1):
        for j, yj in enumerate(aj, start=1):
            on = highlight == j
            ax.plot(
                [0, 3],
                [yi, yj],
                color="#DD8452" if on else "0.75",
                lw=2 if on else 0.8,
                zorder=2 if on else 1,
            )
            if on:
                ax.text(
                    1.1,
                    yi + (yj - yi) * 1.1 / 3 + 0.08,
                    f"$W_{{{i}{j}}}$",
                    fontsize=9,
                    color="#DD8452",
                    ha="center",
                    va="bottom",
                )
    for i, y in enumerate(xi, start=1):
        ax.add_patch(plt.Circle((0, y), 0.22, fc="#f2f2f2", ec="0.3", zorder=3))
        ax.text(-0.35, y, f"$x_{{{i}}}$", ha="right", va="center")
    for j, y in enumerate(aj, start=1):
        on = highlight == j
        face, edge = ("#fde9d9", "#DD8452") if on else ("#f2f2f2", "0.3")
        ax.add_patch(plt.Circle((3, y), 0.3, fc=face, ec=edge, lw=2 if on else 1, zorder=3))
        ax.text(3.45, y, f"$a_{{{j}}}$", ha="left", va="center")
    ax.set_title(f"N = {N} inputs, M = {M} neurons: {N} × {M} weights")
    ax.set_xlim(-1.0, 4.0)
    ax.set_ylim(-max(N, M) / 2 - 0.3, max(N, M) / 2 + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def show_weights(W: np.ndarray, highlight: int | None = None, ax=None):
    """The weight matrix W as an image: row i is input x_i, column j is neuron a_j.
    ``highlight`` (a neuron j, from 1) outlines the column that neuron uses."""
    W = np.asarray(W, dtype=float)
    ax = _axes(ax, (5, 4.2))
    lim = float(np.abs(W).max()) or 1.0
    N, M = W.shape
    im = ax.imshow(
        W, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="equal", extent=(0.5, M + 0.5, N + 0.5, 0.5)
    )  # numbered from 1, like the math
    plt.colorbar(im, ax=ax, label="$W_{ij}$")
    if highlight is not None:
        ax.add_patch(plt.Rectangle((highlight - 0.5, 0.5), 1, N, fill=False, ec="k", lw=2))
    ax.set_xlabel("neuron j (column)")
    ax.set_ylabel("input i (row)")
    ax.set_title(f"W is {W.shape[0]} × {W.shape[1]}: one weight per (input, neuron) pair")
    return ax


def show_flattening(image: np.ndarray, axes=None):
    """An image beside the same pixels as one long row: the N inputs of a dense layer."""
    image = np.asarray(image, dtype=float)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 2.6), gridspec_kw={"width_ratios": [1, 4]})
    left, right = axes
    left.imshow(image, cmap="gray")
    left.set_title(f"{image.shape[0]} × {image.shape[1]} image")
    left.set_xlabel("column")
    left.set_ylabel("row")
    right.imshow(image.reshape(1, -1), cmap="gray", aspect="auto")
    right.set_yticks([])
    right.set_xlabel("input index i (row after row)")
    right.set_title(f"flattened: N = {image.size} inputs")
    return axes


def plot_counts(
    xs: Sequence[float],
    ys: Sequence[float],
    xlabel: str,
    ylabel: str,
    title: str,
    ax=None,
    label: str | None = None,
    marker: str = "o",
):
    """Counts against one architecture knob (width, depth, batch ...), as points joined by
    a line; call again on the same ``ax`` to compare a second series."""
    ax = _axes(ax, (5, 3.4))
    ax.plot(xs, ys, marker=marker, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.ticklabel_format(axis="y", style="plain")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(alpha=0.3)
    if label:
        ax.legend()
    return ax


def stacked_kinds(
    rows: Mapping[str, Mapping[str, int]], title: str, xlabel: str = "operations", ax=None
):
    """One horizontal bar per row (an activation, a layer ...), split by kind of operation.

    ``rows`` maps a label to ``{kind: n}`` (``activations``, ``macs``, ``bytes`` skipped: they
    are tallies beside the arithmetic, not operations of their own)."""
    labels = list(rows)
    order = list(KIND_COLORS)
    kinds = sorted(
        {k for r in rows.values() for k in r if k not in ("activations", "macs", "bytes")},
        key=lambda k: (order.index(k) if k in order else len(order), k),
    )
    ax = _axes(ax, (6.5, 0.5 * len(labels) + 1.3))
    left = np.zeros(len(labels))
    for k in kinds:
        n = np.array([rows[lab].get(k, 0) for lab in labels], dtype=float)
        ax.barh(labels, n, left=left, color=KIND_COLORS.get(k), label=k)
        left += n
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    if kinds:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, title="kind")
    return ax


def show_feature_maps(images: np.ndarray, maps: np.ndarray, map_titles: Sequence[str], axes=None):
    """Each grey image (row) beside its feature maps: the outputs of a convolution's
    kernels, one channel each. ``images`` is (R, H, W), ``maps`` (R, C, H', W')."""
    images, maps = np.asarray(images, dtype=float), np.asarray(maps, dtype=float)
    rows, channels = maps.shape[:2]
    if axes is None:
        _, axes = plt.subplots(rows, 1 + channels, figsize=(2.4 * (1 + channels), 2.4 * rows),
                               squeeze=False)  # fmt: skip
    for r in range(rows):
        axes[r][0].imshow(images[r], cmap="gray")
        axes[r][0].set_title(f"image {images[r].shape[0]} × {images[r].shape[1]}", fontsize=9)
        for c in range(channels):
            axes[r][1 + c].imshow(maps[r, c], cmap="RdBu_r")
            axes[r][1 + c].set_title(f"{map_titles[c]} {maps.shape[2]} × {maps.shape[3]}",
                                     fontsize=9)  # fmt: skip
        for ax in axes[r]:
            ax.set_xticks([])
            ax.set_yticks([])
    return axes


# -- 05-08: backward pass, training, conventions, seconds ------------------------------
def plot_ratios(
    xs: Sequence[float],
    series: Mapping[str, Sequence[float]],
    xlabel: str,
    ylabel: str,
    title: str,
    guides: Sequence[float] = (),
    ax=None,
):
    """Several ratios (or counts) against a knob on a log-2 x axis (batch sizes ...), one
    line per entry of ``series``; ``guides`` draws dashed horizontal reference lines."""
    ax = _axes(ax, (6, 3.8))
    for label, ys in series.items():
        ax.plot(xs, ys, marker="o", label=label)
    for g in guides:
        ax.axhline(g, color="0.5", ls="--", lw=1)
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(xs))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    return ax


def plot_dataset(X: np.ndarray, y: np.ndarray, title: str = "the data", ax=None):
    """2-D points coloured by class, as in TensorFlow Playground."""
    X, y = np.asarray(X), np.asarray(y)
    ax = _axes(ax, (4.2, 4.2))
    for c in np.unique(y):
        ax.scatter(*X[y == c].T, s=14, label=f"class {c}", edgecolors="white", linewidths=0.4)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="upper right")
    return ax


def plot_loss_curve(losses: Sequence[float], title: str = "training loss", ax=None):
    """The mean training loss of each epoch: falling means the network learns."""
    ax = _axes(ax, (5, 3.4))
    ax.plot(np.arange(1, len(losses) + 1), losses)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean loss over the epoch")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return ax


def plot_decision_boundary(
    predict, X: np.ndarray, y: np.ndarray, title: str = "decision regions", ax=None
):
    """The class a network picks at every point of the plane (shaded), with the data.
    ``predict`` maps a (P, 2) array to (P, classes) scores, e.g. ``net.predict``."""
    X, y = np.asarray(X), np.asarray(y)
    ax = _axes(ax, (4.2, 4.2))
    pad = 0.2
    (x0, y0), (x1, y1) = X.min(axis=0) - pad, X.max(axis=0) + pad
    gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    scores = np.asarray(predict(np.c_[gx.ravel(), gy.ravel()]))
    regions = scores.argmax(axis=1) if scores.ndim == 2 and scores.shape[1] > 1 else scores > 0.5
    classes = np.unique(y)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(colors[: len(classes)])
    ax.contourf(gx, gy, regions.reshape(gx.shape), levels=np.arange(len(classes) + 1) - 0.5,
                cmap=cmap, alpha=0.25)  # fmt: skip
    for c in classes:
        ax.scatter(*X[y == c].T, s=14, color=colors[int(c)], edgecolors="white", linewidths=0.4)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.set_aspect("equal")
    return ax


def plot_rates(
    rates: Mapping[str, float],
    title: str = "operations per second on this machine (measured)",
    lines: Mapping[str, float] | None = None,
    groups: Mapping[str, str] | None = None,
    ax=None,
):
    """Operations per second, one horizontal bar per way of running the arithmetic, on a
    log scale (they differ by orders of magnitude); ``lines`` marks reference rates (a value,
    or a (low, high) range drawn as a band, e.g. a peak) inside the axes, and ``groups`` (name -> group label, e.g. "measured here", "published peak") colours bars."""
    names = list(rates)
    groups = groups or {}
    labels = list(dict.fromkeys(groups.get(n, "") for n in names))
    ax = _axes(ax, (7, 0.45 * len(names) + 1.6))
    for k, label in enumerate(labels):
        rows = [i for i, n in enumerate(names) if groups.get(n, "") == label]
        ax.barh(rows, [rates[names[i]] for i in rows], color=f"C{k}", label=label or None)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    marks = [v for value in (lines or {}).values() for v in np.atleast_1d(value)]
    every = [*rates.values(), *marks]  # the lines are drawn inside the axes, never off them
    ax.set_xlim(min(every) / 10, max(every) * 10)
    for i, (label, value) in enumerate((lines or {}).items()):
        color = f"C{i + len(labels)}"
        if np.ndim(value):  # a range (low, high): a shaded band between two dashed lines
            ax.axvspan(*value, color=color, alpha=0.2, label=label)
            for v in value:
                ax.axvline(v, color=color, ls="--", lw=1.2)
        else:
            ax.axvline(value, color=color, ls="--", lw=1.2, label=label)
    if lines or any(labels):
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xlabel("operations per second (log scale)")
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="x")
    return ax


def grouped_bars(
    groups: Mapping[str, Mapping[str, float]],
    title: str,
    xlabel: str = "operations",
    ax=None,
):
    """Horizontal bars in groups: ``groups`` maps a row label (a term, a layer ...) to
    ``{series: value}`` (a convention, a tool ...); one colour per series, zeros left empty."""
    labels = list(groups)
    series = list(dict.fromkeys(s for g in groups.values() for s in g))
    ax = _axes(ax, (7, 0.2 * len(labels) * len(series) + 1.4))
    height = 0.8 / max(len(series), 1)
    ys = np.arange(len(labels))
    for k, s in enumerate(series):
        values = [groups[lab].get(s, 0) for lab in labels]
        ax.barh(ys + k * height, values, height=height, label=s, color=f"C{k}")
    ax.set_yticks(ys + height * (len(series) - 1) / 2, labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=9, loc="lower right")
    return ax


def plot_rate_curve(
    xs: Sequence[float],
    rates: Sequence[float],
    xlabel: str,
    title: str,
    lines: Mapping[str, float] | None = None,
    ax=None,
):
    """Measured operations per second against a knob (the batch size ...), log-log, with
    dashed reference rates (``lines``: label -> operations per second)."""
    ax = _axes(ax, (6, 3.8))
    ax.plot(xs, rates, marker="o", label="measured")
    for i, (label, value) in enumerate((lines or {}).items()):
        ax.axhline(value, color=f"C{i + 1}", ls="--", lw=1.2, label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(list(xs))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("operations per second")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return ax
