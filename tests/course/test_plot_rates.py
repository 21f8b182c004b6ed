"""plot_rates draws every reference line inside the axes, a range as a band."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from mlpops.course.plots import plot_rates


def test_a_peak_above_every_bar_is_drawn_inside_the_axes():
    ax = plot_rates({"loop": 1e7, "matmul": 3e10}, lines={"peak": 8e10})
    left, right = ax.get_xlim()
    assert left < 1e7 and right > 8e10
    assert [line.get_xdata()[0] for line in ax.get_lines()] == [8e10]
    plt.close(ax.figure)


def test_a_peak_range_is_a_band_between_two_lines_inside_the_axes():
    ax = plot_rates({"matmul": 3e10}, lines={"peak": (8e10, 1.6e11)})
    assert ax.get_xlim()[1] > 1.6e11
    assert sorted(line.get_xdata()[0] for line in ax.get_lines()) == [8e10, 1.6e11]
    assert "peak" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)
