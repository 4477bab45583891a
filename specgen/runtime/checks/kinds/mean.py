"""``mean``: the column mean (nulls skipped) within bounds."""
from __future__ import annotations

from ... import stats
from ._shared import BoundedStatistic, statistic_negatives


def mean_between(series, lo, hi) -> bool:
    return stats.within(stats.mean(series), lo, hi)


class Mean(BoundedStatistic):
    name = "mean"
    order = 100
    meaning = "column mean within bounds"
    function = "mean_between"
    pandera_names = ("mean_between",)
    pandas_functions = {"mean_between": mean_between}

    def negatives(self, check, value_type):
        return statistic_negatives(check.params.get("min"), check.params.get("max"), value_type)

    def aggregates(self, check, x, name, frame):
        return [x.mean().alias(name)]

    def pushdown_aggregates(self, check, x, name, q):
        return [(name, q.mean(x))]


KIND = Mean()
