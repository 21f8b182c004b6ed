"""The plot helpers draw the values they are given, in the course's palette, with a second
cue beside colour, and say in their alt text the same values they draw."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from mlpops.course import figures, plots

PALETTE = {c.lower() for c in figures.PALETTE}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def numbers(text: str) -> set[str]:
    return set(re.findall(r"~?-?\d[\d,]*(?:\.\d+)?(?:e[+-]\d+)?", text))


def bar_widths(ax) -> list[float]:
    return [p.get_width() for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]


def test_stacked_kinds_draws_each_count_as_a_bar_segment_and_says_it():
    rows = {
        "sigmoid": {"mul": 1800, "add": 1920, "exp": 60, "activations": 60},
        "relu": {"max": 30},
    }
    ax = plots.stacked_kinds(rows, title="t")
    segs = [(p.get_y(), p.get_x(), p.get_width()) for p in ax.patches]
    # kinds in the course's order (mul, add, max, exp); activations are not operations
    widths = [w for _, _, w in segs]
    assert widths == [1800, 0, 1920, 0, 0, 30, 60, 0]
    assert [round(x) for _, x, _ in segs] == [0, 0, 1800, 0, 3720, 0, 3720, 30]
    alt = figures.axes_alt(ax)
    assert "sigmoid: mul 1,800, add 1,920, exp 60 (total 3,780)" in alt
    assert "relu: max 30 (total 30)" in alt
    assert "activations" not in alt


def test_stacked_kinds_gives_every_kind_its_palette_colour_and_its_own_hatch():
    rows = {"r": {k: 10 for k in ("mul", "add", "div", "max", "exp", "tanh")}}
    ax = plots.stacked_kinds(rows, title="t")
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    hatches = [p.get_hatch() for p in ax.patches]
    assert set(colours) <= PALETTE
    assert len(set(colours)) == len(set(hatches)) == 6


def test_grouped_bars_draws_each_value_once_in_its_series_and_says_it():
    groups = {"forward": {"FLOPs": 1800, "MACs": 900}, "backward": {"FLOPs": 3600}}
    ax = plots.grouped_bars(groups, title="t")
    assert bar_widths(ax) == [1800, 3600, 900, 0]
    assert {to_hex(p.get_facecolor()) for p in ax.patches} <= PALETTE
    assert len({p.get_hatch() for p in ax.patches}) == 2
    alt = figures.axes_alt(ax)
    assert "forward: FLOPs 1,800, MACs 900; backward: FLOPs 3,600, MACs 0" in alt


def test_plot_counts_draws_the_points_it_is_given_with_a_marker_and_says_them():
    ax = plots.plot_counts([10, 20, 30], [200, 800, 1800], "width", "mul", "cost")
    (line,) = ax.lines
    assert list(line.get_xdata()) == [10, 20, 30]
    assert list(line.get_ydata()) == [200, 800, 1800]
    assert line.get_marker() == "o"
    assert to_hex(line.get_color()) in PALETTE
    alt = figures.axes_alt(ax)
    assert "200 at 10, 800 at 20 and 1,800 at 30" in alt


def test_a_line_added_after_a_helper_is_added_to_the_alt_text():
    ax = plots.plot_counts([10, 20], [200, 800], "w", "mul", "cost", label="counted")
    ax.plot([10, 20], [200, 800], "k:", label="2 w²")
    alt = figures.axes_alt(ax)
    assert alt.endswith("Also drawn: 2 w²: from 200 at 10 to 800 at 20.")


def test_plot_ratios_draws_each_series_with_its_own_colour_marker_and_style():
    ax = plots.plot_ratios(
        [1, 2, 4], {"a": [2.0, 1.5, 1.25], "b": [3, 2, 1]}, "B", "r", "t", guides=(2,)
    )
    a, b, guide = ax.lines
    assert list(a.get_ydata()) == [2.0, 1.5, 1.25] and list(b.get_ydata()) == [3, 2, 1]
    assert list(guide.get_ydata()) == [2, 2]
    assert a.get_marker() != b.get_marker() and a.get_linestyle() != b.get_linestyle()
    assert {to_hex(a.get_color()), to_hex(b.get_color())} <= PALETTE
    alt = figures.axes_alt(ax)
    assert "a: 2 at 1, 1.5 at 2 and 1.25 at 4; b: 3 at 1, 2 at 2 and 1 at 4" in alt
    assert "Dashed reference lines at 2." in alt


def test_plot_functions_draws_each_curve_and_says_its_values():
    z = np.linspace(-4, 4, 9)
    ax = plots.plot_functions(z, {"relu": np.maximum(z, 0), "identity": z}, title="f")
    relu, ident = ax.lines
    assert list(relu.get_ydata()) == list(np.maximum(z, 0))
    assert relu.get_linestyle() != ident.get_linestyle()
    alt = figures.axes_alt(ax)
    assert "relu: 0 at z = -4, 0 at z = 0, 4 at z = 4" in alt
    assert "identity: -4 at z = -4" in alt


def test_plot_dataset_draws_every_point_by_class_with_its_own_marker():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    y = np.array([0, 1, 1])
    ax = plots.plot_dataset(X, y)
    first, second = ax.collections
    assert first.get_offsets().tolist() == [[0.0, 1.0]]
    assert second.get_offsets().tolist() == [[1.0, 0.0], [2.0, 2.0]]
    assert first.get_paths()[0] != second.get_paths()[0]  # different markers
    assert "3 points in 2 classes (class 0: 1 and class 1: 2)" in figures.axes_alt(ax)


def test_plot_loss_curve_draws_each_epoch_and_says_first_last_and_lowest():
    ax = plots.plot_loss_curve([1.0, 0.5, 0.25, 0.3])
    (line,) = ax.lines
    assert list(line.get_xdata()) == [1, 2, 3, 4]
    assert list(line.get_ydata()) == [1.0, 0.5, 0.25, 0.3]
    alt = figures.axes_alt(ax)
    assert "from 1 at epoch 1 to 0.3 at epoch 4 (lowest 0.25 at epoch 3)" in alt


def test_plot_decision_boundary_says_the_share_of_points_in_their_region():
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [0.9, 0.1]])
    y = np.array([0, 1, 0])

    def predict(P):  # class 1 right of x1 = 0
        return np.c_[P[:, 0] < 0, P[:, 0] >= 0].astype(float)

    ax = plots.plot_decision_boundary(predict, X, y)
    assert "67% of the points lie in their own class's region" in figures.axes_alt(ax)
    assert [c.get_offsets().tolist() for c in ax.collections[-2:]] == [
        [[-1.0, 0.0], [0.9, 0.1]],
        [[1.0, 0.0]],
    ]


def test_plot_rates_draws_each_rate_and_says_it_measured():
    rates = {"scalar": 2e6, "numpy": 3e9, "GPU": 1e14}
    groups = {"scalar": "measured", "numpy": "measured", "GPU": "published"}
    ax = plots.plot_rates(rates, groups=groups, lines={"peak": 5e10})
    assert sorted(bar_widths(ax)) == [2e6, 3e9, 1e14]
    assert len({p.get_hatch() for p in ax.patches}) == 2
    alt = figures.axes_alt(ax)
    assert "scalar (measured): ~2e+06; numpy (measured): ~3e+09; GPU (published): ~1e+14" in alt
    assert "peak at ~5e+10" in alt


def test_plot_rate_curve_says_every_measured_point_with_a_tilde():
    ax = plots.plot_rate_curve([1, 2], [1e6, 2e6], "B", "t", lines={"peak": 1e9})
    assert list(ax.lines[0].get_ydata()) == [1e6, 2e6]
    assert "~1e+06 at 1 and ~2e+06 at 2" in figures.axes_alt(ax)


def test_diagrams_say_their_sizes_and_weights():
    ax = plots.draw_neuron([0.5, -0.25], 0.1, x=[1, 2])
    alt = figures.axes_alt(ax)
    assert "2 inputs (x1 = 1 and x2 = 2)" in alt and "w1 = 0.50 and w2 = -0.25" in alt
    ax = plots.draw_layer(4, 3, highlight=2)
    assert len([ln for ln in ax.lines if ln.get_linewidth() > 2]) == 4  # neuron 2's weights
    assert "4 × 3 = 12 weights" in figures.axes_alt(ax)
    W = np.arange(6, dtype=float).reshape(2, 3) - 2
    ax = plots.show_weights(W, highlight=1)
    assert np.array_equal(ax.images[0].get_array(), W)
    assert "6 weights from -2 to 3" in figures.axes_alt(ax)
    assert "Column 1 is outlined: the 2 weights neuron a1 uses, from -2 to 1" in figures.axes_alt(
        ax
    )


def test_image_helpers_show_the_pixels_and_say_their_shape_and_range():
    image = np.arange(12, dtype=float).reshape(3, 4) / 11
    left, right = plots.show_flattening(image)
    assert np.array_equal(right.images[0].get_array(), image.reshape(1, -1))
    fig = left.figure
    alt = figures.figure_alt(fig)
    assert "3 × 4 pixels, values from 0 (black) to 1 (white)" in alt
    assert "the same 12 pixels in one long row" in alt
    assert "x1 to x12 (rows, columns and inputs are numbered from 1" in alt
    assert left.get_xticks()[0] == 1 and right.get_xticks()[0] == 1  # like x_1 in the math
    assert right.get_xlim() == (0.5, 12.5)
    maps = np.stack([image, -image])[None]
    axes = plots.show_feature_maps(image[None], maps, ["a", "b"])
    assert np.array_equal(axes[0][2].images[0].get_array(), -image)
    assert "its b map, 3 × 4, values from -1 to 0." in figures.figure_alt(axes[0][0].figure)


def test_figures_drawn_without_a_helper_still_get_alt_text_from_their_data():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [5, 6, 7], label="speed")
    ax.set_title("raw")
    alt = figures.figure_alt(fig)
    assert alt.startswith("Chart: raw.") and "speed: from 5 at 0 to 7 at 2" in alt


def test_the_palette_is_matplotlibs_colour_cycle_once_plots_is_imported():
    cycle = [to_hex(c) for c in plt.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert cycle == [c.lower() for c in figures.PALETTE]


def test_every_plot_helper_writes_alt_text():
    names = [
        n
        for n in dir(plots)
        if n.startswith(("plot_", "draw_", "show_")) or n in ("stacked_kinds", "grouped_bars")
    ]
    source = open(plots.__file__).read()
    for name in names:
        body = source.split(f"def {name}(")[1].split("\ndef ")[0]
        assert "set_alt(" in body, f"plots.{name} writes no alt text"


def test_alt_text_reaches_the_png_metadata_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        ax = plots.plot_counts([1, 2], [3, 4], "x", "y", "t")
        data, md = shell.display_formatter.format(ax.figure)
        assert "image/png" in data
        assert md["image/png"]["alt"] == figures.figure_alt(ax.figure)
        assert "3 at 1 and 4 at 2" in md["image/png"]["alt"]
    finally:
        InteractiveShell.clear_instance()


def test_a_figure_drawn_by_hand_in_a_kernel_still_carries_alt_text(tmp_path):
    """In a real kernel the inline backend registers its PNG formatter when it loads;
    importing plots loads it first, so even a figure drawn without a helper has alt text."""
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nfrom mlpops.course import plots"
        ),
        nbformat.v4.new_code_cell(
            "plt.plot([1, 2], [3, 4], label='raw')\nplt.title('by hand')\nplt.show()"
        ),
    ]
    nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    (out,) = [o for o in nb.cells[1].outputs if "image/png" in o.get("data", {})]
    alt = out["metadata"]["image/png"]["alt"]
    assert alt.startswith("Chart: by hand.") and "raw: from 3 at 1 to 4 at 2" in alt


def _drawn_colours(fig) -> set[str]:
    """Every colour an artist of the figure draws with (greys and the palette's light
    tints, for outlines and fills behind text, left out)."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Annotation, Text

    tints = {c.lower() for c in figures.TINTS.values()}
    found = set()
    for ax in fig.axes:
        for a in ax.get_children():
            cs = []
            if isinstance(a, Line2D):
                cs = [a.get_color()]
            elif isinstance(a, Patch):
                cs = [a.get_facecolor(), a.get_edgecolor()]
            elif isinstance(a, Collection):
                cs = [*a.get_facecolors(), *a.get_edgecolors()]
            elif isinstance(a, Annotation) and a.arrow_patch is not None:
                cs = [a.arrow_patch.get_edgecolor(), a.get_color()]
            elif isinstance(a, Text):
                cs = [a.get_color()]
            for c in cs:
                h = to_hex(c, keep_alpha=False)
                if h[1:3] == h[3:5] == h[5:7] or h in tints:
                    continue  # a grey (or black/white), or a light tint
                found.add(h)
    return found


def _all_helpers():
    z = np.linspace(-2, 2, 5)
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    y = np.array([0, 1, 2])
    rows = {"r": {"mul": 3, "add": 2, "exp": 1, "tanh": 1, "max": 1, "div": 1}}
    return {
        "draw_neuron": lambda: plots.draw_neuron([0.5, -1.0], 0.1),
        "draw_layer": lambda: plots.draw_layer(3, 2, highlight=1),
        "plot_counts": lambda: plots.plot_counts([1, 2], [3, 4], "x", "y", "t"),
        "stacked_kinds": lambda: plots.stacked_kinds(rows, "t"),
        "plot_ratios": lambda: plots.plot_ratios([1, 2], {"a": [1, 2], "b": [2, 1]}, "x", "y", "t"),
        "plot_functions": lambda: plots.plot_functions(z, {"a": z, "b": -z, "c": z * z}, "t"),
        "plot_dataset": lambda: plots.plot_dataset(X, y),
        "plot_loss_curve": lambda: plots.plot_loss_curve([3, 2, 1]),
        "plot_decision_boundary": lambda: plots.plot_decision_boundary(
            lambda P: np.c_[P[:, 0] < 0.5, (P[:, 0] >= 0.5) & (P[:, 0] < 1.5), P[:, 0] >= 1.5], X, y
        ),
        "plot_rates": lambda: plots.plot_rates(
            {"a": 1e6, "b": 1e9}, groups={"a": "x", "b": "y"}, lines={"peak": 1e10}
        ),
        "grouped_bars": lambda: plots.grouped_bars({"r": {"a": 1, "b": 2, "c": 3}}, "t"),
        "plot_rate_curve": lambda: plots.plot_rate_curve(
            [1, 2], [1e6, 2e6], "B", "t", lines={"peak": 1e9}
        ),
    }


@pytest.mark.parametrize("name", list(_all_helpers()))
def test_every_plot_helper_draws_in_the_course_palette(name):
    ax = _all_helpers()[name]()
    fig = (ax[0] if isinstance(ax, np.ndarray | tuple | list) else ax).figure
    off = _drawn_colours(fig) - PALETTE
    assert not off, f"plots.{name} draws colours outside the palette: {sorted(off)}"
