"""Label leakage measures: how strongly one feature alone tells the label.

``association`` picks the measure from the two column types (all lie in [0, 1]):
|Pearson r| for numeric/numeric, Cramér's V for categorical/categorical, and the
correlation ratio (eta) when one side is categorical and the other numeric.
``single_feature_score`` fits the simplest one-feature models there are on one
split and scores them on another (accuracy for classification, r2 for
regression), keeping the better: a lookup table from the feature's value to the
majority or mean label (a numeric feature with at most ``MAX_EXACT`` distinct
values is looked up by value, any other in ``N_BINS`` quantile bins, a tied value
in a bin of its own) and, for a numeric feature and label, the mean label per
training value interpolated linearly. A copy of the label (or any monotone function of it) scores 1.0 under
interpolation; binning alone capped a continuous copy near 0.9-0.98, under a
0.95 limit. A feature unrelated to the label scores about the trivial level
(r2 about 0 or below, accuracy about the majority share) on held-out rows, so a
limit of 0.9 or more raises no false alarm for unrelated features; what it
flags is a feature that alone nearly determines the label -- a leak, or a
legitimately decisive feature, which the spec's limit must then allow.
numpy and pandas only.
"""
from __future__ import annotations

import numpy as np

from . import metrics
from .drift import tied_values

__all__ = ["association", "pearson", "cramers_v", "correlation_ratio", "single_feature_score"]

N_BINS = 10
MAX_EXACT = 50  # a numeric feature with at most this many distinct values is looked up by value


def _codes(values) -> np.ndarray:
    """Integer codes per distinct value; missing values get a code of their own."""
    import pandas as pd

    codes, _ = pd.factorize(pd.Series(values).astype(object), use_na_sentinel=False)
    return np.asarray(codes)


def _floats(values) -> np.ndarray:
    import pandas as pd

    series = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.astype("int64").to_numpy(dtype=float)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def pearson(x, y) -> float:
    """|Pearson r| over the rows where both are present; 0 when either is constant."""
    a, b = _floats(x), _floats(y)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    if a.size < 2 or a.std() == 0 or b.std() == 0:
        return 0.0
    return float(abs(np.corrcoef(a, b)[0, 1]))


def cramers_v(x, y) -> float:
    """Cramér's V of two categorical columns (no bias correction); 0 when either is constant."""
    xc, yc = _codes(x), _codes(y)
    table = np.zeros((xc.max() + 1, yc.max() + 1))
    np.add.at(table, (xc, yc), 1)
    k = min(table.shape) - 1
    if k == 0:
        return 0.0
    n = table.sum()
    expected = table.sum(1, keepdims=True) @ table.sum(0, keepdims=True) / n
    chi2 = ((table - expected) ** 2 / expected).sum()
    return float(min(1.0, np.sqrt(chi2 / n / k)))


def correlation_ratio(groups, values) -> float:
    """eta: sqrt(between-group / total sum of squares) of numeric ``values`` by ``groups``."""
    v = _floats(values)
    ok = np.isfinite(v)
    codes, v = _codes(groups)[ok], v[ok]
    if v.size < 2:
        return 0.0
    total = ((v - v.mean()) ** 2).sum()
    if total == 0:
        return 0.0
    sums, counts = np.bincount(codes, v), np.bincount(codes)
    present = counts > 0
    means = sums[present] / counts[present]
    between = (counts[present] * (means - v.mean()) ** 2).sum()
    return float(min(1.0, np.sqrt(between / total)))


def association(x, y, x_numeric: bool, y_numeric: bool) -> tuple[float, str]:
    """(value in [0, 1], name of the measure used)."""
    if x_numeric and y_numeric:
        return pearson(x, y), "|pearson r|"
    if not x_numeric and not y_numeric:
        return cramers_v(x, y), "cramers_v"
    if x_numeric:
        return correlation_ratio(y, x), "correlation_ratio"
    return correlation_ratio(x, y), "correlation_ratio"


def _binner(train_x, numeric: bool):
    """Fit on the training values; returns a function value -> bin key (missing: its own bin)."""
    if numeric:
        v = _floats(train_x)
        v = v[np.isfinite(v)]
        distinct = np.unique(v)
        if distinct.size > MAX_EXACT:
            edges = _quantile_edges(v)
        else:  # few values: one bin per value (edges halfway between neighbours)
            edges = (distinct[1:] + distinct[:-1]) / 2

        def bins(x):
            f = _floats(x)
            out = np.searchsorted(edges, f, side="right").astype(object)
            out[~np.isfinite(f)] = "<missing>"
            return out
        return bins

    def keys(x):
        import pandas as pd

        s = pd.Series(x).astype(object)
        return np.where(s.isna().to_numpy(), "<missing>", s.to_numpy())
    return keys


def _quantile_edges(v: np.ndarray) -> np.ndarray:
    """The inner ``N_BINS`` quantiles of ``v``, and each tied value ``t`` (``drift.tied_values``: repeated
    among the quantiles) a bin ``[t, nextafter(t))`` of its own. Without it, ``searchsorted`` put the tie
    in one bin with the values just above it, and a feature telling the label beyond the tie (83 % zeros,
    the label set by the tail) scored about the majority share. Drift's ``tie_edges`` is not reused: its
    ladder of fine edges beside a tie measures a shift there, which a lookup table does not need (more
    bins, fewer training rows each), and its top rule closes a last bin, where these bins are open-ended."""
    q = np.quantile(v, np.linspace(0, 1, N_BINS + 1))
    tied = tied_values(q)
    return np.union1d(q[1:-1], np.concatenate([tied, np.nextafter(tied, np.inf)]))


def single_feature_score(x_train, y_train, x_eval, y_eval, numeric: bool, task: str) -> float:
    """Accuracy (classification) or r2 (regression) on the eval rows of the better one-feature model."""
    score = _lookup_score(x_train, y_train, x_eval, y_eval, numeric, task)
    if numeric and task == "regression":
        score = max(score, _interpolated_score(x_train, y_train, x_eval, y_eval))
    return score


def _lookup_score(x_train, y_train, x_eval, y_eval, numeric: bool, task: str) -> float:
    bins = _binner(x_train, numeric)
    train_keys, eval_keys = bins(x_train), bins(x_eval)
    y_train = np.asarray(y_train, dtype=object if task == "classification" else float)
    table: dict = {}
    for key in set(train_keys.tolist()):
        ys = y_train[train_keys == key]
        table[key] = _fit(ys, task)
    fallback = _fit(y_train, task)
    pred = np.array([table.get(k, fallback) for k in eval_keys.tolist()], dtype=y_train.dtype)
    if task == "classification":
        return metrics.accuracy(np.asarray(y_eval, dtype=object).astype(str), pred.astype(str))
    return metrics.r2(np.asarray(y_eval, dtype=float), pred.astype(float))


def _interpolated_score(x_train, y_train, x_eval, y_eval) -> float:
    """r2 of the mean training label per training value, linearly interpolated (constant beyond the ends)."""
    x, y = _floats(x_train), np.asarray(y_train, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        return -np.inf
    values, codes = np.unique(x[ok], return_inverse=True)
    means = np.bincount(codes, y[ok]) / np.bincount(codes)
    xe = _floats(x_eval)
    pred = np.where(np.isfinite(xe), np.interp(np.nan_to_num(xe), values, means), float(np.mean(y[ok])))
    return metrics.r2(np.asarray(y_eval, dtype=float), pred)


def _fit(ys: np.ndarray, task: str):
    if task == "regression":
        return float(np.mean(ys))
    labels, counts = np.unique(ys.astype(str), return_counts=True)
    return labels[np.argmax(counts)]
