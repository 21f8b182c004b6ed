"""The roofline figure: its roofs and points are the data given, and its alt text says so."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from mlpops.course import figures, roofline_plots
from mlpops.roofline import Point

PEAK, BW = 1e11, 1e10  # ridge point at 10 operations per byte
SERIES = {
    "elementwise": [Point("x * y", 1000, 24000, 3e8)],
    "network": [Point("B=1", 11490, 126248, 1e8), Point("B=256", 2467140, 4e6, 5e9)],
}


def test_roofline_draws_one_roof_per_bandwidth_and_every_point():
    ax = roofline_plots.plot_roofline(SERIES, PEAK, {"triad": BW, "copy": BW / 2})
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["roof, triad", "roof, copy"]
    assert "elementwise" in labels and "network" in labels
    roof = ax.get_lines()[0]
    x, y = roof.get_data()
    assert max(y) == PEAK and min(y) == BW * min(x)  # flat at the peak, slanted below
    assert {t.get_text() for t in ax.texts} >= {"x * y", "B=1", "B=256"}
    assert ax.get_xscale() == ax.get_yscale() == "log"
    plt.close(ax.figure)


def test_alt_text_gives_the_roof_and_every_point_from_the_data():
    alt = roofline_plots.roofline_alt(SERIES, PEAK, {"triad": BW})
    assert "ridge point at ~10 operations per byte" in alt
    assert "~1e+11 operations per second" in alt
    for name in ("x * y", "B=1", "B=256"):
        assert name in alt
    assert "x * y at 0.0417 operations per byte" in alt and "limited by memory" in alt


def test_the_figure_carries_its_alt_text_the_course_way():
    ax = roofline_plots.plot_roofline(SERIES, PEAK, {"triad": BW})
    assert figures.axes_alt(ax).startswith(roofline_plots.roofline_alt(SERIES, PEAK, {"triad": BW}))
    plt.close(ax.figure)


def test_neighbouring_labels_of_a_series_are_offset_apart():
    series = {"elementwise": [Point("x * y", 1000, 24000, 3e8), Point("exp(x)", 1000, 16000, 3e8)]}
    ax = roofline_plots.plot_roofline(series, PEAK, {"triad": BW})
    offsets = [t.xyann for t in ax.texts if t.get_text() in ("x * y", "exp(x)")]
    assert len(set(offsets)) == 2
    plt.close(ax.figure)


def test_each_series_is_judged_against_the_bandwidth_it_is_given():
    bws = {"triad": BW, "triad, in cache": 10 * BW}
    alt = roofline_plots.roofline_alt(SERIES, PEAK, bws, judge={"network": "triad, in cache"})
    assert "of its triad roof" in alt and "of its triad, in cache roof" in alt


def test_only_the_series_named_in_connect_are_joined_by_a_line():
    ax = roofline_plots.plot_roofline(
        SERIES | {"pair": SERIES["network"]}, PEAK, {"triad": BW}, connect=["network"]
    )
    styles = {line.get_label(): line.get_linestyle() for line in ax.get_lines()}
    assert styles["network"] == "-" and styles["pair"] == "None"
    plt.close(ax.figure)


def test_the_ridge_of_every_bandwidth_a_series_is_judged_against_is_marked():
    bws = {"triad": BW, "copy": BW / 2, "triad, in cache": 10 * BW}
    ax = roofline_plots.plot_roofline(SERIES, PEAK, bws, judge={"network": "triad, in cache"})
    marks = {t.get_text() for t in ax.texts if t.get_text().startswith(" ridge")}
    assert marks == {" ridge, triad", " ridge, triad, in cache"}
    verticals = [line.get_xdata()[0] for line in ax.get_lines() if line.get_label().startswith("_")]
    assert sorted(verticals) == [PEAK / (10 * BW), PEAK / BW]  # ridge = peak / bandwidth
    alt = roofline_plots.roofline_alt(SERIES, PEAK, bws, judge={"network": "triad, in cache"})
    assert "With the triad, in cache bandwidth" in alt and "at ~1 operations per byte" in alt
    plt.close(ax.figure)
