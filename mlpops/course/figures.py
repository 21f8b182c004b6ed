"""The course's figures, readable by every learner: one colour-blind-safe palette, set
once, and alternative text generated from the data each figure draws.

Palette: Okabe & Ito's eight colours ("Color Universal Design", 2008), distinguishable
with every common colour-vision deficiency. Nothing is told by colour alone: the plot
helpers also give each series its own marker, line style or hatch, and label it.

Alt text: each helper in ``mlpops.course.plots`` writes a sentence of what its axes show,
with the values it drew (``set_alt``). When IPython displays a matplotlib figure (the
inline backend's ``plt.show()``, or ``display(fig)``), the PNG goes out with
``{"image/png": {"alt": ...}}`` metadata — the convention nbconvert (and so the course
site) turns into ``<img alt=...>``. Axes drawn without a helper get a description read
from their artists (title, axis labels and ranges, each labelled line), never none.
"""

from __future__ import annotations

import functools
import weakref

import matplotlib as mpl
import numpy as np
from cycler import cycler

#: Okabe-Ito, in the order the course uses them (the strongest contrasts first).
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
]
#: Light tints for fills behind text (neuron bodies ...): the same hues, contrast kept.
TINTS = {"blue": "#D6E9F5", "orange": "#FCEBC8", "grey": "#F2F2F2"}
#: A second cue beside colour, taken in the same order as PALETTE.
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
HATCHES = ["", "//", "..", "xx", "\\\\", "--", "oo", "++"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), "-", "--"]
#: Diverging colour map for signed values (weights, feature maps): ColorBrewer's RdBu,
#: listed colour-blind safe; a colour bar always gives the values.
DIVERGING = "RdBu_r"
#: Colours that are not series (grids, guides, edges): greys, allowed beside the palette.
GREYS = ("0.2", "0.3", "0.5", "0.75", "k", "white")

_ALT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # axes -> (text, artists)


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def marker(i: int) -> str:
    return MARKERS[i % len(MARKERS)]


def hatch(i: int) -> str:
    return HATCHES[i % len(HATCHES)]


def use_palette() -> None:
    """Make the palette matplotlib's colour cycle and give every figure displayed in
    IPython its alt text (done once, when plots is imported)."""
    mpl.rcParams["axes.prop_cycle"] = cycler(color=PALETTE)
    mpl.rcParams["hatch.linewidth"] = 0.8
    # Load the backend now: the inline backend registers its PNG formatter when it loads,
    # which would otherwise replace ours at the first figure a notebook draws by hand.
    import matplotlib.pyplot as plt

    try:
        plt._get_backend_mod()  # private, but the one call that loads it without a figure
    except Exception:  # pragma: no cover - the helpers install the formatter again anyway
        pass
    install_alt_formatter()


# -- numbers in words ----------------------------------------------------------------------
def num(v: float, measured: bool = False) -> str:
    """A value as a reader would say it: integers with thousands separators, others to
    three significant figures; ``measured`` values carry a leading ``~``."""
    v = float(v)
    if v == int(v) and abs(v) < 1e15 and not measured:
        text = f"{int(v):,}"
    elif abs(v) >= 1e5 or (0 < abs(v) < 1e-3):
        text = f"{v:.3g}"
    else:
        text = f"{v:,.3g}" if abs(v) >= 1000 else f"{v:.3g}"
    return f"~{text}" if measured else text


def listing(items: list[str], limit: int = 12) -> str:
    """'a, b and c'; past ``limit`` the first few, '...' and the last two."""
    if len(items) > limit:
        items = [*items[: limit - 3], "...", *items[-2:]]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plain(label: str) -> str:
    """A matplotlib label without its mathtext dollars and backslashes."""
    return label.replace("$", "").replace("\\,", " ").replace("\\", "").strip()


# -- alt text ------------------------------------------------------------------------------
def set_alt(ax, text: str) -> None:
    """The sentence that says what ``ax`` shows; lines drawn on it later are added to it."""
    _ALT[ax] = (text.strip(), {id(a) for a in ax.lines}, ax.get_title())
    install_alt_formatter()


def axes_alt(ax) -> str:
    """What ``ax`` shows: its helper's sentence, else a description read from its artists."""
    if ax in _ALT:
        text, known, title = _ALT[ax]
        if ax.get_title() and ax.get_title() != title:  # a title set after the helper
            text = f"{plain(ax.get_title())}. {text}"
        extra = [ln for ln in ax.lines if id(ln) not in known]
        more = _describe_lines(ax, extra)
        return f"{text} Also drawn: {more}." if more else text
    return describe_axes(ax)


def figure_alt(fig) -> str:
    """The alt text of a whole figure: each of its axes' text, in order."""
    parts = []
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>" or getattr(ax, "_colorbar", None) is not None:
            continue
        text = axes_alt(ax)
        if text:
            parts.append(text)
    return " ".join(parts)


def _describe_lines(ax, lines) -> str:
    out = []
    for ln in lines:
        label = ln.get_label()
        y = np.asarray(ln.get_ydata(), dtype=float)
        x = np.asarray(ln.get_xdata(), dtype=float)
        if y.size == 0 or label.startswith("_"):
            continue
        out.append(
            f"{plain(label)}: from {num(y[0])} at {num(x[0])} to {num(y[-1])} at {num(x[-1])}"
        )
    return "; ".join(out)


def describe_axes(ax) -> str:
    """A description of axes drawn without a course helper, from what is on them."""
    title = plain(ax.get_title())
    has_data = ax.lines or ax.patches or ax.images or ax.collections
    if not has_data and not title:
        return ""
    parts = [f"Chart: {title}." if title else "Chart."]
    xl, yl = plain(ax.get_xlabel()), plain(ax.get_ylabel())
    if ax.lines or ax.collections:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        parts.append(
            f"x axis {xl or 'x'} from {num(x0)} to {num(x1)}, "
            f"y axis {yl or 'y'} from {num(y0)} to {num(y1)}."
        )
    lines = _describe_lines(ax, ax.lines)
    if lines:
        parts.append(f"Lines: {lines}.")
    for im in ax.images:
        a = np.asarray(im.get_array(), dtype=float)
        parts.append(f"Image {a.shape[0]} × {a.shape[1]}, values {num(a.min())} to {num(a.max())}.")
    return " ".join(parts)


# -- the IPython side: the PNG goes out with its alt ----------------------------------------
def _png_with_alt(fig, base):
    data = base(fig)
    alt = figure_alt(fig)
    return (data, {"alt": alt}) if alt and data is not None else data


def install_alt_formatter() -> bool:
    """Wrap IPython's PNG formatter for figures so each PNG carries its alt text.

    Called by every plot helper (the inline backend may register its own formatter after
    this module is imported, so it is checked again each time); a no-op outside IPython."""
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - IPython ships with the course
        return False
    ip = get_ipython()
    if ip is None:
        return False
    png = ip.display_formatter.formatters["image/png"]
    try:
        current = png.lookup_by_type(Figure)
    except KeyError:
        from IPython.core.pylabtools import print_figure

        current = functools.partial(print_figure, fmt="png", base64=True, bbox_inches="tight")
    if getattr(current, "func", None) is _png_with_alt:
        return True
    png.for_type(Figure, functools.partial(_png_with_alt, base=current))
    return True
