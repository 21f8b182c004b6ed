"""Every figure in every notebook carries alt text that says what it draws, with numbers."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def images(path):
    """(cell index, alt text or None) of every image output in the notebook."""
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            for mime in out.get("data", {}):
                if mime.startswith("image/"):
                    md = out.get("metadata", {})
                    yield i, (md.get(mime) or {}).get("alt") or md.get("alt")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_image_output_has_alt_text_naming_a_number_it_draws(path):
    bad = []
    for i, alt in images(path):
        if not alt or not alt.strip():
            bad.append(f"cell {i}: an image output with no alt text")
        elif not re.search(r"\d", alt):
            bad.append(f"cell {i}: alt text names no number: {alt!r}")
    assert not bad, f"{path.name}:\n" + "\n".join(bad)


def test_the_course_has_figures_with_alt_text():
    count = sum(1 for p in NOTEBOOKS for _, alt in images(p) if alt)
    print(f"{count} figures with alt text")
    assert count >= 20
