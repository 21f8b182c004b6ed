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

    ``rows`` maps a label to ``{kind: n}`` (``activations`` and ``macs`` are skipped: they
    are tallies beside the arithmetic, not operations of their own)."""
    labels = list(rows)
    order = list(KIND_COLORS)
    kinds = sorted(
        {k for r in rows.values() for k in r if k not in ("activations", "macs")},
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
