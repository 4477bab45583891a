"""Column statistics and value-type tests for pandas, used by generated schema checks.

Each function returns the statistic; the check kinds (``checks/kinds``) turn it into
pass/fail for the generated schema (``pandas_checks``).
The polars engine computes the same statistics with expressions (``engine``);
both treat NaN as null and ignore nulls unless the statistic is about nulls.
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["dtype_matches", "null_fraction", "mean", "std", "quantile", "shares", "within", "binomial_tail"]


def dtype_matches(series, value_type: str) -> bool:
    """Does the series hold values of specgen value type ``value_type``?

    ``int`` accepts a float column whose non-null values are whole numbers, because
    pandas turns an int column with nulls into float64; ``float`` accepts ints.
    ``category`` is ``category:str`` or ``category:int`` (the type of its values).
    """
    from pandas.api import types as t

    if len(series) and series.isna().all():
        return True  # an all-null column carries no type to contradict (same in the polars engine)
    dtype = series.dtype
    if value_type == "category:int":
        value_type = "int"
    if value_type in ("category:str", "string"):
        if isinstance(dtype, __import__("pandas").CategoricalDtype):
            return t.is_string_dtype(dtype.categories.dtype) or t.is_object_dtype(dtype.categories.dtype)
        if t.is_object_dtype(dtype):
            values = series.dropna()
            return bool(values.map(lambda v: isinstance(v, str)).all())
        return t.is_string_dtype(dtype)
    if value_type == "bool":
        if t.is_object_dtype(dtype):  # a bool column with nulls arrives from polars as object True/False/None
            return bool(series.dropna().map(lambda v: isinstance(v, (bool, __import__("numpy").bool_))).all())
        return t.is_bool_dtype(dtype)
    if value_type == "datetime":
        return t.is_datetime64_any_dtype(dtype)
    if t.is_bool_dtype(dtype) or not t.is_numeric_dtype(dtype):
        return False
    if value_type == "float":
        return True
    if value_type == "int":
        if t.is_integer_dtype(dtype):
            return True
        values = series.dropna()
        return bool(((values % 1) == 0).all())
    raise ValueError(f"unknown value type {value_type!r}")


def null_fraction(series) -> float:
    return float(series.isna().mean()) if len(series) else 0.0


def mean(series) -> float | None:
    values = series.dropna()
    return float(values.mean()) if len(values) else None


def std(series) -> float | None:
    values = series.dropna()
    return float(values.std(ddof=1)) if len(values) > 1 else None


def quantile(series, q: float) -> float | None:
    values = series.dropna()
    return float(values.quantile(q, interpolation="linear")) if len(values) else None


def shares(series) -> dict[str, float]:
    """Share of each value among non-null rows, keyed by ``str(value)``."""
    values = series.dropna()
    if not len(values):
        return {}
    if values.dtype.kind == "f":  # a whole float is its int's category (pandas writes ints with nulls as floats)
        whole = (values == values.round()) & (values.abs() < 2.0**53)
        values = values.astype(object).where(~whole, values.where(whole, 0).astype("int64"))
    counts = values.astype(str).value_counts()
    return {str(k): float(v) / len(values) for k, v in counts.items()}


def within(value: Any, lo: Any, hi: Any) -> bool:
    if value is None:
        return True  # nothing to measure: emptiness is the row-count check's job
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), exact to float precision (log-space terms: n may be millions).

    Summed from ``k`` upward when ``k`` lies above the mean (the terms fall away fast), else as one minus
    the lower tail summed downward from ``k - 1``; either way only the terms that matter are added."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)

    def term(j: int) -> float:
        return math.exp(math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * log_p + (n - j) * log_q)

    upper = k > n * p
    total, j = 0.0, (k if upper else k - 1)
    while 0 <= j <= n:
        t = term(j)
        total += t
        if t <= total * 1e-17:  # past the mode the terms only fall (an underflow to 0 ends it too)
            break
        j += 1 if upper else -1
    return min(1.0, total) if upper else max(0.0, 1.0 - total)
