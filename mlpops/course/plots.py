"""Small matplotlib helpers for the notebooks: each draws one picture, so a notebook cell
stays about the idea. Every function takes an optional ``ax`` and returns it.

Every helper draws in the course's colour-blind-safe palette (``figures.PALETTE``) with a
second cue beside colour (marker, line style, hatch or a direct label), and writes the
figure's alt text from the same values it draws (``figures.set_alt``): displayed in a
notebook, the PNG carries it as ``image/png`` ``alt`` metadata.

Over 500 lines on purpose: every helper is a short function beside the alt text it writes
from the same values, and one file is where a notebook author looks for a picture."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .figures import (
    DIVERGING,
    HATCHES,
    LINESTYLES,
    PALETTE,
    TINTS,
    color,
    hatch,
    listing,
    marker,
    num,
    plain,
    set_alt,
    use_palette,
)

use_palette()

#: One colour (and hatch) per kind of operation, the same in every chart of the course.
KIND_COLORS = dict(zip(["mul", "add", "div", "max", "exp", "tanh", "log", "sqrt"], PALETTE))
KIND_HATCHES = dict(zip(KIND_COLORS, HATCHES))


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


def _kind_order(kinds) -> list[str]:
    order = list(KIND_COLORS)
    return sorted(kinds, key=lambda k: (order.index(k) if k in order else len(order), k))


def _kind_style(k: str, i: int) -> dict:
    """A kind's fill: its own colour and hatch (a kind the course never met takes the
    next free pair), with a dark edge so pale colours keep their outline."""
    return dict(
        color=KIND_COLORS.get(k, color(i)),
        hatch=KIND_HATCHES.get(k, hatch(i)),
        edgecolor="0.2",
        linewidth=0.6,
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
        ax.add_patch(plt.Circle((0, y), 0.25, fc=TINTS["grey"], ec="0.3"))
        ax.text(-0.4, y, name, ha="right", va="center")
        end = np.array([cx, 0.0]) - r * np.array([cx - 0.25, -y]) / np.hypot(cx - 0.25, y)
        _arrow(ax, (0.25, y), tuple(end), color=PALETTE[0], lw=0.8 + 2.2 * abs(wi) / big)
        t = 0.42
        ax.text(
            0.25 + t * (end[0] - 0.25),
            y + t * (end[1] - y) + 0.12,
            f"$w_{{{i}}} = {wi:.2f}$",
            ha="center",
            va="bottom",
            fontsize=9,
            color=PALETTE[0],
        )
    ax.add_patch(plt.Circle((cx, 0), r, fc=TINTS["orange"], ec=PALETTE[1], lw=2))
    ax.text(cx, 0, f"$\\Sigma \\to {f}$", ha="center", va="center")
    ax.text(cx, -r - 0.15, f"$+\\, b = {b:.2f}$", ha="center", va="top", fontsize=9)
    _arrow(ax, (cx + r, 0), (cx + r + 1.0, 0), color="0.2", lw=1.5)
    ax.text(cx + r + 1.1, 0, "$a$", ha="left", va="center")
    ax.set_xlim(-2.0, cx + r + 1.6)
    ax.set_ylim(min(ys.min(), -r) - 0.8, max(ys.max(), r) + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    inputs = [f"x{i} = {x[i - 1]:g}" if x is not None else f"x{i}" for i in range(1, n + 1)]
    weights = [f"w{i} = {wi:.2f}" for i, wi in enumerate(w, start=1)]
    set_alt(
        ax,
        f"Diagram of one neuron: {n} inputs ({listing(inputs)}), each joined to the "
        f"neuron by an arrow labelled with its weight ({listing(weights)}; a thicker "
        f"arrow for a larger weight); the neuron adds them up with the bias b = "
        f"{b:.2f}, applies {f} and gives its output a.",
    )
    return ax


def draw_layer(num_inputs: int, num_neurons: int, highlight: int | None = None, ax=None):
    """A dense layer as a graph: every input x_i joined to every neuron a_j by its own
    weight W_ij. ``highlight`` (a neuron j, from 1) draws that neuron's weights thick, in
    colour and labelled."""
    N, M = num_inputs, num_neurons
    ax = _axes(ax, (6, 0.6 * max(N, M) + 1.2))
    xi = (N - 1) / 2 - np.arange(N)
    aj = (M - 1) / 2 - np.arange(M)
    hot = PALETTE[3]
    for i, yi in enumerate(xi, start=1):
        for j, yj in enumerate(aj, start=1):
            on = highlight == j
            ax.plot(
                [0, 3],
                [yi, yj],
                color=hot if on else "0.75",
                lw=2.2 if on else 0.8,
                zorder=2 if on else 1,
            )
            if on:
                ax.text(
                    1.1,
                    yi + (yj - yi) * 1.1 / 3 + 0.08,
                    f"$W_{{{i}{j}}}$",
                    fontsize=9,
                    color=hot,
                    ha="center",
                    va="bottom",
                )
    for i, y in enumerate(xi, start=1):
        ax.add_patch(plt.Circle((0, y), 0.22, fc=TINTS["grey"], ec="0.3", zorder=3))
        ax.text(-0.35, y, f"$x_{{{i}}}$", ha="right", va="center")
    for j, y in enumerate(aj, start=1):
        on = highlight == j
        face, edge = (TINTS["orange"], hot) if on else (TINTS["grey"], "0.3")
        ax.add_patch(plt.Circle((3, y), 0.3, fc=face, ec=edge, lw=2 if on else 1, zorder=3))
        ax.text(3.45, y, f"$a_{{{j}}}$", ha="left", va="center")
    ax.set_title(f"N = {N} inputs, M = {M} neurons: {N} × {M} weights")
    ax.set_xlim(-1.0, 4.0)
    ax.set_ylim(-max(N, M) / 2 - 0.3, max(N, M) / 2 + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    text = (
        f"Diagram of a dense layer: N = {N} inputs x1 to x{N} on the left, M = {M} "
        f"neurons a1 to a{M} on the right, every input joined to every neuron by its own "
        f"weight: {N} × {M} = {N * M:,} weights."
    )
    if highlight is not None:
        text += (
            f" The {N} weights of neuron a{highlight}, W1{highlight} to W{N}{highlight}, "
            "are drawn thick and labelled."
        )
    set_alt(ax, text)
    return ax


def show_weights(W: np.ndarray, highlight: int | None = None, ax=None):
    """The weight matrix W as an image: row i is input x_i, column j is neuron a_j.
    ``highlight`` (a neuron j, from 1) outlines the column that neuron uses."""
    W = np.asarray(W, dtype=float)
    ax = _axes(ax, (5, 4.2))
    lim = float(np.abs(W).max()) or 1.0
    N, M = W.shape
    im = ax.imshow(
        W, cmap=DIVERGING, vmin=-lim, vmax=lim, aspect="equal", extent=(0.5, M + 0.5, N + 0.5, 0.5)
    )  # numbered from 1, like the math
    plt.colorbar(im, ax=ax, label="$W_{ij}$")
    if highlight is not None:
        ax.add_patch(plt.Rectangle((highlight - 0.5, 0.5), 1, N, fill=False, ec="k", lw=2))
    ax.set_xlabel("neuron j (column)")
    ax.set_ylabel("input i (row)")
    ax.set_title(f"W is {W.shape[0]} × {W.shape[1]}: one weight per (input, neuron) pair")
    text = (
        f"Heat map of the weight matrix W: {N} rows (inputs i) by {M} columns (neurons j), "
        f"{N * M:,} weights from {num(W.min())} to {num(W.max())} (blue negative, red "
        "positive, a colour bar gives the values)."
    )
    if highlight is not None:
        col = W[:, highlight - 1]
        text += (
            f" Column {highlight} is outlined: the {N} weights neuron a{highlight} uses, "
            f"from {num(col.min())} to {num(col.max())}."
        )
    set_alt(ax, text)
    return ax


def _from_one(n: int) -> list[int]:
    """Tick positions for items numbered 1 to n: 1, then round steps up to n."""
    rounds = MaxNLocator(nbins=5, integer=True).tick_values(1, n)
    return [1, *(int(t) for t in rounds if 1 < t <= n)]


def show_flattening(image: np.ndarray, axes=None):
    """An image beside the same pixels as one long row: the N inputs of a dense layer."""
    image = np.asarray(image, dtype=float)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 2.6), gridspec_kw={"width_ratios": [1, 4]})
    left, right = axes
    h, w = image.shape
    # rows, columns and inputs numbered from 1, like x_1 ... x_N in the equations
    left.imshow(image, cmap="gray", extent=(0.5, w + 0.5, h + 0.5, 0.5))
    left.set_xticks(_from_one(w))
    left.set_yticks(_from_one(h))
    left.set_title(f"{h} × {w} image")
    left.set_xlabel("column (from 1)")
    left.set_ylabel("row (from 1)")
    right.imshow(image.reshape(1, -1), cmap="gray", aspect="auto", extent=(0.5, h * w + 0.5, 1, 0))
    right.set_xticks(_from_one(h * w))
    right.set_yticks([])
    right.set_xlabel("input index i, from 1 (row after row)")
    right.set_title(f"flattened: N = {image.size} inputs")
    set_alt(
        left,
        f"Left: a grey image of {h} × {w} pixels, values from {num(image.min())} "
        f"(black) to {num(image.max())} (white).",
    )
    set_alt(
        right,
        f"Right: the same {image.size:,} pixels in one long row, row after row: "
        f"the N = {image.size:,} inputs of a dense layer, x1 to x{image.size} (rows, columns "
        "and inputs are numbered from 1, as in the equations).",
    )
    return axes


def _points(xs, ys, measured: bool = False) -> str:
    return listing([f"{num(y, measured)} at {num(x)}" for x, y in zip(xs, ys, strict=True)])


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
    k = len(ax.lines)
    ax.plot(xs, ys, marker=marker, label=label, color=color(k), ls=LINESTYLES[k % 4])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.ticklabel_format(axis="y", style="plain")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(alpha=0.3)
    if label:
        ax.legend()
    series = f"{plain(label)}, " if label else ""
    text = (
        f"Line chart, {plain(title)}: {series}{plain(ylabel)} at each {plain(xlabel)}: "
        f"{_points(xs, ys)}."
    )
    previous = _previous_alt(ax) if k else ""
    set_alt(ax, f"{previous} {text}" if previous else text)
    return ax


def _previous_alt(ax) -> str:
    from .figures import _ALT

    return _ALT[ax][0] if ax in _ALT else ""


def stacked_kinds(
    rows: Mapping[str, Mapping[str, int]], title: str, xlabel: str = "operations", ax=None
):
    """One horizontal bar per row (an activation, a layer ...), split by kind of operation.

    ``rows`` maps a label to ``{kind: n}`` (``activations``, ``macs`` and ``bytes`` are skipped: they
    are tallies beside the arithmetic, not operations of their own). Each kind has its
    colour and its hatch."""
    labels = list(rows)
    kinds = _kind_order(
        {k for r in rows.values() for k in r if k not in ("activations", "macs", "bytes")}
    )
    ax = _axes(ax, (6.5, 0.5 * len(labels) + 1.3))
    left = np.zeros(len(labels))
    for i, k in enumerate(kinds):
        n = np.array([rows[lab].get(k, 0) for lab in labels], dtype=float)
        ax.barh(labels, n, left=left, label=k, **_kind_style(k, i))
        left += n
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    if kinds:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, title="kind")
    parts = []
    for lab in labels:
        counts = [f"{k} {rows[lab].get(k, 0):,}" for k in kinds if rows[lab].get(k, 0)]
        total = sum(rows[lab].get(k, 0) for k in kinds)
        parts.append(f"{lab.strip()}: {', '.join(counts) or 'none'} (total {total:,})")
    set_alt(
        ax,
        f"Stacked horizontal bars, {plain(title)}: one bar per row, split by kind of "
        f"operation. {'; '.join(parts)}.",
    )
    return ax


def show_feature_maps(images: np.ndarray, maps: np.ndarray, map_titles: Sequence[str], axes=None):
    """Each grey image (row) beside its feature maps: the outputs of a convolution's
    kernels, one channel each. ``images`` is (R, H, W), ``maps`` (R, C, H', W')."""
    images, maps = np.asarray(images, dtype=float), np.asarray(maps, dtype=float)
    rows, channels = maps.shape[:2]
    if axes is None:
        _, axes = plt.subplots(
            rows, 1 + channels, figsize=(2.4 * (1 + channels), 2.4 * rows), squeeze=False
        )
    for r in range(rows):
        axes[r][0].imshow(images[r], cmap="gray")
        axes[r][0].set_title(f"image {images[r].shape[0]} × {images[r].shape[1]}", fontsize=9)
        set_alt(
            axes[r][0],
            f"Row {r + 1}: a grey image of {images[r].shape[0]} × {images[r].shape[1]} pixels,",
        )
        for c in range(channels):
            m = maps[r, c]
            axes[r][1 + c].imshow(m, cmap=DIVERGING)
            axes[r][1 + c].set_title(
                f"{map_titles[c]} {maps.shape[2]} × {maps.shape[3]}", fontsize=9
            )
            end = "." if c == channels - 1 else ","
            set_alt(
                axes[r][1 + c],
                f"its {map_titles[c]} map, {m.shape[0]} × {m.shape[1]}, "
                f"values from {num(m.min())} to {num(m.max())}{end}",
            )
        for ax in axes[r]:
            ax.set_xticks([])
            ax.set_yticks([])
    return axes


# -- 06-09: backward pass, training, conventions, seconds ------------------------------
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
    line per entry of ``series`` (its own colour, marker and line style); ``guides`` draws
    dashed horizontal reference lines."""
    ax = _axes(ax, (6, 3.8))
    for k, (label, ys) in enumerate(series.items()):
        ax.plot(xs, ys, marker=marker(k), color=color(k), ls=LINESTYLES[k % 4], label=label)
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
    lines = "; ".join(f"{plain(lab)}: {_points(xs, ys)}" for lab, ys in series.items())
    text = (
        f"Line chart, {plain(title)}: {plain(ylabel)} against {plain(xlabel)} "
        f"(log scale), one line per series, value at each {plain(xlabel)}. {lines}."
    )
    if guides:
        text += f" Dashed reference lines at {listing([num(g) for g in guides])}."
    set_alt(ax, text)
    return ax


def plot_functions(
    z: Sequence[float],
    functions: Mapping[str, Sequence[float]],
    title: str,
    xlabel: str = "z",
    ylabel: str = "f(z)",
    ylim: tuple[float, float] | None = None,
    ax=None,
):
    """Curves f(z) over the same z (transfer functions ...), each with its own colour and
    line style, labelled at its right end as well as in the legend."""
    z = np.asarray(z, dtype=float)
    ax = _axes(ax, (5, 3.4))
    for k, (name, fz) in enumerate(functions.items()):
        ax.plot(z, fz, color=color(k), ls=LINESTYLES[k % 4], lw=1.8, label=name)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(alpha=0.3)
    ax.legend()

    def at(fz, v):
        return num(round(float(np.interp(v, z, np.asarray(fz, dtype=float))), 3))

    probes = [z[0], 0.0, z[-1]] if z[0] < 0 < z[-1] else [z[0], z[-1]]
    curves = "; ".join(
        f"{name}: " + ", ".join(f"{at(fz, v)} at z = {num(v)}" for v in probes)
        for name, fz in functions.items()
    )
    set_alt(
        ax,
        f"Line chart, {plain(title)}: {plain(ylabel)} against {plain(xlabel)} from "
        f"{num(z[0])} to {num(z[-1])}, one line per function. {curves}.",
    )
    return ax


def plot_dataset(X: np.ndarray, y: np.ndarray, title: str = "the data", ax=None):
    """2-D points by class (its own colour and marker), as in TensorFlow Playground."""
    X, y = np.asarray(X), np.asarray(y)
    ax = _axes(ax, (4.2, 4.2))
    classes = np.unique(y)
    for k, c in enumerate(classes):
        ax.scatter(
            *X[y == c].T,
            s=16,
            label=f"class {c}",
            color=color(k),
            marker=marker(k),
            edgecolors="white",
            linewidths=0.4,
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="upper right")
    per_class = listing([f"class {c}: {int((y == c).sum()):,}" for c in classes])
    set_alt(
        ax,
        f"Scatter plot, {plain(title)}: {len(X):,} points in {len(classes)} classes "
        f"({per_class}), each class its own marker; x1 from {num(X[:, 0].min())} to "
        f"{num(X[:, 0].max())}, x2 from {num(X[:, 1].min())} to "
        f"{num(X[:, 1].max())}.",
    )
    return ax


def plot_loss_curve(losses: Sequence[float], title: str = "training loss", ax=None):
    """The mean training loss of each epoch: falling means the network learns."""
    losses = np.asarray(losses, dtype=float)
    ax = _axes(ax, (5, 3.4))
    ax.plot(np.arange(1, len(losses) + 1), losses, color=color(0))
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean loss over the epoch")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    low = int(np.argmin(losses))
    set_alt(
        ax,
        f"Line chart, {plain(title)}: the mean loss of each of {len(losses):,} epochs, "
        f"from {num(losses[0])} at epoch 1 to {num(losses[-1])} at epoch "
        f"{len(losses):,} (lowest {num(losses[low])} at epoch {low + 1:,}).",
    )
    return ax


def plot_decision_boundary(
    predict, X: np.ndarray, y: np.ndarray, title: str = "decision regions", ax=None
):
    """The class a network picks at every point of the plane (shaded and hatched), with the
    data (each class its own marker). ``predict`` maps a (P, 2) array to (P, classes)
    scores, e.g. ``net.predict``."""
    X, y = np.asarray(X), np.asarray(y)
    ax = _axes(ax, (4.2, 4.2))
    pad = 0.2
    (x0, y0), (x1, y1) = X.min(axis=0) - pad, X.max(axis=0) + pad
    gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))

    def pick(points):
        scores = np.asarray(predict(points))
        if scores.ndim == 2 and scores.shape[1] > 1:
            return scores.argmax(axis=1)
        return (scores.reshape(len(points)) > 0.5).astype(int)

    regions = pick(np.c_[gx.ravel(), gy.ravel()])
    classes = np.unique(y)
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap([color(k) for k in range(len(classes))])
    ax.contourf(
        gx,
        gy,
        regions.reshape(gx.shape),
        levels=np.arange(len(classes) + 1) - 0.5,
        cmap=cmap,
        alpha=0.25,
        hatches=[hatch(k + 1) for k in range(len(classes))],
    )
    for k, c in enumerate(classes):
        ax.scatter(
            *X[y == c].T,
            s=16,
            color=color(k),
            marker=marker(k),
            label=f"class {c}",
            edgecolors="white",
            linewidths=0.4,
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.set_aspect("equal")
    share = listing([f"class {c} {np.mean(regions == k):.0%}" for k, c in enumerate(classes)])
    right = np.mean(pick(X) == np.searchsorted(classes, y))
    set_alt(
        ax,
        f"Map of decision regions, {plain(title)}: the plane shaded and hatched by the "
        f"class the network picks (share of the area: {share}), with the {len(X):,} "
        f"data points on top, each class its own marker; {right:.0%} of the points lie "
        "in their own class's region.",
    )
    return ax


def plot_rates(
    rates: Mapping[str, float],
    title: str = "operations per second on this machine (measured)",
    lines: Mapping[str, float] | None = None,
    groups: Mapping[str, str] | None = None,
    ax=None,
    legend_below: bool = False,
):
    """Operations per second, one horizontal bar per way of running the arithmetic, on a
    log scale (they differ by orders of magnitude); ``lines`` marks reference rates (a value,
    or a (low, high) range drawn as a band, e.g. a peak) inside the axes, and ``groups``
    (name -> group label, e.g. "measured here", "published peak") gives bars their colour and
    hatch. ``legend_below`` puts the legend under the axes, where it hides no bar. The alt
    text gives every rate with a leading ``~``."""
    names = list(rates)
    groups = groups or {}
    labels = list(dict.fromkeys(groups.get(n, "") for n in names))
    ax = _axes(ax, (7, 0.45 * len(names) + 1.6))
    for k, label in enumerate(labels):
        rows = [i for i, n in enumerate(names) if groups.get(n, "") == label]
        ax.barh(
            rows,
            [rates[names[i]] for i in rows],
            color=color(k),
            hatch=hatch(k),
            edgecolor="0.2",
            linewidth=0.6,
            label=label or None,
        )
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    marks = [v for value in (lines or {}).values() for v in np.atleast_1d(value)]
    every = [*rates.values(), *marks]  # the lines are drawn inside the axes, never off them
    ax.set_xlim(min(every) / 10, max(every) * 10)
    for i, (label, value) in enumerate((lines or {}).items()):
        c, style = color(i + len(labels)), LINESTYLES[1 + i % 3]
        if np.ndim(value):  # a range (low, high): a shaded band between two lines
            ax.axvspan(*value, color=c, alpha=0.2, label=label)
            for v in value:
                ax.axvline(v, color=c, ls=style, lw=1.4)
        else:
            ax.axvline(value, color=c, ls=style, lw=1.4, label=label)
    if (lines or any(labels)) and legend_below:
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    elif lines or any(labels):
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xlabel("operations per second (log scale)")
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="x")
    bars = "; ".join(
        f"{n}{f' ({groups[n]})' if groups.get(n) else ''}: {num(rates[n], measured=True)}"
        for n in names
    )
    text = f"Horizontal bars on a log scale, {plain(title)}, operations per second: {bars}."
    if lines:
        marks = listing([f"{lab} at {_measured_span(v)}" for lab, v in lines.items()])
        text += f" Vertical lines: {marks}."
    set_alt(ax, text)
    return ax


def _measured_span(value) -> str:
    """'~1.2e+10' for a value, '~8.3e+10 to ~1.7e+11' for a (low, high) range."""
    if np.ndim(value):
        low, high = value
        return f"{num(low, measured=True)} to {num(high, measured=True)}"
    return num(value, measured=True)


def grouped_bars(
    groups: Mapping[str, Mapping[str, float]],
    title: str,
    xlabel: str = "operations",
    ax=None,
):
    """Horizontal bars in groups: ``groups`` maps a row label (a term, a layer ...) to
    ``{series: value}`` (a convention, a tool ...); one colour and hatch per series, zeros
    left empty."""
    labels = list(groups)
    series = list(dict.fromkeys(s for g in groups.values() for s in g))
    ax = _axes(ax, (7, 0.2 * len(labels) * len(series) + 1.4))
    height = 0.8 / max(len(series), 1)
    ys = np.arange(len(labels))
    for k, s in enumerate(series):
        values = [groups[lab].get(s, 0) for lab in labels]
        ax.barh(
            ys + k * height,
            values,
            height=height,
            label=s,
            color=color(k),
            hatch=hatch(k),
            edgecolor="0.2",
            linewidth=0.6,
        )
    ax.set_yticks(ys + height * (len(series) - 1) / 2, labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=9, loc="lower right")
    parts = "; ".join(
        f"{lab}: " + ", ".join(f"{s} {num(groups[lab].get(s, 0))}" for s in series)
        for lab in labels
    )
    set_alt(
        ax,
        f"Grouped horizontal bars, {plain(title)}: one group per row, one bar per "
        f"{'series' if len(series) != 1 else series[0]} ({listing(series)}), "
        f"{plain(xlabel)}. {parts}.",
    )
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
    reference rates (``lines``: label -> operations per second) in their own line styles."""
    ax = _axes(ax, (6, 3.8))
    ax.plot(xs, rates, marker="o", color=color(0), label="measured")
    for i, (label, value) in enumerate((lines or {}).items()):
        ax.axhline(value, color=color(i + 1), ls=LINESTYLES[1 + i % 3], lw=1.4, label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(list(xs))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("operations per second")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    text = (
        f"Line chart on log-log axes, {plain(title)}: measured operations per second "
        f"at each {plain(xlabel)}: {_points(xs, rates, measured=True)}."
    )
    if lines:
        marks = listing([f"{lab} at {_measured_span(v)}" for lab, v in lines.items()])
        text += f" Horizontal reference lines: {marks}."
    set_alt(ax, text)
    return ax
