"""Reading the prediction and label logs and joining them by key, window by window.

Labels are read once (key, label, arrival time: three columns), keeping the first label to arrive for
each key; predictions are read one window at a time with the window pushed down into the source, so
memory holds the labels plus one window of predictions. Nothing is dropped silently: duplicate
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
           "read_window", "join_labels", "orphan_labels"]

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
    query = TableQuery(log.table, log.columns(), log.timestamp, end=as_of)
    frame = source.read(query)
    total = source.aggregate(TableQuery(log.table, time_column=log.timestamp), (Measure("n", "count"),))["n"][0]
    report.labels_after_as_of = int(total) - frame.height
    frame = frame.select([pl.col(k).alias(p) for k, p in zip(log.key, key)]
                         + [pl.col(log.value).alias(LABEL), pl.col(log.timestamp).alias(ARRIVED)])
    frame = frame.sort(ARRIVED, maintain_order=True)
    dup = frame.filter(pl.struct(key).is_duplicated())
    report.label_rows = frame.height
    first = frame.unique(subset=list(key), keep="first", maintain_order=True)
    report.duplicate_labels = frame.height - first.height
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


def join_labels(window: pl.DataFrame, labels: pl.DataFrame | None, key: tuple[str, ...],
                report: JoinReport) -> pl.DataFrame:
    """The window's predictions (first row per key) with their label and its arrival time (null: none yet)."""
    report.prediction_rows += window.height
    dup = window.filter(pl.struct(key).is_duplicated())
    first = window.unique(subset=list(key), keep="first", maintain_order=True)
    report.duplicate_predictions += window.height - first.height
    if dup.height and len(report.duplicate_prediction_keys) < EXAMPLES:
        report.duplicate_prediction_keys += _keys(dup.unique(subset=list(key), maintain_order=True), key)
        del report.duplicate_prediction_keys[EXAMPLES:]
    if labels is None:
        return first.with_columns(pl.lit(None).alias(LABEL), pl.lit(None, pl.Datetime("us")).alias(ARRIVED))
    labels = _same_key_types(labels, first, key)
    joined = first.join(labels, on=list(key), how="left")
    early = joined.filter(pl.col(ARRIVED) < pl.col(SERVED)).height
    report.labels_before_prediction += early
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


def orphan_labels(labels: pl.DataFrame | None, seen_keys: list[pl.DataFrame], key: tuple[str, ...],
                  report: JoinReport) -> None:
    """Count labels whose key no prediction (up to as-of) carries."""
    if labels is None:
        return
    seen = pl.concat(seen_keys).unique() if seen_keys else pl.DataFrame(schema=labels.select(key).schema)
    orphans = labels.join(_same_key_types(seen, labels, key), on=list(key), how="anti")
    report.orphan_labels = orphans.height
    report.orphan_label_keys = _keys(orphans, key)
    if seen_keys:
        everything = pl.concat(seen_keys)
        report.duplicate_predictions += everything.height - everything.unique().height  # across windows
