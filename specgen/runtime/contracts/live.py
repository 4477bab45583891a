"""What ``specgen live`` needs from the spec, resolved: the compiler builds a ``LiveConfig``
(``compiler/live_plan.py``), the runtime (``runtime/live``) reads it. Standard library only."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Bound, Metric
from .slices import SliceFilter

__all__ = ["LiveConfig", "LogColumns", "LiveSlice", "CanaryConfig", "SamplingConfig", "OutcomeConfig",
           "LiveMetric", "ALL"]

#: the name of the slice holding every row (declared slice names are snake_case, never this)
ALL = "(all)"


@dataclass(frozen=True)
class LiveMetric:
    """A metric scored on live rows, and the bound a window is held to (None: reported only)."""

    metric: Metric
    bound: Bound | None


@dataclass(frozen=True)
class LogColumns:
    """Where a log lives in its source and which of its columns play which role."""

    table: str | None
    key: tuple[str, ...]
    timestamp: str
    value: str  # the prediction, or the label
    score: str | None = None
    version: str | None = None
    extra: tuple[str, ...] = ()

    def columns(self) -> tuple[str, ...]:
        named = (*self.key, self.timestamp, self.value, self.score, self.version, *self.extra)
        return tuple(dict.fromkeys(c for c in named if c is not None))


@dataclass(frozen=True)
class LiveSlice:
    name: str
    filter: SliceFilter
    metrics: tuple[LiveMetric, ...]
    min_rows: int


@dataclass(frozen=True)
class CanaryConfig:
    stable: str
    canary: str
    metrics: tuple[Metric, ...]
    max_drop: dict  # metric -> tolerated drop
    alpha: float
    min_labelled: int
    bootstrap: int


@dataclass(frozen=True)
class SamplingConfig:
    per_day: int
    min_per_slice: int
    salt: str
    lookback_seconds: int


@dataclass(frozen=True)
class OutcomeConfig:
    name: str
    table: str | None
    timestamp: str
    value: str
    bound: Bound
    description: str


@dataclass(frozen=True)
class LiveConfig:
    name: str
    task: str  # classification | regression
    predictions: LogColumns
    labels: LogColumns | None
    window_seconds: int
    metrics: tuple[LiveMetric, ...]
    slices: tuple[LiveSlice, ...]
    max_bias: float | None
    min_label_coverage: float | None
    label_delay_seconds: int
    max_label_delay_seconds: int | None
    min_rows: int
    canary: CanaryConfig | None
    sampling: SamplingConfig | None
    outcomes: tuple[OutcomeConfig, ...]
    seed: int
