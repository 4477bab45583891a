"""What generated ``pandera.polars`` schemas call for checks pandera.polars has no built-in for.

``holds`` runs one check kind's polars form, the same expressions ``specgen validate`` runs
(``engine``), on the data pandera hands a check method, and answers in the shape pandera.polars
wants: a boolean per row (a row check such as ``monotonic`` marks the failing rows; a statistic
such as ``mean`` marks every row alike: pandera 0.35 cannot mix a scalar answer with row answers).
"""
from __future__ import annotations

import polars as pl

from . import engine
from .checks import Check
from .checks.base import RowKind
from .checks.registry import get

__all__ = ["holds"]


def holds(data, kind: str, column: str | None, params: dict) -> pl.LazyFrame:
    """``data``: pandera's ``PolarsData`` (``lazyframe``, ``key``)."""
    check, rule, lazy = Check(kind, column, params), get(kind), data.lazyframe
    schema = lazy.collect_schema()
    if any(c not in schema for c in rule.reads(check)):
        return _every_row(lazy, True)  # a missing column is reported as missing
    failure, needs_data = rule.schema_failure(check, schema)
    if not needs_data:  # e.g. a relation between columns of different types: their dtype checks say so
        return _every_row(lazy, failure is None)
    passes = None  # a row check marks its failing rows; a tolerant one only once its count fails it
    if not isinstance(rule, RowKind) or rule.tolerates(check):
        passes = not engine.run_checks(lazy, [check], check.environments[0])
    if isinstance(rule, RowKind) and not passes:
        frame = engine.Frame(lazy, schema)
        x = frame.value(column) if column is not None else None
        return lazy.select((~rule.violation(check, x, frame)).alias("holds"))
    return _every_row(lazy, passes)


def _every_row(lazy: pl.LazyFrame, ok: bool) -> pl.LazyFrame:
    return lazy.select(pl.repeat(ok, pl.len()).alias("holds"))
