"""The sanitize file masks a measured value whatever its magnitude, and nothing around it.

nbval compares outputs after applying ``notebooks/sanitize.cfg``; a pattern that masks
``~0.00516,`` but not ``~5.64e-05,`` makes the test pass or fail by the machine's speed.
These tests read the file with nbval's own parser and format values the way the course
does at magnitudes twelve orders apart.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

from mlpops import timing, widgets

CFG = Path(__file__).resolve().parents[2] / "notebooks" / "sanitize.cfg"
PATTERNS = get_sanitize_patterns(CFG.read_text(encoding="utf-8"))
MAGNITUDES = [10.0**k * m for k in range(-12, 13) for m in (1.0, 3.7, 9.99)]
SPECS = [".3g", ".2g", ".1f", ".2f", ",.0f", ".2e", ".0%", ".1%", ",", ""]


def sanitize(text: str) -> str:
    for regex, replace in PATTERNS:
        text = re.sub(regex, replace, text)
    return text


def test_sanitize_file_has_the_measured_pattern():
    assert any(replace == "~MEASURED" for _, replace in PATTERNS)


@pytest.mark.parametrize("spec", SPECS)
def test_measured_number_masked_in_every_notation_keeping_punctuation(spec):
    for value in MAGNITUDES:
        for tail in (",", ", slowest", ")", "; next", ".", " operations/s", " faster"):
            text = f"median ~{value:{spec}}{tail}"
            assert sanitize(text) == f"median ~MEASURED{tail}", text


@pytest.mark.parametrize("unit", ["ns", "µs", "ms", "s", "min", "h", "days", "years", "GiB"])
def test_unit_chosen_by_magnitude_is_masked_with_the_number(unit):
    assert sanitize(f"takes ~3.2 {unit}, then") == "takes ~MEASURED, then"


def test_words_that_start_like_units_are_kept():
    assert sanitize("in ~3.2 seconds") == "in ~MEASURED"
    assert sanitize("in ~3.2 sizes") == "in ~MEASURED sizes"
    assert sanitize("in ~3.2 multiplications") == "in ~MEASURED multiplications"


def test_exact_counts_without_tilde_are_not_masked():
    assert sanitize("1,800 multiplications, 3.5e+06 adds") == "1,800 multiplications, 3.5e+06 adds"


def fake_rate(seconds: float) -> timing.Rate:
    return timing.Rate("numpy-mlp", 7_680, (seconds, seconds * 1.1, seconds * 0.9), 10, 1)


def test_rate_printouts_sanitize_alike_at_every_magnitude():
    first = fake_rate(MAGNITUDES[0])
    for seconds in MAGNITUDES:
        rate = fake_rate(seconds)
        assert sanitize(str(rate)) == sanitize(str(first))
        assert sanitize(rate.explain()) == sanitize(first.explain())


def test_human_seconds_sanitize_alike_at_every_magnitude():
    assert {sanitize("time: " + widgets.human_seconds(s)) for s in MAGNITUDES} == {
        "time: ~MEASURED"
    }
    # at the start of a line, a measured value opens a judged line: masked whole
    assert {sanitize(widgets.human_seconds(s) + " here") for s in MAGNITUDES} == {"~JUDGED"}


@pytest.mark.parametrize("value", [MAGNITUDES[0], 0.00516, 9.2, 5.64e-05, 1.2e05, MAGNITUDES[-1]])
def test_a_judged_line_is_masked_whole_whatever_its_words(value):
    for words in ("seconds, not minutes", "faster than predicted", "memory-bound here"):
        for spec in (".3g", ".0%", ".2g"):
            text = f"before\n~{value:{spec}} s with numpy: {words}\nafter ~{value:{spec}}, kept"
            assert sanitize(text) == "before\n~JUDGED\nafter ~MEASURED, kept", text


def test_a_tilde_inside_a_line_masks_only_the_value():
    assert sanitize("numpy: ~9.2 s, seconds") == "numpy: ~MEASURED, seconds"
    assert sanitize("  ~9.2 s indented") == "  ~MEASURED indented"


def test_judged_lines_printed_at_different_speeds_sanitize_alike():
    lines = {f"~{s:.3g} s for 10 epochs: {'seconds' if s < 60 else 'minutes'}" for s in MAGNITUDES}
    assert len(lines) > 1 and {sanitize(line) for line in lines} == {"~JUDGED"}


def test_only_the_version_of_torch_is_masked():
    line = "torch 2.13.0+cpu FlopCounterMode: 288,000; mlpops' reproduction of its rule: 288,000"
    assert sanitize(line) == line.replace("2.13.0+cpu", "VERSION")
    assert sanitize("torch 2.5.1 FlopCounterMode") == "torch VERSION FlopCounterMode"
