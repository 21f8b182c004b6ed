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
    assert "~4 physical cores" in text and "~8 to 16 float64 operations" in text
    assert all(line.startswith("~") for line in text.splitlines())  # masked whole by nbval


def test_this_machines_peak_is_positive():
    p = hardware.peak()
    assert p.cores >= 1 and p.ghz > 0 and p.high == 2 * p.low > 0


def test_blas_names_the_library_numpy_calls_and_its_threads():
    np.ones((64, 64)) @ np.ones((64, 64))  # BLAS loaded
    found = hardware.blas()
    assert found, "numpy calls a BLAS"
    assert all(b["threads"] is None or b["threads"] >= 1 for b in found)
    assert hardware.describe_blas().startswith("~")


def test_every_published_figure_has_a_source():
    for chip in hardware.PUBLISHED.values():
        assert chip.source and chip.bandwidth > 0
        assert any(v for v in (chip.fp64, chip.fp32, chip.bf16))
    for run in hardware.UTILISATION.values():
        assert run.chip in hardware.PUBLISHED and 0 < run.fraction < 1 and run.source


@pytest.mark.parametrize("key", ["parameters", "tokens", "training_flops", "n_layer"])
def test_gpt3_figures_are_positive(key):
    assert hardware.GPT3[key] > 0


def test_cache_sizes_read_the_kernels_cache_description(tmp_path):
    for i, (level, kind, size) in enumerate(
        [
            ("1", "Data", "48K"),
            ("1", "Instruction", "32K"),
            ("2", "Unified", "1024K"),
            ("3", "Unified", "32M"),
        ]
    ):
        d = tmp_path / f"index{i}"
        d.mkdir()
        (d / "level").write_text(level + "\n")
        (d / "type").write_text(kind + "\n")
        (d / "size").write_text(size + "\n")
    assert hardware.cache_sizes(str(tmp_path)) == {
        "L1 data": 48 * 1024,
        "L2": 1024 * 1024,
        "L3": 32 * 1024**2,
    }


def test_cache_sizes_fall_back_to_sysconf_then_unknown(tmp_path, monkeypatch):
    monkeypatch.setattr(hardware.os, "sysconf", lambda name: (_ for _ in ()).throw(ValueError))
    assert hardware.cache_sizes(str(tmp_path / "missing")) == dict.fromkeys(["L1 data", "L2", "L3"])
    monkeypatch.setattr(hardware, "cache_sizes", lambda: dict.fromkeys(["L1 data", "L2", "L3"]))
    assert all(line.startswith("~0 (unknown)") for line in hardware.describe_caches().splitlines())


def test_describe_caches_says_whether_the_working_set_fits(monkeypatch):
    monkeypatch.setattr(
        hardware, "cache_sizes", lambda: {"L1 data": 49152, "L2": 2**20, "L3": None}
    )
    lines = hardware.describe_caches(working_set=96 * 1024).splitlines()
    assert lines[0] == "~48 KiB L1 data cache (this machine): the working set does not fit"
    assert lines[1] == "~1 MiB L2 cache (this machine): the working set fits"
    assert hardware.format_bytes(3 * 8 * 10**6) == "22.9 MiB"


def test_blas_kernel_names_give_their_simd_width(monkeypatch):
    for kernel, lanes in [("Haswell", 4), ("SkylakeX", 8), ("Zen", 4), ("", None), ("?", None)]:
        monkeypatch.setattr(hardware, "blas", lambda k=kernel: [{"kernel": k, "threads": 2}])
        assert hardware.blas_lanes() == lanes
    cpu = Peak(cores=2, ghz=2.0, simd="AVX-512 (512-bit)", lanes=8, fma=True)
    monkeypatch.setattr(hardware, "blas", lambda: [{"kernel": "Haswell", "threads": 2}])
    assert "narrower SIMD than the CPU" in hardware.blas_width_line(cpu)
    assert "ceiling at the clock the OS reports" in hardware.blas_width_line(cpu)
    monkeypatch.setattr(hardware, "blas", lambda: [{"kernel": "SkylakeX", "threads": 2}])
    assert "full SIMD width" in hardware.blas_width_line(cpu)


def test_load_line_is_a_judged_line():
    assert hardware.load_line().startswith("~")


def test_narayanans_rate_on_the_6nd_footing_is_three_quarters_of_their_8nd_rate():
    run = hardware.UTILISATION["Narayanan et al. 2021"]
    assert run.ops_per_param_token == 8
    assert run.model_per_chip == pytest.approx(105e12)
    assert run.model_fraction == pytest.approx(105 / 312)
    palm = hardware.UTILISATION["Chowdhery et al. 2022"]
    assert palm.model_fraction == palm.fraction == pytest.approx(0.462)


def test_days_on_a_cluster_divide_a_6nd_count_by_the_6nd_rate_not_the_papers_8nd_rate():
    run = hardware.UTILISATION["Narayanan et al. 2021"]
    count = hardware.GPT3["training_flops"]
    by_their_own_count = count * 8 / 6 / (run.chips * run.per_chip) / 86400
    assert run.days(count) == pytest.approx(by_their_own_count)
    assert run.days(count) == pytest.approx(3.14e23 / (1024 * 105e12) / 86400)
    assert round(run.days(count), 1) == 33.8  # Narayanan et al. estimate 34 days
    assert count / (run.chips * run.per_chip) / 86400 < run.days(count)  # the mixed footing


def test_days_on_a_cluster_refuse_a_count_that_is_not_positive():
    run = hardware.UTILISATION["Chowdhery et al. 2022"]
    with pytest.raises(ValueError, match="count must be a positive"):
        run.days(0)
