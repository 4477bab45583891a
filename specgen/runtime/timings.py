"""``specgen monitor`` on a batch that carries per-request timings: latency quantiles and queries per second.

Values are gathered chunk by chunk (one float per row), so quantiles are exact;
QPS is rows / the span between the first and the last request, reported only
when the batch spans at least a second (a shorter span says nothing about a rate).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .contracts.timings import QUANTILES, ServingTimings

__all__ = ["Timings", "TimingSummary"]


@dataclass(frozen=True)
class TimingSummary:
    latency_ms: dict  # "p50" | "p95" | "p99" -> ms
    qps: float | None
    requests: int
    latency_targets: dict
    min_qps: float | None

    @property
    def alarms(self) -> list[str]:
        out = [f"serving latency: {q} {self.latency_ms[q]:.4g} ms > target {t:g} ms over {self.requests} requests"
               for q, t in sorted(self.latency_targets.items()) if q in self.latency_ms and self.latency_ms[q] > t]
        if self.min_qps is not None and self.qps is not None and self.qps < self.min_qps:
            out.append(f"serving throughput: {self.qps:.4g} queries/s < target {self.min_qps:g}")
        return out

    def as_dict(self) -> dict:
        return {"latency_ms": self.latency_ms, "qps": self.qps, "requests": self.requests,
                "latency_targets": self.latency_targets, "min_qps": self.min_qps}


class Timings:
    def __init__(self, config: ServingTimings | None):
        self.config = config
        self.values: list[np.ndarray] = []
        self.first: float | None = None
        self.last: float | None = None

    def add(self, chunk: pl.DataFrame) -> None:
        c = self.config
        if c is None or c.latency_column not in chunk.columns:
            return
        values = chunk.get_column(c.latency_column).cast(pl.Float64, strict=False).to_numpy()
        self.values.append(values[np.isfinite(values)])
        if c.timestamp_column is not None and c.timestamp_column in chunk.columns:
            stamps = _seconds(chunk.get_column(c.timestamp_column))
            if stamps.size:
                self.first = min(self.first, stamps.min()) if self.first is not None else float(stamps.min())
                self.last = max(self.last, stamps.max()) if self.last is not None else float(stamps.max())

    def summary(self) -> TimingSummary | None:
        if not self.values or not sum(v.size for v in self.values):
            return None
        values = np.concatenate(self.values)
        span = (self.last - self.first) if self.first is not None else 0.0
        qps = values.size / span if span >= 1.0 else None
        return TimingSummary({q: float(np.quantile(values, p)) for q, p in QUANTILES.items()}, qps, int(values.size),
                             dict(self.config.latency_targets), self.config.min_qps)


def _seconds(column: pl.Series) -> np.ndarray:
    if column.dtype.is_temporal():
        values = column.cast(pl.Datetime("us")).dt.epoch("us").cast(pl.Float64).to_numpy() / 1e6
    else:
        values = column.cast(pl.Float64, strict=False).to_numpy()
    return values[np.isfinite(values)]
