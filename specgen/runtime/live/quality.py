"""One group of joined rows (a window x a slice) -> its quality: coverage, label delay, metrics, bias."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .. import metrics as _metrics
from ..contracts.live import LiveMetric
from .logs import ARRIVED, LABEL, PRED, SCORE, SERVED

__all__ = ["GroupQuality", "group_quality", "score", "labelled"]


@dataclass
class GroupQuality:
    window_start: str
    window_end: str
    slice: str
    rows: int
    labelled: int
    coverage: float | None
    mature: bool
    delay_median_seconds: float | None
    delay_p90_seconds: float | None
    late_labels: int
    metrics: dict = field(default_factory=dict)  # name -> value (None: too few labelled rows / unscorable)
    metric_notes: dict = field(default_factory=dict)
    bias: float | None = None
    class_bias: dict = field(default_factory=dict)
    prediction_mean: float | None = None
    prediction_shares: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(vars(self))


def labelled(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col(LABEL).is_not_null())


def score(metric: LiveMetric, rows: pl.DataFrame, task: str = "regression") -> float:
    """The metric on labelled ``rows`` (ValueError when it cannot be scored, e.g. one class for roc_auc)."""
    m = metric.metric
    y_true = rows[LABEL].to_numpy()
    info = _metrics.METRICS[m.name]
    if info.input == "labels" and task == "classification":
        truth, pred, kwargs = _codes(rows, m.kwargs)
        return _metrics.compute(m.name, truth, y_pred=pred, **kwargs)
    if info.input == "labels":
        return _metrics.compute(m.name, y_true, y_pred=rows[PRED].to_numpy(), **m.kwargs)
    if SCORE not in rows.columns:
        raise ValueError(f"{m.name} needs scores: set live.predictions.score")
    return _metrics.compute(m.name, y_true, y_score=rows[SCORE].to_numpy(), **m.kwargs)


def _codes(rows: pl.DataFrame, kwargs: dict) -> tuple:
    """(y_true, y_pred, kwargs) with classes as integer codes: the metrics check every value of an object
    array in Python, codes they take at numpy speed; a class's code is its rank among the classes as text,
    and ``pos_label`` follows its class (the scores of label metrics do not depend on the codes chosen)."""
    truth, pred = rows[LABEL].cast(pl.String), rows[PRED].cast(pl.String)
    classes = pl.concat([truth, pred]).unique().sort()
    code = {c: i for i, c in enumerate(classes.to_list())}
    as_codes = lambda s: s.replace_strict(code, return_dtype=pl.Int64).to_numpy()
    kwargs = dict(kwargs)
    if "pos_label" in kwargs:
        kwargs["pos_label"] = code.get(str(kwargs["pos_label"]), -1)
    return as_codes(truth), as_codes(pred), kwargs


def _delays(rows: pl.DataFrame) -> np.ndarray:
    return (rows[ARRIVED] - rows[SERVED]).dt.total_microseconds().to_numpy() / 1e6


def group_quality(frame: pl.DataFrame, name: str, window: tuple[str, str], mature: bool, task: str,
                  metrics: tuple[LiveMetric, ...], min_rows: int, label_delay: float) -> GroupQuality:
    rows = labelled(frame)
    delays = _delays(rows) if rows.height else np.array([])
    q = GroupQuality(window[0], window[1], name, frame.height, rows.height,
                     rows.height / frame.height if frame.height else None, mature,
                     float(np.median(delays)) if len(delays) else None,
                     float(np.quantile(delays, 0.9)) if len(delays) else None, int(np.sum(delays > label_delay)))
    for metric in metrics:
        if rows.height < min_rows:
            q.metrics[metric.metric.name] = None
            q.metric_notes[metric.metric.name] = f"{rows.height} labelled rows, fewer than {min_rows}"
            continue
        try:
            q.metrics[metric.metric.name] = score(metric, rows, task)
        except ValueError as exc:
            q.metrics[metric.metric.name] = None
            q.metric_notes[metric.metric.name] = str(exc)
    _bias(q, frame, rows, task)
    return q


def _bias(q: GroupQuality, frame: pl.DataFrame, rows: pl.DataFrame, task: str) -> None:
    """Regression: mean prediction - mean label; classification: share predicted - share labelled per class
    (``bias`` is the largest in size, signed). Over labelled rows; the shares over all rows are the
    prediction distribution, which needs no label."""
    if task == "regression":
        q.prediction_mean = _finite(frame[PRED].cast(pl.Float64).mean())
        if rows.height:
            q.bias = _finite(rows[PRED].cast(pl.Float64).mean() - rows[LABEL].cast(pl.Float64).mean())
        return
    q.prediction_shares = _shares(frame[PRED])
    if rows.height:
        pred, true = _shares(rows[PRED]), _shares(rows[LABEL])
        q.class_bias = {c: pred.get(c, 0.0) - true.get(c, 0.0) for c in sorted(set(pred) | set(true))}
        q.bias = max(q.class_bias.values(), key=abs) if q.class_bias else None


def _shares(values: pl.Series) -> dict:
    counts = values.cast(pl.String).value_counts()
    total = counts["count"].sum()
    return {str(v): c / total for v, c in sorted(counts.iter_rows(), key=lambda r: str(r[0]))}


def _finite(value) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None
