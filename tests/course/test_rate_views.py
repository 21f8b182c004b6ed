import pytest

from mlpops.course import rate_views
from mlpops.hardware import Peak

CPU = Peak(cores=2, ghz=2.6, simd="AVX-512 (512-bit)", lanes=8, fma=True)


def test_the_blas_ceiling_uses_the_narrower_of_the_kernels_and_the_cpu():
    assert rate_views.blas_ceiling(CPU, 4) == 2 * 2.6e9 * 4 * 2 * 2
    assert rate_views.blas_ceiling(CPU, None) == CPU.high
    assert rate_views.blas_ceiling(CPU, 16) == CPU.high


def test_a_rate_above_the_blas_ceiling_is_explained_by_a_faster_clock():
    rate = 1.19 * CPU.low  # above 4 lanes x 2 x 2 units at 2.6 GHz = CPU.low
    lines = rate_views.peak_lines(rate, CPU, 4)
    assert "~60% to ~119% of the peak range" in lines
    assert "above it" in lines and "~3.09 GHz or more" in lines
    assert "4-lane kernels" in lines


def test_a_rate_below_the_ceiling_is_judged_near_or_well_below():
    assert "near it" in rate_views.peak_lines(0.8 * CPU.high, CPU, None)
    assert "well below it" in rate_views.peak_lines(0.1 * CPU.high, CPU, None)
    assert all(line.startswith("~") for line in rate_views.peak_lines(1e9, CPU, 4).splitlines())


def test_a_rate_that_is_not_positive_is_refused():
    with pytest.raises(ValueError, match="operations per second"):
        rate_views.peak_lines(0, CPU, 4)
