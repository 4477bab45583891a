"""``specgen infer --engine spark|duckdb`` / ``--source URL``: the column statistics as aggregate queries.

The same ``ColumnStats`` as ``scan.py``'s chunked pass, from one aggregate query on the source (null
counts, min/max, mean/std, text lengths, exact distinct counts) plus a GROUP BY per low-cardinality text
column. Quantiles and the draft's ranges need values: a seeded sample of at most ``scan.SAMPLE_ROWS``
rows of the numeric columns is drawn by the source (every row of a smaller input), the one bounded
set of rows that leaves it.
"""
from __future__ import annotations

import numpy as np

from ..errors import DataError
from .scan import SAMPLE_FLOOR, SAMPLE_ROWS, SAMPLE_VALUES, ColumnStats, Table, _kind

__all__ = ["scan_query"]


def scan_query(q, label: str, threshold: int, seed: int = 0) -> Table:
    kinds = {name: _kind(dtype) for name, dtype in q.schema.items()}
    row = q.aggregate(_named(q, kinds))
    rows = int(row["__rows"])
    if not rows:
        raise DataError(f"{label}: no data rows [SG203]", "SG203")
    numeric = [n for n, k in kinds.items() if k in ("int", "float")]
    size = min(SAMPLE_ROWS, max(SAMPLE_FLOOR, SAMPLE_VALUES // max(1, len(numeric))))
    samples = _samples(q, numeric, size, seed)
    columns = tuple(_stats(q, i, name, kind, row, rows, threshold, samples.get(name))
                    for i, (name, kind) in enumerate(kinds.items()))
    return Table((label,), rows, rows, columns)


def _named(q, kinds: dict) -> list:
    named = [("__rows", q.rows_expr())]
    for i, (name, kind) in enumerate(kinds.items()):
        x = q.value(name)
        named.append((f"{i}_nulls", q.null_count(x)))
        if kind in ("int", "float"):
            named += [(f"{i}_min", q.min(x)), (f"{i}_max", q.max(x)), (f"{i}_mean", q.mean(x)),
                      (f"{i}_std", q.std(x))]
        elif kind == "text":
            named += [(f"{i}_min", q.min(q.length(x))), (f"{i}_max", q.max(q.length(x)))]
        elif kind == "datetime":
            named += [(f"{i}_min", q.min(x)), (f"{i}_max", q.max(x))]
        elif kind == "bool":
            named.append((f"{i}_trues", q.count_if(x == True)))  # noqa: E712 (builds SQL / a Spark column)
        if kind in ("int", "text", "datetime"):  # key candidates (scan.py: the same kinds)
            named.append((f"{i}_distinct", q.count_distinct(x)))
    return named


def _samples(q, numeric: list[str], size: int, seed: int) -> dict[str, np.ndarray]:
    if not numeric:
        return {}
    rows = q.sample(numeric, size, seed)
    out = {}
    for j, name in enumerate(numeric):
        values = np.array([r[j] for r in rows if r[j] is not None], dtype=np.float64)
        out[name] = values[~np.isnan(values)]
    return out


def _stats(q, i: int, name: str, kind: str, row: dict, rows: int, threshold: int, sample) -> ColumnStats:
    nulls = int(row[f"{i}_nulls"])
    if kind == "bool":
        trues = int(row[f"{i}_trues"])
        return ColumnStats(name, kind, rows, nulls, counts=(("true", trues), ("false", rows - nulls - trues)),
                           distinct=2)
    if nulls == rows:
        kind = "null"
    distinct = int(row.get(f"{i}_distinct") or 0)
    unique = f"{i}_distinct" in row and nulls == 0 and distinct == rows
    if _kind(q.schema[name]) == "text":
        counts = ()
        if 0 < distinct <= threshold:
            found = {str(r[name]): r["count"] for r in q.value_counts(q.value(name), name)}
            counts = tuple(sorted(found.items(), key=lambda p: (-p[1], p[0])))
        lo, hi = row[f"{i}_min"], row[f"{i}_max"]
        return ColumnStats(name, kind, rows, nulls, distinct=distinct, counts=counts, unique=unique,
                           length=(int(lo), int(hi)) if lo is not None else None)
    if kind in ("int", "float"):
        return ColumnStats(name, kind, rows, nulls, row[f"{i}_min"], row[f"{i}_max"], row[f"{i}_mean"],
                           row[f"{i}_std"], unique=unique, sample=sample)
    return ColumnStats(name, kind, rows, nulls, row.get(f"{i}_min"), row.get(f"{i}_max"), unique=unique)
