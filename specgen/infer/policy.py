"""The margin policy: observed statistics -> spec bounds that generalise.

A bound must let a fresh sample from the same source pass and still catch gross
errors, so every limit is the observation widened by a fixed rule, then rounded
outward to a readable number:

* range: ``[min - m, max + m]`` with ``m = RANGE_MARGIN * (max - min)`` (25 % of
  the observed span on each side; a constant column uses 25 % of its value, or
  1). A column never seen negative keeps 0 as its floor, so negative counts fail.
  A x1000 outlier or a unit change upward lands far outside. Integer bounds are
  computed in exact integer arithmetic (64-bit ids exceed a float's 53 bits), then
  moved outward to the nearest float-exact value (the spec reads bounds as floats).
  A side whose observed extreme is +-inf stays open (null); an all-inf column gets no range.
* mean: ``mean +- MEAN_BAND * std`` (2 standard deviations of a single value).
  The mean of any batch of a few rows from the same source stays inside; a unit
  change (g -> kg, mm -> m) moves it by orders of magnitude and fails. None for
  distinct integers (ids, sequence numbers: their mean says nothing) or non-finite stats.
* nulls: a column never null is declared ``nullable: false``; otherwise
  ``max_null_fraction = max(2 p, p + 0.05)`` rounded up (p = observed fraction).
  The +0.05 absorbs the sampling noise of batches of ~100 rows; a null surge fails.
* categories: exactly the observed values; unseen ones fail. Values seen in
  fewer than ``RARE_SHARE`` of rows are flagged in a comment for review.
* datetime: only a lower bound (``min - 25 % of span``, to the day): serving
  data is later than training data by nature.
* Rounding: to one significant digit of the margin (``nice``), outward.
"""
from __future__ import annotations

import datetime as dt
import fractions
import math

__all__ = ["RANGE_MARGIN", "MEAN_BAND", "RARE_SHARE", "numeric_range", "mean_band",
           "max_null_fraction", "date_floor", "round_down", "round_up", "is_category", "readable"]

RANGE_MARGIN = 0.25
MEAN_BAND = 2.0
NULL_FACTOR = 2.0
NULL_SLACK = 0.05
RARE_SHARE = 0.01


def _step(scale: float) -> float:
    """One significant digit of ``scale``: 6.9 -> 1, 900 -> 100, 0.034 -> 0.01."""
    return 10.0 ** math.floor(math.log10(scale)) if scale > 0 else 1.0


def round_down(value: float, step: float) -> float:
    bound = math.floor(value / step + 1e-9) * step
    nice = readable(bound)
    return nice if nice <= value else bound  # 12 digits may not hold a large value: stay outward


def round_up(value: float, step: float) -> float:
    bound = math.ceil(value / step - 1e-9) * step
    nice = readable(bound)
    return nice if nice >= value else bound


def readable(value: float) -> float | int:
    """Strip float noise (0.30000000000000004 -> 0.3); whole numbers become ints."""
    value = float(f"{value:.12g}")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def numeric_range(lo: float, hi: float, integer: bool) -> tuple[float | int | None, float | int | None]:
    """``None`` on a side whose observed extreme is infinite (no finite bound fits it)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return _open_range(lo, hi, integer)
    if integer:
        return _integer_range(math.floor(lo), math.ceil(hi))
    span = hi - lo
    margin = RANGE_MARGIN * (span if span > 0 else (abs(hi) or 4.0))
    step = _step(margin)
    low = round_down(lo - margin, step)
    if lo >= 0 and low < 0:
        low = 0  # never seen negative: a negative value (count, price, size) is an error
    return low, round_up(hi + margin, step)


def _integer_range(lo: int, hi: int) -> tuple[int, int]:
    """The same rule in exact integer arithmetic: a float has 53 bits, so 64-bit ids
    (1441455612345678901) rounded through floats gave a zero-width range beside the data."""
    span = hi - lo
    margin = fractions.Fraction(RANGE_MARGIN) * (span if span > 0 else (abs(hi) or 4))
    step = 10 ** (len(str(max(1, math.floor(margin)))) - 1)
    low = math.floor((lo - margin) / step) * step
    if lo >= 0 and low < 0:
        low = 0  # never seen negative: a negative value (count, price, size) is an error
    high = math.ceil((hi + margin) / step) * step
    return _float_exact(low, -math.inf), _float_exact(high, math.inf)


def _float_exact(bound: int, outward: float) -> int:
    """``bound`` moved outward to the nearest value a float holds exactly: the spec reads bounds as
    floats, and a 64-bit bound rounded to the nearest float can land inside the data."""
    as_float = float(bound)
    if (int(as_float) - bound) * outward < 0:  # exact: int(float) - int, not float - float
        as_float = math.nextafter(as_float, outward)
    return int(as_float)


def _open_range(lo: float, hi: float, integer: bool) -> tuple[float | int | None, float | int | None]:
    """A side at +-inf stays open; a finite side gets its margin from its own magnitude."""
    low = None if not math.isfinite(lo) else numeric_range(lo, lo, integer)[0]
    high = None if not math.isfinite(hi) else numeric_range(hi, hi, integer)[1]
    return low, high


def mean_band(mean: float, std: float) -> tuple[float | int, float | int] | None:
    if std is None or not std > 0 or not math.isfinite(mean) or not math.isfinite(std):
        return None
    width = MEAN_BAND * std
    step = _step(width / 4)
    return round_down(mean - width, step), round_up(mean + width, step)


def max_null_fraction(fraction: float) -> float | None:
    """None when the column was never null (declare it non-nullable)."""
    if fraction <= 0:
        return None
    limit = max(NULL_FACTOR * fraction, fraction + NULL_SLACK)
    return min(1.0, round_up(limit, _step(limit)))


def date_floor(lo: dt.datetime | dt.date, hi: dt.datetime | dt.date) -> dt.date:
    lo_d = lo.date() if isinstance(lo, dt.datetime) else lo
    hi_d = hi.date() if isinstance(hi, dt.datetime) else hi
    margin = dt.timedelta(days=math.ceil(RANGE_MARGIN * (hi_d - lo_d).days))
    return lo_d - margin


def is_category(distinct: int, present: int, threshold: int) -> bool:
    """Few distinct values, each seen on average at least twice (else it is free text or an id)."""
    return 0 < distinct <= threshold and distinct * 2 <= present
