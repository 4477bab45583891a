"""The spec model: what users write, mirrored exactly (pydantic v2, extra keys forbidden).

Cross-field rules that make a spec contradictory raise ``PydanticCustomError``
of type ``contradiction`` so the validate stage can give them their own code.
Everything computed for the templates lives in ``plan``, not here.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "Spec", "Feature", "NumericFeature", "CategoricalFeature", "BoolFeature",
    "DatetimeFeature", "StringFeature", "Data", "Seeds", "DatasetChecks",
    "Training", "Inference", "parse_duration",
]

Number = Annotated[float, Field(allow_inf_nan=False)]
Environment = Literal["training", "serving"]
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
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


Bounds = tuple[Number | None, Number | None]


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
    values: Annotated[list[str | int], Field(min_length=1)] = Field(description="The allowed categories.")
    default: str | int | None = None
    distribution: CategoricalDistribution | None = None

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

    @field_validator("range", mode="before")
    @classmethod
    def _dates_to_datetimes(cls, value):
        if isinstance(value, (list, tuple)):
            return [dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v for v in value]
        return value

    _range = field_validator("range")(lambda v: _check_bounds(v))


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


class Data(_Model):
    training: str = Field(description="Training data (CSV or Parquet), relative to the spec file.")
    serving: str | None = Field(None, description="A sample of serving data, relative to the spec file.")
    label: str | None = Field(None, description="The label column (absent from serving data).")
    key: list[str] = Field(default_factory=list, description="Columns that identify a row.")

    @field_validator("training", "serving")
    @classmethod
    def _supported_format(cls, value):
        if value is not None and not value.lower().endswith((".csv", ".parquet", ".pq")):
            raise PydanticCustomError("value_error", "{path!r}: data must be a .csv or .parquet file",
                                      {"path": value})
        return value


class DatasetChecks(_Model):
    rows: tuple[Annotated[int, Field(ge=0)] | None, Annotated[int, Field(ge=0)] | None] | None = Field(
        None, description="[min, max] row count of a batch; either end may be null.")
    extra_columns: Literal["error", "ignore"] = Field(
        "error", description="What to do with columns the spec does not declare.")
    key_unique: bool = Field(True, description="The data.key columns identify each row uniquely.")

    _rows = field_validator("rows")(lambda v: _check_bounds(v, "rows"))


class Training(_Model):
    mode: Literal["static", "dynamic"] = "static"
    max_model_age: str | None = Field(None, description="Largest model age, e.g. 7d (dynamic training).")

    @field_validator("max_model_age")
    @classmethod
    def _duration(cls, value):
        if value is not None:
            try:
                parse_duration(value)
            except ValueError as exc:
                raise PydanticCustomError("value_error", str(exc)) from None
        return value


class Inference(_Model):
    mode: Literal["batch", "online"] = "batch"


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

    @field_validator("features", "columns")
    @classmethod
    def _names_nonempty(cls, value):
        for name in value:
            if not name.strip():
                raise PydanticCustomError("invalid_name", "column names must not be empty or blank")
            if len(name) > 200:
                raise PydanticCustomError("invalid_name", "column name longer than 200 characters")
        return value

    @model_validator(mode="after")
    def _cross_checks(self):
        label = self.data.label
        if label is not None and label in self.features:
            raise contradiction(f"label {label!r} is also a feature; a model must not take its label as input")
        both = sorted(set(self.features) & set(self.columns))
        if both:
            raise contradiction(f"{both} declared both in features and in columns")
        return self

    @property
    def all_columns(self) -> dict[str, Any]:
        return {**self.features, **self.columns}
