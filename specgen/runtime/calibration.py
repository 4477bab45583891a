"""Noise floors for drift measures: how large a measure gets on a batch with *no* drift.

A drift measure of a clean batch is not 0: both the stored reference and the batch
are samples. PSI of a clean batch, for instance, grows like
``(bins - 1) * (1 / n_batch + 1 / n_reference)``: at 45 rows against a 105-row
reference and 10 bins it is ~0.28 on average. A fixed threshold therefore cries
wolf on small batches, and alarms on significant but negligible changes of huge
ones. ``specgen monitor`` alarms only when a measure is above both

* the practical minimum (the spec's ``threshold``: a change large enough to matter), and
* the noise floor: the ``1 - alpha`` quantile of the measure under no drift, for this
  reference and this batch size (this module).

The null distribution is simulated once per (reference, batch size, measure), with a
fixed seed, from the stored baseline alone, and cached:

* the true bucket shares given the reference are Dirichlet(reference counts). For
  quantile bins this is exact for continuous data: the mass between two order
  statistics of ``n`` draws is a sum of uniform spacings, Dirichlet(1, ..., 1) over
  the ``n + 1`` gaps. So the underflow and overflow buckets (empty in the reference by
  construction) get parameter 1 each: a fresh value lands beyond the reference's
  extremes with probability ``1 / (n + 1)`` on each side. Nulls and categories never
  seen get 0.5 (Jeffreys) when the reference has none;
* a clean batch is Multinomial(batch rows, those shares);
* the measure is computed exactly as ``drift`` computes it.

``DRAWS`` simulations give the body of the distribution; an ``alpha`` below 5 % is
further in the tail than they reach, so the tail beyond the 95th percentile is
extrapolated as exponential (a generalised Pareto tail with shape 0) in the
measure's own scale. None of these measures has a tail heavier than exponential
there (the distances behave like |normal|, PSI and chi-square like chi-square with
more than 2 degrees of freedom), so the extrapolation errs on the wide (quiet) side.
Measured (``benchmarks/bench_calibration.py``: 10^6 draws per feature from this same
model, real tables, batches of 30 to 1,000 rows, per-feature alpha 3e-5 to 1e-4): clean
batches exceed the floor 0.2-1.1 times as often as alpha says (1.1: breast_cancer's
30-row batches; from its real rows 0.9). Extrapolating the
*square* of the distances instead (as before) exceeded it 1.3-6.4 times as often:
the square of a |normal| is chi-square with 1 degree of freedom, whose tail is
heavier than the exponential fitted at its 95th percentile predicts.

Only numpy: the runtime imports this module.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from .drift import NULL_KEY, PSI_EPSILON, Histogram, bin_integrals

__all__ = ["MIN_ROWS", "DRAWS", "SEED", "TOO_FEW_ROWS", "Calibration", "calibrate", "share_p_value", "too_few_rows",
           "too_small"]

#: below this many rows a batch says nothing about a distribution: reported as too small, never an alarm
MIN_ROWS = 30
#: the one wording of a drift/skew result on a batch too small to judge (whichever gate caught it)
TOO_FEW_ROWS = "too few rows to judge"
#: simulated clean batches per (reference, batch size, measure)
DRAWS = 4000
#: fixed: the same reference and batch size always give the same floor
SEED = 20240611
_TAIL = 0.05  # the share of simulations above the threshold u of the tail fit
_UNSEEN = "\x00<unseen>"


@dataclass(frozen=True)
class Calibration:
    """The measure's noise floor at ``alpha`` and the p-value of the observed ``value``."""

    floor: float
    p_value: float


def too_small(reference, current) -> str | None:
    """Why the batch ``current`` is too small to compare with ``reference``, or None."""
    rows = _total(current)
    needed = max(MIN_ROWS, _buckets(reference))
    return too_few_rows(rows, needed) if rows < needed else None


def too_few_rows(rows: int, needed: int) -> str:
    """The note of a result not judged because the batch has ``rows`` < ``needed`` rows."""
    return f"{TOO_FEW_ROWS} ({rows} row{'s' if rows != 1 else ''}; needs at least {needed})"


def calibrate(measure: str, reference, current, value: float, alpha: float, scale: float | None = None,
              spreads=None) -> Calibration:
    """Noise floor of ``measure`` at level ``alpha`` for a batch the size of ``current``, and the p-value
    of ``value`` (the measure of ``current``) under no drift; ``spreads``: the standard deviation of the
    reference's values in each bin (the stored baseline's), else the largest one possible."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    ref, params, bins = _layout(reference, current, spreads)
    tail = _null_tail(measure, ref.tobytes(), params.tobytes(), bins, _total(current),
                      None if scale is None else float(scale))
    return Calibration(tail.quantile(alpha), tail.p_value(value))


def share_p_value(ref_in: int, ref_out: int, batch_in: int, batch_out: int, above: float = 1.0) -> float:
    """Two-sided p-value of a batch holding ``batch_out`` of its rows outside a set of bins, when the reference
    held ``ref_out`` of ``ref_in + ref_out`` there: this module's model for two buckets (the true share
    outside is Beta(ref_out, ref_in), a zero count given Jeffreys' 0.5; the batch is binomial given it), its
    beta-binomial tails summed exactly. Analytic: a batch emptying a bucket the reference filled a few
    percent of has a chance of ~1e-8 at 1,000 rows, far beyond what the simulation reaches. The sum stops
    once the p-value reaches ``above`` (a caller deciding at a level needs no more: returns at least it)."""
    n, k = batch_in + batch_out, batch_out
    a, b = max(float(ref_out), 0.5), max(float(ref_in), 0.5)
    if n == 0:
        return 1.0
    log_norm = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)

    def pmf(j: int) -> float:
        return math.exp(math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + math.lgamma(j + a)
                        + math.lgamma(n - j + b) - math.lgamma(n + a + b) - log_norm)

    step = 1 if k >= n * a / (a + b) else -1  # sum the tail k lies in, away from the mean
    total, j = 0.0, k
    while 0 <= j <= n and 2.0 * total < above:
        t = pmf(j)
        total += t
        if t <= total * 1e-12:  # past the mean the terms only fall
            break
        j += step
    return min(1.0, 2.0 * total)


@dataclass(frozen=True)
class _Tail:
    """Sorted simulated statistics, with an exponential tail above their ``1 - _TAIL`` quantile."""

    sims: np.ndarray
    u: float
    beta: float  # mean excess above u: the exponential tail's scale

    def quantile(self, alpha: float) -> float:
        if alpha >= _TAIL:
            return float(np.quantile(self.sims, 1 - alpha))
        return self.u + self.beta * math.log(_TAIL / alpha)

    def p_value(self, t: float) -> float:
        if t <= self.u:
            above = self.sims.size - np.searchsorted(self.sims, t, side="left")
            return float((above + 1) / (self.sims.size + 1))
        if self.beta <= 0:
            return 0.0
        return _TAIL * math.exp(-(t - self.u) / self.beta)


@dataclass(frozen=True)
class _Bins:
    """A numeric reference's interior bins, for the positional measures: ``edges``, where the reference's
    values lie in each bin (``means``) and how far one value of a bin strays from its mean (``spread``: the
    reference's standard deviation in the bin; without it, the largest one values in ``[a, b]`` with that
    mean can have, ``sqrt((m - a)(b - m))``, Bhatia-Davis; 0 where the measure places mass at midpoints).
    ``batch_means``: where a batch's values lie in each bin (None: drawn, see ``_batch_means``)."""

    edges: tuple
    means: tuple
    spread: tuple
    batch_means: np.ndarray | None = field(default=None, compare=False, hash=False)


@lru_cache(maxsize=4096)
def _null_tail(measure: str, ref_bytes: bytes, params_bytes: bytes, bins: _Bins | None, rows: int,
               scale: float | None) -> _Tail:
    ref = np.frombuffer(ref_bytes, dtype=np.float64)
    params = np.frombuffer(params_bytes, dtype=np.float64)
    rng = np.random.default_rng(SEED)
    shares = rng.dirichlet(params, size=DRAWS)
    counts = rng.multinomial(rows, shares).astype(np.float64)
    if bins is not None and measure == "wasserstein_normalized":
        bins = replace(bins, batch_means=_batch_means(rng, ref, counts, bins))
    stats = _MEASURES[measure](ref, counts, bins, scale)
    stats = stats[np.isfinite(stats)]
    stats.sort()
    if stats.size == 0:  # e.g. KS of batches that are all null: nothing to compare, nothing alarms
        return _Tail(np.array([math.inf]), math.inf, 0.0)
    u = float(np.quantile(stats, 1 - _TAIL))
    excess = stats[stats > u] - u
    return _Tail(stats, u, float(excess.mean()) if excess.size else 0.0)


# --------------------------------------------------------------------------
# The reference's buckets and the prior on their true shares
# --------------------------------------------------------------------------


def _batch_means(rng, ref: np.ndarray, counts: np.ndarray, bins: _Bins) -> np.ndarray:
    """Where each simulated batch's values lie in each bin: the reference's mean, off by the mean of the
    batch's ``c`` values and by the reference's own ``r`` (its true mean is unknown as its shares are):
    normal, with variance ``spread^2 * (1 / c + 1 / r)``, kept inside the bin."""
    inner = counts[:, 1:-2]  # interior bins (underflow first; overflow and nulls last)
    sd = np.asarray(bins.spread) * np.sqrt(1.0 / np.maximum(inner, 1.0) + 1.0 / np.maximum(ref[1:-2], 1.0))
    e = np.asarray(bins.edges)
    return np.clip(np.asarray(bins.means) + sd * rng.standard_normal(inner.shape), e[:-1], e[1:])


def _layout(reference, current=None, spreads=None) -> tuple[np.ndarray, np.ndarray, _Bins | None]:
    """(reference counts, Dirichlet parameters, the interior bins for positional measures).

    Buckets are laid out as ``drift._aligned`` lays them out (a Histogram: underflow, bins,
    overflow, nulls; categories: the reference's keys, then nulls and one bucket for every
    category never seen), so the simulated measure is the measure ``drift`` computes. A bin's
    mass lies at its values' mean when both sides carry sums (``drift.Histogram.sums``), as there.
    """
    if isinstance(reference, Histogram):
        ref = np.array(reference.counts + (reference.nulls,), dtype=np.float64)
        params = ref.copy()
        params[0] = max(params[0], 1.0)
        params[-2] = max(params[-2], 1.0)
        params[-1] = max(params[-1], 0.5)
        e = np.array(reference.edges)
        with_sums = reference.sums is not None and getattr(current, "sums", None) is not None
        means = reference.means() if with_sums else Histogram(reference.edges, reference.counts).means()
        spread = 0.0 * means
        if with_sums:
            spread = np.asarray(spreads, dtype=np.float64) if spreads is not None else np.sqrt(
                np.maximum((means - e[:-1]) * (e[1:] - means), 0.0))
        return ref, _positive(params), _Bins(tuple(e.tolist()), tuple(means.tolist()), tuple(spread.tolist()))
    if isinstance(reference, Mapping):
        keys = [k for k in reference if k != NULL_KEY] + [NULL_KEY, _UNSEEN]
        ref = np.array([float(reference.get(k, 0)) for k in keys])
        singletons = sum(1 for k in keys[:-2] if reference[k] == 1)  # Good-Turing: unseen mass ~ n1 / n
        params = ref.copy()
        params[-2] = max(params[-2], 0.5)
        params[-1] = max(float(singletons), 0.5)
        return ref, _positive(params), None
    raise TypeError(f"cannot calibrate against a {type(reference).__name__}")


def _positive(params: np.ndarray) -> np.ndarray:
    # a bucket empty in the reference between non-empty ones (ties collapsed a bin) keeps a sliver
    return np.maximum(params, 1e-3)


def _total(summary) -> int:
    if isinstance(summary, Histogram):
        return summary.total
    return int(sum(summary.values()))


def _buckets(reference) -> int:
    """Buckets a batch must be able to fill: the reference's non-empty ones (nulls aside)."""
    if isinstance(reference, Histogram):
        return sum(1 for c in reference.counts if c > 0)
    return sum(1 for k, c in reference.items() if c > 0 and k != NULL_KEY)


# --------------------------------------------------------------------------
# The measures of ``drift``, over many simulated batches at once (rows of ``counts``)
# --------------------------------------------------------------------------


def _shares(ref: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return ref / ref.sum(), counts / counts.sum(axis=1, keepdims=True)


def _psi(ref, counts, bins, scale):
    p, q = (np.maximum(s, PSI_EPSILON) for s in _shares(ref, counts))
    return np.sum((q - p) * np.log(q / p), axis=1)


def _js(ref, counts, bins, scale):
    p, q = _shares(ref, counts)
    p = np.broadcast_to(p, q.shape)
    m = (p + q) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log2(np.where(p > 0, p, 1) / np.where(m > 0, m, 1)), 0.0)
        kl_q = np.where(q > 0, q * np.log2(np.where(q > 0, q, 1) / np.where(m > 0, m, 1)), 0.0)
    js2 = (kl_p.sum(axis=1) + kl_q.sum(axis=1)) / 2.0
    return np.sqrt(np.clip(js2, 0.0, 1.0))


def _linf(ref, counts, bins, scale):
    p, q = _shares(ref, counts)
    return np.max(np.abs(q - p), axis=1)


def _chi_square(ref, counts, bins, scale):
    keep = (ref > 0) | (counts > 0)
    p = np.where(keep, np.maximum(ref / ref.sum(), PSI_EPSILON), 0.0)
    p = p / p.sum(axis=1, keepdims=True)
    expected = counts.sum(axis=1, keepdims=True) * p
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(keep, (counts - expected) ** 2 / np.where(keep, expected, 1.0), 0.0)
    return terms.sum(axis=1)


def _positional(ref, counts):
    """Non-null shares (the null bucket is last); a batch with no non-null value gives NaN rows."""
    p = ref[:-1] / ref[:-1].sum()
    values = counts[:, :-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = values / values.sum(axis=1, keepdims=True)
    return p, q


def _ks(ref, counts, bins, scale):
    p, q = _positional(ref, counts)
    return np.max(np.abs(np.cumsum(p) - np.cumsum(q, axis=1)), axis=1)


def _wasserstein(ref, counts, bins: _Bins, scale):
    """``drift.wasserstein_normalized`` of each batch (its bins' means: ``bins.batch_means``)."""
    p, q = _positional(ref, counts)
    e, means = np.asarray(bins.edges), np.asarray(bins.means)
    batch = means if bins.batch_means is None else bins.batch_means
    distance = np.sum(np.abs(bin_integrals(e, p, means) - bin_integrals(e, q, batch)), axis=1)
    if scale is None:
        x = np.concatenate([e[:1], means, e[-1:]])
        mean = np.sum(p * x)
        scale = float(np.sqrt(np.sum(p * (x - mean) ** 2)))
    if scale <= 0:
        return np.where(distance == 0, 0.0, np.inf)
    return distance / scale


_MEASURES = {"psi": _psi, "js_distance": _js, "linf": _linf, "chi_square": _chi_square,
             "ks_statistic": _ks, "wasserstein_normalized": _wasserstein}
