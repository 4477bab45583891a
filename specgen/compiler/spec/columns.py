"""Columns: the ``features`` and ``columns`` sections, one class per dtype (the ``dtype`` key picks it)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, Union

from pydantic import Field, StrictInt, StrictStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ...runtime.checks.kinds.monotonic import DIRECTIONS as MONOTONIC_DIRECTIONS
from ...runtime.timezones import known_zone, to_naive_utc
from .common import Bounds, Environment, Number, _check_bounds, _check_duration, _fmt, _Model, contradiction
from .monitoring import FeatureMonitoring

__all__ = [
    "Feature", "NumericFeature", "CategoricalFeature", "BoolFeature", "DatetimeFeature", "StringFeature",
    "NumericDistribution", "CategoricalDistribution", "Monotonic",
]

_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


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
    unseen_rate: Annotated[float, Field(ge=0, lt=1)] = Field(
        0, description="Share of rows that may hold a value not in `values` (rare codes a sample missed): a batch "
                       "fails only when it holds more such rows than this rate explains (chance below 0.001, "
                       "binomial). 0, the default: any unlisted value fails. `specgen infer` writes the "
                       "Good-Turing estimate (codes seen once / rows) when it is not 0.")
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
        None, description="[earliest, latest], inclusive; dates or ISO timestamps; either end may be null. A bound "
        "without an offset is wall time in `timezone`.")
    monotonic: Monotonic | None = Field(
        None, description="Values only go up or down in row order (nulls skipped), e.g. time stamps.")
    timezone: str | None = Field(
        None, description="The IANA time zone the data is expected in (e.g. UTC, Europe/Berlin). Values and bounds "
        "without a zone are wall time in it (default UTC); time-zone-aware data in another zone fails the "
        "`timezone` check.")
    max_age: str | None = Field(
        None, description="Freshness: the newest value must be at most this old (e.g. 36h, 7d) at check time "
        "(now, or --as-of / SPECGEN_AS_OF).")

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

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value):
        if value is not None and not known_zone(value):
            raise PydanticCustomError("value_error", "timezone {zone!r} is not an IANA time zone name "
                                      "(e.g. UTC, Europe/Berlin, America/New_York)", {"zone": value})
        return value

    _age = field_validator("max_age")(lambda v: _check_duration(v))

    @model_validator(mode="after")
    def _bounds_as_utc(self):
        if self.range is not None:
            bounds = tuple(to_naive_utc(v, self.timezone) if isinstance(v, dt.datetime) else v for v in self.range)
            _check_bounds(bounds)
            object.__setattr__(self, "range", bounds)  # the form data are compared in (runtime.timezones)
        return self


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
