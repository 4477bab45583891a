"""The ``monitoring`` section: drift, skew, alerts; see specgen.runtime.drift for the measures."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from .common import _check_duration, _Model

__all__ = [
    "Monitoring", "FeatureMonitoring", "Measure", "DriftDefaults", "Alerts", "Prediction", "ServingTargets",
    "MeasureName", "POSITIONAL_MEASURES", "TimeBin",
]


#: what a datetime feature is monitored as (``runtime.time_bins.UNITS``)
TimeBin = Literal["hour", "weekday", "recency"]
MeasureName = Literal["psi", "js_distance", "linf", "chi_square", "wasserstein_normalized", "ks_statistic"]
#: measures that need positions on a number line: numeric features only
POSITIONAL_MEASURES = ("wasserstein_normalized", "ks_statistic")
_METRIC_NAME = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"
_URL = r"""^https?://[^\s"'{}<>\\`]+$"""  # ECMA-262 as well as Python: no escaped quote (JSON Schema)


class Measure(_Model):
    metric: MeasureName = Field(description="Distance measure (specgen.runtime.drift): psi, js_distance, linf, "
                                            "chi_square, wasserstein_normalized, ks_statistic.")
    threshold: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        description="Alarm when the measure is above this value.")


class DriftDefaults(_Model):
    """The defaults are practical minimums (a change worth an alarm); the noise floor at the batch's size
    raises them where needed. Wasserstein / std reads as a mean shift in standard deviations: 0.1 std
    stays quiet at 0.02 and catches 0.5 (PSI, whose empty-bucket epsilon inflates it on small references,
    caught half as many 0.5-std shifts in benchmarks/bench_detection.py); linf 0.05 catches a 0.1 share
    shift wherever the sample sizes can see it, and stays quiet at 0.01."""

    numeric: Measure = Field(default_factory=lambda: Measure(metric="wasserstein_normalized", threshold=0.1),
                             description="Default for float/int features (default wasserstein_normalized > 0.1).")
    categorical: Measure = Field(default_factory=lambda: Measure(metric="linf", threshold=0.05),
                                 description="Default for category/bool features (default linf > 0.05).")


class Alerts(_Model):
    for_: str = Field("15m", alias="for", description="How long a condition must hold before an alert fires.")
    severity: Literal["critical", "warning", "info", "page", "ticket"] = Field(
        "warning", description="severity label; page = critical, ticket = warning.")
    runbook_url: Annotated[str, Field(pattern=_URL)] | None = Field(
        None, description="Link put in every alert's runbook_url annotation.")

    _for = field_validator("for_")(lambda v: _check_duration(v))


class Prediction(_Model):
    column: str = Field(description="Column of the batch holding the model's prediction: a number, or a class "
                                    "when the label is a category or bool (a classifier).")
    max_bias: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        None, description="Largest |mean prediction - mean label| when labels are present; for a classifier, "
                          "largest |share predicted as a class - share labelled with it| over every class.")


class ServingTargets(_Model):
    latency_p99_ms: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        None, description="Alert when the p99 serving latency is above this (online inference).")
    min_qps: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        None, description="Alert when served queries per second drop below this (online inference).")
    latency_metric: Annotated[str, Field(pattern=_METRIC_NAME)] | None = Field(
        None, description="Latency histogram of the serving system (default <name>_request_duration_seconds).")
    requests_metric: Annotated[str, Field(pattern=_METRIC_NAME)] | None = Field(
        None, description="Request counter of the serving system (default <name>_requests_total).")
    latency_column: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None, description="Column of per-request latency in ms in a monitored batch (default latency_ms): "
                          "specgen monitor exports its p50/p95/p99.")
    timestamp_column: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None, description="Column of request times in a monitored batch: specgen monitor exports queries/s.")


class FeatureMonitoring(_Model):
    enabled: bool = Field(True, description="false: do not monitor this feature.")
    drift: Measure | None = Field(None, description="Overrides monitoring.drift for this feature.")
    skew: Measure | None = Field(None, description="Overrides monitoring.skew for this feature.")
    bins: Annotated[int, Field(ge=2, le=100)] | None = Field(None, description="Overrides monitoring.bins.")
    time_bins: list[TimeBin] | None = Field(
        None, description="Datetime features: the distributions monitored, each a feature <column>:<unit> "
                          "(runtime.time_bins): hour (of day) and weekday (categories, in the column's "
                          "timezone), recency (each row's age in seconds back from the newest value of its "
                          "batch, binned on the training ages' quantile edges). Default [hour, weekday]; [] "
                          "monitors none.")


class Monitoring(_Model):
    drift: DriftDefaults = Field(default_factory=DriftDefaults,
                                 description="Current batch vs the training baseline, per feature.")
    skew: Measure = Field(default_factory=lambda: Measure(metric="linf", threshold=0.05),
                          description="Serving feature log vs the batch's features (default linf > 0.05).")
    alerts: Alerts = Field(default_factory=Alerts)
    bins: Annotated[int, Field(ge=2, le=100)] = Field(10, description="Quantile bins per numeric feature.")
    alpha: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] = Field(
        0.001, description="Chance that a batch with no drift raises a drift alarm (shared by its features, "
                           "Bonferroni): a measure alarms only above both its threshold and its noise floor, "
                           "the (1 - alpha / features) quantile of the measure on clean batches of that size.")
    stale_after: str = Field("1d", description="Alert when specgen monitor has not succeeded for this long.")
    prediction: Prediction | None = Field(None, description="Prediction bias and non-finite output monitoring.")
    prediction_drift: DriftDefaults | None = Field(
        None, description="Prediction drift (needs a model section): numeric for regression outputs and class "
                          "probabilities, categorical for predicted classes. Default: monitoring.drift.")
    serving: ServingTargets | None = Field(None, description="Latency / QPS targets (online inference only).")

    _stale = field_validator("stale_after")(lambda v: _check_duration(v))
