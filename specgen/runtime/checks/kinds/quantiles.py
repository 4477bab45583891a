"""``quantiles``: each listed quantile (linear interpolation, nulls skipped) within its bounds."""
from __future__ import annotations

from ... import stats
from ..base import Check, ColumnKind, Failure, bound
from ._shared import statistic_negatives


def quantiles_between(series, bounds) -> bool:
    return all(stats.within(stats.quantile(series, q), lo, hi) for q, lo, hi in bounds)


class Quantiles(ColumnKind):
    name = "quantiles"
    order = 120
    group = "distribution"
    meaning = "each listed quantile within its bounds"
    pandera_names = ("quantiles_between",)
    pandas_functions = {"quantiles_between": quantiles_between}

    def build(self, source) -> list[Check]:
        quantiles = getattr(getattr(source.feature, "distribution", None), "quantiles", None)
        if source.value_type not in ("int", "float") or not quantiles:
            return []
        params = {"quantiles": [(q, lo, hi) for q, (lo, hi) in sorted(quantiles.items())]}
        return [Check(self.name, source.name, params, source.environments)]

    def describe(self, check):
        return ", ".join(f"q{q:g} in [{bound(lo, '-inf')}, {bound(hi, 'inf')}]"
                         for q, lo, hi in check.params["quantiles"])

    def field_args(self, check):
        return (("quantiles_between", {"bounds": [list(b) for b in check.params["quantiles"]]}),)

    def negatives(self, check, value_type):
        _q, lo, hi = check.params["quantiles"][0]
        return statistic_negatives(lo, hi, value_type)

    def aggregates(self, check, x, name, frame):
        return [x.quantile(q, interpolation="linear").alias(f"{name}_{j}")
                for j, (q, _lo, _hi) in enumerate(check.params["quantiles"])]

    def pushdown_aggregates(self, check, x, name, q):
        return [(f"{name}_{j}", q.quantile(x, qu)) for j, (qu, _lo, _hi) in enumerate(check.params["quantiles"])]

    def judge(self, check, row, name, frame):
        bad = [f"q{q:g}={row[f'{name}_{j}']:.6g}" for j, (q, lo, hi) in enumerate(check.params["quantiles"])
               if row[f"{name}_{j}"] is not None and not stats.within(row[f"{name}_{j}"], lo, hi)]
        return Failure(check, None, observed=", ".join(bad)) if bad else None


KIND = Quantiles()
