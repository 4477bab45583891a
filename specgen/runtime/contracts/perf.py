"""The deployment tests' contract: what ``specgen.runtime.perf`` measures and against which limits.

Built by ``specgen.compiler.perf_plan`` with every default filled in (per
``inference.mode`` and ``training.mode``), rendered into the generated
``test_<name>_infrastructure.py`` one argument per line. Limits are inclusive:
a figure equal to its limit passes. Counts and limits here are the real gate
(``SPECGEN_PERF=gate``); the default suite scales them (``runtime.perf.Scale``).
"""
from __future__ import annotations

from dataclasses import dataclass

from .pipeline import PipelineGate, PipelineStage
from .timings import QUANTILES

__all__ = ["LatencyGate", "BatchGate", "ThroughputGate", "MemoryGate", "TrainingGate", "PipelineStage",
           "PipelineGate", "CompatibilityGate", "PerfSetup", "PERF_FIGURES", "LATENCY_FIGURES"]

#: quantile name (``timings.QUANTILES``) -> its recorded latency figure
LATENCY_FIGURES = {name: f"latency_{name}_ms" for name in QUANTILES}

#: the figures ``specgen perf record`` writes and the regression gates compare, and whether higher is better
PERF_FIGURES = {
    **dict.fromkeys(LATENCY_FIGURES.values(), False),
    "batch_rows_per_second": True, "qps": True, "training_rows_per_second": True,
}


@dataclass(frozen=True)
class LatencyGate:
    """Single-row predict latency over ``calls`` warm calls; targets in milliseconds (None: not gated)."""

    p50: float | None
    p95: float | None
    p99: float | None
    calls: int


@dataclass(frozen=True)
class BatchGate:
    """Batch predict of ``rows`` rows, ``calls`` warm calls."""

    rows: int
    calls: int
    min_rows_per_second: float | None


@dataclass(frozen=True)
class ThroughputGate:
    """``callers`` threads calling single-row predict for ``seconds``."""

    callers: int
    seconds: float
    min_qps: float | None
    url: str | None = None  # a loopback predict endpoint; None: the model's predict in process


@dataclass(frozen=True)
class MemoryGate:
    """A fresh process loads the artifact and predicts ``batches`` batches of ``rows`` rows."""

    max_mb: float
    max_growth_mb: float
    batches: int
    rows: int


@dataclass(frozen=True)
class TrainingGate:
    """Training on the training split, rows per second; ``train_step``: the smoke test's one step."""

    min_rows_per_second: float | None
    runs: int
    train_step: str | None


@dataclass(frozen=True)
class CompatibilityGate:
    """The serving environment: these distributions (and their requirements) and the model code paths."""

    serving_packages: tuple[str, ...]
    previous_artifact: str | None  # relative to the generated suite


@dataclass(frozen=True)
class PerfSetup:
    """Everything the deployment tests need besides the model setup (``ModelSetup``)."""

    name: str
    inference_mode: str
    baseline_file: str  # the recorded figures (``specgen perf record``), relative to the generated suite
    max_regression: float
    timeout_seconds: float
    latency: LatencyGate | None
    batch: BatchGate | None
    throughput: ThroughputGate | None
    memory: MemoryGate
    training: TrainingGate
    pipeline: PipelineGate | None
    compatibility: CompatibilityGate | None
