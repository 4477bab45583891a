"""The model under test: the ``model`` section (metrics, reproducibility, leakage, ...) and ``slices``."""
from __future__ import annotations

import difflib
import re
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .common import NAME_PATTERN, Entrypoint, Number, _check_bounds, _check_duration, _Model, contradiction

__all__ = ["ModelSection", "MetricBound", "BeatsTrivial", "Reproducibility", "Leakage", "Stability", "Slice"]

_AVERAGE = Literal["binary", "macro", "micro", "weighted"]


class MetricBound(_Model):
    min: Number | None = Field(None, description="Lowest acceptable score.")
    max: Number | None = Field(None, description="Highest acceptable score (for errors and losses).")
    average: _AVERAGE | None = Field(None, description="precision/recall/f1 averaging (default macro).")
    pos_label: str | int | None = Field(None, description="Positive class for binary averaging or roc_auc.")
    entrypoint: Entrypoint | None = Field(
        None, description="A metric of your own: module:function, (y_true, y_pred) -> float.")
    greater_is_better: bool = Field(True, description="Direction of an entrypoint metric (for max_drop).")

    @model_validator(mode="after")
    def _a_bound(self):
        if self.min is None and self.max is None:
            raise contradiction("give min, max or both")
        _check_bounds((self.min, self.max), "metric bounds")
        return self


def _check_metrics(metrics: dict, task: str | None = None) -> None:
    from ...runtime.metrics import METRICS  # numpy only; the compiler may import the runtime

    for name, bound in metrics.items():
        info = METRICS.get(name)
        if bound.entrypoint is not None:
            if info is not None:
                raise contradiction(f"metric {name!r} is built in; give your own metric another name")
            if not re.match(NAME_PATTERN, name):
                raise PydanticCustomError("invalid_name", "metric name {name} must be snake_case", {"name": repr(name)})
            continue
        if info is None:
            match = difflib.get_close_matches(name, list(METRICS), n=1, cutoff=0.6)
            hint = f"; did you mean {match[0]!r}?" if match else f"; valid metrics: {', '.join(sorted(METRICS))}"
            raise PydanticCustomError("unknown_metric", "unknown metric {name}{hint}", {"name": repr(name), "hint": hint})
        if task is not None and info.task != task:
            raise contradiction(f"metric {name!r} is a {info.task} metric but model.task is {task}")


class Reproducibility(_Model):
    runs: Annotated[int, Field(ge=2, le=10)] = Field(2, description="How many times to train with the seed.")
    mean_of: Annotated[int, Field(ge=1, le=10)] = Field(
        1, description="Each run is the mean of this many trainings (for training that is not bit-reproducible, "
                       "e.g. on a GPU); 1: each run is one training. Trains runs x mean_of times.")
    tolerance: Annotated[float, Field(ge=0)] = Field(
        0.0, description="Largest allowed spread of a metric (and of the outputs) across runs.")


class Leakage(_Model):
    max_abs_correlation: Annotated[float, Field(gt=0, le=1)] | None = Field(
        None, description="Per feature: |Pearson r|, Cramér's V or correlation ratio with the label.")
    max_single_feature_score: Number | None = Field(
        None, description="Per feature: accuracy (classification) or r2 (regression) of a one-feature model.")

    @model_validator(mode="after")
    def _a_limit(self):
        if self.max_abs_correlation is None and self.max_single_feature_score is None:
            raise contradiction("give max_abs_correlation, max_single_feature_score or both")
        return self


class Stability(_Model):
    max_zero_fraction: Annotated[float, Field(ge=0, le=1)] | None = Field(
        None, description="Largest share of weights that are exactly zero.")


class BeatsTrivial(_Model):
    margin: Annotated[dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]], Field(min_length=1)] = Field(
        description="metric -> smallest gain of the candidate over a trivial model (majority class, or the "
                    "training mean) on the evaluation split.")


class ModelSection(_Model):
    task: Literal["classification", "regression"]
    train: Entrypoint = Field(description="module:function, (DataFrame with label, seed) -> model.")
    load: Entrypoint | None = Field(None, description="module:function, () -> the model now serving.")
    predict: Entrypoint | None = Field(None, description="module:function, (model, X) -> predictions.")
    adapter: Entrypoint | None = Field(None, description="module:function, model -> object with the adapter protocol.")
    paths: list[str] = Field(default_factory=lambda: ["."],
                             description="Directories (relative to the spec) to import entrypoints from.")
    artifact: str | None = Field(None, description="Serving model file; its mtime is the training time "
                                                   "when the model carries no trained_at.")
    eval_fraction: Annotated[float, Field(gt=0, lt=1)] = Field(
        0.3, description="Share of rows in the hash-based evaluation split.")
    metrics: Annotated[dict[str, MetricBound], Field(min_length=1)] = Field(
        description="metric -> {min, max}: absolute bounds (slow degradation).")
    max_drop: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default_factory=dict, description="metric -> largest drop vs the serving model (sudden degradation).")
    beats_trivial: BeatsTrivial | None = Field(
        None, description="A simpler model is not better (ML Test Score M5): margins over a trivial model.")
    reproducibility: Reproducibility = Field(default_factory=Reproducibility)
    leakage: Leakage | None = None
    stability: Stability = Field(default_factory=Stability)
    max_model_age: str | None = Field(None, description="Largest serving model age, e.g. 7d.")
    smoke_rows: Annotated[int, Field(ge=4, le=10000)] = Field(
        32, description="Random rows drawn from the schema for the ML API smoke test.")

    _age = field_validator("max_model_age")(lambda v: _check_duration(v))

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value, info: ValidationInfo):
        _check_metrics(value, info.data.get("task"))
        return value

    @model_validator(mode="after")
    def _consistent(self):
        unknown = sorted(set(self.max_drop) - set(self.metrics))
        if unknown:
            raise contradiction(f"max_drop names {unknown}, which metrics does not list")
        if self.max_drop and self.load is None:
            raise contradiction("max_drop compares with the serving model: set model.load")
        return self

    @field_validator("beats_trivial")
    @classmethod
    def _beats_trivial_metrics(cls, value, info: ValidationInfo):
        listed = info.data.get("metrics")
        unknown = sorted(set(value.margin) - set(listed)) if value is not None and listed is not None else []
        if unknown:  # located at model.beats_trivial; metrics that failed validation are reported there instead
            raise contradiction(f"beats_trivial.margin names {unknown}, which model.metrics does not list")
        return value


class Slice(_Model):
    where: str | None = Field(None, description="pandas query selecting the slice, e.g. \"hour >= 22\".")
    column: str | None = Field(None, description="Column for a column/value filter.")
    value: str | int | float | bool | list[str | int | float | bool] | None = Field(
        None, description="Value (or list of values) of column that selects the slice.")
    metrics: Annotated[dict[str, MetricBound], Field(min_length=1)]
    min_rows: Annotated[int, Field(ge=1)] = Field(
        30, description="Fewest evaluation rows; a smaller slice fails rather than passing vacuously.")

    @model_validator(mode="after")
    def _one_filter(self):
        if (self.where is None) == (self.column is None):
            raise contradiction("give either where (a query) or column and value")
        if self.column is not None and self.value is None:
            raise contradiction(f"column {self.column!r} needs a value")
        if self.where is not None and (self.value is not None or not self.where.strip()):
            raise contradiction("where is a complete query; drop value or fill in where")
        return self
