"""The margin policy: observed statistics -> spec bounds that generalise.

A bound must let a fresh sample from the same source pass and still catch gross
errors, so every limit is the observation widened by a fixed rule, then rounded
outward to a readable number:

* range: extrapolated from the tail of the observed values, not a fixed share of the span
  (``tail_range``). Above the top ``k`` order statistics (``k = n / 10``, 5 to 50) the
  distribution is taken as exponential (a generalised Pareto tail with shape 0), its scale
  the mean excess of the top ``k`` values over the ``k+1``-th, taken at its upper 95 %
  confidence bound (a fit to a few values is rough); the bound is where a fresh value would
  exceed it with chance ``ROW_RISK`` (one in a million rows). So the margin grows with the
  tail's spread and shrinks, relative to it, as more rows are seen, and a fresh sample from
  the same source passes. Positive data skewed to the right (lognormal-like, heavier than
  exponential) also gets the bound of a fit in log space (a Pareto tail, at ``LOG_ROW_RISK``);
  the larger wins. x1000 and unit changes upward land far outside; a unit change /1000 is the
  mean band's and drift's to catch (a range cannot both hold values near 0 and exclude them).
  A column never seen negative keeps 0 as its floor. With too few values for a tail fit, or a
  tail of ties (fewer than 3 distinct values among the top k + 1), the fallback is
  ``numeric_range``: ``[min - m, max + m]`` with ``m = TIES_MARGIN * (max - min)``
  (``RANGE_MARGIN`` elsewhere). Integer bounds are computed in exact integer arithmetic
  (64-bit ids exceed a float's 53 bits), then moved outward to the nearest float-exact value
  (the spec reads bounds as floats). A side whose observed extreme is +-inf stays open (null);
  an all-inf column gets no range.
* integer codes: an integer column with few distinct values is a set of codes (``values``), not a
  range, when the Good-Turing estimate of the chance that the next row holds a code never seen,
  ``n1 / n`` (n1: codes seen exactly once), is at most ``CODE_UNSEEN`` (1 %): a code absent from
  training (a gap inside 1..7, or 8) then fails. At 0 (every code seen twice or more) any unlisted
  code fails; above 0 the estimate becomes the check's ``unseen_rate``: a batch fails when it holds
  more unlisted rows than that rate explains (chance below 0.001), so a rare real code the sample
  missed does not fail a clean batch, and a code that fills 5 % of a 100-row batch does. Above 1 %
  codes are not a closed set (many seen once): a range.
* mean: ``mean +- MEAN_BAND * std`` (2 standard deviations of a single value), clipped to the
  range so the two never contradict each other.
  The mean of any batch of a few rows from the same source stays inside; a unit
  change (g -> kg, mm -> m) moves it by orders of magnitude and fails. None for
  distinct integers (ids, sequence numbers: their mean says nothing) or non-finite stats.
* nulls: ``max_null_fraction`` = the share of nulls a 30-row batch exceeds with chance below
  1e-4 (exact binomial) at ``r = (nulls + 3) / rows``, an upper bound of the null rate (never null
  in n rows bounds it by 3 / n: the rule of three). A column never null in training may well be null in the next batch (two all-null rows
  landing in the holdout did it); the limit holds a 30-row batch from the same source, and a null
  surge (half the rows) fails. Keys stay non-null.
* categories: exactly the observed values; unseen ones fail, at the Good-Turing rate as integer codes
  when values were seen once (``unseen_rate``). Values seen in fewer than ``RARE_SHARE`` of rows are
  flagged in a comment for review.
* datetime: only a lower bound (``min - 25 % of span``, to the day): serving
  data is later than training data by nature.
* Rounding: outward, to one significant digit of the margin (two for ``tail_range``).
"""
from __future__ import annotations

import datetime as dt
import fractions
import math
import statistics

import numpy as np

from ..runtime.stats import binomial_tail

__all__ = ["RANGE_MARGIN", "MEAN_BAND", "RARE_SHARE", "ROW_RISK", "numeric_range", "tail_range", "integer_codes",
           "step_of", "mean_band",
           "max_null_fraction", "date_floor", "round_down", "round_up", "is_category", "readable"]

RANGE_MARGIN = 0.25
TIES_MARGIN = 1.0  # the fallback of ``tail_range`` (no tail to fit): the observed span on each side
TAIL_DISTINCT = 3  # a tail fit needs this many distinct values among the top k + 1
MEAN_BAND = 2.0
NULL_UNSEEN = 3  # nulls added to the observed count: 0 of n rows bounds the rate by 3 / n (95 %, rule of three)
NULL_RISK = 1e-4  # chance that a batch of NULL_BATCH rows from the same source exceeds the limit ...
NULL_BATCH = 30  # ... a batch this small (monitor judges no smaller batch)
RARE_SHARE = 0.01
#: chance that one fresh value from the source falls beyond a range bound
ROW_RISK = 1e-6
TAIL_MIN, TAIL_MAX = 5, 50  # order statistics in a tail fit: n / 10, within these
SCALE_CONFIDENCE = 0.05  # the tail scale used is its upper 95 % confidence bound
SKEW_LOG = 1.0  # positive data more skewed than this also gets a log-space (Pareto) ceiling ...
LOG_ROW_RISK = 1e-4  # ... at this risk per row, ...
LOG_MIN_ROWS = 200  # ... from 20 tail values on (the scale's estimate from fewer swings too far)
CODE_UNSEEN = 0.01  # integer codes: at most this Good-Turing chance of a code never seen, else a range


def step_of(scale: float) -> float:
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


def numeric_range(lo: float, hi: float, integer: bool, share: float = RANGE_MARGIN
                  ) -> tuple[float | int | None, float | int | None]:
    """``None`` on a side whose observed extreme is infinite (no finite bound fits it)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return _open_range(lo, hi, integer)
    if integer:
        return _integer_range(math.floor(lo), math.ceil(hi), share)
    span = hi - lo
    margin = share * (span if span > 0 else (abs(hi) or 4.0))
    step = step_of(margin)
    low = round_down(lo - margin, step)
    if lo >= 0 and low < 0:
        low = 0  # never seen negative: a negative value (count, price, size) is an error
    return low, round_up(hi + margin, step)


def tail_range(sample, lo: float, hi: float, integer: bool) -> tuple[float | int | None, float | int | None]:
    """The range of a numeric column from its values (``sample``: all of them, or a systematic
    sample) and its exact extremes ``lo``, ``hi``: see the module docstring."""
    x = np.sort(np.asarray(sample if sample is not None else [], dtype=np.float64))
    x = x[np.isfinite(x)]
    if x.size == 0 or not (math.isfinite(lo) and math.isfinite(hi)):
        return numeric_range(lo, hi, integer)
    if integer and max(abs(lo), abs(hi)) >= 2**53:
        return numeric_range(lo, hi, integer)  # beyond float precision: the exact integer rule
    top, bottom = _tail_bound(x, ROW_RISK), _tail_bound(-x[::-1], ROW_RISK)
    if top is None or bottom is None:
        # too few values, or a tail of ties (a column of a few repeated values): no tail to fit, and
        # its rare values say little about the next ones: the whole span as margin on each side
        return numeric_range(lo, hi, integer, share=TIES_MARGIN)
    if lo > 0 and x.size >= LOG_MIN_ROWS and _skew(x) > SKEW_LOG:
        # a right tail heavier than exponential (lognormal-like): also fit it in log space, where the
        # exponential tail is a Pareto one, itself heavier than most positive data: so a milder risk
        # and the scale's estimate (its confidence bound would let x1000 through)
        log_top = _tail_bound(np.log(x), LOG_ROW_RISK, confidence=None)
        top = max(top, math.exp(log_top)) if log_top is not None else top
    high, low = top, -bottom
    high, low = max(high, hi), min(low, lo)  # a sample may miss the extremes: the range holds them
    if lo >= 0 and low < 0:
        low = 0  # never seen negative: a negative value (count, price, size) is an error
    return _outward(low, lo, high, hi, integer)


def _skew(x: np.ndarray) -> float:
    std = float(x.std())
    return float(np.mean((x - x.mean()) ** 3)) / std**3 if std > 0 else 0.0


def _tail_bound(ascending: np.ndarray, risk: float, confidence: float | None = SCALE_CONFIDENCE) -> float | None:
    """Where a fresh value exceeds the top of ``ascending`` with chance ``ROW_RISK``, under an
    exponential tail fitted to its top ``k`` values; None with too few values or a tail of ties.

    The tail's scale is its upper 95 % confidence bound, not the estimate: the mean of ``k``
    exponential excesses is Gamma(k)-distributed, and a fit to 6 values can come out at half
    the true scale, which would put the bound well inside the data's real tail.
    """
    n = ascending.size
    k = int(min(max(TAIL_MIN, n // 10), TAIL_MAX))
    if n < 2 * k:
        return None
    u = float(ascending[-k - 1])
    excess = float(np.sum(ascending[-k:] - u))
    if not excess > 0 or np.unique(ascending[-k - 1:]).size < TAIL_DISTINCT:
        return None
    scale = excess / k if confidence is None else 2 * excess / _chi2_quantile(confidence, 2 * k)
    return u + scale * math.log(k / (n * risk))


def _chi2_quantile(p: float, dof: int) -> float:
    """Wilson-Hilferty: the ``p`` quantile of chi-square with ``dof`` degrees of freedom (within ~1 %
    from 10 dof on, which is what the tail fit uses)."""
    c = 2 / (9 * dof)
    return dof * (1 - c + statistics.NormalDist().inv_cdf(p) * math.sqrt(c)) ** 3


def _outward(low: float, lo: float, high: float, hi: float, integer: bool):
    """Round both bounds outward to two significant digits of their margin."""
    low = round_down(low, step_of(lo - low) / 10) if lo > low else low
    high = round_up(high, step_of(high - hi) / 10) if high > hi else high
    if integer:
        return int(math.floor(low)), int(math.ceil(high))
    return readable(low), readable(high)


def integer_codes(sample, threshold: int) -> list[int] | None:
    """The codes of an integer column that is a set of codes (see the module docstring), else None."""
    x = np.asarray(sample, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return None
    codes, counts = np.unique(x, return_counts=True)
    if codes.size > threshold or good_turing_unseen(counts) > CODE_UNSEEN or np.any(codes != np.round(codes)):
        return None
    return [int(c) for c in codes]


def good_turing_unseen(counts) -> float:
    """Good-Turing: the chance that the next value is one never seen, ``n1 / n``."""
    counts = list(counts)
    return sum(1 for c in counts if c == 1) / max(1, sum(counts))


def _integer_range(lo: int, hi: int, share: float = RANGE_MARGIN) -> tuple[int, int]:
    """The same rule in exact integer arithmetic: a float has 53 bits, so 64-bit ids
    (1441455612345678901) rounded through floats gave a zero-width range beside the data."""
    span = hi - lo
    margin = fractions.Fraction(share) * (span if span > 0 else (abs(hi) or 4))
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


def mean_band(mean: float, std: float, within: tuple | None = None) -> tuple[float | int, float | int] | None:
    """``within``: the column's range; the band is clipped to it (a mean outside the range cannot
    happen, and a band reaching past it would say two different things)."""
    if std is None or not std > 0 or not math.isfinite(mean) or not math.isfinite(std):
        return None
    width = MEAN_BAND * std
    step = step_of(width / 4)
    low, high = round_down(mean - width, step), round_up(mean + width, step)
    if within is not None:
        if within[0] is not None:
            low = max(low, within[0])
        if within[1] is not None:
            high = min(high, within[1])
    return low, high


def max_null_fraction(nulls: int, rows: int) -> float:
    """The null share a batch of ``NULL_BATCH`` rows from the same source stays under: see the module
    docstring. 1.0 means any share (declare the column nullable)."""
    if rows <= 0:
        return 1.0
    rate = min(1.0, (nulls + NULL_UNSEEN) / rows)  # an upper bound of the null rate (rule of three at 0)
    # the smallest count of nulls in NULL_BATCH rows exceeded with chance below NULL_RISK (exact binomial)
    for k in range(NULL_BATCH + 1):
        if binomial_tail(k + 1, NULL_BATCH, rate) < NULL_RISK:
            return min(1.0, round_up(k / NULL_BATCH, 0.01))
    return 1.0


def date_floor(lo: dt.datetime | dt.date, hi: dt.datetime | dt.date) -> dt.date:
    lo_d = lo.date() if isinstance(lo, dt.datetime) else lo
    hi_d = hi.date() if isinstance(hi, dt.datetime) else hi
    margin = dt.timedelta(days=math.ceil(RANGE_MARGIN * (hi_d - lo_d).days))
    return lo_d - margin


def is_category(distinct: int, present: int, threshold: int) -> bool:
    """Few distinct values, each seen on average at least twice (else it is free text or an id)."""
    return 0 < distinct <= threshold and distinct * 2 <= present
