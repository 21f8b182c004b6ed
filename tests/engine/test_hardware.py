"""mlpops.hardware: this CPU as numpy, psutil and threadpoolctl see it; published figures."""

import numpy as np
import psutil
import pytest

from mlpops import hardware
from mlpops.hardware import Peak


def test_simd_width_comes_from_numpys_own_feature_detection(monkeypatch):
    monkeypatch.setattr(hardware, "cpu_features", lambda: {"AVX2": True, "FMA3": True})
    assert hardware.simd() == ("AVX2 (256-bit)", 4, True)
    monkeypatch.setattr(hardware, "cpu_features", lambda: {"AVX512F": True, "AVX2": True})
    assert hardware.simd()[:2] == ("AVX-512 (512-bit)", 8)
    monkeypatch.setattr(hardware, "cpu_features", lambda: {"SSE2": True})
    assert hardware.simd() == ("SSE2 (128-bit)", 2, False)


def test_this_machines_features_are_numpys():
    found = hardware.cpu_features()
    assert found and all(isinstance(v, bool) for v in found.values())
    assert hardware.simd()[1] in (1, 2, 4, 8)


def test_physical_cores_never_exceed_psutils_physical_count_or_the_allowed_cpus():
    cores = hardware.physical_cores()
    assert 1 <= cores <= (psutil.cpu_count(logical=False) or psutil.cpu_count())
    assert cores <= hardware.logical_cpus()


def test_peak_is_a_range_over_one_or_two_fma_units():
    p = Peak(cores=4, ghz=2.5, simd="AVX2 (256-bit)", lanes=4, fma=True)
    assert p.per_cycle(1) == 8 and p.per_cycle(2) == 16
    assert p.low == 4 * 2.5e9 * 8
    assert p.high == 2 * p.low
    assert p.float32() == (2 * p.low, 2 * p.high)
    text = p.explain()
    assert "physical cores: 4" in text and "8 to 16 float64 operations" in text


def test_this_machines_peak_is_positive():
    p = hardware.peak()
    assert p.cores >= 1 and p.ghz > 0 and p.high == 2 * p.low > 0


def test_blas_names_the_library_numpy_calls_and_its_threads():
    np.ones((64, 64)) @ np.ones((64, 64))  # BLAS loaded
    found = hardware.blas()
    assert found, "numpy calls a BLAS"
    assert all(b["threads"] is None or b["threads"] >= 1 for b in found)


def test_every_published_figure_has_a_source():
    for chip in hardware.PUBLISHED.values():
        assert chip.source and chip.bandwidth > 0
        assert any(v for v in (chip.fp64, chip.fp32, chip.bf16))
    for run in hardware.UTILISATION.values():
        assert run.chip in hardware.PUBLISHED and 0 < run.fraction < 1 and run.source


@pytest.mark.parametrize("key", ["parameters", "tokens", "training_flops", "n_layer"])
def test_gpt3_figures_are_positive(key):
    assert hardware.GPT3[key] > 0
