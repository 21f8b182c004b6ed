"""13 · A transformer block: its figure carries alt text written from the numbers it draws."""

import json
from pathlib import Path

from mlpops import transformer_formulas as tf
from mlpops.course import gpt as course

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "13-a-transformer-block.ipynb"


def test_the_context_figure_alt_text_states_the_crossover_and_the_plotted_range():
    contexts = [128, 256, 512]
    png, alt = course.context_growth_figure(768, 12, contexts, "title")
    assert png.startswith(b"\x89PNG")
    parts = course.context_growth(768, 12, contexts)
    assert f"T = {tf.crossover_context(768, 12):,}" in alt
    assert f"{parts['weights'][0]:,.0f}" in alt and f"{parts['attention'][-1]:,.0f}" in alt
    assert "128 to 512 tokens" in alt


def test_every_image_in_notebook_12_goes_out_with_image_png_alt_metadata():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    images = [
        o
        for c in cells
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert images
    for out in images:
        alt = out.get("metadata", {}).get("image/png", {}).get("alt", "")
        assert alt.startswith("Line chart") and any(ch.isdigit() for ch in alt)
