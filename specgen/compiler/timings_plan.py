"""Serving timings for ``specgen monitor``: the columns a batch carries them in and the targets they answer to.

The targets are the deployment tests' (``performance.latency_ms``,
``performance.throughput.min_qps``), or ``monitoring.serving.latency_p99_ms`` /
``min_qps`` when the spec gives those instead: one number, tested before release
and watched in production. Column names default to ``latency_ms`` (and no
timestamp: no QPS); ``monitoring.serving.latency_column`` / ``timestamp_column``
rename them.
"""
from __future__ import annotations

from ..runtime.contracts.metric_names import metric_name
from ..runtime.contracts.timings import QUANTILES, ServingTimings
from .spec import Spec

__all__ = ["serving_timings", "timing_rules", "DEFAULT_LATENCY_COLUMN"]

DEFAULT_LATENCY_COLUMN = "latency_ms"


def serving_timings(spec: Spec) -> ServingTimings | None:
    """None unless the spec has targets to watch or names a latency column."""
    serving = spec.monitoring.serving if spec.monitoring is not None else None
    column = serving.latency_column if serving is not None else None
    targets: dict[str, float] = {}
    min_qps = None
    perf = spec.performance
    if perf is not None and perf.latency_ms is not None:
        targets = {q: getattr(perf.latency_ms, q) for q in QUANTILES if getattr(perf.latency_ms, q) is not None}
    if perf is not None and perf.throughput is not None:
        min_qps = perf.throughput.min_qps
    if serving is not None:
        if serving.latency_p99_ms is not None:
            targets.setdefault("p99", serving.latency_p99_ms)
        min_qps = min_qps if min_qps is not None else serving.min_qps
    if perf is None and column is None:
        return None
    return ServingTimings(latency_column=column or DEFAULT_LATENCY_COLUMN,
                          timestamp_column=serving.timestamp_column if serving is not None else None,
                          latency_targets=targets, min_qps=min_qps)


def timing_rules(builder, timings: ServingTimings | None) -> None:
    """An alert per latency target on the exported quantile gauge, and one on the exported QPS."""
    if timings is None:
        return
    name = builder.spec.name
    latency = metric_name(name, "serving_latency_ms")
    for q, target in sorted(timings.latency_targets.items(), key=lambda item: QUANTILES[item[0]]):
        series = f'{latency}{{quantile="{QUANTILES[q]}"}}'
        builder._add(f"ServingLatency{q.upper()}High", f"{series} > {_num(target)}",
                     f"{name}: {q} serving latency above {_num(target)} ms",
                     f"{q} latency of the last monitored batch is {{{{ $value }}}} ms, above the {_num(target)} ms "
                     "target the deployment tests gate.",
                     label=f"{q} latency", firing=[(series, builder._flat(target * 2))],
                     silent=[(series, builder._flat(target / 2))],
                     expected_description=f"{q} latency of the last monitored batch is {_num(target * 2)} ms, above "
                                          f"the {_num(target)} ms target the deployment tests gate.",
                     expected_labels=(("quantile", str(QUANTILES[q])),))
    if timings.min_qps is not None and timings.timestamp_column is not None:
        qps = metric_name(name, "serving_qps")
        builder._add("ServingQpsBelowTarget", f"{qps} < {_num(timings.min_qps)}",
                     f"{name}: serving throughput below {_num(timings.min_qps)} queries/s",
                     f"The last monitored batch served {{{{ $value }}}} queries/s, below the {_num(timings.min_qps)} "
                     "target the deployment tests gate.",
                     label="qps", firing=[(qps, builder._flat(timings.min_qps / 2))],
                     silent=[(qps, builder._flat(timings.min_qps * 2))],
                     expected_description=f"The last monitored batch served {_num(timings.min_qps / 2)} queries/s, "
                                          f"below the {_num(timings.min_qps)} target the deployment tests gate.")


def _num(value: float) -> str:  # as compiler.monitoring writes numbers into rules
    return repr(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
