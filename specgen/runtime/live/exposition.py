"""Prometheus gauges of a ``LiveReport``, named by ``metric_name`` like ``specgen monitor``'s.

Each slice exports its LATEST window with a value (the metric, bias, coverage and delay of the newest
window that has one), so the series stay bounded: a label per declared slice, metric and class, never
per window. ``live_canary_verdict``: 1 promote, 0 hold, -1 roll back.
"""
from __future__ import annotations

from ..contracts.metric_names import metric_name
from ..exposition import _labels, _value
from .canary import VERDICT_VALUES
from .report import LiveReport

__all__ = ["live_exposition"]

_HELP = {
    "live_alarms": "Alarms raised by the last specgen live run.",
    "live_last_success_timestamp_seconds": "When specgen live last completed (Unix time).",
    "live_metric": "Model quality on labelled live rows, latest window with enough labels.",
    "live_prediction_bias": "Mean prediction minus mean label, latest labelled window.",
    "live_prediction_class_bias": "Share predicted as the class minus share labelled with it, latest window.",
    "live_label_coverage_ratio": "Share of predictions with a label, latest window past the label delay.",
    "live_label_delay_seconds": "Median delay between serving and label, latest labelled window.",
    "live_outcome": "Mean of a real-world metric, latest window.",
    "live_canary_verdict": "Canary vs stable: 1 promote, 0 hold, -1 roll back.",
    "live_canary_p_value": "p-value of 'the canary is no worse than stable by more than max_drop' (pooled).",
}


def _latest(report: LiveReport) -> dict:
    """(family, labels) -> value from the newest window that has it."""
    out = {}
    for q in report.quality:  # windows in order: later ones overwrite
        for metric, value in q.metrics.items():
            if value is not None:
                out[("live_metric", (("metric", metric), ("slice", q.slice)))] = value
        if q.bias is not None and not q.class_bias:
            out[("live_prediction_bias", (("slice", q.slice),))] = q.bias
        for c, bias in q.class_bias.items():
            out[("live_prediction_class_bias", (("class", c), ("slice", q.slice)))] = bias
        if q.mature and q.coverage is not None:
            out[("live_label_coverage_ratio", (("slice", q.slice),))] = q.coverage
        if q.delay_median_seconds is not None:
            out[("live_label_delay_seconds", (("slice", q.slice),))] = q.delay_median_seconds
    for o in report.outcomes:
        if o.mean is not None:
            out[("live_outcome", (("outcome", o.name),))] = o.mean
    return out


def live_exposition(report: LiveReport, finished_at: float) -> str:
    values = _latest(report)
    values[("live_alarms", ())] = len(report.alarms)
    values[("live_last_success_timestamp_seconds", ())] = finished_at
    if report.canary is not None:
        values[("live_canary_verdict", ())] = VERDICT_VALUES[report.canary.verdict]
        for t in report.canary.tests:
            values[("live_canary_p_value", (("metric", t["metric"]), ("slice", t["slice"])))] = t["p_value"]
    lines = []
    for family in sorted({f for f, _ in values}):
        name = metric_name(report.name, family)
        lines += [f"# HELP {name} {_HELP[family]}", f"# TYPE {name} gauge"]
        for (f, labels), value in sorted(values.items()):
            if f == family:
                lines.append(f"{name}{_labels(dict(labels))} {_value(float(value))}")
    return "\n".join(lines) + "\n"
