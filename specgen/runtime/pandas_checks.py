"""Pass/fail functions that generated pandera schemas call from ``@pa.check`` methods.

Kept one line each: the statistic lives in ``stats``, the rule in ``tolerances``
below, so a generated schema and ``specgen validate`` apply the same rule.
"""
from __future__ import annotations

from . import stats

__all__ = ["dtype_kind", "max_null_fraction", "mean_between", "std_between",
           "quantiles_between", "shares_within", "row_count_between"]


def dtype_kind(series, kind: str) -> bool:
    return stats.dtype_matches(series, kind)


def max_null_fraction(series, limit: float) -> bool:
    return stats.null_fraction(series) <= limit


def mean_between(series, lo, hi) -> bool:
    return stats.within(stats.mean(series), lo, hi)


def std_between(series, lo, hi) -> bool:
    return stats.within(stats.std(series), lo, hi)


def quantiles_between(series, bounds) -> bool:
    return all(stats.within(stats.quantile(series, q), lo, hi) for q, lo, hi in bounds)


def shares_within(series, expected: dict, tolerance: float) -> bool:
    observed = stats.shares(series)
    if not observed:
        return True
    return all(abs(observed.get(k, 0.0) - share) <= tolerance for k, share in expected.items())


def row_count_between(frame, lo, hi) -> bool:
    return stats.within(len(frame), lo, hi)
