"""Distribution-distance measures for drift checks against a stored baseline.

The reference sample is summarised once, and only the summary is stored:

* numeric columns: quantile bin edges (:func:`numeric_edges`) plus a
  :class:`Histogram` of reference counts (:func:`bin_counts`);
* categorical columns: a ``{category: count}`` dict (:func:`category_counts`).

A current batch is summarised by counting into the *same* edges.  Summaries are
mergeable (counts add), so a large batch can be counted chunk by chunk.
Nothing is silently dropped: values outside the reference range land in
explicit underflow/overflow bins, nulls get their own bucket, and categories
never seen in the reference get their own (reference-share 0) buckets.

Measures take ``(reference, current)`` and return a float:

=========================  =================================================
``psi``                    population stability index        (shares)
``js_distance``            Jensen-Shannon distance, base 2    (shares)
``linf``                   L-infinity distance of shares      (shares)
``chi_square``             Pearson chi-square statistic       (counts)
``wasserstein_normalized`` W1 / reference std           (raw or Histogram)
``ks_statistic``           two-sample KS statistic      (raw or Histogram)
=========================  =================================================

The share-based measures accept two :class:`Histogram` s with equal edges,
two category-count mappings, or two aligned count/share vectors.  The null
bucket takes part in them, so a change in null rate is drift.  ``ks_statistic``
and ``wasserstein_normalized`` describe positions on the number line, so they
use non-null values only (NaN in raw arrays, ``Histogram.nulls`` in summaries).

Only numpy is imported: the generated tests and ``specgen monitor`` import
this module, and it must stay cheap and dependency-light.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "MEASURES",
    "NULL_KEY",
    "PSI_EPSILON",
    "Histogram",
    "bin_counts",
    "bin_integrals",
    "category_counts",
    "chi_square",
    "drift",
    "js_distance",
    "ks_statistic",
    "linf",
    "merge_category_counts",
    "numeric_edges",
    "psi",
    "tie_edges",
    "tied_values",
    "without_edges",
    "wasserstein_normalized",
]

#: Share substituted for an empty bucket in ``psi`` and ``chi_square``, whose
#: formulas divide by (or take the log of) shares.  1e-4 is the usual choice:
#: one empty bucket against a 10% share adds about 0.1 * ln(0.1 / 1e-4) = 0.69.
PSI_EPSILON = 1e-4

#: Bins around a tied value (one holding more than ``1 / bins`` of the reference, so quantile edges
#: collapse on it): edges at ``v +- TIE_STEP * std * 2**k``, k = 0 .. TIE_RUNGS - 1, inside the
#: neighbouring quantile edges. They give a tie a window of its own (:func:`tie_windows`), and a bin
#: without sums (a baseline from before them) places mass moved a distance d off the tie 0.75 d to 1.5 d
#: away, not halfway to the next quantile edge. 0.05 std is half the default Wasserstein threshold.
TIE_STEP = 0.05
TIE_RUNGS = 8  # the last rung sits 6.4 std from the tie: further moves are large whatever their placement

#: Measures computed on the bins around tied values (:func:`tie_edges`); the others see those bins merged
#: away (:func:`without_edges`): a share measure would call a 0.01-std move off a tied value a new bin.
FINE_MEASURES = ("wasserstein_normalized",)

#: Key under which :func:`category_counts` counts nulls.  It starts with a NUL
#: character so that it cannot clash with a real category read from data.
NULL_KEY = "\x00<null>"


# --------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Histogram:
    """Counts of values in bins defined by ``edges``, plus a null count.

    With edges ``e[0] <= ... <= e[k]`` there are ``k + 2`` counts:
    ``counts[0]`` is underflow (``x < e[0]``), ``counts[i]`` for ``1 <= i <= k``
    is ``e[i-1] <= x < e[i]`` (the last interior bin also includes ``x == e[k]``,
    as in ``np.histogram``) and ``counts[k+1]`` is overflow (``x > e[k]``).
    """

    edges: tuple[float, ...]
    counts: tuple[int, ...]
    nulls: int = 0
    #: the sum of the values in each interior bin (``len(edges) - 1`` of them), or None: where in its bin
    #: the mass lies, for ``wasserstein_normalized`` (see there); underflow and overflow sit at the outer edges
    sums: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if len(self.edges) < 2:
            raise ValueError("Histogram needs at least 2 edges")
        if len(self.counts) != len(self.edges) + 1:
            raise ValueError(
                f"Histogram with {len(self.edges)} edges needs {len(self.edges) + 1} "
                f"counts (underflow, bins, overflow); got {len(self.counts)}"
            )
        if self.nulls < 0 or any(c < 0 for c in self.counts):
            raise ValueError("Histogram counts must be non-negative")
        if self.sums is not None and len(self.sums) != len(self.edges) - 1:
            raise ValueError(f"Histogram with {len(self.edges)} edges needs {len(self.edges) - 1} bin sums; "
                             f"got {len(self.sums)}")

    @property
    def total(self) -> int:
        """Number of values counted, nulls included."""
        return sum(self.counts) + self.nulls

    def merge(self, other: Histogram) -> Histogram:
        """Add two histograms over the same edges (e.g. two chunks of a batch)."""
        if not isinstance(other, Histogram):
            raise TypeError(f"cannot merge Histogram with {type(other).__name__}")
        if other.edges != self.edges:
            # Counts over different bins cannot be added meaningfully.
            raise ValueError("cannot merge histograms with different edges")
        counts = tuple(a + b for a, b in zip(self.counts, other.counts))
        sums = None if self.sums is None or other.sums is None else tuple(
            a + b for a, b in zip(self.sums, other.sums))
        return Histogram(self.edges, counts, self.nulls + other.nulls, sums)

    def __add__(self, other: Histogram) -> Histogram:
        return self.merge(other)

    def __radd__(self, other: Any) -> Histogram:
        # Lets sum(chunks) work: sum() starts from the integer 0.
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form for storing a baseline."""
        out = {"edges": list(self.edges), "counts": list(self.counts), "nulls": self.nulls}
        return out if self.sums is None else out | {"sums": list(self.sums)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Histogram:
        """Inverse of :meth:`to_dict` (a baseline stored before bin sums existed has none)."""
        edges = tuple(float(e) for e in data["edges"])
        counts = tuple(int(c) for c in data["counts"])
        sums = tuple(float(v) for v in data["sums"]) if data.get("sums") is not None else None
        return cls(edges, counts, int(data.get("nulls", 0)), sums)

    def means(self) -> np.ndarray:
        """Where each interior bin's mass lies: the mean of its values, its midpoint when empty or
        without sums."""
        e = np.asarray(self.edges, dtype=np.float64)
        mids = e[:-1] / 2.0 + e[1:] / 2.0
        if self.sums is None:
            return mids
        n = np.asarray(self.counts[1:-1], dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.asarray(self.sums) / n
        # 10 significant digits: a batch read in chunks sums in another order than whole, and must give the
        # same report (stored edges and sums keep 8); clipped: a rounded sum may put a mean a hair outside
        means = np.array([float(f"{m:.10g}") if c > 0 else 0.0 for m, c in zip(means.tolist(), n.tolist())])
        return np.where(n > 0, np.clip(means, e[:-1], e[1:]), mids)


def numeric_edges(values: Iterable[Any], bins: int = 10) -> np.ndarray:
    """Quantile bin edges of the reference ``values``.

    Edges are ``quantile(x, i / bins)`` for ``i = 0..bins`` (numpy's default
    linear interpolation) over the finite values of ``x``; nulls, NaN and
    +-inf are ignored.  Repeated edges (ties in the data) are collapsed, so
    fewer than ``bins`` bins may result.

    If ``x`` has at most ``bins`` distinct values ``v_1 < ... < v_m``, each gets
    its own bin instead: edges are ``v_1``, the midpoints ``(v_j + v_j+1) / 2``
    and ``v_m``.  (Quantile edges could fall exactly on the values, and the
    closed last bin would then merge the two largest.)  A constant sample ``c``
    thus gives ``[c, c]``: one zero-width bin holding exactly ``c``.
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}")
    x = _to_float(values)
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError("numeric_edges needs at least one finite reference value")
    distinct = np.unique(x)
    if distinct.size <= bins:
        mids = distinct[:-1] / 2.0 + distinct[1:] / 2.0  # halves first: no overflow
        return np.concatenate([distinct[:1], mids, distinct[-1:]])
    return np.unique(np.quantile(x, np.linspace(0.0, 1.0, bins + 1)))


def tied_values(quantiles: Any) -> np.ndarray:
    """Values repeated among the ``bins + 1`` quantiles (exact, not rounded): each holds more than
    ``1 / bins`` of the mass, and every engine's quantile of a tie is exactly the tied value."""
    q = np.sort(np.asarray(quantiles, dtype=np.float64))
    return np.unique(q[1:][q[1:] == q[:-1]])


def tie_edges(coarse: Any, tied: Any, std: float, rounding: Callable[[float], float] | None = None) -> np.ndarray:
    """Edges to add to the sorted ``coarse`` edges around each ``tied`` value ``v``: a bin holding exactly
    ``v`` (``[v, nextafter(v))``; at the top edge ``[prev(v), v]``, the last bin being closed) and the
    ladder ``v +- TIE_STEP * std * 2**k`` inside the coarse bin(s) beside ``v`` (rounded by ``rounding``).
    ``v`` may be a coarse edge (a repeated quantile) or lie inside a coarse bin (one of few distinct
    values, whose edges are the midpoints). None of the edges is a coarse edge, so :func:`without_edges`
    gives the coarse bins back."""
    c = np.asarray(coarse, dtype=np.float64)
    out: list[float] = []
    for v in np.asarray(tied, dtype=np.float64):
        i = int(np.searchsorted(c, v))  # c[i - 1] < v <= c[i]
        on_edge = i < c.size and c[i] == v
        below = c[i - 1] if i > 0 else v
        above = c[i + 1] if on_edge and i + 1 < c.size else (c[i] if not on_edge and i < c.size else v)
        top = on_edge and i + 1 == c.size
        out += ([] if on_edge else [float(v)]) + [float(np.nextafter(v, -np.inf if top else np.inf))]
        for k in range(TIE_RUNGS if std > 0 else 0):
            for edge in (v + TIE_STEP * std * 2**k, v - TIE_STEP * std * 2**k):
                e = edge if rounding is None else rounding(edge)
                if below < e < above and e != v:
                    out.append(e)
    return np.setdiff1d(np.array(out, dtype=np.float64), c)


def tie_windows(edges: Any, added: Any, std: float) -> tuple[list[float], list[float]]:
    """(the edges to merge away from a histogram on ``edges`` with :func:`without_edges`, the tied values):
    ``added`` are the edges :func:`tie_edges` made. After the merge each tied value ``v`` lies in one bin
    reaching a step (``TIE_STEP`` std) or more each side, its window: a shift under a step moves no tie out
    of its window, while a tail collapsing onto the tie (a unit change of a column of mostly zeros) moves
    rows into it. Every edge nearer to ``v`` than a step goes (a quantile edge too: the midpoint to a value
    just beside the tie would cut a shifted tie from its window); the first rung each side stays."""
    e = np.asarray(edges, dtype=np.float64)
    removed = set(np.asarray(added, dtype=np.float64).tolist())
    step, ties = TIE_STEP * std, []
    for a, b in zip(e[:-1], e[1:]):
        if b != np.nextafter(a, np.inf):
            continue
        v = float(b if b == e[-1] else a)  # a tie's own bin: [v, nextafter(v)), at the top edge [prev(v), v]
        ties.append(v)
        removed |= {float(x) for x in e if abs(x - v) < 0.999 * step}
        removed -= {x for x in removed if 0.999 * step <= abs(x - v) < 1.5 * step}
    return sorted(removed - {float(e[0]), float(e[-1])}), ties  # the outer edges stay


def without_edges(hist: Histogram, removed: Any) -> Histogram:
    """``hist`` with the two bins beside each edge in ``removed`` merged: on the edges
    :func:`tie_edges` added, the coarse histogram."""
    e = np.array(hist.edges)
    keep = ~np.isin(e, np.asarray(removed, dtype=np.float64))
    if keep.all():
        return hist
    group = np.concatenate([[0], np.cumsum(keep)])  # bucket b > 0 lies right of edge b - 1
    counts = [0] * (int(keep.sum()) + 1)
    for g, n in zip(group.tolist(), hist.counts):
        counts[g] += n
    sums = None
    if hist.sums is not None:
        merged = [0.0] * (int(keep.sum()) - 1)
        for g, total in zip(group[1:-1].tolist(), hist.sums):
            merged[g - 1] += total
        sums = tuple(merged)
    return Histogram(tuple(float(x) for x in e[keep]), tuple(counts), hist.nulls, sums)


def bin_counts(values: Iterable[Any], edges: Any) -> Histogram:
    """Count ``values`` into ``edges`` with underflow/overflow and null bins.

    See :class:`Histogram` for the bin layout.  Nulls (None, NaN, pandas NA)
    are counted in ``nulls``; -inf/+inf go to underflow/overflow.
    """
    e = np.asarray(edges, dtype=np.float64)
    if e.ndim != 1 or e.size < 2 or not np.all(np.isfinite(e)) or np.any(np.diff(e) < 0):
        raise ValueError("edges must be a 1-D, finite, non-decreasing array of >= 2 values")
    x = _to_float(values)
    null = np.isnan(x)
    x = x[~null]
    # side="right" puts x == e[i] into the bin starting at e[i] ...
    idx = np.searchsorted(e, x, side="right")
    # ... except the top edge, which closes the last interior bin.
    idx[x == e[-1]] = e.size - 1
    counts = np.bincount(idx, minlength=e.size + 1)
    interior = (idx >= 1) & (idx <= e.size - 1)
    sums = np.bincount(idx[interior] - 1, weights=x[interior], minlength=e.size - 1)
    return Histogram(tuple(float(v) for v in e), tuple(int(c) for c in counts), int(null.sum()),
                     tuple(float(v) for v in sums))


def category_counts(values: Iterable[Any]) -> dict[str, int]:
    """Count categories; keys are ``str(value)``, nulls are counted under ``NULL_KEY``."""
    counter = Counter(NULL_KEY if _is_null(v) else str(v) for v in values)
    return dict(counter)


def merge_category_counts(*counts: Mapping[str, int]) -> dict[str, int]:
    """Add category-count mappings key by key (e.g. counts of chunks of a batch)."""
    merged: dict[str, int] = {}
    for c in counts:
        for key, n in c.items():
            merged[key] = merged.get(key, 0) + int(n)
    return merged


# --------------------------------------------------------------------------
# Share-based measures
# --------------------------------------------------------------------------


def psi(reference: Any, current: Any, epsilon: float = PSI_EPSILON) -> float:
    """Population stability index.

    ``PSI = sum_i (q_i - p_i) * ln(q_i / p_i)`` with ``p`` the reference shares,
    ``q`` the current shares, and any share below ``epsilon`` raised to
    ``epsilon`` (otherwise an empty bucket makes PSI infinite).
    """
    p, q = (np.maximum(_shares(v), epsilon) for v in _aligned(reference, current))
    return float(np.sum((q - p) * np.log(q / p)))


def js_distance(reference: Any, current: Any) -> float:
    """Jensen-Shannon distance in base 2, in ``[0, 1]``.

    ``JS = sqrt((KL(p || m) + KL(q || m)) / 2)`` with ``m = (p + q) / 2`` and
    ``KL(a || b) = sum_i a_i * log2(a_i / b_i)`` (terms with ``a_i = 0`` are 0).
    Equals ``scipy.spatial.distance.jensenshannon(p, q, base=2)``.
    """
    p, q = (_shares(v) for v in _aligned(reference, current))
    m = (p + q) / 2.0
    js2 = (_kl2(p, m) + _kl2(q, m)) / 2.0
    # Rounding can push js2 a hair outside [0, 1].
    return float(np.sqrt(min(max(js2, 0.0), 1.0)))


def linf(reference: Any, current: Any) -> float:
    """L-infinity distance ``max_i |p_i - q_i|`` between share vectors.

    This is TFDV's comparator for categorical features.
    """
    p, q = (_shares(v) for v in _aligned(reference, current))
    return float(np.max(np.abs(p - q)))


def chi_square(reference: Any, current: Any, epsilon: float = PSI_EPSILON) -> float:
    """Pearson chi-square statistic of current counts against reference shares.

    ``chi2 = sum_i (O_i - E_i)^2 / E_i`` with ``O`` the current counts and
    ``E_i = n * p_i`` (``n = sum O``), i.e. ``scipy.stats.chisquare(O, E)``.
    Buckets empty on both sides are left out; a reference share of 0 is
    raised to ``epsilon`` (then shares renormalised) so that a bucket new in
    the current batch gives a large finite value instead of infinity.
    ``current`` must hold counts: the statistic grows with ``n``, so it is a
    test statistic, not a distance.  (No p-value, to keep scipy out.)
    """
    ref, obs = _aligned(reference, current)
    keep = (ref > 0) | (obs > 0)
    p = np.maximum(_shares(ref[keep]), epsilon)
    obs = obs[keep]
    expected = obs.sum() * p / p.sum()
    return float(np.sum((obs - expected) ** 2 / expected))


# --------------------------------------------------------------------------
# Positional measures (raw arrays or Histograms)
# --------------------------------------------------------------------------


def wasserstein_normalized(reference: Any, current: Any, scale: float | None = None) -> float:
    """1-D Wasserstein (earth mover's) distance divided by the reference std.

    ``W1 = integral |F_ref(x) - F_cur(x)| dx``, divided by ``scale``, which
    defaults to the population standard deviation (ddof=0) of the reference,
    the normalisation Evidently uses for its "normed" Wasserstein drift.
    Raw arrays: exact, equal to ``scipy.stats.wasserstein_distance / np.std``.
    Histograms: ``sum over bins |integral over the bin of (F_ref - F_cur)|``, each
    integral exact from the bin's count and the sum of its values
    (``Histogram.sums``; without them on both sides, the bin's midpoint stands
    in for its values' mean). It equals W1 wherever ``F_ref - F_cur`` keeps its
    sign inside each bin (a shift, a rescaling towards a point) and is below it
    otherwise. Placing each bin's mass at its midpoint instead made a shift of
    0.02 std alarm on discrete data: values on an edge that move down a hair
    land in the bin below, half a bin away. Underflow/overflow mass sits at the
    outer edges (understating mass far outside the reference range), for W1 and
    the std alike, so pass the exact reference std as ``scale`` when it is
    stored with the baseline.
    If the scale is 0, returns 0.0 for identical samples, otherwise inf.
    """
    if isinstance(reference, Histogram) or isinstance(current, Histogram):
        p, q = _histogram_shares(reference, current)
        ref_means, cur_means = _bin_means(reference, current)
        edges = np.array(reference.edges)
        distance = float(np.sum(np.abs(bin_integrals(edges, p, ref_means) - bin_integrals(edges, q, cur_means))))
        ref_points, ref_weights = np.concatenate([edges[:1], ref_means, edges[-1:]]), p
    else:
        a, b = _finite_raw(reference), _finite_raw(current)
        points, p, q = _empirical(a, b)
        ref_points, ref_weights = a, np.full(a.size, 1.0 / a.size)
        distance = float(np.sum(np.abs(np.cumsum(p) - np.cumsum(q))[:-1] * np.diff(points)))
    if scale is None:
        mean = np.sum(ref_weights * ref_points)
        scale = float(np.sqrt(np.sum(ref_weights * (ref_points - mean) ** 2)))
    if scale <= 0:
        return 0.0 if distance == 0 else float("inf")
    return distance / scale


def ks_statistic(reference: Any, current: Any) -> float:
    """Two-sample Kolmogorov-Smirnov statistic ``sup_x |F_ref(x) - F_cur(x)|``.

    Raw arrays: exact, equal to ``scipy.stats.ks_2samp(...).statistic``.
    Histograms over shared edges: the maximum is taken only at bin edges, so
    the result is a lower bound of the exact statistic that tightens with
    finer bins.
    """
    if isinstance(reference, Histogram) or isinstance(current, Histogram):
        p, q = _histogram_shares(reference, current)
    else:
        _, p, q = _empirical(_raw(reference), _raw(current))
    return float(np.max(np.abs(np.cumsum(p) - np.cumsum(q))))


# --------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------

MEASURES: dict[str, Callable[..., float]] = {
    "psi": psi,
    "js_distance": js_distance,
    "linf": linf,
    "chi_square": chi_square,
    "wasserstein_normalized": wasserstein_normalized,
    "ks_statistic": ks_statistic,
}


def drift(measure: str, reference: Any, current: Any, **options: Any) -> float:
    """Compute the named measure, e.g. ``drift("psi", ref_hist, cur_hist)``.

    ``options`` are passed on (``epsilon`` for psi/chi_square, ``scale`` for
    wasserstein_normalized).
    """
    try:
        fn = MEASURES[measure]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(MEASURES))
        raise ValueError(f"unknown drift measure {measure!r}; valid measures: {valid}") from None
    return fn(reference, current, **options)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _is_null(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN and NaT are the values not equal to themselves
    except (TypeError, ValueError):
        return type(v).__name__ == "NAType"  # pandas.NA: its comparisons are NA


def _to_float(values: Iterable[Any]) -> np.ndarray:
    """1-D float array with nulls as NaN (accepts lists, numpy, pandas, polars)."""
    try:
        return np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        # e.g. pandas NA in a nullable-integer Series refuses a direct cast.
        items = np.asarray(values, dtype=object).ravel()
        return np.array([np.nan if _is_null(v) else float(v) for v in items], dtype=np.float64)


def _aligned(reference: Any, current: Any) -> tuple[np.ndarray, np.ndarray]:
    """Two count (or share) vectors over the same buckets, as float arrays."""
    if isinstance(reference, Histogram) and isinstance(current, Histogram):
        if reference.edges != current.edges:
            raise ValueError("reference and current histograms have different edges")
        return (
            np.array(reference.counts + (reference.nulls,), dtype=np.float64),
            np.array(current.counts + (current.nulls,), dtype=np.float64),
        )
    if isinstance(reference, Mapping) and isinstance(current, Mapping):
        # Union of keys: a category new in the current batch keeps its own
        # bucket with reference count 0 (and vice versa for vanished ones).
        keys = list(reference) + [k for k in current if k not in reference]
        return (
            np.array([reference.get(k, 0) for k in keys], dtype=np.float64),
            np.array([current.get(k, 0) for k in keys], dtype=np.float64),
        )
    if isinstance(reference, (Histogram, Mapping)) or isinstance(current, (Histogram, Mapping)):
        raise TypeError(
            "reference and current must be the same kind of summary "
            f"(got {type(reference).__name__} and {type(current).__name__})"
        )
    p = np.asarray(reference, dtype=np.float64)
    q = np.asarray(current, dtype=np.float64)
    if p.ndim != 1 or p.shape != q.shape:
        raise ValueError(f"count vectors must be 1-D and equally long, got {p.shape} and {q.shape}")
    return p, q


def _shares(counts: np.ndarray) -> np.ndarray:
    if counts.size == 0 or not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError("counts must be finite and non-negative")
    total = counts.sum()
    if total <= 0:
        raise ValueError("cannot compare an empty summary (all counts are 0)")
    return counts / total


def _kl2(a: np.ndarray, b: np.ndarray) -> float:
    nz = a > 0  # 0 * log(0 / b) is taken as 0
    return float(np.sum(a[nz] * np.log2(a[nz] / b[nz])))


def _histogram_shares(reference: Any, current: Any) -> tuple[np.ndarray, np.ndarray]:
    """Non-null shares of two histograms over shared edges (underflow, bins, overflow)."""
    if not (isinstance(reference, Histogram) and isinstance(current, Histogram)):
        raise TypeError("pass two Histograms or two raw arrays, not a mix")
    if reference.edges != current.edges:
        raise ValueError("reference and current histograms have different edges")
    return tuple(_shares(np.array(h.counts, dtype=np.float64)) for h in (reference, current))


def bin_integrals(edges: np.ndarray, shares: np.ndarray, means: np.ndarray) -> np.ndarray:
    """``integral of F over each interior bin [a, b)``: ``(b - a) * F(a) + share * (b - mean)``, with ``F``
    the cumulative share (``shares`` in ``Histogram``'s layout, without nulls; rows of many batches at once
    along the last axis) and ``means`` where each bin's values lie on average."""
    below = np.cumsum(shares, axis=-1)[..., :-2]  # F at each interior bin's left edge
    return np.diff(edges) * below + shares[..., 1:-1] * (edges[1:] - means)


def _bin_means(reference: Histogram, current: Histogram) -> tuple[np.ndarray, np.ndarray]:
    """Where each interior bin's values lie, on both sides: the means of its values when both histograms
    carry sums, else the midpoints on both (a mean on one side only would read as drift)."""
    if reference.sums is None or current.sums is None:
        mids = Histogram(reference.edges, reference.counts).means()
        return mids, mids
    return reference.means(), current.means()


def _raw(values: Any) -> np.ndarray:
    if isinstance(values, (Histogram, Mapping)):
        raise TypeError("pass two Histograms or two raw arrays, not a mix")
    x = _to_float(values)
    x = x[~np.isnan(x)]  # nulls have no position on the number line
    if x.size == 0:
        raise ValueError("need at least one non-null value on each side")
    return x


def _finite_raw(values: Any) -> np.ndarray:
    x = _raw(values)
    if not np.all(np.isfinite(x)):
        raise ValueError("Wasserstein distance is undefined for infinite values")
    return x


def _empirical(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted distinct values of both samples and each sample's share at them."""
    points, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    p = np.bincount(inverse[: a.size], minlength=points.size) / a.size
    q = np.bincount(inverse[a.size :], minlength=points.size) / b.size
    return points, p, q
