"""Deployment tests: the ``performance`` section (serving speed, throughput, memory, training speed,
pipeline integration, serving-environment compatibility and rollback).

Every key is optional: the plan fills the defaults that suit ``inference.mode``
(online: single-row latency percentiles and QPS; batch: rows per second of a
batch predict) and ``training.mode`` (dynamic: a training-speed floor, because
the model is retrained on a schedule). Limits are inclusive: a measured value
equal to its limit passes.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ...runtime.contracts.timings import QUANTILES
from .common import Entrypoint, _Model, contradiction

__all__ = ["Performance", "Latency", "BatchSpeed", "Throughput", "Memory", "TrainingSpeed", "Pipeline",
           "PipelineStage", "Compatibility", "STAGE_EXPECTATIONS"]

_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
_Count = Annotated[int, Field(ge=1, le=100000)]

#: loopback only: the generated tests never reach the network
_LOOPBACK_URL = r"^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$"

#: what a pipeline stage's output is checked against
STAGE_EXPECTATIONS = ("training_schema", "serving_schema", "transform_outputs", "metrics", "file")


class Latency(_Model):
    p50: _Positive | None = Field(None, description="Largest median single-row predict time, ms.")
    p95: _Positive | None = Field(None, description="Largest 95th percentile, ms.")
    p99: _Positive | None = Field(None, description="Largest 99th percentile, ms.")
    calls: _Count | None = Field(None, description="Warm single-row calls measured (default 200).")

    @model_validator(mode="after")
    def _ordered(self):
        given = [(n, getattr(self, n)) for n in QUANTILES if getattr(self, n) is not None]
        for (lo_name, lo), (hi_name, hi) in zip(given, given[1:]):
            if lo > hi:
                raise contradiction(f"latency_ms.{lo_name} {lo:g} is above {hi_name} {hi:g}")
        return self


class BatchSpeed(_Model):
    rows: _Count | None = Field(None, description="Rows per batch predict call (default 1000).")
    min_rows_per_second: _Positive | None = Field(None, description="Slowest acceptable batch predict.")
    calls: _Count | None = Field(None, description="Warm batch calls measured (default 20).")


class Throughput(_Model):
    min_qps: _Positive | None = Field(None, description="Fewest single-row predicts per second, all callers.")
    callers: Annotated[int, Field(ge=1, le=64)] | None = Field(None, description="Concurrent caller threads "
                                                                                  "(default 4).")
    seconds: Annotated[float, Field(gt=0, le=60)] | None = Field(None, description="How long callers run "
                                                                                  "(default 2).")
    url: Annotated[str, Field(pattern=_LOOPBACK_URL, max_length=500)] | None = Field(
        None, description="A predict endpoint on this machine (http://127.0.0.1:PORT/path): callers POST "
                          "{\"columns\": [...], \"rows\": [[...]]} to it instead of calling the model in process.")


class Memory(_Model):
    max_mb: _Positive | None = Field(None, description="Largest peak RSS of load + predict in a fresh process, MB.")
    max_growth_mb: _Positive | None = Field(None, description="Largest RSS growth over repeated batches, MB "
                                                              "(a leak check).")
    batches: Annotated[int, Field(ge=3, le=1000)] | None = Field(None, description="Repeated batches "
                                                                                  "(default 10).")


class TrainingSpeed(_Model):
    min_rows_per_second: _Positive | None = Field(None, description="Slowest acceptable training, rows/s.")
    train_step: Entrypoint | None = Field(
        None, description="module:function, (model, X, y) -> model: one training step for the ML API smoke "
                          "test (default: the model's partial_fit when it has one, else a full train).")


class PipelineStage(_Model):
    expect: Literal["training_schema", "serving_schema", "transform_outputs", "metrics", "file"] = Field(
        description="What the stage's output must satisfy.")


class Pipeline(_Model):
    entrypoint: Entrypoint = Field(
        description="module:function, (raw DataFrame, work dir, seed) -> {stage: DataFrame, dict or path}.")
    sample_fraction: Annotated[float, Field(gt=0, le=1)] = Field(
        0.5, description="Share of training rows in the deterministic hashed sample the pipeline runs on.")
    stages: Annotated[dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")], PipelineStage],
                      Field(min_length=1)] = Field(description="stage name -> what its output must satisfy.")


class Compatibility(_Model):
    serving_packages: Annotated[list[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]],
                                Field(min_length=1)] = Field(
        description="Distributions installed where the model serves (their requirements come along); the "
                    "artifact must load and predict with only these.")
    previous_artifact: str | None = Field(
        None, description="The artifact now serving (relative to the spec): it must still load and predict "
                          "with the current serving code (rollback).")


class Performance(_Model):
    latency_ms: Latency | None = Field(None, description="Single-row predict latency (default for online).")
    batch: BatchSpeed | None = Field(None, description="Batch predict speed (default for batch inference).")
    throughput: Throughput | None = Field(None, description="Concurrent callers (default for online).")
    memory: Memory = Field(default_factory=Memory)
    training: TrainingSpeed = Field(default_factory=TrainingSpeed)
    max_regression: Annotated[float, Field(ge=1, le=100)] = Field(
        1.5, description="Largest slowdown vs the recorded baseline (specgen perf record), as a ratio.")
    timeout_seconds: _Positive = Field(120.0, description="Longest any one measurement may take.")
    pipeline: Pipeline | None = Field(None, description="The end-to-end pipeline on a hashed sample.")
    compatibility: Compatibility | None = Field(None, description="The artifact in the serving environment.")
