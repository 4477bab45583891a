"""Model-quality metrics for specgen's runtime library, implemented with numpy only.

Generated test suites import this module, so it must stay light: numpy is the
only import (no scikit-learn, scipy, pandas at module level).  The functions
are written to agree with scikit-learn (they are tested against it) except
where noted under "Differences from scikit-learn".

Classification (``input == "labels"``)
    accuracy, precision, recall, f1 -- ``average`` is one of "binary" (uses
    ``pos_label``), "macro", "micro", "weighted".  Labels may be strings or
    numbers (ints, floats, bools), but y_true and y_pred must be of the same
    kind.  The label set is the sorted union of the labels seen in y_true
    and y_pred (as in scikit-learn).

Ranking (``input == "scores"``)
    roc_auc -- binary from a 1-D score vector (positive class = the greater
    of the two labels unless ``pos_label`` is given) or from an (n, 2)
    probability matrix; multiclass one-vs-rest macro average from an (n, k)
    probability matrix whose columns are ``classes``.

Probabilistic (``input == "probabilities"``)
    log_loss -- natural-log cross-entropy, probabilities clipped to
    [eps, 1 - eps] with eps = machine epsilon of the input dtype (as
    scikit-learn >= 1.5 does).

Regression (``input == "labels"``, i.e. point predictions in ``y_pred``)
    rmse, mae, r2.

Every function returns a Python ``float``.  Degenerate inputs raise
``ValueError`` with a message instead of returning nan: empty input, length
mismatch, NaN/inf values, missing labels, a single class for roc_auc or
log_loss, constant y_true for r2, fewer than two samples for r2.

Differences from scikit-learn (deliberate):
  * r2 raises on constant y_true instead of returning 0.0/1.0.
  * log_loss and multiclass roc_auc raise (rather than warn) when the rows of a
    probability matrix do not sum to 1 within max(sqrt(eps of the input
    dtype), 1e-4).
  * ``classes`` gives the column order of a probability matrix; it does not
    have to be sorted (scikit-learn's ``labels`` is always sorted first).
  * ``zero_division`` defaults to 0.0 (scikit-learn's "warn" also yields 0.0,
    with a warning); it is never "warn".
  * Only 1-D targets (no multilabel / multi-output), no sample weights.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Literal, Sequence

import numpy as np

__all__ = [
    "MetricInfo",
    "METRICS",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "log_loss",
    "rmse",
    "mae",
    "r2",
    "compute",
    "allowed",
    "quality_drop",
]

Average = Literal["binary", "macro", "micro", "weighted"]
_AVERAGES = ("binary", "macro", "micro", "weighted")


# ---------------------------------------------------------------------------
# input validation helpers
# ---------------------------------------------------------------------------


def _to_1d(values: Any, what: str) -> np.ndarray:
    """np.asarray + shape checks; accepts lists, numpy, pandas and polars Series."""
    if values is None:
        raise ValueError(f"{what} is required but was None")
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{what} must be 1-dimensional, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{what} is empty")
    return arr


def _check_same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"length mismatch: {name_a} has {a.shape[0]} samples, "
            f"{name_b} has {b.shape[0]}"
        )


def _is_str(x: Any) -> bool:
    return isinstance(x, (str, np.str_))


def _is_number(x: Any) -> bool:
    # bool and numpy scalars are numbers.Real / numbers.Integral subclasses or
    # registered with them (np.bool_ is not, so check it explicitly).
    return isinstance(x, (numbers.Real, np.bool_)) and not _is_str(x)


def _labels(values: Any, what: str) -> tuple[np.ndarray, str]:
    """Return (array, kind) with kind "str" or "num"; reject missing/mixed labels."""
    arr = _to_1d(values, what)
    kind_char = arr.dtype.kind
    if kind_char in "US":
        if kind_char == "S":
            arr = arr.astype(str)
        return arr, "str"
    if kind_char in "biu":
        return arr, "num"
    if kind_char == "f":
        if np.isnan(arr).any():
            raise ValueError(f"{what} contains missing labels (NaN)")
        return arr, "num"
    if kind_char == "O":
        items = arr.tolist()
        if all(_is_str(x) for x in items):
            return np.array(items, dtype=str), "str"
        if all(_is_number(x) for x in items):
            num = np.array(items)
            if num.dtype.kind == "f" and np.isnan(num).any():
                raise ValueError(f"{what} contains missing labels (NaN)")
            if num.dtype.kind not in "biuf":
                raise ValueError(f"{what}: unsupported label values")
            return num, "num"
        for x in items:
            if x is None or type(x).__name__ in ("NAType", "NaTType"):
                raise ValueError(f"{what} contains missing labels ({x!r})")
            if isinstance(x, float) and x != x:
                raise ValueError(f"{what} contains missing labels (NaN)")
        types = sorted({type(x).__name__ for x in items})
        raise ValueError(
            f"{what} must contain only strings or only numbers, found types {types}"
        )
    raise ValueError(f"{what} has unsupported dtype {arr.dtype} for class labels")


def _encode(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Encode two label vectors to integer codes over their sorted label union."""
    yt, kt = _labels(y_true, "y_true")
    yp, kp = _labels(y_pred, "y_pred")
    _check_same_length(yt, yp, "y_true", "y_pred")
    if kt != kp:
        raise ValueError(
            f"y_true and y_pred labels must be of the same kind, got {kt} labels "
            f"in y_true and {kp} labels in y_pred"
        )
    classes, codes = np.unique(np.concatenate([yt, yp]), return_inverse=True)
    n = yt.shape[0]
    return classes, codes[:n], codes[n:]


def _finite_floats(values: Any, what: str) -> np.ndarray:
    arr = _to_1d(values, what)
    try:
        out = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be numeric: {exc}") from None
    if not np.isfinite(out).all():
        raise ValueError(f"{what} contains NaN or infinite values")
    return out


def _find_label(classes: Sequence[Any], label: Any, what: str) -> int:
    for i, c in enumerate(classes):
        if _is_str(c) == _is_str(label) and c == label:
            return i
    raise ValueError(f"{what}={label!r} is not a valid label; labels are {list(classes)}")


# ---------------------------------------------------------------------------
# classification: label metrics
# ---------------------------------------------------------------------------


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of exactly matching labels."""
    _, t, p = _encode(y_true, y_pred)
    return float(np.mean(t == p))


def _counts(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    classes, t, p = _encode(y_true, y_pred)
    k = classes.shape[0]
    tp = np.bincount(t[t == p], minlength=k).astype(np.float64)
    n_pred = np.bincount(p, minlength=k).astype(np.float64)
    n_true = np.bincount(t, minlength=k).astype(np.float64)
    return classes, tp, n_pred, n_true


def _divide(num: np.ndarray, den: np.ndarray, zero_division: float) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(num.shape, float(zero_division))
    np.divide(num, den, out=out, where=den != 0)
    return out


def _prf(
    which: str,
    y_true: Any,
    y_pred: Any,
    average: str,
    pos_label: Any,
    zero_division: float,
) -> float:
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {list(_AVERAGES)}, got {average!r}")
    classes, tp, n_pred, n_true = _counts(y_true, y_pred)
    labels = classes.tolist()

    if average == "binary":
        if len(labels) > 2:
            raise ValueError(
                f"average='binary' but the targets are multiclass (labels {labels}); "
                "use average='macro', 'micro' or 'weighted'"
            )
        try:
            i = _find_label(labels, pos_label, "pos_label")
        except ValueError:
            if len(labels) == 2:
                raise ValueError(
                    f"pos_label={pos_label!r} is not a valid label; labels are "
                    f"{labels}. Pass pos_label= explicitly."
                ) from None
            # pos_label absent from both vectors: no positives anywhere.
            tp_, np_, nt_ = np.zeros(1), np.zeros(1), np.zeros(1)
        else:
            tp_, np_, nt_ = tp[i : i + 1], n_pred[i : i + 1], n_true[i : i + 1]
    elif average == "micro":
        tp_, np_, nt_ = tp.sum(keepdims=True), n_pred.sum(keepdims=True), n_true.sum(keepdims=True)
    else:
        tp_, np_, nt_ = tp, n_pred, n_true

    if which == "precision":
        scores = _divide(tp_, np_, zero_division)
    elif which == "recall":
        scores = _divide(tp_, nt_, zero_division)
    else:  # f1 = 2tp / (2tp + fp + fn) = 2tp / (n_pred + n_true)
        scores = _divide(2.0 * tp_, np_ + nt_, zero_division)

    if average == "weighted":
        total = nt_.sum()
        if total == 0:
            return float(zero_division)
        return float(np.sum(scores * nt_) / total)
    return float(np.mean(scores))


def precision(
    y_true: Any,
    y_pred: Any,
    *,
    average: Average = "binary",
    pos_label: Any = 1,
    zero_division: float = 0.0,
) -> float:
    """Precision tp / (tp + fp); ``zero_division`` is returned when nothing is predicted."""
    return _prf("precision", y_true, y_pred, average, pos_label, zero_division)


def recall(
    y_true: Any,
    y_pred: Any,
    *,
    average: Average = "binary",
    pos_label: Any = 1,
    zero_division: float = 0.0,
) -> float:
    """Recall tp / (tp + fn); ``zero_division`` is returned for a class with no true samples."""
    return _prf("recall", y_true, y_pred, average, pos_label, zero_division)


def f1(
    y_true: Any,
    y_pred: Any,
    *,
    average: Average = "binary",
    pos_label: Any = 1,
    zero_division: float = 0.0,
) -> float:
    """F1 = 2tp / (2tp + fp + fn), averaged per ``average`` (macro = mean of per-class F1)."""
    return _prf("f1", y_true, y_pred, average, pos_label, zero_division)


# ---------------------------------------------------------------------------
# scores and probabilities
# ---------------------------------------------------------------------------


def _prob_matrix(values: Any, what: str) -> tuple[np.ndarray, float]:
    """Float64 1-D or 2-D array plus the machine eps of the *input* float dtype."""
    if values is None:
        raise ValueError(f"{what} is required but was None")
    arr = np.asarray(values)
    if arr.ndim not in (1, 2):
        raise ValueError(f"{what} must be 1- or 2-dimensional, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{what} is empty")
    eps = float(np.finfo(arr.dtype).eps) if arr.dtype.kind == "f" else float(np.finfo(np.float64).eps)
    try:
        out = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be numeric: {exc}") from None
    if not np.isfinite(out).all():
        raise ValueError(f"{what} contains NaN or infinite values")
    return out, eps


def _resolve_classes(classes: Sequence[Any] | None, yt: np.ndarray, kind: str) -> list[Any]:
    if classes is None:
        return np.unique(yt).tolist()
    cls = list(classes) if isinstance(classes, (list, tuple)) else np.asarray(classes).tolist()
    if not isinstance(cls, list):
        raise ValueError(f"classes must be a 1-D sequence, got {classes!r}")
    if len(cls) == 0:
        raise ValueError("classes is empty")
    for c in cls:
        if (kind == "str") != _is_str(c):
            raise ValueError(
                f"classes {cls} are not of the same kind as the y_true labels ({kind})"
            )
    if len(set(cls)) != len(cls):
        raise ValueError(f"classes contains duplicates: {cls}")
    return cls


def _codes_for(yt: np.ndarray, cls: list[Any]) -> np.ndarray:
    """Map each y_true label to its column index in ``cls``; reject unknown labels."""
    order = np.argsort(np.asarray(cls), kind="stable")
    sorted_cls = np.asarray(cls)[order]
    pos = np.searchsorted(sorted_cls, yt)
    pos = np.clip(pos, 0, len(cls) - 1)
    ok = sorted_cls[pos] == yt
    if not ok.all():
        unknown = np.unique(yt[~ok]).tolist()
        raise ValueError(f"y_true contains labels {unknown} that are not in classes {cls}")
    return order[pos]


def _check_rows_sum_to_one(p: np.ndarray, eps: float, what: str) -> None:
    # sqrt(eps) of the input dtype as in scikit-learn, but never tighter than
    # 1e-4: float32 probabilities cast to float64 are off by ~1e-7 per entry
    # and must not be rejected.
    sums = p.sum(axis=1)
    tol = max(math.sqrt(eps), 1e-4)
    if not np.all(np.abs(sums - 1.0) <= tol):
        worst = float(sums[np.argmax(np.abs(sums - 1.0))])
        raise ValueError(
            f"rows of {what} must sum to 1 (tolerance {tol:.2g}); found a row summing to {worst!r}"
        )


def _binary_auc(is_pos: np.ndarray, score: np.ndarray) -> float:
    """Mann-Whitney U / (n_pos * n_neg), ties counted as 1/2 (== trapezoidal ROC AUC)."""
    n_pos = int(is_pos.sum())
    n_neg = is_pos.shape[0] - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError(
            "roc_auc is undefined when y_true contains only one class "
            f"({n_pos} positive, {n_neg} negative samples)"
        )
    # average ranks (1-based) with ties
    uniq, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    avg_rank = ends - (counts - 1) / 2.0
    ranks = avg_rank[inverse]
    u = ranks[is_pos].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def roc_auc(
    y_true: Any,
    y_score: Any,
    *,
    classes: Sequence[Any] | None = None,
    pos_label: Any = None,
) -> float:
    """Area under the ROC curve.

    * ``y_score`` 1-D: binary; y_true must contain exactly two labels (or the
      two ``classes``).  Scores are for ``pos_label``, default the greater
      label (scikit-learn's convention).
    * ``y_score`` (n, 2): binary; column j holds the probability of
      ``classes[j]`` (default: the sorted labels of y_true); the positive
      class is ``pos_label`` or ``classes[1]``.
    * ``y_score`` (n, k > 2): multiclass one-vs-rest, unweighted macro mean
      over ``classes``; rows must sum to 1 and every class must occur in
      y_true.
    """
    yt, kind = _labels(y_true, "y_true")
    score, eps = _prob_matrix(y_score, "y_score")
    _check_same_length(yt, score, "y_true", "y_score")

    if score.ndim == 1:
        cls = _resolve_classes(classes, yt, kind)
        if classes is None and len(cls) == 1:
            raise ValueError(
                f"roc_auc is undefined when y_true contains only one class ({cls[0]!r})"
            )
        if len(cls) != 2:
            raise ValueError(
                "roc_auc with 1-D y_score needs exactly two classes, found "
                f"{cls}" + ("" if classes is not None else " in y_true")
            )
        codes = _codes_for(yt, cls)
        if pos_label is None:
            pos = cls.index(max(cls))  # the greater label, as in scikit-learn
        else:
            pos = _find_label(cls, pos_label, "pos_label")
        return _binary_auc(codes == pos, score)

    k = score.shape[1]
    cls = _resolve_classes(classes, yt, kind)
    if len(cls) != k:
        raise ValueError(
            f"y_score has {k} columns but there are {len(cls)} classes {cls}; "
            "pass classes= matching the columns"
        )
    if k < 2:
        raise ValueError("roc_auc needs at least two classes")
    codes = _codes_for(yt, cls)
    if k == 2:
        pos = 1 if pos_label is None else _find_label(cls, pos_label, "pos_label")
        return _binary_auc(codes == pos, score[:, pos])
    if pos_label is not None:
        raise ValueError("pos_label is only meaningful for binary roc_auc")
    _check_rows_sum_to_one(score, eps, "y_score")
    present = np.bincount(codes, minlength=k)
    if (present == 0).any():
        missing = [cls[j] for j in np.flatnonzero(present == 0)]
        raise ValueError(
            f"one-vs-rest roc_auc is undefined for classes absent from y_true: {missing}"
        )
    return float(np.mean([_binary_auc(codes == j, score[:, j]) for j in range(k)]))


def log_loss(
    y_true: Any,
    y_prob: Any,
    *,
    classes: Sequence[Any] | None = None,
    eps: float | None = None,
) -> float:
    """Mean negative log-likelihood (natural log).

    ``y_prob`` is (n, k) with column j = P(classes[j]), or 1-D = P(classes[1])
    for binary problems.  ``classes`` defaults to the sorted labels of y_true
    (which then must contain at least two labels).  Probabilities must lie in
    [0, 1] and rows must sum to 1; they are clipped to [eps, 1 - eps] where
    eps defaults to the machine epsilon of y_prob's float dtype (float64 for
    non-float input), as scikit-learn does.
    """
    yt, kind = _labels(y_true, "y_true")
    p, dtype_eps = _prob_matrix(y_prob, "y_prob")
    _check_same_length(yt, p, "y_true", "y_prob")
    if p.min() < 0 or p.max() > 1:
        raise ValueError(
            f"y_prob must be within [0, 1], found values in [{p.min()!r}, {p.max()!r}]"
        )
    cls = _resolve_classes(classes, yt, kind)
    if len(cls) < 2:
        raise ValueError(
            f"log_loss needs at least two classes, found {cls}; pass classes= explicitly"
        )
    if p.ndim == 1:
        if len(cls) != 2:
            raise ValueError(f"1-D y_prob requires exactly two classes, got {cls}")
        p = np.column_stack([1.0 - p, p])
    if p.shape[1] != len(cls):
        raise ValueError(
            f"y_prob has {p.shape[1]} columns but there are {len(cls)} classes {cls}; "
            "pass classes= matching the columns"
        )
    _check_rows_sum_to_one(p, dtype_eps, "y_prob")
    codes = _codes_for(yt, cls)
    e = dtype_eps if eps is None else float(eps)
    if not (0.0 < e < 0.5):
        raise ValueError(f"eps must be in (0, 0.5), got {eps!r}")
    chosen = np.clip(p[np.arange(p.shape[0]), codes], e, 1.0 - e)
    return float(-np.mean(np.log(chosen)))


# ---------------------------------------------------------------------------
# regression
# ---------------------------------------------------------------------------


def _regression_inputs(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    yt = _finite_floats(y_true, "y_true")
    yp = _finite_floats(y_pred, "y_pred")
    _check_same_length(yt, yp, "y_true", "y_pred")
    return yt, yp


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error."""
    yt, yp = _regression_inputs(y_true, y_pred)
    return float(np.sqrt(np.mean((yt - yp) ** 2)))


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error."""
    yt, yp = _regression_inputs(y_true, y_pred)
    return float(np.mean(np.abs(yt - yp)))


def r2(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot.

    Raises ValueError for fewer than two samples or constant y_true (where
    scikit-learn returns nan, 0.0 or 1.0 by convention).
    """
    yt, yp = _regression_inputs(y_true, y_pred)
    if yt.shape[0] < 2:
        raise ValueError("r2 needs at least two samples")
    ss_tot = float(np.sum((yt - yt.mean()) ** 2))
    if ss_tot == 0.0:
        raise ValueError("r2 is undefined for constant y_true")
    ss_res = float(np.sum((yt - yp) ** 2))
    return 1.0 - ss_res / ss_tot


# ---------------------------------------------------------------------------
# registry and dispatch
# ---------------------------------------------------------------------------

MetricInput = Literal["labels", "scores", "probabilities"]


@dataclass(frozen=True)
class MetricInfo:
    """Registry entry.

    ``input`` says which argument of :func:`compute` the metric consumes:
    "labels" -> ``y_pred`` (predicted class labels, or point predictions for
    regression metrics), "scores" -> ``y_score`` (scores or a probability
    matrix), "probabilities" -> ``y_score`` (a probability matrix or 1-D
    positive-class probabilities).  ``task`` is "classification" or
    "regression".
    """

    name: str
    func: Callable[..., float]
    greater_is_better: bool
    input: MetricInput
    task: Literal["classification", "regression"]


METRICS: dict[str, MetricInfo] = {
    info.name: info
    for info in (
        MetricInfo("accuracy", accuracy, True, "labels", "classification"),
        MetricInfo("precision", precision, True, "labels", "classification"),
        MetricInfo("recall", recall, True, "labels", "classification"),
        MetricInfo("f1", f1, True, "labels", "classification"),
        MetricInfo("roc_auc", roc_auc, True, "scores", "classification"),
        MetricInfo("log_loss", log_loss, False, "probabilities", "classification"),
        MetricInfo("rmse", rmse, False, "labels", "regression"),
        MetricInfo("mae", mae, False, "labels", "regression"),
        MetricInfo("r2", r2, True, "labels", "regression"),
    )
}


def _info(name: str) -> MetricInfo:
    try:
        return METRICS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown metric {name!r}; valid metrics are: {', '.join(sorted(METRICS))}"
        ) from None


def compute(
    name: str,
    y_true: Any,
    y_pred: Any = None,
    y_score: Any = None,
    **kwargs: Any,
) -> float:
    """Compute metric ``name``; keyword arguments go to the metric function.

    Label metrics read ``y_pred``; "scores"/"probabilities" metrics read
    ``y_score``.  Passing only the wrong one raises ValueError.
    """
    info = _info(name)
    if info.input == "labels":
        if y_pred is None:
            raise ValueError(f"metric {name!r} needs y_pred (predicted labels/values)")
        return float(info.func(y_true, y_pred, **kwargs))
    if y_score is None:
        raise ValueError(
            f"metric {name!r} needs y_score ({info.input}); "
            + ("y_pred was given instead" if y_pred is not None else "none was given")
        )
    return float(info.func(y_true, y_score, **kwargs))


def _finite_number(x: Any, what: str) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise ValueError(f"{what} must be a real number, got {x!r}")
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"{what} must be finite, got {x!r}")
    return v


def quality_drop(name: str, candidate_score: float, reference_score: float) -> float:
    """How much worse the candidate is than the reference (negative = better).

    reference - candidate for greater-is-better metrics, candidate - reference
    for loss/error metrics (log_loss, rmse, mae).
    """
    info = _info(name)
    c = _finite_number(candidate_score, "candidate_score")
    r = _finite_number(reference_score, "reference_score")
    return r - c if info.greater_is_better else c - r


def allowed(name: str, candidate_score: float, reference_score: float, max_drop: float) -> bool:
    """True if the candidate is worse than the reference by at most ``max_drop``.

    ``max_drop`` is absolute, in the metric's own units, and must be >= 0.
    Direction follows ``METRICS[name].greater_is_better``: for accuracy a fall
    counts as a drop, for rmse a rise does.  Improvements are always allowed.
    A relative tolerance of 1e-9 (plus 1e-12 absolute) absorbs float noise at
    the boundary, so allowed("accuracy", 0.6, 0.7, 0.1) is True.
    """
    drop = quality_drop(name, candidate_score, reference_score)
    m = _finite_number(max_drop, "max_drop")
    if m < 0:
        raise ValueError(f"max_drop must be >= 0, got {max_drop!r}")
    return drop <= m or math.isclose(drop, m, rel_tol=1e-9, abs_tol=1e-12)
