"""Plan for the deployment tests: Spec.performance -> ``PerfSetup`` and the rows of each generated test.

Defaults follow the modes: ``inference.mode: online`` gates single-row latency
(p50/p95/p99) and QPS with concurrent callers; ``batch`` gates rows per second
of a batch predict. ``training.mode: dynamic`` (retrained on a schedule) gets a
training-speed floor; static training only the regression gate vs the recorded
baseline. Every default is filled in here so the generated file shows it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..runtime.contracts.perf import (LATENCY_FIGURES, PERF_FIGURES, BatchGate, CompatibilityGate, LatencyGate, MemoryGate,
                                      PerfSetup, PipelineGate, PipelineStage, ThroughputGate, TrainingGate)
from ..runtime.contracts.timings import QUANTILES
from .contract_code import Argument, arguments, class_names
from .model_plan import Param
from .naming import param_id
from .spec import Spec

__all__ = ["PerfPlan", "perf_plan", "baseline_name", "DEFAULTS"]

#: the defaults, generous enough for a small scikit-learn model on a shared CI machine
DEFAULTS = {
    "latency": {"p50": 50.0, "p95": 100.0, "p99": 200.0, "calls": 200},
    "batch": {"rows": 1000, "calls": 20, "min_rows_per_second": 1000.0},
    "throughput": {"callers": 4, "seconds": 2.0, "min_qps": 20.0},
    "memory": {"max_mb": 1024.0, "max_growth_mb": 20.0, "batches": 10, "rows": 200},
    "dynamic_training_rows_per_second": 100.0,
    "training_runs": 5,
}


def baseline_name(name: str) -> str:
    """The recorded figures, next to the spec and its ``<name>_baseline.json``."""
    return f"{name}_perf.json"


@dataclass(frozen=True)
class PerfPlan:
    setup: PerfSetup
    test_module: str
    latency: tuple[Param, ...]  # (quantile, target ms)
    recorded: tuple[Param, ...]  # (figure, max_regression)
    stages: tuple[Param, ...]  # (stage, expect)

    @property
    def setup_arguments(self) -> tuple[Argument, ...]:
        return arguments(self.setup)

    @property
    def imports(self) -> str:
        return class_names(self.setup)

    @property
    def batch(self) -> BatchGate | None:
        return self.setup.batch if self.setup.batch and self.setup.batch.min_rows_per_second else None

    @property
    def throughput(self) -> ThroughputGate | None:
        return self.setup.throughput if self.setup.throughput and self.setup.throughput.min_qps else None

    @property
    def training_floor(self) -> float | None:
        return self.setup.training.min_rows_per_second

    @property
    def compatibility(self) -> CompatibilityGate | None:
        return self.setup.compatibility

    @property
    def has_rollback(self) -> bool:
        return self.setup.compatibility is not None and self.setup.compatibility.previous_artifact is not None


def perf_plan(spec: Spec, relative, spec_dir: Path) -> PerfPlan | None:
    """``relative(path)``: a path relative to the output dir (posix)."""
    perf = spec.performance
    if perf is None or spec.model is None:
        return None
    online = spec.inference.mode == "online"
    setup = PerfSetup(
        name=spec.name,
        inference_mode=spec.inference.mode,
        baseline_file=relative(spec_dir / baseline_name(spec.name)),
        max_regression=perf.max_regression,
        timeout_seconds=perf.timeout_seconds,
        latency=_latency(perf.latency_ms, online),
        batch=_batch(perf.batch, online),
        throughput=_throughput(perf.throughput, online),
        memory=_memory(perf),
        training=TrainingGate(
            min_rows_per_second=perf.training.min_rows_per_second or (
                DEFAULTS["dynamic_training_rows_per_second"] if spec.training.mode == "dynamic" else None),
            runs=DEFAULTS["training_runs"], train_step=perf.training.train_step),
        pipeline=_pipeline(spec),
        compatibility=_compatibility(spec, relative, spec_dir),
    )
    latency = setup.latency
    targets = [(q, getattr(latency, q)) for q in QUANTILES] if latency else []
    return PerfPlan(
        setup=setup,
        test_module=f"test_{spec.name}_infrastructure",
        latency=tuple(Param(q, (q, t)) for q, t in targets if t is not None),
        recorded=tuple(Param(param_id(f), (f, perf.max_regression)) for f in _figures(setup)),
        stages=tuple(Param(param_id(s.name), (s.name, s.expect)) for s in setup.pipeline.stages)
        if setup.pipeline else (),
    )


def _latency(given, online: bool) -> LatencyGate | None:
    if given is None and not online:
        return None
    d = DEFAULTS["latency"]
    if given is None:
        return LatencyGate(p50=d["p50"], p95=d["p95"], p99=d["p99"], calls=d["calls"])
    return LatencyGate(p50=given.p50, p95=given.p95, p99=given.p99, calls=given.calls or d["calls"])


def _batch(given, online: bool) -> BatchGate | None:
    if given is None and online:
        return None
    d = DEFAULTS["batch"]
    given_rate = given.min_rows_per_second if given is not None else None
    return BatchGate(rows=(given.rows if given and given.rows else d["rows"]),
                     calls=(given.calls if given and given.calls else d["calls"]),
                     min_rows_per_second=given_rate if given is not None else d["min_rows_per_second"])


def _throughput(given, online: bool) -> ThroughputGate | None:
    if given is None and not online:
        return None
    d = DEFAULTS["throughput"]
    if given is None:
        return ThroughputGate(callers=d["callers"], seconds=d["seconds"], min_qps=d["min_qps"], url=None)
    return ThroughputGate(callers=given.callers or d["callers"], seconds=given.seconds or d["seconds"],
                          min_qps=given.min_qps, url=given.url)


def _memory(perf) -> MemoryGate:
    d, m = DEFAULTS["memory"], perf.memory
    rows = perf.batch.rows if perf.batch is not None and perf.batch.rows else d["rows"]
    return MemoryGate(max_mb=m.max_mb or d["max_mb"], max_growth_mb=m.max_growth_mb or d["max_growth_mb"],
                      batches=m.batches or d["batches"], rows=rows)


def _pipeline(spec: Spec) -> PipelineGate | None:
    p = spec.performance.pipeline
    if p is None:
        return None
    salt = spec.seeds.split_salt if spec.seeds.split_salt is not None else spec.name
    outputs = tuple(sorted(spec.transforms.outputs)) if spec.transforms is not None else ()
    return PipelineGate(
        entrypoint=p.entrypoint,
        salt=f"{salt}:pipeline",  # own namespace: independent of the evaluation split made with the same salt
        fraction=p.sample_fraction,
        rotate_daily=spec.seeds.rotate_daily,
        stages=tuple(PipelineStage(name, stage.expect) for name, stage in p.stages.items()),
        transform_outputs=outputs,
        metrics=tuple(sorted(spec.model.metrics)),
    )


def _compatibility(spec: Spec, relative, spec_dir: Path) -> CompatibilityGate | None:
    c = spec.performance.compatibility
    if c is None:
        return None
    previous = relative(spec_dir / c.previous_artifact) if c.previous_artifact else None
    return CompatibilityGate(serving_packages=tuple(c.serving_packages), previous_artifact=previous)


def _figures(setup: PerfSetup) -> list[str]:
    out = []
    if setup.latency is not None:
        out += LATENCY_FIGURES.values()
    if setup.batch is not None:
        out.append("batch_rows_per_second")
    if setup.throughput is not None:
        out.append("qps")
    out.append("training_rows_per_second")
    assert all(f in PERF_FIGURES for f in out)
    return out
