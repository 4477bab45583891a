"""``mean``: the column mean (nulls skipped) within bounds."""
from __future__ import annotations

from ... import stats
from ..base import Check, ColumnKind, Failure, Method, between
from ._shared import has_bounds, statistic_negatives


def mean_between(series, lo, hi) -> bool:
    return stats.within(stats.mean(series), lo, hi)


class Mean(ColumnKind):
    name = "mean"
    order = 100
    group = "distribution"
    meaning = "column mean within bounds"
    pandera_names = ("mean_between",)
    pandas_functions = {"mean_between": mean_between}

    def build(self, source) -> list[Check]:
        bounds = getattr(getattr(source.feature, "distribution", None), "mean", None)
        if source.value_type not in ("int", "float") or not has_bounds(bounds):
            return []
        return [Check(self.name, source.name, {"min": bounds[0], "max": bounds[1]}, source.environments)]

    def describe(self, check):
        return between(self.name, check.params)

    def methods(self, check, attr):
        p = check.params
        return (Method(f"_{attr}__{self.name}", self.name, "mean_between", (p["min"], p["max"])),)

    def negatives(self, check, value_type):
        return statistic_negatives(check.params.get("min"), check.params.get("max"), value_type)

    def aggregates(self, check, x, name, frame):
        return [x.mean().alias(name)]

    def judge(self, check, row, name, frame):
        value = row[name]
        if value is None or stats.within(value, check.params.get("min"), check.params.get("max")):
            return None
        return Failure(check, None, observed=f"mean {value:.6g}")


KIND = Mean()
