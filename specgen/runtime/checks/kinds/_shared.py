"""Helpers several kinds share (no ``KIND`` here, so the registry skips this module)."""
from __future__ import annotations

import datetime as dt
import math

from ... import stats
from ..base import Check, ColumnKind, Failure, between


def int_if_whole(value):
    return int(value) if value is not None and float(value).is_integer() else value


def has_bounds(pair) -> bool:
    return pair is not None and (pair[0] is not None or pair[1] is not None)


def step(bound, direction: int, value_type: str | None):
    """The nearest value just outside an inclusive bound."""
    if isinstance(bound, dt.datetime):
        return bound + direction * dt.timedelta(seconds=1)
    if value_type in ("int", "category:int") and float(bound).is_integer():
        return int(bound) + direction
    return math.nextafter(float(bound), direction * math.inf)


def beyond(bound, direction: int) -> float:
    """A value clearly outside a bound on a statistic. One ULP (``step``) is not enough:
    the mean of n copies of x is computed as sum/n and may round back onto the bound."""
    bound = float(bound)
    value = bound + direction * max(abs(bound), 1.0) * 1e-6
    return value if math.isfinite(value) else step(bound, direction, "float")


def statistic_negatives(lo, hi, value_type: str | None) -> list[tuple[str, str, object]]:
    """Set every row to one value past the first bound of a statistic (mean, a quantile)."""
    if value_type == "int":  # a float in an int column fails its dtype check first: stay whole
        if hi is not None:
            return [("above", "set_all", math.floor(hi) + 1)]
        return [("below", "set_all", math.ceil(lo) - 1)] if lo is not None else []
    # A statistic of n copies of nextafter(bound) can round back onto the bound: step clearly outside.
    if hi is not None:
        return [("above", "set_all", beyond(hi, +1))]
    return [("below", "set_all", beyond(lo, -1))] if lo is not None else []


class BoundedStatistic(ColumnKind):
    """A numeric column statistic (nulls skipped) within ``[min, max]``: what ``mean`` and ``std``
    share. A subclass names the statistic, its pandas function, and its polars aggregate."""

    group = "distribution"
    function = ""  # the pandas check function (and pandera check name)

    def build(self, source) -> list[Check]:
        bounds = getattr(getattr(source.feature, "distribution", None), self.name, None)
        if source.value_type not in ("int", "float") or not has_bounds(bounds):
            return []
        return [Check(self.name, source.name, {"min": bounds[0], "max": bounds[1]}, source.environments)]

    def describe(self, check):
        return between(self.name, check.params)

    def field_args(self, check):
        return ((self.function, {"lo": check.params["min"], "hi": check.params["max"]}),)

    def judge(self, check, row, name, frame):
        value = row[name]
        if value is None or stats.within(value, check.params.get("min"), check.params.get("max")):
            return None
        return Failure(check, None, observed=f"{self.name} {value:.6g}")
