"""``std``: the column's sample standard deviation (ddof=1, nulls skipped) within bounds."""
from __future__ import annotations

from ... import stats
from ._shared import BoundedStatistic


def std_between(series, lo, hi) -> bool:
    return stats.within(stats.std(series), lo, hi)


class Std(BoundedStatistic):
    name = "std"
    order = 110
    meaning = "column standard deviation within bounds"
    function = "std_between"
    pandera_names = ("std_between",)
    pandas_functions = {"std_between": std_between}

    def negatives(self, check, value_type):
        # a constant column has std 0: below any positive minimum
        return [("constant", "set_all_first", None)] if check.params.get("min") else []

    def aggregates(self, check, x, name, frame):
        return [x.std(ddof=1).alias(name)]

    def pushdown_aggregates(self, check, x, name, q):
        return [(name, q.std(x))]


KIND = Std()
