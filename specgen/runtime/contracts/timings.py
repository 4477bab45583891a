"""Per-request serving timings in a monitored batch: which columns carry them and the targets they answer to.

Built by the compiler from ``performance`` (the targets the deployment tests
gate) and ``monitoring.serving`` (column names), stored in the monitoring
config, read by ``specgen monitor``: the same latency and QPS targets are
tested before release and watched in production.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ServingTimings", "QUANTILES"]

#: the latency quantiles, name -> quantile: the one source of the spec's ``latency_ms`` targets, the recorded
#: ``latency_<name>_ms`` figures and the exported ``quantile`` label of ``serving_latency_ms`` (a new name
#: needs its field in the spec's ``Latency``, the contract's ``LatencyGate`` and ``perf_plan.DEFAULTS``;
#: tests/unit/test_perf.py fails until they agree)
QUANTILES = {"p50": 0.5, "p95": 0.95, "p99": 0.99}


@dataclass(frozen=True)
class ServingTimings:
    latency_column: str  # milliseconds per request
    timestamp_column: str | None  # request time (datetime or Unix seconds): gives queries per second
    latency_targets: dict  # "p50" | "p95" | "p99" -> the largest acceptable ms (inclusive)
    min_qps: float | None

    @classmethod
    def from_data(cls, data: dict) -> ServingTimings:
        return cls(str(data["latency_column"]), data.get("timestamp_column"),
                   {str(k): float(v) for k, v in (data.get("latency_targets") or {}).items() if k in QUANTILES},
                   None if data.get("min_qps") is None else float(data["min_qps"]))
