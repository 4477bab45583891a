"""Read the inputs lazily and compute per-column statistics in a few streaming passes.

Memory stays bounded by the number of columns, not rows: pass 1 is one streaming
aggregate (counts, nulls, min/max/mean/std, HyperLogLog distinct counts); pass 2
counts the values of low-cardinality text columns, checks key candidates
exactly and takes a systematic sample of at most ``SAMPLE_ROWS`` rows for the
quantiles and baseline histograms (every row when the input is smaller).
"""
from __future__ import annotations

import csv
import glob
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import polars as pl

from ..errors import DataError
from ..runtime.io import FORMATS

__all__ = ["ColumnStats", "Table", "resolve_inputs", "scan", "SAMPLE_ROWS"]

SAMPLE_ROWS = 200_000
_STREAM = {"engine": "streaming"}


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
    distinct: int = 0  # approximate (HyperLogLog) except for counted categories
    counts: tuple[tuple[str, int], ...] = ()  # value counts, only for low-cardinality text
    unique: bool = False  # exact: non-null and no repeats (key candidate)
    length: tuple[int, int] | None = None  # text: shortest and longest value
    sample: np.ndarray | None = None  # numeric: non-null values of the systematic sample

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


def resolve_inputs(patterns: Sequence[str]) -> list[Path]:
    """Expand globs, keep the given order (globs sorted), reject what cannot be a table."""
    out: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise DataError(f"{pattern}: no files match [SG204]", "SG204")
        out += [Path(m) for m in matches]
    formats = set()
    for path in out:
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise DataError(f"{path}: unsupported data format {path.suffix or '(no extension)'!r}; "
                            "use .csv or .parquet [SG202]", "SG202")
        if not path.is_file():
            raise DataError(f"{path}: data file not found [SG201]", "SG201")
        if path.stat().st_size == 0:
            raise DataError(f"{path}: data file is empty (0 bytes) [SG203]", "SG203")
        formats.add(fmt)
    if len(formats) > 1:
        raise DataError("inputs mix CSV and Parquet; infer from one format at a time [SG204]", "SG204")
    return out


def _check_rows(path: Path) -> None:
    """Every CSV row has as many fields as the header.

    Polars fills missing trailing fields with nulls silently (only extra fields
    raise), so a short row would pass as a null; the csv module streams the file
    once, in bounded memory.
    """
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        rows = csv.reader(handle)
        header = next(rows, None)
        if not header:
            return
        for number, row in enumerate(rows, start=2):
            if row and len(row) != len(header):
                raise DataError(f"{path}: ragged CSV: record {number} has {len(row)} fields, the header has "
                                f"{len(header)} [SG202]", "SG202")


def _lazy(paths: list[Path], infer_rows: int | None = 100_000) -> pl.LazyFrame:
    names = [str(p) for p in paths]
    if FORMATS[paths[0].suffix.lower()] == "parquet":
        return pl.scan_parquet(names)
    # the same reading rules as specgen validate (runtime.io), so inferred dtypes match what it sees
    options = {"try_parse_dates": True}
    schema = pl.scan_csv(names, infer_schema_length=infer_rows, **options).collect_schema()
    # pinned: otherwise every query of the plan infers the schema again (x10 slower on wide CSVs)
    return pl.scan_csv(names, schema=schema, **options)


def _parse_error(paths: list[Path], exc: Exception) -> DataError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = str(paths[0]) if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more)"
    return DataError(f"{where}: cannot parse data: {first} [SG202]", "SG202")


def scan(paths: list[Path], sample: int | None = None, seed: int = 0, threshold: int = 20,
         progress=None) -> Table:
    progress = progress or (lambda message: None)
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


def _scan(paths: list[Path], sample: int | None, seed: int, threshold: int, progress,
          infer_rows: int | None) -> Table:
    if FORMATS[paths[0].suffix.lower()] == "csv":
        progress("checking CSV rows")
        for path in paths:
            _check_rows(path)
    lf = _lazy(paths, infer_rows)
    progress(f"counting rows of {len(paths)} file(s)")
    schema = lf.collect_schema()
    if not schema.names():
        raise DataError(f"{paths[0]}: no columns (no header row) [SG203]", "SG203")
    source_rows = lf.select(pl.len()).collect(**_STREAM).item()
    if source_rows == 0:
        raise DataError(f"{paths[0]}: no data rows (header only) [SG203]", "SG203")
    if sample is not None and sample < source_rows:
        lf = _sampled(lf, source_rows, sample, seed)
    progress(f"pass 1/2: statistics of {len(schema)} columns over {min(source_rows, sample or source_rows)} rows")
    first = _first_pass(lf, schema)
    rows = first["__rows"]
    stats = {name: _basic(name, dtype, first, rows) for name, dtype in schema.items()}
    progress("pass 2/2: category counts, key candidates, quantile sample")
    stats = _second_pass(lf, stats, rows, threshold)
    return Table(tuple(str(p) for p in paths), rows, source_rows, tuple(stats[n] for n in schema.names()))


def _sampled(lf: pl.LazyFrame, rows: int, n: int, seed: int) -> pl.LazyFrame:
    """``n`` rows chosen by numpy's seeded generator: the same inputs and seed, the same rows."""
    chosen = np.sort(np.random.default_rng(seed).choice(rows, size=n, replace=False))
    index = "__specgen_row"
    rows_wanted = pl.lit(pl.Series(chosen).cast(pl.get_index_type())).implode()
    return lf.with_row_index(index).filter(pl.col(index).is_in(rows_wanted)).drop(index)


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


def _first_pass(lf: pl.LazyFrame, schema) -> dict:
    exprs = [pl.len().alias("__rows")]
    for i, (name, dtype) in enumerate(schema.items()):
        kind, x = _kind(dtype), pl.col(name)
        if kind == "float":
            x = x.cast(pl.Float64).fill_nan(None)
        exprs.append(x.null_count().alias(f"{i}_nulls"))
        if kind in ("int", "float"):
            exprs += [x.min().alias(f"{i}_min"), x.max().alias(f"{i}_max"),
                      x.mean().alias(f"{i}_mean"), x.std().alias(f"{i}_std")]
        if kind in ("int", "text"):
            exprs.append(x.approx_n_unique().alias(f"{i}_distinct"))
        if kind == "text":
            s = x.cast(pl.String).str.len_chars()
            exprs += [s.min().alias(f"{i}_lmin"), s.max().alias(f"{i}_lmax")]
        if kind == "datetime":
            exprs += [x.min().alias(f"{i}_min"), x.max().alias(f"{i}_max")]
        if kind == "bool":
            exprs.append(x.cast(pl.Int64).sum().alias(f"{i}_true"))
    row = lf.select(exprs).collect(**_STREAM).row(0, named=True)
    return {"__rows": row["__rows"], **{k: row[k] for k in row},
            "__index": {name: i for i, name in enumerate(schema.names())},
            "__kinds": {name: _kind(dtype) for name, dtype in schema.items()}}


def _basic(name: str, dtype, first: dict, rows: int) -> ColumnStats:
    i, kind = first["__index"][name], first["__kinds"][name]
    get = lambda key: first.get(f"{i}_{key}")  # noqa: E731 - a short local accessor
    nulls = int(get("nulls"))
    length = (int(get("lmin")), int(get("lmax"))) if kind == "text" and get("lmin") is not None else None
    if kind == "bool":  # keep the true count as a two-value tally for the comment and baseline
        trues = int(get("true") or 0)
        counts = (("true", trues), ("false", rows - nulls - trues))
        return ColumnStats(name, kind, rows, nulls, counts=counts, distinct=2)
    if nulls == rows:
        kind = "null"
    return ColumnStats(name, kind, rows, nulls, get("min"), get("max"), get("mean"), get("std"),
                       int(get("distinct") or 0), length=length)


def _second_pass(lf: pl.LazyFrame, stats: dict[str, ColumnStats], rows: int, threshold: int) -> dict:
    # HyperLogLog is within a few percent: count exactly whenever the estimate is near the threshold
    texts = [s.name for s in stats.values() if s.kind == "text" and s.distinct <= threshold * 1.2 + 2]
    keys = [s.name for s in stats.values() if s.kind in ("int", "text") and s.nulls == 0
            and s.distinct >= 0.9 * rows]
    numeric = [s.name for s in stats.values() if s.kind in ("int", "float")]
    queries = [lf.group_by(pl.col(c).cast(pl.String)).agg(pl.len()) for c in texts]
    queries += [lf.select(pl.col(c).n_unique()) for c in keys]
    if numeric:
        step = max(1, math.ceil(rows / SAMPLE_ROWS))
        queries.append(lf.select(numeric).gather_every(step))
    results = pl.collect_all(queries, **_STREAM) if queries else []
    out = dict(stats)
    for c, frame in zip(texts, results):
        pairs = [(str(v), int(n)) for v, n in frame.iter_rows() if v is not None]
        pairs.sort(key=lambda p: (-p[1], p[0]))  # most frequent first; ties by value: deterministic
        out[c] = _replace(out[c], counts=tuple(pairs), distinct=len(pairs))
    for c, frame in zip(keys, results[len(texts):]):
        out[c] = _replace(out[c], unique=frame.item() == rows)
    if numeric:
        sample = results[-1]
        for c in numeric:
            values = sample[c].cast(pl.Float64).fill_nan(None).drop_nulls().to_numpy()
            out[c] = _replace(out[c], sample=np.sort(values))
    return out


def _replace(stats: ColumnStats, **changes) -> ColumnStats:
    from dataclasses import replace
    return replace(stats, **changes)
