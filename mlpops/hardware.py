"""This CPU as the libraries see it, its theoretical peak, and published figures for others.

Nothing here parses ``/proc`` by hand: the libraries that already know are asked.

- **physical cores** from ``psutil`` (SMT siblings share one core's FMA units, so logical
  CPUs would overstate the peak);
- the **SIMD width** from numpy's own runtime CPU-feature detection (the flags numpy
  checked before choosing its compiled loops: AVX512F, AVX2, FMA3, ASIMD ...);
- which **BLAS** numpy calls and with how many threads, from ``threadpoolctl`` (the BLAS
  may use narrower kernels than the CPU offers: OpenBLAS names the kernel family it chose);
- the **clock** from ``psutil`` (the highest the OS reports; an instantaneous or base
  clock where that is all it says).

The peak is cores x clock x (SIMD lanes x 2 for a fused multiply-add) x FMA units per
core. How many FMA units a core has is not something the CPU reports, so the peak is a
range: one unit to two units.

``PUBLISHED`` is the one table of figures the course quotes for other hardware, each with
its source; ``UTILISATION`` holds the fraction of peak that published training runs
reached; ``GPT3`` holds Brown et al.'s published figures.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

#: float64 numbers in one SIMD register, by the widest instruction set numpy found.
SIMD_FLOAT64_LANES = (
    ("AVX512F", 8, "AVX-512 (512-bit)"),
    ("AVX2", 4, "AVX2 (256-bit)"),
    ("AVX", 4, "AVX (256-bit)"),
    ("SVE", 2, "SVE (at least 128-bit)"),
    ("ASIMD", 2, "NEON/ASIMD (128-bit)"),
    ("NEON", 2, "NEON (128-bit)"),
    ("VSX", 2, "VSX (128-bit)"),
    ("SSE2", 2, "SSE2 (128-bit)"),
)
#: fused multiply-add flags: a multiply and an add in one instruction
FMA_FLAGS = ("FMA3", "FMA4", "AVX512F", "ASIMD", "NEON_VFPV4", "VSX")


def cpu_features() -> dict[str, bool]:
    """The CPU features numpy detected at import (its runtime dispatch table)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__
    return dict(__cpu_features__)


def simd() -> tuple[str, int, bool]:
    """(instruction set, float64 lanes per register, has FMA), from numpy's detection."""
    found = cpu_features()
    fma = any(found.get(flag) for flag in FMA_FLAGS)
    for flag, lanes, name in SIMD_FLOAT64_LANES:
        if found.get(flag):
            return name, lanes, fma
    return "scalar (no SIMD found)", 1, fma


def physical_cores() -> int:
    """Physical cores this process may use: psutil's physical count, at most the CPUs the
    scheduler allows (a container limited to 2 CPUs on a 64-core host has 2). Without
    psutil (Pyodide in JupyterLite has none) it falls back to the logical count."""
    try:
        import psutil
    except ImportError:
        return logical_cpus()
    physical = psutil.cpu_count(logical=False) or psutil.cpu_count() or 1
    try:
        allowed = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        allowed = physical
    logical = psutil.cpu_count() or physical
    per_core = max(1, logical // physical)  # SMT threads per core
    return max(1, min(physical, math.ceil(allowed / per_core)))


def logical_cpus() -> int:
    """Logical CPUs this process may use (SMT siblings counted separately)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def clock_ghz() -> float | None:
    """The highest clock psutil reports, in GHz (None where the OS does not say, or where
    psutil is missing, as in JupyterLite's Pyodide)."""
    try:
        import psutil
    except ImportError:
        return None
    try:
        freq = psutil.cpu_freq()
    except (NotImplementedError, OSError, RuntimeError):
        return None
    if freq is None:
        return None
    mhz = max(freq.max or 0.0, freq.current or 0.0)
    return mhz / 1000 if mhz > 0 else None


def blas() -> list[dict]:
    """The BLAS libraries numpy has loaded: name, version, threads, kernel family."""
    from threadpoolctl import threadpool_info

    return [
        {
            "library": info.get("internal_api", "?"),
            "version": info.get("version") or "?",
            "threads": info.get("num_threads"),
            "kernel": info.get("architecture") or "",
        }
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]


#: float64 lanes of the SIMD registers each OpenBLAS kernel family is written for
#: (threadpoolctl reports the family as "architecture"; OpenBLAS names them after CPUs).
BLAS_KERNEL_LANES = {
    "skylakex": 8,
    "cooperlake": 8,
    "sapphirerapids": 8,  # AVX-512
    "haswell": 4,
    "zen": 4,
    "sandybridge": 4,
    "excavator": 4,  # AVX2 / AVX (256-bit)
    "nehalem": 2,
    "core2": 2,
    "penryn": 2,
    "prescott": 2,
    "atom": 2,
    "barcelona": 2,
    "armv8": 2,
    "neoversen1": 2,
    "neoversen2": 2,
    "neoversev1": 2,
    "cortexa57": 2,
    "cortexa72": 2,
    "thunderx2t99": 2,
    "vortex": 2,
    "power9": 2,
    "power10": 2,
}


def blas_lanes() -> int | None:
    """float64 lanes of the kernels the first BLAS uses, from its kernel family's name
    (None where the BLAS does not say, e.g. MKL, or the name is not in the table)."""
    for b in blas():
        lanes = BLAS_KERNEL_LANES.get(b["kernel"].lower().replace("_", "").replace("-", ""))
        if lanes:
            return lanes
    return None


def blas_width_line(cpu: Peak | None = None) -> str:
    """A judged line comparing the BLAS kernels' SIMD width with the CPU's widest."""
    cpu = cpu or peak()
    lanes, kernel = blas_lanes(), ", ".join(b["kernel"] for b in blas() if b["kernel"])
    if lanes is None:
        return f"~{cpu.lanes} float64 lanes on this CPU; the BLAS does not name its kernels"
    if lanes < cpu.lanes:
        return (
            f"~{lanes} float64 lanes in the BLAS's {kernel} kernels, {cpu.lanes} on this CPU: "
            "the BLAS uses narrower SIMD than the CPU offers, so the low end of the peak "
            "range (or below it) is this BLAS's ceiling at the clock the OS reports"
        )
    return f"~{lanes} float64 lanes in the BLAS's {kernel} kernels: the CPU's full SIMD width"


def load_line() -> str:
    """A judged line: the load average (processes ready to run, over the last minute)
    against the logical CPUs, i.e. whether other programs were competing for the cores."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return "~0 (unknown): the load average, not reported on this machine"
    cpus = logical_cpus()
    words = (
        "busy: other programs compete for the cores, so times come out slower and noisier"
        if load > cpus
        else "not overloaded"
    )
    return f"~{load:.3g} load average (last minute) on {cpus} logical CPUs: {words}"


_CACHE_NAMES = {("1", "Data"): "L1 data", ("2", "Unified"): "L2", ("3", "Unified"): "L3"}
_SYSCONF_CACHES = {
    "L1 data": "SC_LEVEL1_DCACHE_SIZE",
    "L2": "SC_LEVEL2_CACHE_SIZE",
    "L3": "SC_LEVEL3_CACHE_SIZE",
}


def cache_sizes(root: str = "/sys/devices/system/cpu/cpu0/cache") -> dict[str, int | None]:
    """This machine's cache sizes in bytes (L1 data, L2, L3), from the kernel's
    ``/sys`` cache description, else ``os.sysconf``; None for a size neither reports."""
    sizes: dict[str, int | None] = dict.fromkeys(_SYSCONF_CACHES)
    try:
        for entry in sorted(os.listdir(root)):
            if not entry.startswith("index"):
                continue

            def read(name: str, entry: str = entry) -> str:
                with open(os.path.join(root, entry, name)) as f:
                    return f.read().strip()

            key = _CACHE_NAMES.get((read("level"), read("type")))
            text = read("size").upper()
            if key and text:
                unit = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1], 1)
                sizes[key] = int(text.rstrip("KMG")) * unit
    except (OSError, ValueError):
        pass
    for key, name in _SYSCONF_CACHES.items():
        if sizes[key] is None:
            try:
                value = os.sysconf(name)
            except (ValueError, OSError, AttributeError):
                value = 0
            sizes[key] = value if value and value > 0 else None
    return sizes


def format_bytes(n: float) -> str:
    """Bytes in KiB below one MiB, else in MiB: '96 KiB', '1 MiB', '22.9 MiB'."""
    return f"{n / 1024**2:,.3g} MiB" if n >= 1024**2 else f"{n / 1024:,.3g} KiB"


def describe_caches(working_set: int | None = None) -> str:
    """One line per cache, each starting with ``~`` (machine facts, masked by the
    notebooks' sanitize file); with ``working_set`` bytes, whether it fits in each."""
    lines = []
    for name, size in cache_sizes().items():
        if size is None:
            lines.append(f"~0 (unknown): the {name} cache size, not reported on this machine")
            continue
        fit = ""
        if working_set is not None:
            fit = (
                ": the working set fits"
                if working_set <= size
                else ": the working set does not fit"
            )
        lines.append(f"~{format_bytes(size)} {name} cache (this machine){fit}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Peak:
    """This CPU's theoretical float64 peak, as a range over 1 or 2 FMA units per core."""

    cores: int
    ghz: float
    simd: str
    lanes: int  # float64 numbers per SIMD register
    fma: bool
    ghz_known: bool = True

    def per_cycle(self, units: int) -> int:
        """float64 operations per core per cycle with ``units`` FMA (or mul+add) units."""
        return self.lanes * 2 * units

    @property
    def low(self) -> float:
        """float64 operations/s with one FMA unit per core."""
        return self.cores * self.ghz * 1e9 * self.per_cycle(1)

    @property
    def high(self) -> float:
        """float64 operations/s with two FMA units per core."""
        return self.cores * self.ghz * 1e9 * self.per_cycle(2)

    def float32(self) -> tuple[float, float]:
        """float32 fits twice as many numbers per register: the range doubled."""
        return 2 * self.low, 2 * self.high

    def explain(self) -> str:
        """One line per figure. Each depends on the machine, so each starts with ``~`` and
        its value (the notebooks' sanitize file masks such a line whole)."""
        clock = "the OS's figure, turbo may be higher" if self.ghz_known else "assumed"
        fma = "fused multiply-add" if self.fma else "no FMA: a multiply and an add"
        return "\n".join(
            [
                f"~{self.cores} physical cores (psutil)",
                f"~{self.ghz:.2f} GHz clock (psutil: {clock})",
                f"~{self.lanes} float64 numbers per SIMD register: {self.simd}, {fma} "
                "(numpy's CPU-feature detection)",
                f"~{self.per_cycle(1)} to {self.per_cycle(2)} float64 operations per core per "
                f"cycle: {self.lanes} lanes x 2 (multiply and add) x 1 or 2 FMA units",
                f"~{self.low:.3g} to ~{self.high:.3g} float64 operations/s: the theoretical peak",
            ]
        )


def describe_blas() -> str:
    """One line per BLAS numpy calls, each starting with ``~`` and its thread count."""
    return (
        "\n".join(
            f"~{b['threads']} BLAS threads: {b['library']} {b['version']}"
            + (f", kernels for {b['kernel']}" if b["kernel"] else "")
            + " (threadpoolctl)"
            for b in blas()
        )
        or "~0 BLAS libraries found by threadpoolctl"
    )


def peak(default_ghz: float = 3.0) -> Peak:
    """This CPU's theoretical float64 peak range (``default_ghz`` where no clock is shown)."""
    name, lanes, fma = simd()
    ghz = clock_ghz()
    return Peak(
        cores=physical_cores(),
        ghz=ghz or default_ghz,
        simd=name,
        lanes=lanes,
        fma=fma,
        ghz_known=ghz is not None,
    )


# -- published figures ----------------------------------------------------------------
@dataclass(frozen=True)
class Chip:
    """Published peak rates (dense, operations/s) and memory bandwidth (bytes/s)."""

    name: str
    fp64: float | None
    fp32: float | None
    bf16: float | None
    bandwidth: float  # bytes/s, main memory (HBM for GPUs, DRAM per socket for a CPU)
    source: str


PUBLISHED = {
    "AMD EPYC 9654": Chip(
        "AMD EPYC 9654 (96 cores, one socket)",
        fp64=96 * 2.4e9 * 16,
        fp32=96 * 2.4e9 * 32,
        bf16=None,
        bandwidth=460.8e9,
        source=(
            "AMD EPYC 9654 product page (96 cores, 2.4 GHz base, 12 channels DDR5-4800: "
            "460.8 GB/s per socket); peak derived as cores x base clock x 16 float64 "
            "(32 float32) operations per cycle, two 256-bit FMA pipes per Zen 4 core "
            "(AMD does not publish a FLOP/s figure)"
        ),
    ),
    "NVIDIA A100": Chip(
        "NVIDIA A100 SXM 80GB",
        fp64=19.5e12,
        fp32=19.5e12,
        bf16=312e12,
        bandwidth=2039e9,
        source=(
            "NVIDIA A100 Tensor Core GPU datasheet: fp64 here is FP64 Tensor Core 19.5 "
            "TFLOPS (FP64 without tensor cores: 9.7); fp32 is FP32 19.5 TFLOPS without "
            "tensor cores (TF32 Tensor Core: 156 dense, 312 with sparsity); BF16 Tensor "
            "Core 312 TFLOPS dense; 2,039 GB/s"
        ),
    ),
    "NVIDIA H100": Chip(
        "NVIDIA H100 SXM",
        fp64=67e12,
        fp32=67e12,
        bf16=989e12,
        bandwidth=3.35e12,
        source=(
            "NVIDIA H100 Tensor Core GPU datasheet (SXM): fp64 here is FP64 Tensor Core 67 "
            "TFLOPS (FP64 without tensor cores: 34); fp32 is FP32 67 TFLOPS without tensor "
            "cores (TF32 Tensor Core: 989 with sparsity, half that dense); BF16 Tensor Core "
            "989 TFLOPS dense (1,979 with sparsity); 3.35 TB/s"
        ),
    ),
    "Google TPU v4": Chip(
        "Google TPU v4 chip",
        fp64=None,
        fp32=None,
        bf16=275e12,
        bandwidth=1200e9,
        source=(
            "Jouppi et al. 2023, TPU v4: An Optically Reconfigurable Supercomputer for "
            "Machine Learning, ISCA 2023: 275 TFLOPS bf16, 1,200 GB/s HBM"
        ),
    ),
}


@dataclass(frozen=True)
class Utilisation:
    """The fraction of peak a published large training run reached."""

    run: str
    chips: int
    chip: str  # key in PUBLISHED
    per_chip: float  # operations/s per chip, as the paper reports
    fraction: float  # of the chip's bf16 peak, by the paper's own count
    counted: str  # what the paper's operation count includes
    source: str
    ops_per_param_token: int = 6  # the paper's count per parameter per token (8: recomputation)

    @property
    def model_per_chip(self) -> float:
        """Operations/s per chip by the 6·N·D count (model FLOPs): the paper's rate
        scaled by 6 / its own operations per parameter per token."""
        return self.per_chip * 6 / self.ops_per_param_token

    @property
    def model_fraction(self) -> float:
        """Model FLOPs utilisation (MFU): the 6·N·D-based rate over the bf16 peak."""
        return self.fraction * 6 / self.ops_per_param_token

    def days(self, count: float) -> float:
        """Days this run's whole cluster takes for ``count`` operations counted by 6·N·D
        (e.g. Brown et al.'s GPT-3 total), at its rate on the same footing:
        ``count / (chips * model_per_chip)``. One footing for both, never a 6·N·D count over
        an 8·N·D rate."""
        if not count > 0:
            raise ValueError(f"count must be a positive number of operations, got {count!r}")
        return count / (self.chips * self.model_per_chip) / (24 * 60 * 60)


UTILISATION = {
    "Narayanan et al. 2021": Utilisation(
        run="GPT-3 175B, 1,024 A100 GPUs",
        chips=1024,
        chip="NVIDIA A100",
        per_chip=140e12,
        fraction=140e12 / 312e12,
        counted="8 operations per parameter per token: their count includes recomputing "
        "the forward pass (activation recomputation), 6 without it",
        ops_per_param_token=8,
        source=(
            "Narayanan et al. 2021, Efficient Large-Scale Language Model Training on GPU "
            "Clusters Using Megatron-LM, SC21 (arXiv:2104.04473), section 5.1: 140 "
            "teraFLOP/s per GPU, an estimated 34 days for 300 billion tokens"
        ),
    ),
    "Chowdhery et al. 2022": Utilisation(
        run="PaLM 540B, 6,144 TPU v4 chips",
        chips=6144,
        chip="Google TPU v4",
        per_chip=0.462 * 275e12,
        fraction=0.462,
        counted="model FLOPs utilisation (MFU): 6 per parameter per token plus attention, "
        "recomputation not counted",
        source=(
            "Chowdhery et al. 2022, PaLM: Scaling Language Modeling with Pathways, "
            "arXiv:2204.02311, Table 3: 46.2% MFU (GPT-3 on V100s: 21.3%)"
        ),
    ),
}

#: GPT-3 as published (Brown et al. 2020, arXiv:2005.14165, Table 2.1 and Table D.1).
GPT3 = {
    "parameters": 175e9,
    "tokens": 300e9,
    "training_flops": 3.14e23,
    "n_layer": 96,
    "d_model": 12288,
    "n_ctx": 2048,
}
GPT3_SOURCE = (
    "Brown et al. 2020, Language Models are Few-Shot Learners, arXiv:2005.14165: Table 2.1 "
    "(layers, width, context) and Table D.1 (3.14e+23 training FLOPs, computed as 6·N·D, "
    "attention left out, Appendix D)"
)
KAPLAN_SOURCE = (
    "Kaplan et al. 2020, Scaling Laws for Neural Language Models, arXiv:2001.08361, "
    "Table 1: C_forward = 2N + 2·n_layer·n_ctx·d_model per token, training three times that"
)
