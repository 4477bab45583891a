"""Reading the prediction and label logs and joining them by key, window by window.

Labels are read once (key, label, arrival time: three columns), keeping the first label to arrive for
each key, and split by the window their prediction was first served in (``index_labels`` reads the key
and timestamp columns of the predictions once for that); predictions are then read one window at a time,
with the window pushed down into the source. Memory holds the labels, the prediction keys while they are
indexed, and one window of predictions (10M predictions: ~1.5 GB, benchmarks/bench_live.py). Nothing is
dropped silently: duplicate
prediction keys, duplicate labels, labels no prediction matches and labels stamped before their
prediction are counted, with example keys, in ``JoinReport``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from ...errors import DataError
from ..contracts.live import LogColumns
from ..sources import Measure, Source, TableQuery

__all__ = ["PRED", "SERVED", "VERSION", "SCORE", "LABEL", "ARRIVED", "JoinReport", "time_range", "read_labels",
           "read_window", "join_labels", "index_labels", "window_index"]

# the roles' columns inside a joined window (aliases: the source's own columns stay as they are)
PRED, SERVED, VERSION, SCORE = "__specgen_prediction", "__specgen_served_at", "__specgen_version", "__specgen_score"
LABEL, ARRIVED = "__specgen_label", "__specgen_labelled_at"
EXAMPLES = 5


@dataclass
class JoinReport:
    """What the join met that is not one prediction matched by at most one label."""

    prediction_rows: int = 0
    duplicate_predictions: int = 0
    duplicate_prediction_keys: list = field(default_factory=list)
    label_rows: int = 0
    duplicate_labels: int = 0
    duplicate_label_keys: list = field(default_factory=list)
    orphan_labels: int = 0
    orphan_label_keys: list = field(default_factory=list)
    labels_before_prediction: int = 0
    labels_after_as_of: int = 0

    def as_dict(self) -> dict:
        return dict(vars(self))


def time_range(source: Source, log: LogColumns) -> tuple[datetime | None, datetime | None]:
    """Earliest and latest timestamp of the log (computed by the engine)."""
    got = source.aggregate(TableQuery(log.table, time_column=log.timestamp),
                           (Measure("first", "min", log.timestamp), Measure("last", "max", log.timestamp)))
    return got["first"][0], got["last"][0]


def _keys(frame: pl.DataFrame, key: tuple[str, ...]) -> list:
    rows = frame.select(key).head(EXAMPLES).rows()
    return [r[0] if len(r) == 1 else list(r) for r in rows]


def read_labels(source: Source, log: LogColumns, key: tuple[str, ...], as_of: datetime,
                report: JoinReport) -> pl.DataFrame:
    """The first label to arrive before ``as_of`` for each key: ``key`` columns, LABEL, ARRIVED."""
    frame = source.read(TableQuery(log.table, log.columns(), log.timestamp, end=as_of))
    total = source.aggregate(TableQuery(log.table, time_column=log.timestamp), (Measure("n", "count"),))["n"][0]
    report.labels_after_as_of = int(total) - frame.height
    frame = frame.select([pl.col(k).alias(p) for k, p in zip(log.key, key)]
                         + [pl.col(log.value).alias(LABEL), pl.col(log.timestamp).alias(ARRIVED)])
    report.label_rows = frame.height
    frame = frame.sort(ARRIVED)  # the first label to arrive for a key comes first
    first = frame.unique(subset=list(key), keep="first", maintain_order=True)
    report.duplicate_labels = frame.height - first.height
    if report.duplicate_labels:
        dup = frame.filter(pl.struct(key).is_duplicated())
        report.duplicate_label_keys = _keys(dup.unique(subset=list(key), maintain_order=True), key)
    return first


def read_window(source: Source, log: LogColumns, start: datetime, end: datetime) -> pl.DataFrame:
    """Predictions served in [start, end), with the role columns added as aliases."""
    frame = source.read(TableQuery(log.table, log.columns(), log.timestamp, start=start, end=end,
                                   order_by=(log.timestamp,)))
    roles = [pl.col(log.value).alias(PRED), pl.col(log.timestamp).alias(SERVED)]
    if log.version:
        roles.append(pl.col(log.version).cast(pl.String).alias(VERSION))
    if log.score:
        roles.append(pl.col(log.score).cast(pl.Float64).alias(SCORE))
    return frame.with_columns(roles)


def index_labels(predictions: Source, log: LogColumns, labels: pl.DataFrame, as_of: datetime, window_seconds: int,
                 report: JoinReport) -> dict[int, pl.DataFrame]:
    """The labels split by the window their prediction was (first) served in, so each window joins only its
    own labels. Reads the key and timestamp columns of every prediction before ``as_of`` once; counts the
    prediction keys served more than once and the labels no prediction carries."""
    key = log.key
    keys = predictions.read(TableQuery(log.table, key + (log.timestamp,), log.timestamp, end=as_of))
    keys = keys.sort(log.timestamp)
    first = keys.unique(subset=list(key), keep="first", maintain_order=True)
    report.duplicate_predictions = keys.height - first.height
    if report.duplicate_predictions:
        dup = keys.filter(pl.struct(key).is_duplicated())
        report.duplicate_prediction_keys = _keys(dup.unique(subset=list(key), maintain_order=True), key)
    del keys
    step = window_seconds * 1_000_000
    first = first.select(*key, (pl.col(log.timestamp).dt.epoch("us") // step).alias("__window"))
    joined = _same_key_types(labels, first, key).join(first, on=list(key), how="left")
    orphans = joined.filter(pl.col("__window").is_null())
    report.orphan_labels = orphans.height
    report.orphan_label_keys = _keys(orphans, key)
    parts = joined.filter(pl.col("__window").is_not_null()).partition_by("__window", as_dict=True,
                                                                         include_key=False)
    return {int(w[0]): part for w, part in parts.items()}


def window_index(start: datetime, window_seconds: int) -> int:
    """The index ``index_labels`` gives the window starting at ``start``."""
    return int((start - datetime(1970, 1, 1)).total_seconds() // window_seconds)


def join_labels(window: pl.DataFrame, labels: pl.DataFrame | None, key: tuple[str, ...],
                report: JoinReport) -> pl.DataFrame:
    """The window's predictions (first row per key) with their label and its arrival time (null: none yet)."""
    report.prediction_rows += window.height
    first = window.unique(subset=list(key), keep="first", maintain_order=True)
    if labels is None:
        return first.with_columns(pl.lit(None, pl.String).alias(LABEL), pl.lit(None, pl.Datetime("us")).alias(ARRIVED))
    joined = first.join(_same_key_types(labels, first, key), on=list(key), how="left")
    report.labels_before_prediction += joined.filter(pl.col(ARRIVED) < pl.col(SERVED)).height
    return joined


def _same_key_types(labels: pl.DataFrame, window: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    casts = []
    for k in key:
        want, have = window.schema[k], labels.schema[k]
        if want != have:
            casts.append(pl.col(k).cast(want))
    if not casts:
        return labels
    try:
        return labels.with_columns(casts)
    except pl.exceptions.PolarsError:
        raise DataError(f"label key columns {list(key)} hold values of another type than the prediction log's "
                        f"({[str(window.schema[k]) for k in key]}) [SG202]", "SG202") from None
