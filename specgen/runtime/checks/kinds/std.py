"""``std``: the column's sample standard deviation (ddof=1, nulls skipped) within bounds."""
from __future__ import annotations

from ... import stats
from ..base import Check, ColumnKind, Failure, Method, between
from ._shared import has_bounds


def std_between(series, lo, hi) -> bool:
    return stats.within(stats.std(series), lo, hi)


class Std(ColumnKind):
    name = "std"
    order = 110
    group = "distribution"
    meaning = "column standard deviation within bounds"
    pandera_names = ("std_between",)
    pandas_functions = {"std_between": std_between}

    def build(self, source) -> list[Check]:
        bounds = getattr(getattr(source.feature, "distribution", None), "std", None)
        if source.value_type not in ("int", "float") or not has_bounds(bounds):
            return []
        return [Check(self.name, source.name, {"min": bounds[0], "max": bounds[1]}, source.environments)]

    def describe(self, check):
        return between(self.name, check.params)

    def methods(self, check, attr):
        p = check.params
        return (Method(f"_{attr}__{self.name}", self.name, "std_between", (p["min"], p["max"])),)

    def negatives(self, check, value_type):
        return [("constant", "set_all_first", None)] if check.params.get("min") else []

    def aggregates(self, check, x, name, frame):
        return [x.std(ddof=1).alias(name)]

    def judge(self, check, row, name, frame):
        value = row[name]
        if value is None or stats.within(value, check.params.get("min"), check.params.get("max")):
            return None
        return Failure(check, None, observed=f"std {value:.6g}")


KIND = Std()
