"""``null_fraction``: the share of nulls is at most ``max_null_fraction``."""
from __future__ import annotations

from ... import stats
from ..base import Check, ColumnKind, Failure


def max_null_fraction(series, limit: float) -> bool:
    return stats.null_fraction(series) <= limit


class NullFraction(ColumnKind):
    name = "null_fraction"
    order = 40
    meaning = "share of nulls at most the limit"
    pandera_names = ("max_null_fraction",)
    pandas_functions = {"max_null_fraction": max_null_fraction}
    keeps_nulls = ("max_null_fraction",)  # a share of nulls needs the nulls pandera would drop first

    def build(self, source) -> list[Check]:
        f = source.feature
        limit = getattr(f, "max_null_fraction", None)
        if not getattr(f, "allows_nulls", False) or limit is None or limit >= 1:
            return []
        return [Check(self.name, source.name, {"max": limit}, source.environments)]

    def describe(self, check):
        return f"null fraction <= {check.params['max']:g}"

    def field_args(self, check):
        return (("max_null_fraction", {"limit": check.params["max"]}),)

    def negatives(self, check, value_type):
        return [("all_null", "set_all", None)]

    def aggregates(self, check, x, name, frame):
        import polars as pl

        return [(x.null_count() / pl.len()).alias(name)]

    def pushdown_aggregates(self, check, x, name, q):
        return [(name, q.ratio(q.null_count(x), q.rows_expr()))]

    def judge(self, check, row, name, frame):
        value = row[name] or 0.0
        return None if value <= check.params["max"] else Failure(check, None, observed=f"null fraction {value:.4g}")

    def judge_totals(self, check, rows, nulls):
        if check.column not in nulls or not rows:
            return None
        share = nulls[check.column] / rows
        return Failure(check, None, observed=f"null fraction {share:.4g}") if share > check.params["max"] else None


KIND = NullFraction()
