"""``values``: every value is one of the declared categories, or (with ``unseen_rate``) few enough are not.

A sample misses rare codes: a spec may say how often an unlisted value is expected (``unseen_rate``,
``specgen infer`` writes the Good-Turing estimate). Such a check fails only when the batch's unlisted
non-null rows are more than that rate explains: ``k`` of ``n`` with P(Binomial(n, rate) >= k) below
``UNSEEN_ALPHA``, so a clean batch from the source fails it with chance below 0.001 when the rate is
right. Without a rate, any unlisted value fails.
"""
from __future__ import annotations

from ... import stats
from ..base import Check, Failure, RowKind

_UNSEEN = "__specgen_unseen__"
#: chance that a clean batch holds more unlisted rows than a check with ``unseen_rate`` allows
UNSEEN_ALPHA = 0.001


def isin_within(series, values: list, unseen_rate: float):
    """pandera: the rows not in ``values`` fail, but only when there are more of them than
    ``unseen_rate`` explains (else every row passes)."""
    listed = series.isin(values)
    unlisted = int((~listed).sum())
    return listed if improbable(unlisted, len(series), unseen_rate) else listed | True


def improbable(unlisted: int, rows: int, rate: float) -> bool:
    """More unlisted rows than ``rate`` explains (any at all when ``rate`` is 0)."""
    return unlisted > 0 and stats.binomial_tail(unlisted, rows, rate) < UNSEEN_ALPHA


class Values(RowKind):
    name = "values"
    order = 60
    meaning = "values in the allowed set"
    pandera_names = ("isin", "isin_within")
    pandas_functions = {"isin_within": isin_within}

    def build(self, source) -> list[Check]:
        if not source.value_type.startswith("category"):
            return []
        params = {"values": list(source.feature.values)}
        rate = getattr(source.feature, "unseen_rate", 0)
        if rate:
            params["unseen_rate"] = rate
        return [Check(self.name, source.name, params, source.environments)]

    def describe(self, check):
        values = check.params["values"]
        text = f"x in {{{', '.join(repr(v) for v in values[:12])}{', ...' if len(values) > 12 else ''}}}"
        rate = check.params.get("unseen_rate")
        return text if not rate else f"{text}; other values no more often than rate {rate:g} explains"

    def field_args(self, check):
        rate = check.params.get("unseen_rate")
        if rate:
            return (("isin_within", {"values": check.params["values"], "unseen_rate": rate}),)
        return (("isin", check.params["values"]),)

    def negatives(self, check, value_type):
        # with a rate, one unlisted row may be chance: every row unlisted is not
        mutation = "set_all" if check.params.get("unseen_rate") else "set_first"
        return [("unseen", mutation, _unseen(check.params["values"]))]

    def violation(self, check, x, frame):
        values = check.params["values"]
        if frame.schema[check.column].is_float() and all(isinstance(v, int) for v in values):
            # whole floats pass an int category's dtype check (pandas writes ints with nulls as floats),
            # and polars will not look for ints among floats
            values = [float(v) for v in values]
        return x.is_not_null() & ~x.is_in(values)

    def pushdown_violation(self, check, x, q):
        return q.is_not_null(x) & ~q.is_in(x, check.params["values"])

    # a rate needs the non-null rows besides the unlisted ones
    def aggregates(self, check, x, name, frame):
        rate = [x.is_not_null().sum().alias(f"{name}_n")] if check.params.get("unseen_rate") else []
        return super().aggregates(check, x, name, frame) + rate

    def pushdown_aggregates(self, check, x, name, q):
        rate = [(f"{name}_n", q.count(x))] if check.params.get("unseen_rate") else []
        return super().pushdown_aggregates(check, x, name, q) + rate

    def tolerates(self, check) -> bool:
        return bool(check.params.get("unseen_rate"))

    def judge(self, check, row, name, frame):
        unlisted = int(row[name] or 0)
        if not unlisted:
            return None
        rate = check.params.get("unseen_rate")
        if rate and not improbable(unlisted, int(row[f"{name}_n"] or 0), rate):
            return None
        failure = self.failing(check, frame)
        if not rate:
            return failure
        n = int(row[f"{name}_n"])
        return Failure(check, failure.failing_rows, failure.examples,
                       observed=f"{unlisted} of {n} rows unlisted ({unlisted / n:.2%}; chance below "
                                f"{UNSEEN_ALPHA:g} at rate {rate:.2g})")


def _unseen(values: list):
    if all(isinstance(v, int) for v in values):
        return max(values) + 1
    candidate = _UNSEEN
    while candidate in values:
        candidate += "_"
    return candidate


KIND = Values()
