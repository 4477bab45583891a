"""Read the inputs in chunks and compute per-column statistics in one pass over them.

Memory is bounded by the chunk size (``read.CHUNK_VALUES`` cells) and the number of
columns, not by the rows: each chunk is folded into mergeable accumulators
(``sketch.py``: moments, capped category counters, distinct-count sketches, a
systematic sample of at most ``SAMPLE_ROWS`` rows for quantiles and baseline
histograms) and dropped. The one exception is a column that may be a key: its
exact uniqueness needs 8 bytes a row, until its first repeat or null.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ..errors import DataError
from .read import Source, open_source, resolve_inputs
from .sketch import CappedCounter, DistinctSketch, Moments, Systematic, UniqueHashes

__all__ = ["ColumnStats", "Table", "resolve_inputs", "scan", "SAMPLE_ROWS"]

SAMPLE_ROWS = 200_000  # quantile sample per numeric column (every row of smaller inputs) ...
SAMPLE_VALUES = 4_000_000  # ... but at most this many values over all columns (32 MiB): wide tables sample less
SAMPLE_FLOOR = 20_000


@dataclass(frozen=True)
class ColumnStats:
    name: str
    kind: str  # int | float | bool | datetime | text | null (text is split later: category or string)
    rows: int
    nulls: int
    min: Any = None
    max: Any = None
    mean: float | None = None
    std: float | None = None
    distinct: int = 0  # text only: exact up to sketch.DISTINCT_K values, estimated above
    counts: tuple[tuple[str, int], ...] = ()  # value counts, only for low-cardinality text
    unique: bool = False  # exact: non-null and no repeats (key candidate)
    length: tuple[int, int] | None = None  # text: shortest and longest value
    sample: np.ndarray | None = None  # numeric: non-null values of the systematic sample
    zone: str | None = None  # datetime: the time zone the data was written in (None: naive)

    @property
    def present(self) -> int:
        return self.rows - self.nulls

    @property
    def null_fraction(self) -> float:
        return self.nulls / self.rows if self.rows else 0.0


@dataclass(frozen=True)
class Table:
    files: tuple[str, ...]
    rows: int  # rows the statistics describe (after --sample)
    source_rows: int  # rows in the inputs
    columns: tuple[ColumnStats, ...]

    def column(self, name: str) -> ColumnStats:
        return next(c for c in self.columns if c.name == name)


def _parse_error(paths: list[Path], exc: Exception) -> DataError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = str(paths[0]) if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more)"
    return DataError(f"{where}: cannot parse data: {first} [SG202]", "SG202")


class _Quiet:
    """The progress interface (see ``progress.Progress``), drawing nothing."""

    def start(self, label: str, total: int, unit: str = "rows") -> None:
        pass

    def update(self, done: int) -> None:
        pass

    def finish(self) -> None:
        pass


def scan(paths: list[Path], sample: int | None = None, seed: int = 0, threshold: int = 20,
         progress=None) -> Table:
    """``progress``: a ``progress.Progress`` (the CLI's terminal bar) or None."""
    progress = progress or _Quiet()
    try:
        try:
            return _scan(paths, sample, seed, threshold, progress, infer_rows=100_000)
        except pl.exceptions.ComputeError:
            # a value far down a CSV contradicts the type guessed from the top: infer from all rows
            return _scan(paths, sample, seed, threshold, progress, infer_rows=None)
    except DataError:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise _parse_error(paths, exc) from None
    finally:
        progress.finish()


def _scan(paths: list[Path], sample: int | None, seed: int, threshold: int, progress,
          infer_rows: int | None) -> Table:
    source = open_source(paths, progress, infer_rows)
    while True:
        table, seen = _pass(source, sample, seed, threshold, progress)
        if seen == source.rows:
            return table
        if not seen:
            raise DataError(f"{paths[0]}: no data rows (header only) [SG203]", "SG203")
        # the CSV record count and polars disagree (a stray blank line at the end, say): the sample
        # steps and --sample rows depend on the exact count, so go again with polars' count
        source.rows = seen


def _pass(source: Source, sample: int | None, seed: int, threshold: int, progress) -> tuple[Table, int]:
    """The statistics of one pass over every chunk, and the rows polars read."""
    chosen = _chosen(source.rows, sample, seed) if sample is not None and sample < source.rows else None
    rows = source.rows if chosen is None else chosen.size
    columns = _Columns(source.schema, rows, threshold)
    progress.start(f"specgen infer: {len(source.schema)} columns", source.rows)
    start = 0
    for chunk in source.chunks():
        columns.add(chunk if chosen is None else _pick(chunk, chosen, start))
        start += chunk.height
        progress.update(start)
    stats = tuple(replace(c, zone=source.zones.get(c.name)) for c in columns.stats())
    return Table(tuple(str(p) for p in source.paths), rows, source.rows, stats), start


def _chosen(rows: int, n: int, seed: int) -> np.ndarray:
    """``n`` row numbers chosen by numpy's seeded generator: the same inputs and seed, the same rows."""
    return np.sort(np.random.default_rng(seed).choice(rows, size=n, replace=False))


def _pick(chunk: pl.DataFrame, chosen: np.ndarray, start: int) -> pl.DataFrame:
    """The chosen rows of a chunk that starts at input row ``start``."""
    lo, hi = np.searchsorted(chosen, [start, start + chunk.height])
    return chunk[chosen[lo:hi] - start]


def _kind(dtype) -> str:
    if dtype == pl.Null:
        return "null"
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_float() or dtype.is_decimal():
        return "float"
    if isinstance(dtype, pl.Datetime) or dtype == pl.Date:
        return "datetime"
    return "text"


class _Columns:
    """The accumulators of every column, fed chunk by chunk; ``stats()`` reads them out."""

    def __init__(self, schema, rows: int, threshold: int):
        self.rows = rows
        self.kinds = {name: _kind(dtype) for name, dtype in schema.items()}
        names = list(self.kinds)
        self.nulls = dict.fromkeys(names, 0)
        self.trues = dict.fromkeys(names, 0)
        self.moments = {n: Moments() for n in names}  # text: of the value lengths
        self.counters = {n: CappedCounter(threshold) for n in names if self.kinds[n] == "text"}
        self.sketches = {n: DistinctSketch() for n in names if self.kinds[n] == "text"}
        # ids, codes and time stamps: a date unique in every row (one row a day) identifies it as well
        self.keys = {n: UniqueHashes() for n in names if self.kinds[n] in ("int", "text", "datetime")}
        self.numeric = [n for n in names if self.kinds[n] in ("int", "float")]
        size = min(SAMPLE_ROWS, max(SAMPLE_FLOOR, SAMPLE_VALUES // max(1, len(self.numeric))))
        self.samples = {n: Systematic(rows, size) for n in self.numeric}
        self.position = 0  # rows of the (sampled) stream seen so far
        self.exprs = [e for i, n in enumerate(names) for e in _chunk_exprs(i, n, self.kinds[n])]

    def add(self, chunk: pl.DataFrame) -> None:
        if not chunk.height:
            return
        row = chunk.select(self.exprs).row(0)
        at = 0
        for name, kind in self.kinds.items():
            at = self._aggregates(name, kind, row, at, chunk.height)
        for name in self.counters:
            self.counters[name].add(chunk[name])
            self.sketches[name].add(chunk[name])
        for name in self.keys:
            self.keys[name].add(chunk[name])
        if self.numeric:
            first = next(iter(self.samples.values()))
            thin = chunk.select(self.numeric).gather_every(first.step, offset=first.offset(self.position))
            for name in self.numeric:
                self.samples[name].add(thin[name])
        self.position += chunk.height

    def _aggregates(self, name: str, kind: str, row: tuple, at: int, height: int) -> int:
        """Fold this column's values of ``row`` (from ``_chunk_exprs``, starting at ``at``); the next offset."""
        nulls = row[at]
        self.nulls[name] += nulls
        if kind in ("int", "float"):
            lo, hi, mean, var = row[at + 1:at + 5]
            count = height - nulls
            self.moments[name].add(count, mean, None if var is None else var * count, lo, hi)
            return at + 5
        if kind in ("text", "datetime"):
            self.moments[name].add(0, None, None, row[at + 1], row[at + 2])
            return at + 3
        if kind == "bool":
            self.trues[name] += row[at + 1] or 0
            return at + 2
        return at + 1

    def stats(self) -> tuple[ColumnStats, ...]:
        return tuple(self._stats(name, kind) for name, kind in self.kinds.items())

    def _stats(self, name: str, kind: str) -> ColumnStats:
        rows, nulls, m = self.rows, self.nulls[name], self.moments[name]
        if kind == "bool":  # keep the true count as a two-value tally for the comment and baseline
            trues = self.trues[name]
            return ColumnStats(name, kind, rows, nulls, counts=(("true", trues), ("false", rows - nulls - trues)),
                               distinct=2)
        if nulls == rows:
            kind = "null"
        unique = name in self.keys and self.keys[name].unique and nulls == 0
        if self.kinds[name] == "text":
            counts = self.counters[name].pairs()
            distinct = len(counts) if counts else self.sketches[name].estimate()
            length = (int(m.min), int(m.max)) if m.min is not None else None
            return ColumnStats(name, kind, rows, nulls, distinct=distinct, counts=counts, unique=unique,
                               length=length)
        if kind in ("int", "float"):
            return ColumnStats(name, kind, rows, nulls, m.min, m.max, m.mean, m.std, unique=unique,
                               sample=self.samples[name].values())
        return ColumnStats(name, kind, rows, nulls, m.min, m.max, unique=unique)


def _chunk_exprs(i: int, name: str, kind: str) -> list[pl.Expr]:
    """One chunk's aggregates of a column, in the order ``_Columns._aggregates`` reads them."""
    x = pl.col(name)
    if kind == "float":
        x = x.cast(pl.Float64).fill_nan(None)
    out = [x.null_count()]
    if kind in ("int", "float"):
        out += [x.min(), x.max(), x.mean(), x.var(ddof=0)]
    elif kind == "text":
        lengths = x.cast(pl.String).str.len_chars()
        out += [lengths.min(), lengths.max()]
    elif kind == "datetime":
        out += [x.min(), x.max()]
    elif kind == "bool":
        out.append(x.cast(pl.Int64).sum())
    return [e.alias(f"{i}_{k}") for k, e in enumerate(out)]
