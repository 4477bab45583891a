"""Column statistics and value-type tests for pandas, used by generated schema checks.

Each function returns the statistic; the check kinds (``checks/kinds``) turn it into
pass/fail for the generated schema (``pandas_checks``).
The polars engine computes the same statistics with expressions (``engine``);
both treat NaN as null and ignore nulls unless the statistic is about nulls.
"""
from __future__ import annotations

from typing import Any

__all__ = ["dtype_matches", "null_fraction", "mean", "std", "quantile", "shares", "within"]


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
    counts = values.astype(str).value_counts()
    return {str(k): float(v) / len(values) for k, v in counts.items()}


def within(value: Any, lo: Any, hi: Any) -> bool:
    if value is None:
        return True  # nothing to measure: emptiness is the row-count check's job
    return (lo is None or value >= lo) and (hi is None or value <= hi)
