"""The spec model: what users write, mirrored exactly (pydantic v2, extra keys forbidden).

Cross-field rules that make a spec contradictory raise ``PydanticCustomError``
of type ``contradiction`` so the validate stage can give them their own code.
Everything computed for the templates lives in ``plan``, not here.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationInfo,
                      field_validator, model_validator)
from pydantic_core import PydanticCustomError
from pydantic.functional_validators import BeforeValidator

from ..runtime.checks.kinds import relation as _relation
from ..runtime.checks.kinds.monotonic import DIRECTIONS as MONOTONIC_DIRECTIONS

__all__ = [
    "Spec", "Feature", "NumericFeature", "CategoricalFeature", "BoolFeature",
    "DatetimeFeature", "StringFeature", "Data", "Seeds", "DatasetChecks",
    "Training", "Inference", "parse_duration",
    "ModelSection", "BeatsTrivial", "Slice", "MetricBound", "Reproducibility", "Leakage", "Stability",
    "Monitoring", "FeatureMonitoring", "Measure", "DriftDefaults", "Alerts", "Prediction", "ServingTargets",
    "Transforms", "TransformOutput", "Predictions", "PredictionColumn", "OUTPUT_KINDS",
]


def _not_bool(value):
    # YAML reads true/false/yes/no/on/off as booleans, and pydantic would take them as 1 and 0
    if isinstance(value, bool):
        raise PydanticCustomError("float_type", "Input should be a number, not a boolean ({value})",
                                  {"value": str(value).lower()})
    return value


Number = Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False)]
Environment = Literal["training", "serving"]
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_DURATION = re.compile(r"^(\d+)(s|m|h|d|w)$")
_DURATION_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def contradiction(message: str) -> PydanticCustomError:
    return PydanticCustomError("contradiction", message)


def parse_duration(text: str) -> int:
    """``'7d'`` -> 604800 seconds (units s, m, h, d, w; Prometheus-style)."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30m, 12h or 7d")
    return int(match.group(1)) * _DURATION_SECONDS[match.group(2)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_bounds(value, what: str = "range"):
    if value is None:
        return value
    lo, hi = value
    if lo is not None and hi is not None and lo > hi:
        raise contradiction(f"{what}: lower bound {_fmt(lo)} is above upper bound {_fmt(hi)}")
    return value


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Column(_Model):
    description: str = ""
    nullable: bool | None = Field(None, description="Nulls allowed at all (default: false, or true when max_null_fraction > 0).")
    max_null_fraction: Annotated[float, Field(ge=0, le=1)] | None = Field(
        None, description="Largest share of nulls allowed in a batch.")
    environments: list[Environment] = Field(
        default_factory=lambda: ["training", "serving"],
        description="Where the column must be present; serving data may lack some (TFDV environments).")
    monitoring: "FeatureMonitoring | None" = Field(
        None, description="Per-feature overrides of the monitoring section (features only).")

    @model_validator(mode="after")
    def _nulls_agree(self):
        if self.nullable is False and (self.max_null_fraction or 0) > 0:
            raise contradiction(
                f"nullable is false but max_null_fraction is {self.max_null_fraction}; drop one of them")
        if not self.environments:
            raise contradiction("environments is empty; list training and/or serving")
        return self

    @property
    def allows_nulls(self) -> bool:
        if self.nullable is not None:
            return self.nullable
        return (self.max_null_fraction or 0) > 0

    @property
    def value_type(self) -> str:
        """What the dtype check demands of the values: the dtype, or ``category:str|int`` for a category."""
        return self.dtype


Bounds = tuple[Number | None, Number | None]
#: the row order a ``monotonic`` column keeps (strictly: no two equal neighbours)
Monotonic = Literal[MONOTONIC_DIRECTIONS]


class NumericDistribution(_Model):
    mean: Bounds | None = Field(None, description="[low, high] bounds on the column mean.")
    std: Bounds | None = Field(None, description="[low, high] bounds on the standard deviation.")
    quantiles: dict[Annotated[float, Field(ge=0, le=1)], Bounds] = Field(
        default_factory=dict, description="q -> [low, high] bounds on that quantile, e.g. {0.5: [10, 12]}.")

    _mean = field_validator("mean")(lambda v: _check_bounds(v, "mean"))
    _std = field_validator("std")(lambda v: _check_bounds(v, "std"))

    @field_validator("quantiles")
    @classmethod
    def _quantile_bounds(cls, value):
        for q, bounds in value.items():
            _check_bounds(bounds, f"quantile {q}")
        return value


class NumericFeature(_Column):
    dtype: Literal["float", "int"]
    range: Bounds | None = Field(None, description="[min, max], inclusive; either end may be null.")
    unique: bool = False
    default: Number | None = Field(None, description="Value used to impute nulls; must lie in range.")
    distribution: NumericDistribution | None = None
    monotonic: Monotonic | None = Field(
        None, description="Values only go up or down in row order (nulls skipped), e.g. ids or time stamps.")

    _range = field_validator("range")(lambda v: _check_bounds(v))

    @model_validator(mode="after")
    def _default_in_range(self):
        if self.default is not None and self.range is not None:
            lo, hi = self.range
            if (lo is not None and self.default < lo) or (hi is not None and self.default > hi):
                raise contradiction(
                    f"default {_fmt(self.default)} is outside range [{_fmt(lo)}, {_fmt(hi)}]")
        return self


class CategoricalDistribution(_Model):
    shares: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        description="Expected share of each category, e.g. {card: 0.6, cash: 0.3}.")
    tolerance: Annotated[float, Field(gt=0, le=1)] = Field(
        0.1, description="Largest allowed |observed share - expected share| per category.")

    @field_validator("shares")
    @classmethod
    def _sum_at_most_one(cls, value):
        if sum(value.values()) > 1 + 1e-9:
            raise contradiction(f"shares add up to {sum(value.values()):.12g}, more than 1")
        return value


class CategoricalFeature(_Column):
    dtype: Literal["category"]
    values: Annotated[list[StrictStr | StrictInt], Field(min_length=1)] = Field(description="The allowed categories.")
    default: StrictStr | StrictInt | None = None
    distribution: CategoricalDistribution | None = None

    @field_validator("values")
    @classmethod
    def _one_type(cls, value):
        # a column holds one type: with [1, 2, unknown] every row fails one kind or the other
        if len({type(v) for v in value}) > 1:
            numbers = [v for v in value if isinstance(v, int)]
            raise contradiction(f"values mixes numbers {numbers} and text; quote the numbers if they are "
                                "category names")
        return value

    @field_validator("values", mode="before")
    @classmethod
    def _no_yaml_booleans(cls, value):
        # YAML 1.1 reads unquoted yes/no/on/off/true/false as booleans: almost never meant as a category
        if isinstance(value, list) and any(isinstance(v, bool) for v in value):
            raise PydanticCustomError(
                "value_error", "values holds a boolean (unquoted yes/no/on/off/true/false in YAML); "
                "quote category names, or use dtype: bool")
        return value

    @property
    def value_type(self) -> str:
        return "category:int" if all(isinstance(v, int) for v in self.values) else "category:str"

    @model_validator(mode="after")
    def _consistent(self):
        seen = set()
        for value in self.values:
            if value in seen:
                raise contradiction(f"values lists {value!r} twice")
            seen.add(value)
        if self.default is not None and self.default not in seen:
            raise contradiction(f"default {self.default!r} is not one of values")
        if self.distribution:
            labels = {str(v) for v in self.values}
            unknown = sorted(set(self.distribution.shares) - labels)
            if unknown:
                raise contradiction(f"distribution.shares names {unknown} not in values")
        return self


class BoolFeature(_Column):
    dtype: Literal["bool"]


class DatetimeFeature(_Column):
    dtype: Literal["datetime"]
    range: tuple[dt.datetime | None, dt.datetime | None] | None = Field(
        None, description="[earliest, latest], inclusive; dates or ISO timestamps; either end may be null.")
    monotonic: Monotonic | None = Field(
        None, description="Values only go up or down in row order (nulls skipped), e.g. time stamps.")

    @field_validator("range", mode="before")
    @classmethod
    def _dates_to_datetimes(cls, value):
        if isinstance(value, (list, tuple)):
            for v in value:  # pydantic would read 0 or "1.5" as a Unix time: a spec means a date
                if isinstance(v, (bool, int, float)) or (isinstance(v, str) and _NUMBER.fullmatch(v.strip())):
                    raise PydanticCustomError(
                        "datetime_type", "datetime range bounds are dates or ISO 8601 times "
                        "(2024-01-31, 2024-01-31T12:00:00Z), not {value}", {"value": repr(v)})
            return [dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v for v in value]
        return value

    _range = field_validator("range")(lambda v: _check_bounds(v if v is None else tuple(map(_naive_utc, v))))


def _naive_utc(value):
    """An aware bound as UTC without a zone: data are read so (runtime.io.naive_utc); a naive bound is UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


class StringFeature(_Column):
    dtype: Literal["string"]
    pattern: str | None = Field(None, description="Regular expression every value must match in full.")
    length: tuple[Annotated[int, Field(ge=0)] | None, Annotated[int, Field(ge=0)] | None] | None = Field(
        None, description="[min, max] string length; either end may be null.")
    unique: bool = False

    _length = field_validator("length")(lambda v: _check_bounds(v, "length"))

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value):
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise PydanticCustomError("value_error", "pattern is not a valid regular expression: {err}",
                                          {"err": str(exc)}) from None
        return value


Feature = Annotated[
    Union[NumericFeature, CategoricalFeature, BoolFeature, DatetimeFeature, StringFeature],
    Field(discriminator="dtype"),
]


class Seeds(_Model):
    global_: int = Field(0, alias="global", ge=0, le=2**32 - 1,
                         description="Seed for every RNG the generated tests touch (numpy accepts 0 to 2**32-1).")
    split_salt: str | None = Field(None, description="Salt for hash-based splits (default: the spec name).")
    rotate_daily: bool = Field(False, description="Add the date to split hashes so each day tests a fresh sample.")


def _data_format(value):
    if value is not None and not value.lower().endswith((".csv", ".parquet", ".pq")):
        raise PydanticCustomError("value_error", "{path!r}: data must be a .csv or .parquet file",
                                  {"path": value})
    return value


class Data(_Model):
    training: str = Field(description="Training data (CSV or Parquet), relative to the spec file.")
    serving: str | None = Field(None, description="A sample of serving data, relative to the spec file.")
    label: str | None = Field(None, description="The label column (absent from serving data).")
    key: list[str] = Field(default_factory=list, description="Columns that identify a row.")

    @field_validator("training", "serving")
    @classmethod
    def _supported_format(cls, value):
        return _data_format(value)


def _relation_syntax(text: str) -> str:
    try:
        _relation.parse(text)
    except ValueError as exc:
        raise _relation_error(str(exc)) from None
    return text


def _relation_error(message: str, at: tuple = ()) -> PydanticCustomError:
    """A relation problem [SG107]; ``at`` locates it below the field that raised it."""
    return PydanticCustomError("relation", "{message}", {"message": message, "at": at, "code": "SG107"})


def _did_you_mean(name: str, choices) -> str:
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


class DatasetChecks(_Model):
    rows: tuple[Annotated[int, Field(ge=0)] | None, Annotated[int, Field(ge=0)] | None] | None = Field(
        None, description="[min, max] row count of a batch; either end may be null.")
    extra_columns: Literal["error", "ignore"] = Field(
        "error", description="What to do with columns the spec does not declare.")
    key_unique: bool = Field(True, description="The data.key columns identify each row uniquely.")
    relations: list[Annotated[str, AfterValidator(_relation_syntax)]] = Field(
        default_factory=list,
        description="Comparisons between two declared columns that hold on every row, e.g. 'start <= end': "
                    "column OP column, OP one of < <= > >= == !=; quote names with spaces in backticks. "
                    "A row with a null on either side passes.")

    _rows = field_validator("rows")(lambda v: _check_bounds(v, "rows"))

    @field_validator("relations")
    @classmethod
    def _listed_once(cls, value):
        seen = set()
        for i, text in enumerate(value):
            parsed = _relation.parse(text)
            if parsed in seen:
                raise _relation_error(f"relation {text!r} is listed twice", (i,))
            seen.add(parsed)
        return value

    def check_relations(self, columns: dict[str, Any]) -> None:
        """Every relation names two declared columns whose types compare with its operator."""
        for i, text in enumerate(self.relations):
            left, op, right = _relation.parse(text)
            for name in (left, right):
                if name not in columns:
                    raise _relation_error(f"relation {text!r} names {name!r}, which is not declared in features "
                                          f"or columns{_did_you_mean(name, columns)}", ("relations", i))
            why = _relation.incompatible(columns[left].value_type, op, columns[right].value_type)
            if why is not None:
                raise _relation_error(f"relation {text!r}: {why}", ("relations", i))


class Training(_Model):
    mode: Literal["static", "dynamic"] = "static"
    max_model_age: str | None = Field(None, description="Largest model age, e.g. 7d (dynamic training).")

    _age = field_validator("max_model_age")(lambda v: _check_duration(v))


class Inference(_Model):
    mode: Literal["batch", "online"] = "batch"


# --- model and slices (issue 4) -------------------------------------------------------------

ENTRYPOINT_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"
Entrypoint = Annotated[str, Field(pattern=ENTRYPOINT_PATTERN)]
SliceName = Annotated[str, Field(pattern=NAME_PATTERN)]
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
    from ..runtime.metrics import METRICS  # numpy only; the compiler may import the runtime

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


# --------------------------------------------------------------------------
# Monitoring (drift, skew, alerts); see specgen.runtime.drift for the measures
# --------------------------------------------------------------------------

MeasureName = Literal["psi", "js_distance", "linf", "chi_square", "wasserstein_normalized", "ks_statistic"]
#: measures that need positions on a number line: numeric features only
POSITIONAL_MEASURES = ("wasserstein_normalized", "ks_statistic")
_METRIC_NAME = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"
_URL = r"^https?://[^\s\"'{}<>\\`]+$"


def _check_duration(value):
    if value is not None:
        try:
            parse_duration(value)
        except ValueError as exc:
            raise PydanticCustomError("value_error", str(exc)) from None
    return value


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

    _metrics = field_validator("metrics")(lambda v: _check_metrics(v) or v)
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


class FeatureMonitoring(_Model):
    enabled: bool = Field(True, description="false: do not monitor this feature.")
    drift: Measure | None = Field(None, description="Overrides monitoring.drift for this feature.")
    skew: Measure | None = Field(None, description="Overrides monitoring.skew for this feature.")
    bins: Annotated[int, Field(ge=2, le=100)] | None = Field(None, description="Overrides monitoring.bins.")


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


# --------------------------------------------------------------------------
# Feature engineering and batch predictions (issue 5)
# --------------------------------------------------------------------------

#: transform output kind -> what it promises (the generated README and docs show these)
OUTPUT_KINDS = {
    "onehot": "a group of columns holding 0 or 1, exactly one 1 per row",
    "zscore": "mean ~ 0 and std ~ 1 on the training data (within tolerance)",
    "minmax": "within [0, 1]",
    "clip": "within the clip range",
    "bucketize": "integers in [0, buckets)",
    "log": "a log transform: finite, within range when given",
    "range": "within a custom numeric range",
}
_OUTPUT_PATTERN = r"^[^\x00-\x1f\x7f]{1,200}$"


class TransformOutput(_Model):
    kind: Literal["onehot", "zscore", "minmax", "clip", "bucketize", "log", "range"] = Field(
        description="onehot | zscore | minmax | clip | bucketize | log | range.")
    range: Bounds | None = Field(None, description="[min, max] (clip and range: required; log: optional).")
    buckets: Annotated[int, Field(ge=1)] | None = Field(None, description="Number of buckets (bucketize).")
    tolerance: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        0.05, description="zscore: largest |mean| and |std - 1| on the training data.")

    _range = field_validator("range")(lambda v: _check_bounds(v))

    @model_validator(mode="after")
    def _needs(self):
        if self.kind in ("clip", "range") and (self.range is None or self.range == (None, None)):
            raise contradiction(f"kind {self.kind} needs range: [min, max]")
        if self.kind == "bucketize" and self.buckets is None:
            raise contradiction("kind bucketize needs buckets: n")
        if self.buckets is not None and self.kind != "bucketize":
            raise contradiction(f"buckets is for kind bucketize, not {self.kind}")
        if self.range is not None and self.kind not in ("clip", "range", "log"):
            raise contradiction(f"range is for kinds clip, range and log, not {self.kind}")
        return self


class Transforms(_Model):
    when: Literal["before_training", "during_training"] = Field(
        description="before_training: features are computed and stored (skew risk); "
                    "during_training: the same code runs in training and serving.")
    entrypoint: Entrypoint = Field(description="module:function, the training path: DataFrame -> DataFrame.")
    serving_entrypoint: Entrypoint | None = Field(
        None, description="module:function, the serving (online) path; when given, a parity test "
                          "feeds both paths the same raw rows.")
    paths: list[str] = Field(default_factory=lambda: ["."],
                             description="Directories (relative to the spec) to import entrypoints from.")
    tolerance: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(
        1e-6, description="Largest |training - serving| feature difference the parity test allows.")
    outputs: Annotated[dict[Annotated[str, Field(pattern=_OUTPUT_PATTERN)], TransformOutput],
                       Field(min_length=1)] = Field(
        description="Output column, or glob pattern such as payment_type_*, -> its kind and checks.")

    @model_validator(mode="after")
    def _onehot_groups(self):
        for name, out in self.outputs.items():
            if out.kind != "onehot" and any(ch in name for ch in "*?["):
                raise contradiction(f"output {name!r}: glob patterns name onehot groups only")
        return self


class PredictionColumn(_Model):
    range: Bounds | None = Field(None, description="[min, max] of a numeric prediction.")
    values: list[StrictStr | StrictInt] | None = Field(None, description="Allowed predicted classes.")

    _range = field_validator("range")(lambda v: _check_bounds(v))

    @model_validator(mode="after")
    def _one(self):
        if self.range is not None and self.values is not None:
            raise contradiction("give range (numeric) or values (classes), not both")
        return self


class Predictions(_Model):
    path: str = Field(description="The cached prediction table (CSV or Parquet), relative to the spec.")
    inputs: str | None = Field(None, description="The rows that must have predictions (default data.serving).")
    key: list[str] = Field(default_factory=list, description="Key columns (default data.key).")
    columns: Annotated[dict[str, PredictionColumn], Field(min_length=1)] = Field(
        description="Prediction column -> {range} or {values}.")
    probabilities: list[str] = Field(default_factory=list,
                                     description="Class probability columns: each in [0, 1], each row sums to 1.")
    tolerance: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        1e-6, description="Largest |row sum of probabilities - 1|.")
    rare_slices: list[SliceName] = Field(
        default_factory=list, description="Slices (from slices:) whose input rows must all have predictions.")

    @field_validator("path", "inputs")
    @classmethod
    def _supported_format(cls, value):
        return _data_format(value)


class Spec(_Model):
    """One model's tests and monitors, declared once."""

    spec_version: Literal[1] = Field(description="Format version of this spec; currently 1.")
    name: Annotated[str, Field(pattern=NAME_PATTERN)] = Field(
        description="snake_case model name; prefixes metrics and generated files.")
    description: str = ""
    seeds: Seeds = Field(default_factory=Seeds)
    training: Training = Field(default_factory=Training)
    inference: Inference = Field(default_factory=Inference)
    data: Data
    features: Annotated[dict[str, Feature], Field(min_length=1)] = Field(
        description="Model inputs by column name, each with its dtype and checks.")
    columns: dict[str, Feature] = Field(
        default_factory=dict, description="Other columns (the label, keys, metadata), checked the same way.")
    dataset: DatasetChecks = Field(default_factory=DatasetChecks)
    model: ModelSection | None = Field(None, description="The model under test, by entrypoint.")
    slices: dict[SliceName, Slice] = Field(default_factory=dict, description="Named data slices with own bounds.")
    monitoring: Monitoring | None = Field(
        None, description="Drift/skew baselines and Prometheus alerts; omitted: no monitoring outputs.")
    transforms: Transforms | None = Field(
        None, description="Feature-engineering checks and training-serving skew tests.")
    predictions: Predictions | None = Field(
        None, description="Checks on cached batch predictions before they are pushed (inference.mode batch).")

    @field_validator("features", "columns")
    @classmethod
    def _names_nonempty(cls, value):
        for name in value:
            if not name.strip():
                raise PydanticCustomError("invalid_name", "column names must not be empty or blank")
            if len(name) > 200:
                raise PydanticCustomError("invalid_name", "column name longer than 200 characters")
        return value

    @field_validator("dataset")
    @classmethod
    def _relations_known(cls, value, info: ValidationInfo):
        if "features" in info.data and "columns" in info.data:  # else those failed: their errors say enough
            value.check_relations({**info.data["features"], **info.data.get("columns", {})})
        return value

    @model_validator(mode="after")
    def _cross_checks(self):
        label = self.data.label
        if label is not None and label in self.features:
            raise contradiction(f"label {label!r} is also a feature; a model must not take its label as input")
        both = sorted(set(self.features) & set(self.columns))
        if both:
            raise contradiction(f"{both} declared both in features and in columns")
        self._model_checks()
        self._predictions_consistent()
        self._monitoring_consistent()
        return self

    def _predictions_consistent(self) -> None:
        p = self.predictions
        if p is None:
            return
        if self.inference.mode != "batch":
            raise contradiction("predictions checks cached batch predictions: set inference.mode: batch")
        if not (p.key or self.data.key):
            raise contradiction("predictions needs key columns: set predictions.key or data.key")
        if p.inputs is None and self.data.serving is None:
            raise contradiction("predictions needs the rows to predict: set predictions.inputs or data.serving")
        undeclared = sorted(set(p.key) - set(self.all_columns) - set(self.data.key))
        if undeclared:
            raise contradiction(f"predictions.key names undeclared columns {undeclared}")
        unknown = sorted(set(p.rare_slices) - set(self.slices))
        if unknown:
            raise contradiction(f"predictions.rare_slices names {unknown}, which slices does not define")
        both = sorted(set(p.columns) & set(p.probabilities))
        if both:
            raise contradiction(f"{both} listed both as prediction columns and as probabilities")

    def _model_checks(self) -> None:
        if self.slices and self.model is None:
            raise contradiction("slices are evaluated with a model: add a model section")
        if self.model is None:
            return
        if self.data.label is None:
            raise contradiction("model tests need data.label")
        ages = {a for a in (self.model.max_model_age, self.training.max_model_age) if a is not None}
        if len(ages) > 1:
            raise contradiction(f"model.max_model_age and training.max_model_age differ: {sorted(ages)}")
        names = set(self.all_columns) | set(self.data.key) | {self.data.label}
        for name, piece in sorted(self.slices.items()):
            _check_metrics(piece.metrics, self.model.task)
            if piece.column is not None and piece.column not in names:
                raise contradiction(f"slice {name!r} filters on undeclared column {piece.column!r}")

    def _monitoring_consistent(self):
        for name, feature in self.columns.items():
            if feature.monitoring is not None:
                raise contradiction(f"columns.{name}.monitoring: only features are monitored")
        for name, feature in self.features.items():
            override = feature.monitoring
            if feature.dtype in ("category", "bool") and override is not None:
                for what in ("drift", "skew"):
                    measure = getattr(override, what)
                    if measure is not None and measure.metric in POSITIONAL_MEASURES:
                        raise contradiction(f"features.{name}.monitoring.{what}: {measure.metric} needs numbers; "
                                            f"use psi, js_distance, linf or chi_square for {feature.dtype}")
        if self.monitoring is not None:
            measures = [("drift.categorical", self.monitoring.drift.categorical)]
            if self.monitoring.prediction_drift is not None:
                if self.model is None:
                    raise contradiction("monitoring.prediction_drift needs a model section")
                measures.append(("prediction_drift.categorical", self.monitoring.prediction_drift.categorical))
            for what, measure in measures:
                if measure.metric in POSITIONAL_MEASURES:
                    raise contradiction(f"monitoring.{what}: {measure.metric} needs numbers")

    @property
    def all_columns(self) -> dict[str, Any]:
        return {**self.features, **self.columns}


for _cls in (_Column, NumericFeature, CategoricalFeature, BoolFeature, DatetimeFeature, StringFeature, Spec):
    _cls.model_rebuild()
