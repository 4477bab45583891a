"""Mergeable per-feature summaries of a table, counted on stored baseline edges.

A numeric feature is summarised as a :class:`~specgen.runtime.drift.Histogram`
over the baseline's quantile edges; a categorical one as ``{category: count}``
(nulls under ``drift.NULL_KEY``). Both add across chunks, so a file is read
once, chunk by chunk, and memory stays bounded by the chunk, not the file.

Counting uses one polars ``select`` per chunk: per numeric column, the number of
values below each edge (cumulative counts; bins are their differences) and the
sum of each bin's values (where in the bin they lie, for Wasserstein), and a
``value_counts`` per categorical column. No quantiles at run time: the edges
were computed once, by `specgen baseline`, from the training data.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from . import io
from .inputs import partition_types
from .time_bins import with_time_bins
from .drift import NULL_KEY, Histogram, merge_category_counts, numeric_edges, tie_edges, tied_values

__all__ = ["FeatureSpec", "summarize", "summarize_frame", "category_text", "incomparable", "reference_edges",
           "finish_edges", "iter_chunks", "round_sig", "merge_summaries", "bin_spreads", "SIGNIFICANT_DIGITS",
           "CHUNK_ROWS"]

#: Floats stored in the monitoring config keep this many significant digits, so the
#: same data gives the same bytes on every machine (the last bits of a quantile vary).
SIGNIFICANT_DIGITS = 8
CHUNK_ROWS = 1_000_000


@dataclass(frozen=True)
class FeatureSpec:
    """What to count for one feature: ``kind`` is ``numeric`` or ``categorical``; ``time_bins``: the hour
    or weekday (a category) or the recency (a number) of a datetime column (``runtime.time_bins``)."""

    name: str
    kind: str
    edges: tuple[float, ...] = ()
    time_bins: dict | None = field(default=None, hash=False)


def round_sig(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    if value == 0 or not math.isfinite(value):
        return float(value)
    return float(f"{value:.{digits}g}")


def reference_edges(values, bins: int, std: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(edges, tie edges) of the finite ``values``: :func:`finish_edges` of their distinct values and
    counts (at most ``bins`` of them) or of their ``bins + 1`` quantiles; ``std``: theirs (ddof 0), for
    the tie ladder."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    distinct, counts = np.unique(x, return_counts=True)
    if distinct.size <= bins:
        return finish_edges(distinct=distinct, counts=counts, bins=bins, std=std)
    return finish_edges(quantiles=np.quantile(x, np.linspace(0.0, 1.0, bins + 1)), std=std)


def finish_edges(*, distinct=None, counts=None, bins: int = 0, quantiles=None, std: float = 0.0
                 ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The stored reference edges and, among them, the tie edges (``drift.tie_edges``), from the sorted
    distinct values and their ``counts`` (each value its own bin, ``drift.numeric_edges``; a value with
    more than ``1 / bins`` of them is tied) or from the exact quantiles (a repeated one is tied). Every
    engine ends here (polars, the pushdown reference), so their edges are byte-identical: edges are
    rounded to ``SIGNIFICANT_DIGITS`` (engines differ in a quantile's last bits) except a tied value,
    which every engine gives exactly and whose own bin ``[v, nextafter(v))`` must not be rounded away."""
    if quantiles is None:
        d, n = np.asarray(distinct, dtype=np.float64), np.asarray(counts, dtype=np.float64)
        coarse = np.unique([round_sig(float(e)) for e in numeric_edges(d, max(1, d.size))])
        tied = d[n * bins > n.sum()]
    else:
        q = np.asarray(quantiles, dtype=np.float64)
        tied = tied_values(q)
        coarse = np.unique(np.concatenate([[round_sig(float(e)) for e in q if e not in tied], tied]))
    if coarse.size == 1:  # a constant, or values equal in their first digits (64-bit ids): one zero-width bin
        return (float(coarse[0]),) * 2, ()
    ties = tie_edges(coarse, tied, round_sig(float(std)), round_sig)  # engines' stds differ in the last bits
    return tuple(float(e) for e in np.union1d(coarse, ties)), tuple(float(e) for e in ties)


def iter_chunks(path: str | Path, dtypes: dict[str, str], chunk_rows: int = CHUNK_ROWS,
                columns: list[str] | None = None, *, infer_all: bool = False) -> Iterator[pl.DataFrame]:
    """Frames of at most ``chunk_rows`` rows: Parquet record batches, CSV pieces (``io.iter_csv``);
    many files (a glob, a directory: ``io.resolve``) one after the other, Hive partition keys added.

    A CSV may raise ``io.InferenceTooShort`` part way: start again with ``infer_all=True``.
    """
    found = io.resolve(path)
    io.same_columns(found)
    types = partition_types(found)
    for file, pairs in zip(found.files, found.partitions):
        for chunk in _file_chunks(file, dtypes, chunk_rows, infer_all, columns):
            chunk = io.with_partitions(chunk, pairs, types)
            yield chunk if columns is None else chunk.select([c for c in columns if c in chunk.columns])


def _file_chunks(path: Path, dtypes: dict[str, str], chunk_rows: int, infer_all: bool,
                 columns: list[str] | None) -> Iterator[pl.DataFrame]:
    if io.FORMATS.get(path.suffix.lower()) != "parquet":
        yield from io.iter_csv(path, dtypes, chunk_rows, infer_all=infer_all)
        return
    io.read_polars_check(path)
    try:
        # polars' streaming reader: bounded memory, and faster than pyarrow's iter_batches here
        scan = pl.scan_parquet(path)  # zones kept, as validate reads them (the engine compares in UTC)
        if columns is not None:  # read only the columns wanted
            names = scan.collect_schema().names()
            scan = scan.select([c for c in columns if c in names])
        yield from scan.collect_batches(chunk_size=chunk_rows)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise io.DataError(f"{path}: cannot parse parquet data: {first} [SG202]", "SG202") from None


def summarize(chunks: Iterable[pl.DataFrame], features: list[FeatureSpec]) -> tuple[int, dict]:
    """(rows, {feature: Histogram | category counts}) merged over ``chunks``; absent features are left out."""
    rows, merged = 0, {}
    for chunk in chunks:
        rows += chunk.height
        for name, summary in summarize_frame(chunk, features).items():
            merged[name] = summary if name not in merged else merge_summaries(merged[name], summary)
    return rows, merged


def merge_summaries(a, b):
    """Two chunks' summaries of one feature -> the summary of both."""
    return a.merge(b) if isinstance(a, Histogram) else merge_category_counts(a, b)


def incomparable(frame: pl.DataFrame, features: list[FeatureSpec]) -> dict[str, str]:
    """Features present in ``frame`` whose column cannot be counted as the baseline was: text in a
    numeric column (the commonest serving fault), a list or struct anywhere -> {name: its polars type}.
    ``summarize_frame`` leaves them out; the monitor reports them "not comparable"."""
    schema = frame.schema  # once: O(width) per call (R2)
    return {f.name: str(schema[f.name]) for f in features
            if f.name in schema and not _countable(frame, f.name, f.kind)}


def _countable(frame: pl.DataFrame, name: str, kind: str) -> bool:
    dtype = frame.get_column(name).dtype  # not frame.schema: O(width) per call (R2)
    if dtype.is_nested() or dtype == pl.Object:
        return False
    # a CSV column with no values at all reads as text: it holds only nulls, which count
    return kind != "numeric" or dtype.is_numeric() or frame[name].null_count() == frame.height


def summarize_frame(frame: pl.DataFrame, features: list[FeatureSpec]) -> dict:
    """Bin counts (numeric) and category counts of the ``features`` in ``frame``; absent and
    incomparable ones (:func:`incomparable`) are left out."""
    frame = with_time_bins(frame, features)
    schema = frame.schema  # built once: DataFrame.schema is O(width) per call (R2)
    present = [f for f in features if f.name in schema and _countable(frame, f.name, f.kind)]
    exprs: list[pl.Expr] = []
    for i, f in enumerate(present):
        x = _value(schema, f.name)
        if f.kind == "numeric":
            x = x if schema[f.name].is_numeric() else x.cast(pl.Float64)  # all null (``_countable``)
            exprs.append(x.is_null().sum().alias(f"n{i}"))
            exprs += [(x < e).sum().alias(f"lt{i}_{j}") for j, e in enumerate(f.edges)]
            exprs.append((x <= f.edges[-1]).sum().alias(f"le{i}"))
            exprs += [_bin_sum(x, f.edges, j).alias(f"s{i}_{j}") for j in range(len(f.edges) - 1)]
        else:
            # counting on a categorical (dictionary) hashes each distinct string once, not every row
            exprs.append(category_text(x, schema[f.name]).cast(pl.Categorical).value_counts(sort=False, name="n")
                         .implode().alias(f"c{i}"))
    if not exprs:
        return {}
    row = frame.select(exprs).row(0, named=True)
    out = {}
    for i, f in enumerate(present):
        if f.kind == "numeric":
            below = [int(row[f"lt{i}_{j}"]) for j in range(len(f.edges))]
            sums = [float(row[f"s{i}_{j}"] or 0.0) for j in range(len(f.edges) - 1)]
            out[f.name] = _histogram(f.edges, below, int(row[f"le{i}"]), frame.height, int(row[f"n{i}"]), sums)
        else:
            out[f.name] = {NULL_KEY if r[f.name] is None else str(r[f.name]): int(r["n"]) for r in row[f"c{i}"]}
    return out


def category_text(x: pl.Expr, dtype) -> pl.Expr:
    """A value as categories are counted and compared: its text, a whole float as its integer's. pandas
    stores an int column with nulls as floats, so 3.0 must be the category 3 (was "3.0": every value of
    such a batch a new category against an int reference, a drift alarm on clean data). The pushdown
    engines count the same way (``pushdown.query.Query.category_text``)."""
    if not dtype.is_float():
        return x.cast(pl.String)
    whole = (x == x.floor()) & (x.abs() < 2.0**53)  # beyond 2^53 a float is not an exact integer
    return pl.when(whole).then(x.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(x.cast(pl.String))


def _in_bin(x: pl.Expr, edges, j: int) -> pl.Expr:
    """Whether a value lies in interior bin ``j``: ``[e_j, e_j+1)``, the last one closed (``drift.Histogram``)."""
    return (x >= edges[j]) & ((x < edges[j + 1]) if j + 2 < len(edges) else (x <= edges[j + 1]))


def _bin_sum(x: pl.Expr, edges, j: int) -> pl.Expr:
    return x.cast(pl.Float64).filter(_in_bin(x, edges, j)).sum()


def bin_spreads(column: pl.Series, edges) -> tuple[float, ...]:
    """The standard deviation (ddof 0) of the values in each interior bin of ``edges``: how far a batch's
    mean in a bin may stray from the reference's (``calibration``); 0 for an empty bin."""
    x = pl.col(column.name).cast(pl.Float64).fill_nan(None)
    row = column.to_frame().select([x.filter(_in_bin(x, edges, j)).std(ddof=0).alias(str(j))
                                    for j in range(len(edges) - 1)]).row(0)
    return tuple(float(v or 0.0) for v in row)


def _histogram(edges, below: list[int], at_most_top: int, rows: int, nulls: int, sums: list[float]) -> Histogram:
    """Counts per bin from cumulative counts (see ``drift.Histogram`` for the layout)."""
    cumulative = np.array(below[:-1] + [at_most_top, rows - nulls], dtype=np.int64)
    counts = np.diff(cumulative, prepend=0)
    return Histogram(tuple(edges), tuple(int(c) for c in counts), nulls, tuple(sums))


def _value(schema: pl.Schema, name: str) -> pl.Expr:
    dtype = schema[name]
    x = pl.col(name)
    if dtype.is_float():
        x = x.fill_nan(None)  # NaN is null, as everywhere in specgen
    return x
