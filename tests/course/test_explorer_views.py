"""Explorers that say something when read without a kernel (GitHub, nbviewer, a screen
reader): every explorer leaves a static HTML view of its first state beside the widget
view, in readable contrast, and the notebooks keep the widget state that viewers need."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlpops import formulas, widgets
from mlpops.course.explorers import estimator

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
EXPLORERS = ("architecture_explorer(", "op_stepper(", "predict_then_reveal(", "time_estimator(")
FAKE_RATES = {"pure Python": 1e7, "scalar engine": 1e6, "numpy": 1e9}


def _luminance(color: str) -> float:
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(c * 2 for c in color)
    channels = [int(color[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


MARKER = r"<span style='color:(#[0-9a-fA-F]{3,6})'>■</span>"


def text_colors(html: str) -> set[str]:
    """Colours given to text: CSS ``color:`` and SVG ``<text fill=...>`` (not the ■
    markers beside a phase's name: graphics, see ``marker_colors``)."""
    html = re.sub(MARKER, "", html)
    css = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", html))
    svg = set(re.findall(r"<text[^>]*fill='(#[0-9a-fA-F]{3,6})'", html))
    return css | svg


def marker_colors(html: str) -> set[str]:
    """Colours of the phase markers and bars: graphics, 3:1 in WCAG (1.4.11)."""
    return set(re.findall(MARKER, html)) | set(re.findall(r"background:(#[0-9a-fA-F]{6})", html))


def static_view(box) -> str:
    bundle = box._repr_mimebundle_()
    assert WIDGET_VIEW in bundle, bundle.keys()
    return bundle["text/html"]


@pytest.fixture
def boxes(monkeypatch):
    monkeypatch.setattr(estimator, "measured_rates", lambda *a, **k: dict(FAKE_RATES))
    return {
        "architecture": widgets.architecture_explorer(),
        "stepper": widgets.op_stepper(),
        "reveal": widgets.predict_then_reveal(),
        "time": widgets.time_estimator((784, 128, 10), 600, 1),
    }


def test_every_explorer_shows_a_static_view_of_its_counts_beside_the_widget(boxes):
    html = static_view(boxes["architecture"])
    table = formulas.phase_totals(formulas.mlp((30, 30, 30)))
    total = sum(map(formulas.total, table.values()))
    assert f"data-total='{total}'" in html and "mlpops-explorer-chart" in html
    html = static_view(boxes["stepper"])
    steps = boxes["stepper"].stepper.trace["steps"]
    assert "<svg" in html and f"After all {len(steps):,} operations" in html
    html = static_view(boxes["reveal"])
    expected = sum(n for _, n in widgets.count_terms((30, 30, 30), "backward", "mul"))
    assert "<details>" in html and f"data-count='{expected}'" in html  # folded: predict first
    html = static_view(boxes["time"])
    assert f"data-ops='{widgets.training_ops((784, 128, 10), 600, 1)}'" in html


def test_static_views_and_explorer_text_meet_wcag_aa_contrast(boxes):
    for name, box in boxes.items():
        html = static_view(box)
        assert "color:#1f2328;background:#ffffff" in html
        colors = text_colors(html)
        assert colors, name
        for color in colors:
            assert contrast(color, "#ffffff") >= 4.5, (name, color)
        for color in marker_colors(html) - {"#ffffff"}:
            assert contrast(color, "#ffffff") >= 3, (name, color)
    stepped = widgets.stepper_view(widgets.stepper_steps((2, 2, 1)), 1)[0]  # a highlight
    hot = text_colors(stepped) - {"#000", "#fff"}
    assert hot and all(contrast(c, "#ffffff") >= 4.5 for c in hot)
    assert contrast("#ffffff", widgets.HIGHLIGHT) >= 4.5  # white labels on a hot node


def explorer_cells():
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        nb = json.loads(path.read_text())
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code" and any(e in "".join(cell["source"]) for e in EXPLORERS):
                yield pytest.param(path, i, id=f"{path.stem}-cell{i}")


@pytest.mark.parametrize(("path", "index"), list(explorer_cells()))
def test_explorer_cells_keep_a_static_view_and_valid_widget_state(path, index):
    nb = json.loads(path.read_text())
    outputs = nb["cells"][index]["outputs"]
    views = [o["data"][WIDGET_VIEW] for o in outputs if WIDGET_VIEW in o.get("data", {})]
    static = [o for o in outputs if {"text/html", "image/png"} & set(o.get("data", {}))]
    assert views and static, f"{path.name} cell {index}: re-execute it"
    state = nb["metadata"]["widgets"][WIDGET_STATE]
    assert {"state", "version_major", "version_minor"} <= set(state)
    assert all(v["model_id"] in state["state"] for v in views)
