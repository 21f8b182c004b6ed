"""Notebooks 12 and 14 turn GPT-3's published count into days on Narayanan et al.'s cluster:
both must divide the 6·N·D count by the 6·N·D rate (one helper, ``Utilisation.days``), so
they print the same days."""

import json
import re
from pathlib import Path

from mlpops import hardware

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def printed(name: str) -> str:
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    return "".join(
        "".join(out.get("text", ""))
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
    )


def cluster_days(text: str, marker: str) -> float:
    lines = [line for line in text.splitlines() if marker in line]
    assert len(lines) == 1, f"expected one line with {marker!r}, got {lines}"
    return float(re.search(r"([0-9.]+) days", lines[0]).group(1))


def test_notebooks_12_and_14_print_the_same_days_for_gpt3_on_narayanans_cluster():
    twelve = cluster_days(printed("12-hardware-and-scale.ipynb"), "6·N·D operations/s per chip")
    fourteen = cluster_days(printed("14-the-answer.ipynb"), "on the same 6·N·D footing")
    run = hardware.UTILISATION["Narayanan et al. 2021"]
    assert twelve == fourteen == round(run.days(hardware.GPT3["training_flops"]), 1)


def test_both_notebooks_compute_the_days_with_the_one_helper():
    for name in ("12-hardware-and-scale.ipynb", "14-the-answer.ipynb"):
        nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
        code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        assert "run.days(" in code, name
