"""The name of every metric ``specgen monitor`` exports, from one function.

The alert rules (compiler) and the exposition (``specgen monitor``) both call
:func:`metric_name`, so a rule can only reference a series that is exported.
Standard library only: the runtime imports it.
"""
from __future__ import annotations

__all__ = ["FAMILIES", "MEASURED", "metric_name"]

#: family -> the labels its samples carry (a family in ``MEASURED`` is one gauge per measure)
FAMILIES: dict[str, tuple[str, ...]] = {
    "alarms": (),
    "batch_rows": (),
    "feature_drift": ("feature",),
    # the limit the feature's alarm measure was held to (max of threshold and noise floor; +Inf: batch
    # too small to judge), the noise floor, and the measure's p-value under no drift
    "feature_drift_threshold": ("feature",),
    "feature_drift_noise_floor": ("feature",),
    "feature_drift_p_value": ("feature",),
    "feature_null_ratio": ("feature",),
    "feature_skew": ("feature",),
    "last_success_timestamp_seconds": (),
    "model_info": ("model_version",),
    "model_trained_timestamp_seconds": (),
    "prediction_bias": (),
    "prediction_class_bias": ("class",),
    "prediction_drift": ("output",),
    "prediction_drift_threshold": ("output",),
    "prediction_drift_noise_floor": ("output",),
    "prediction_drift_p_value": ("output",),
    "prediction_non_finite_values": (),
    "schema_checks": (),
    "schema_checks_failed": (),
    "schema_failing_rows": ("check", "column"),
    # specgen live: the latest window of each slice (slice: "(all)" or a declared slice name)
    "live_alarms": (),
    "live_last_success_timestamp_seconds": (),
    "live_metric": ("metric", "slice"),
    "live_prediction_bias": ("slice",),
    "live_prediction_class_bias": ("class", "slice"),
    "live_label_coverage_ratio": ("slice",),
    "live_label_delay_seconds": ("slice",),
    "live_outcome": ("outcome",),
    "live_canary_verdict": (),
    "live_canary_p_value": ("metric", "slice"),
}

#: families exported once per drift measure: ``<family>_<measure>``
MEASURED = frozenset({"feature_drift", "feature_skew", "prediction_drift"})


def metric_name(spec_name: str, family: str, measure: str | None = None) -> str:
    """``specgen_<spec name>_<family>[_<measure>]``, e.g. ``specgen_fares_feature_drift_psi``.

    Spec names are snake_case (checked by the spec model), so the result is a valid
    Prometheus metric name; an unknown family or a missing measure is a bug.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown metric family {family!r}")
    if (measure is not None) != (family in MEASURED):
        raise ValueError(f"metric family {family!r} {'needs' if family in MEASURED else 'takes no'} measure")
    return f"specgen_{spec_name}_{family}" + (f"_{measure}" if measure is not None else "")
