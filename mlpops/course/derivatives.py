"""Helpers for the derivatives notebook (05): nudged (finite-difference) gradients and
the picture of a dense layer's gradients with every array's shape.

A derivative is checked the way the notebook teaches it: nudge one number by a tiny h
each way, recompute, and divide the change by 2h. ``nudged_gradient`` does that for
every entry of an array in turn, so a rule such as dW = Xᵀ dZ can be held against it.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .figures import PALETTE, TINTS, num, set_alt


def nudged_gradient(fn: Callable[[np.ndarray], float], array, h: float = 1e-6) -> np.ndarray:
    """The slope of ``fn`` with respect to each entry of ``array``, by centred finite
    differences: (fn(array + h at one entry) - fn(array - h there)) / 2h, entry by entry.
    ``array`` itself is left as it was."""
    if not callable(fn):
        raise TypeError(f"fn must be a function of one array, got {type(fn).__name__}")
    base = np.array(array, dtype=float)  # a copy: the caller's array is never nudged
    if base.size == 0:
        raise ValueError(f"array has no entries to nudge (shape {base.shape})")
    if not (isinstance(h, float | int) and h > 0):
        raise ValueError(f"h must be a small positive number, e.g. 1e-6; got {h!r}")
    slopes = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        up, down = base.copy(), base.copy()
        up[index] += h
        down[index] -= h
        slopes[index] = (float(fn(up)) - float(fn(down))) / (2 * h)
    return slopes


# -- the picture: dW = Xᵀ dZ, db = Σ dZ, dX = dZ Wᵀ with their shapes ------------------------
#: The picked-out entry's ingredients: (face colour, hatch) for each role.
_ROLES = {
    "row": (PALETTE[0], "//"),  # the row (or column) that is read
    "col": (PALETTE[1], ".."),  # the column (or row) it meets
    "out": (PALETTE[3], "xx"),  # the entry they make
    None: (TINTS["grey"], ""),
}


def _box(ax, x0, rows, cols, name, shape, role=lambda r, c: None) -> float:
    """A rows x cols grid of cells, centred in a slot wide enough for its label (left edge
    x0, top at y = 0), with its name and shape written above; returns the slot's right edge."""
    slot = max(cols, _LABEL_WIDTH)
    left = x0 + (slot - cols) / 2
    for r in range(rows):
        for c in range(cols):
            face, hatch = _ROLES[role(r, c)]
            ax.add_patch(
                Rectangle((left + c, -r - 1), 1, 1, fc=face, ec="0.3", lw=0.8, hatch=hatch)
            )
    ax.text(x0 + slot / 2, 0.25, f"{name}\n{shape}", ha="center", va="bottom", fontsize=10)
    return x0 + slot


#: The width, in cells, that a box's label "B × M = 4 × 2" needs at the figure's scale.
_LABEL_WIDTH = 4.2


def _sign(ax, x, text) -> float:
    ax.text(x + 0.5, -1.0, text, ha="center", va="center", fontsize=16)
    return x + 1.0


def _row(ax, parts, title) -> float:
    """Draw ``parts`` (boxes as tuples, signs as strings) left to right on ``ax``; returns
    the width used."""
    x, tallest = 0.0, 1
    for part in parts:
        if isinstance(part, str):
            x = _sign(ax, x, part)
        else:
            x = _box(ax, x, *part)
            tallest = max(tallest, part[0])
    ax.set_ylim(-tallest - 0.3, 1.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=11, loc="left")
    return x


def draw_gradient_shapes(batch: int, num_inputs: int, num_neurons: int, pick=(1, 0), axes=None):
    """A dense layer's gradients as labelled boxes, one cell per entry:
    dW = Xᵀ dZ, db = the sum of dZ over the batch, and dX = dZ Wᵀ, with B, N, M as given.
    ``pick`` = (i, j): the entry dW[i, j] is shown with the row of Xᵀ and the column of
    dZ it is made from (and dX[0, i] with row 0 of dZ and row i of W)."""
    B, N, M = (int(v) for v in (batch, num_inputs, num_neurons))
    if min(B, N, M) < 1 or max(B, N, M) > 12:
        raise ValueError(
            f"draw_gradient_shapes draws one cell per entry: B, N and M must be 1 to 12, "
            f"got B={batch}, N={num_inputs}, M={num_neurons}"
        )
    i, j = pick
    if not (0 <= i < N and 0 <= j < M):
        raise ValueError(f"pick must be an entry (i, j) of the {N} x {M} dW; got {pick}")
    if axes is None:
        _, axes = plt.subplots(3, 1, figsize=(7.5, 2.2 + 0.45 * (max(B, N) + 2 * M)))
    dw, db, dx = axes
    widths = []
    widths.append(
        _row(
            dw,
            [
                (
                    N,
                    M,
                    "dW",
                    f"N × M = {N} × {M}",
                    lambda r, c: "out" if (r, c) == (i, j) else None,
                ),
                "=",
                (N, B, "Xᵀ", f"N × B = {N} × {B}", lambda r, c: "row" if r == i else None),
                "·",
                (B, M, "dZ", f"B × M = {B} × {M}", lambda r, c: "col" if c == j else None),
            ],
            f"dW = Xᵀ dZ: dW[{i}, {j}] = row {i} of Xᵀ times column {j} of dZ, a sum of B = {B} products",
        )
    )
    widths.append(
        _row(
            db,
            [
                (1, M, "db", f"M = {M}", lambda r, c: "out" if c == j else None),
                "=",
                (B, M, "dZ", f"B × M = {B} × {M}", lambda r, c: "col" if c == j else None),
            ],
            f"db = dZ summed over the batch: db[{j}] adds the B = {B} entries of column {j} of dZ",
        )
    )
    widths.append(
        _row(
            dx,
            [
                (
                    B,
                    N,
                    "dX",
                    f"B × N = {B} × {N}",
                    lambda r, c: "out" if (r, c) == (0, i) else None,
                ),
                "=",
                (B, M, "dZ", f"B × M = {B} × {M}", lambda r, c: "row" if r == 0 else None),
                "·",
                (M, N, "Wᵀ", f"M × N = {M} × {N}", lambda r, c: "col" if c == i else None),
            ],
            f"dX = dZ Wᵀ: dX[0, {i}] = row 0 of dZ times column {i} of Wᵀ, a sum of M = {M} products",
        )
    )
    for ax in axes:  # one scale for all three rows: a cell is the same size everywhere
        ax.set_xlim(-0.3, max(widths) + 0.3)
    set_alt(
        dw,
        f"Diagram of a dense layer's gradients as grids, one cell per entry, for a batch of "
        f"B = {num(B)} examples, N = {num(N)} inputs and M = {num(M)} neurons. "
        f"dW = Xᵀ dZ: Xᵀ is {N} × {B} (N × B) and dZ is {B} × {M} (B × M), so dW is "
        f"{N} × {M}, the shape of W; entry dW[{i}, {j}] is highlighted with row {i} of Xᵀ "
        f"and column {j} of dZ, whose {B} products it adds.",
    )
    set_alt(
        db,
        f"db is dZ ({B} × {M}) summed down each column: {M} entries, the shape of b; "
        f"db[{j}] adds the {B} entries of column {j}.",
    )
    set_alt(
        dx,
        f"dX = dZ Wᵀ: dZ is {B} × {M} and Wᵀ is {M} × {N}, so dX is {B} × {N}, the shape "
        f"of X; entry dX[0, {i}] is highlighted with row 0 of dZ and column {i} of Wᵀ, "
        f"whose {M} products it adds.",
    )
    dw.figure.tight_layout()
    return axes


# -- the picture: gradient descent on one weight ------------------------------------------------
def plot_descent(
    loss: Callable[[float], float], steps, title: str = "Gradient descent on one weight", ax=None
):
    """The loss L(w) as a curve over the weights the steps visited (and a margin), with each
    step of gradient descent as a point on it and an arrow to the next."""
    ws = np.asarray(steps, dtype=float)
    if ws.ndim != 1 or ws.size < 2:
        raise ValueError(f"steps must be at least two weights, one per step; got {steps!r}")
    margin = 0.5 * (ws.max() - ws.min()) or 1.0
    grid = np.linspace(ws.min() - margin, ws.max() + margin, 201)
    losses = np.array([float(loss(w)) for w in ws])
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.plot(grid, [float(loss(w)) for w in grid], color=PALETTE[0], lw=1.8, label="L(w)")
    ax.plot(ws, losses, ls="none", marker="o", color=PALETTE[3], label="the steps")
    for (w0, l0), (w1, l1) in zip(zip(ws, losses), zip(ws[1:], losses[1:])):
        ax.annotate(
            "",
            xy=(w1, l1),
            xytext=(w0, l0),
            arrowprops=dict(arrowstyle="-|>", color=PALETTE[3], lw=1.2, shrinkA=4, shrinkB=4),
        )
    ax.set(xlabel="the weight w", ylabel="the loss L(w)", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    falling = "each lower than the one before" if np.all(np.diff(losses) < 0) else "not all lower"
    set_alt(
        ax,
        f"Line chart, {title}: the loss L(w) against the weight w from {num(grid[0])} to "
        f"{num(grid[-1])}, with {len(ws)} steps of gradient descent as points joined by "
        f"arrows, {falling}: from w = {num(ws[0])} (L = {num(losses[0])}) to "
        f"w = {num(ws[-1])} (L = {num(losses[-1])}).",
    )
    return ax
