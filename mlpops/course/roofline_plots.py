"""The roofline picture: this machine's roof (peak and memory bandwidth) with measured points.

``plot_roofline(...)`` draws it in the course's palette and gives it, with
``figures.set_alt``, an alt text written from the same data (the roof, the ridge point, and
every point's intensity, rate and what limits it); ``plt.show()`` then displays the PNG with
that alt text as its ``image/png`` metadata, so a reader with a screen reader gets what the
picture shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..roofline import Point, attainable, limit, ridge
from . import figures

#: Marker shapes, one per series: a series is told by its shape and label, not colour alone.
MARKERS = tuple(figures.MARKERS)
#: Label offsets (points) taken in turn within a series, so neighbouring points' labels
#: (x * y and exp(x) sit close together) do not overlap: below right, above right.
LABEL_OFFSETS = ((4, -11), (4, 6))


def plot_roofline(
    series: Mapping[str, Sequence[Point]],
    peak: float,
    bandwidths: Mapping[str, float],
    title: str = "Roofline of this machine (float64, measured)",
    ax=None,
    judge: Mapping[str, str] | None = None,
    connect: Sequence[str] | None = None,
):
    """The roof ``min(peak, bandwidth x intensity)`` on log-log axes, one roof per bandwidth
    (e.g. STREAM copy and triad), and each series of measured points (a marker shape each,
    every point labelled). ``judge`` maps a series to the bandwidth its points are judged
    against in the alt text (default: the first); the ridge point of the first bandwidth and
    of every bandwidth a series is judged against is marked. ``connect`` names the series
    whose points are joined by a line, a trend (one network at growing batches); default:
    every series of more than one point. Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 5.2))
    pts = [p for ps in series.values() for p in ps]
    ridges = [ridge(peak, bw) for bw in bandwidths.values()]
    lo = min([p.intensity for p in pts] + ridges) / 4
    hi = max([p.intensity for p in pts] + ridges) * 4
    x = np.geomspace(lo, hi, 200)
    for i, (name, bw) in enumerate(bandwidths.items()):
        roof = [attainable(v, peak, bw) for v in x]
        ax.plot(x, roof, color="0.15", ls=("-", "--", ":")[i % 3], lw=1.6, label=f"roof, {name}")
    for k, name in enumerate(marked_ridges(bandwidths, judge)):
        at = ridge(peak, bandwidths[name])
        ax.axvline(at, color="0.6", lw=0.8, ls=":")
        ax.text(at, peak * 1.15 * 1.7**k, f" ridge, {name}", fontsize=8, color="0.35", va="bottom")
    for i, (name, ps) in enumerate(series.items()):
        joined = len(ps) > 1 if connect is None else name in connect
        xs, ys = [p.intensity for p in ps], [p.ops_per_second for p in ps]
        ax.plot(
            xs,
            ys,
            marker=MARKERS[i % len(MARKERS)],
            color=figures.color(i),
            ms=7,
            ls="-" if joined else "none",
            lw=1,
            label=name,
        )
        for j, p in enumerate(ps):
            ax.annotate(
                p.name,
                (p.intensity, p.ops_per_second),
                fontsize=7,
                xytext=LABEL_OFFSETS[j % len(LABEL_OFFSETS)],
                textcoords="offset points",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ymin = min([p.ops_per_second for p in pts] + [attainable(lo, peak, max(bandwidths.values()))])
    ax.set_ylim(ymin / 3, peak * 1.7 ** len(marked_ridges(bandwidths, judge)) * 2)
    ax.set_xlabel("arithmetic intensity (operations per byte, log scale)")
    ax.set_ylabel("operations per second (log scale)")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="lower right")
    figures.set_alt(ax, roofline_alt(series, peak, bandwidths, judge))
    return ax


def marked_ridges(bandwidths: Mapping[str, float], judge: Mapping[str, str] | None) -> list[str]:
    """The bandwidths whose ridge point the figure marks: the first, and every one a series
    is judged against, in the order given."""
    wanted = {next(iter(bandwidths)), *(judge or {}).values()}
    return [name for name in bandwidths if name in wanted]


def roofline_alt(
    series: Mapping[str, Sequence[Point]],
    peak: float,
    bandwidths: Mapping[str, float],
    judge: Mapping[str, str] | None = None,
) -> str:
    """Alt text for the roofline, written from its data (measured values with a leading ~);
    each series judged against ``bandwidths[judge[series]]`` (default: the first)."""
    bw_name, bw = next(iter(bandwidths.items()))
    judge = judge or {}
    parts = [
        "Roofline chart, log-log: arithmetic intensity in operations per byte across, "
        "operations per second up.",
        f"The roof rises with the memory bandwidth ({bw_name}: ~{bw / 1e9:.3g} GB/s) "
        f"until the ridge point at ~{ridge(peak, bw):.3g} operations per byte, then "
        f"stays flat at the peak, ~{peak:.3g} operations per second.",
    ]
    for name in marked_ridges(bandwidths, judge)[1:]:
        parts.append(
            f"With the {name} bandwidth (~{bandwidths[name] / 1e9:.3g} GB/s) the ridge point "
            f"is at ~{ridge(peak, bandwidths[name]):.3g} operations per byte, also marked."
        )
    for name, ps in series.items():
        by = judge.get(name, bw_name)
        each = "; ".join(
            f"{p.name} at {p.intensity:.3g} operations per byte, ~{p.ops_per_second:.3g} "
            f"operations per second (~{p.share_of_roof(peak, bandwidths[by]):.0%} of its "
            f"{by} roof, limited by {limit(p, peak, bandwidths[by])})"
            for p in ps
        )
        parts.append(f"{name}: {each}.")
    return " ".join(parts)


def show_roofline(
    series: Mapping[str, Sequence[Point]],
    peak: float,
    bandwidths: Mapping[str, float],
    title: str = "Roofline of this machine (float64, measured)",
    judge: Mapping[str, str] | None = None,
    connect: Sequence[str] | None = None,
) -> str:
    """Draw the roofline and show it (``plt.show()``: the PNG carries the alt text written
    from its data, ``figures.set_alt``); returns the alt text."""
    plot_roofline(series, peak, bandwidths, title=title, judge=judge, connect=connect)
    alt = roofline_alt(series, peak, bandwidths, judge)
    plt.show()
    return alt
