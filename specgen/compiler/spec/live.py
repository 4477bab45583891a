"""The ``live`` section: model quality after deployment, from prediction logs joined to labels that arrive
later, per window and per slice; canary vs stable; the daily human-label sample; real-world metrics.
``specgen live`` reads it (see specgen.runtime.live)."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from .common import _check_duration, _Model, contradiction, parse_duration
from .model import MetricBound, _check_metrics

__all__ = ["Live", "PredictionLog", "LabelLog", "Canary", "Sampling", "Outcome"]

_Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
_Name = Annotated[str, Field(min_length=1, max_length=200)]


def _duration(value):
    return _check_duration(value)


class PredictionLog(_Model):
    table: _Name | None = Field(None, description="Table of served predictions in a database source (ignored "
                                                  "for a Parquet/CSV file: the file is the table).")
    key: list[_Name] = Field(default_factory=list, description="Columns identifying a request (default data.key).")
    timestamp: _Name = Field(description="When the prediction was served.")
    prediction: _Name = Field(description="The predicted class (classification) or value (regression).")
    score: _Name | None = Field(None, description="Positive-class score/probability, for roc_auc and log_loss.")
    version: _Name | None = Field(None, description="The serving model's version (needed by canary).")
    columns: list[_Name] | None = Field(
        None, description="Columns the slices read (default: the declared columns their filters name).")


class LabelLog(_Model):
    table: _Name | None = Field(None, description="Table of labels in a database source.")
    key: list[_Name] = Field(default_factory=list, description="Columns matching predictions.key (default "
                                                               "the prediction log's key).")
    timestamp: _Name = Field(description="When the label arrived (its delay is this minus the serving time).")
    label: _Name | None = Field(None, description="The label column (default data.label).")


class Canary(_Model):
    stable: str | int = Field(description="The version value of the stable model in predictions.version.")
    canary: str | int = Field(description="The version value of the canary.")
    metrics: list[str] | None = Field(None, description="Metrics compared (default: every live metric).")
    max_drop: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default_factory=dict, description="metric -> drop of the canary vs stable tolerated before it counts "
                                          "as worse (default 0.02 in the metric's units).")
    alpha: Annotated[float, Field(gt=0, lt=1)] = Field(
        0.01, description="Chance that a canary no worse than stable by more than max_drop is rolled back "
                          "(per run; Bonferroni over slices x metrics).")
    min_labelled: Annotated[int, Field(ge=1)] = Field(
        200, description="Fewest labelled canary rows before a verdict other than hold.")
    bootstrap: Annotated[int, Field(ge=100, le=100000)] = Field(
        2000, description="Bootstrap resamples for metrics that are not a proportion.")

    @model_validator(mode="after")
    def _two_versions(self):
        if str(self.stable) == str(self.canary):
            raise contradiction("canary and stable name the same version")
        return self


class Sampling(_Model):
    per_day: Annotated[int, Field(ge=1)] = Field(description="Requests to sample for labelling per day.")
    min_per_slice: Annotated[int, Field(ge=0)] = Field(
        10, description="Fewest sampled per slice (rare slices oversampled up to this; all rows when fewer).")
    salt: str | None = Field(None, description="Salt of the sample's hash (default seeds.split_salt or name).")
    lookback: str = Field("30d", description="How far back a request counts as already seen (a key served "
                                             "within this before the day is never sampled again).")

    _lookback = field_validator("lookback")(lambda v: _duration(v))


class Outcome(_Model):
    table: _Name | None = Field(None, description="Table of the metric in a database source.")
    timestamp: _Name = Field(description="When the value was measured.")
    value: _Name = Field(description="Column holding the value (averaged per window).")
    min: float | None = Field(None, description="Alarm when the window's mean is below this.")
    max: float | None = Field(None, description="Alarm when the window's mean is above this.")
    description: str = ""

    @model_validator(mode="after")
    def _a_bound(self):
        if self.min is None and self.max is None:
            raise contradiction("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise contradiction(f"min {self.min:g} is above max {self.max:g}")
        return self


class Live(_Model):
    predictions: PredictionLog
    labels: LabelLog | None = Field(None, description="The label log; omitted: no quality metrics, only "
                                                      "prediction distributions and the sample.")
    window: str = Field("1d", description="Length of each reported window, e.g. 1h, 1d.")
    metrics: dict[str, MetricBound] | None = Field(
        None, description="metric -> {min, max} per window (default model.metrics); slices use theirs.")
    max_bias: _Positive | None = Field(
        None, description="Largest |mean prediction - mean label| (regression) or |share predicted - share "
                          "labelled| of any class, per window and slice.")
    min_label_coverage: _Share | None = Field(
        None, description="Smallest share of predictions with a label, in windows older than label_delay.")
    label_delay: str = Field("3d", description="How long labels take to arrive: windows younger are still "
                                               "maturing (coverage not judged).")
    max_label_delay: str | None = Field(None, description="Alarm when the median label delay exceeds this.")
    min_rows: Annotated[int, Field(ge=1)] = Field(
        30, description="Fewest labelled rows for a window's metric to be judged (fewer: reported, not judged).")
    canary: Canary | None = None
    sampling: Sampling | None = None
    outcomes: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")], Outcome] = Field(
        default_factory=dict, description="Real-world metrics from outside (e.g. daily click-through rate), read "
                                          "from the --outcomes source, judged per window next to the model's.")

    _durations = field_validator("window", "label_delay", "max_label_delay")(lambda v: _duration(v))

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value):
        if value is not None:
            _check_metrics(value)
        return value

    @model_validator(mode="after")
    def _consistent(self):
        if self.canary is not None and self.predictions.version is None:
            raise contradiction("canary compares model versions: set live.predictions.version")
        if self.canary is not None and self.labels is None and self.canary.metrics:
            raise contradiction("canary.metrics need live.labels")
        if parse_duration(self.window) < 60:
            raise contradiction("live.window must be at least 1m")
        return self
