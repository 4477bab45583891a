"""Read a data file into a polars (or pandas) frame, with errors a person can act on.

CSV columns the spec declares as categorical or string are read as text, so a
category named "1" stays "1"; every other type is inferred from the data, so a
numeric column turned to text is seen as text (and fails its dtype check). Dates, times and
datetimes are recognised as polars' ``try_parse_dates`` recognises them, decided per value shape
(``runtime.csv_schema``: trying every pattern on every value took ~7 s per 100,000 rows); a column
the spec declares ``datetime`` is always looked at, yet stays text when a value is not one (the dtype
check then names it). The schema is inferred once and pinned for the read.

Time zones: the polars readers keep a column's zone (the ``timezone`` check reads it); the
engine compares every datetime as naive UTC (``runtime.timezones`` states the rule, naive
values are wall time in the column's declared zone). ``read_pandas`` (what generated schemas
validate) applies that rule while reading and notes each aware column's zone in
``frame.attrs[timezones.SOURCE_ZONES]``. Without this, a Parquet file with aware timestamps
crashed every range check (naive vs aware). ``naive_utc`` converts every aware column.
A file with no data rows (a header-only CSV, a 0-row Parquet) is SG203.

Integers beyond int64: polars infers Int128 for a CSV column holding an id above 2^63 - 1,
which pandas cannot take (every generated test errored while ``validate`` said ok). Such a
column is read as UInt64 by every reader (``wide_integers``); one that does not fit (a
negative value below -2^63, or above 2^64 - 1) is SG202 naming the column.
"""
from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Mapping

import polars as pl
import polars.selectors as cs

from ..errors import DataError
from .contracts.data import SqlData
from .csv_schema import infer_schema
from .timezones import SOURCE_ZONES, pandas_in_zone, polars_utc
from .inputs import HIVE_NULL, Inputs, check_columns, partition_types, resolve

__all__ = ["read_polars", "scan_polars", "checked_scan", "reading", "read_pandas", "read_polars_check", "iter_csv",
           "InferenceTooShort", "FORMATS", "DataError", "INFER_ROWS", "naive_utc", "wide_integers",
           "with_partitions", "resolve", "same_columns"]

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
INFER_ROWS = 100_000  # CSV rows column types are inferred from (all rows when these contradict a later value)
_TEXT_KINDS = ("category:str", "string")


def read_polars(path, dtypes: Mapping[str, str] | None = None) -> pl.DataFrame:
    """``dtypes``: column -> value type (its dtype, or ``category:str|int``); used only to keep text columns text.
    ``path``: anything ``runtime.inputs.resolve`` takes (a file, glob, directory, .csv.gz, ``-``), or a table
    or query in a database (``contracts.SqlData``, read through ``runtime.sources.location``)."""
    if isinstance(path, SqlData):
        from .sources import location

        return location.read(path)
    found = resolve(path)
    if found.single:
        return _read_one(found.files[0], dtypes)
    return _combine(found, [_read_one(f, dtypes) for f in found.files], pl.concat)


def _read_one(path: Path, dtypes: Mapping[str, str] | None) -> pl.DataFrame:
    fmt = read_polars_check(path)
    with reading(path, fmt):
        if fmt == "parquet":
            frame = pl.read_parquet(path)
            if frame.height == 0:
                raise _no_rows(path)
            return frame
        return wide_integers(_read_csv(path, dtypes or {}), path)


def naive_utc(frame: pl.DataFrame | pl.LazyFrame):
    """Time-zone-aware datetime columns as UTC wall time without a zone (see the module's docstring)."""
    return frame.with_columns(cs.datetime(time_zone="*").dt.convert_time_zone("UTC").dt.replace_time_zone(None))


def _no_rows(path: Path) -> DataError:
    return DataError(f"{path}: Parquet file has no data rows [SG203]", "SG203")


def scan_polars(path: str | Path, dtypes: Mapping[str, str] | None = None, *,
                infer_all: bool = False) -> pl.LazyFrame:
    """A lazy frame read in batches when collected with the streaming engine, so memory is
    bounded by a batch, not the file. Use it through ``checked_scan``, which turns parse
    errors into DataErrors and re-infers CSV types from every row when a late value needs it.
    Many files (a glob, a directory) are scanned one by one and concatenated lazily."""
    found = resolve(path)
    if found.single:
        return _scan_one(found.files[0], dtypes, infer_all)
    return _combine(found, [_scan_one(f, dtypes, infer_all) for f in found.files], pl.concat)


def _combine(found: Inputs, frames: list, concat):
    """The frames of one input's files as one: the same columns each (SG206), Hive partition keys added."""
    check_columns(found, [list(f.collect_schema().names()) for f in frames])
    order = list(frames[0].collect_schema().names())
    types = partition_types(found)
    frames = [with_partitions(f.select(order), pairs, types) for f, pairs in zip(frames, found.partitions)]
    with reading(Path(found.argument)):
        return concat(frames, how="vertical_relaxed")


def with_partitions(frame, pairs, types: Mapping[str, str]):
    """``frame`` plus a constant column per Hive ``key=value`` (a column the file holds wins)."""
    names = frame.collect_schema().names()
    extra = [_partition_value(value, types[key]).alias(key) for key, value in pairs if key not in names]
    return frame.with_columns(extra) if extra else frame


_PARTITION_DTYPES = {"int": pl.Int64, "date": pl.Date, "string": pl.String}


def _partition_value(value: str, kind: str) -> pl.Expr:
    if value == HIVE_NULL:
        return pl.lit(None, dtype=_PARTITION_DTYPES[kind])
    if kind == "date":
        return pl.lit(value).str.to_date("%Y-%m-%d")
    return pl.lit(value).cast(_PARTITION_DTYPES[kind])


def _scan_one(path: Path, dtypes: Mapping[str, str] | None, infer_all: bool) -> pl.LazyFrame:
    fmt = read_polars_check(path)
    with reading(path, fmt):
        if fmt == "parquet":
            lazy = pl.scan_parquet(path)
            lazy.collect_schema()  # a corrupt footer fails here, not half-way through a check
            if lazy.select(pl.len()).collect().item() == 0:  # from the footer: no data is read
                raise _no_rows(path)
            return lazy
        header, rename, options = _csv_options(path, dtypes or {}, None if infer_all else INFER_ROWS)
        if pl.read_csv(path, n_rows=1, infer_schema=False).height == 0:  # typed, a small file is parsed whole
            raise DataError(f"{path}: CSV has a header but no data rows [SG203]", "SG203")
        lazy = pl.scan_csv(path, **options)
        return wide_integers(lazy.rename(dict(zip(header, rename))) if rename else lazy, path)


def checked_scan(path: str | Path, dtypes: Mapping[str, str] | None, use):
    """``use(lazy_frame)`` on the file(s), with the reading rules of ``read_polars``."""
    found = resolve(path)
    with reading(Path(found.argument), found.fmt):
        try:
            return use(scan_polars(path, dtypes))
        except pl.exceptions.ComputeError:
            if found.fmt != "csv":
                raise
            # a value far down the file contradicts the type guessed from the top: infer from all rows
            return use(scan_polars(path, dtypes, infer_all=True))


@contextmanager
def reading(path: Path, fmt: str | None = None):
    """Turn what can go wrong while reading ``path`` into one DataError with a code."""
    fmt = fmt or FORMATS.get(Path(path).suffix.lower(), "data")
    try:
        yield
    except DataError:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise _parse_error(path, fmt, exc) from None


def read_polars_check(path: Path) -> str:
    """The file's format (``csv``/``parquet``), or a DataError saying why it cannot be read."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(f"{path}: unsupported data format {path.suffix or '(no extension)'!r}; "
                        "use .csv or .parquet [SG202]", "SG202")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataError(f"{path}: data file not found [SG201]", "SG201") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read data file: {exc.strerror} [SG201]", "SG201") from None
    if path.is_dir():
        raise DataError(f"{path}: is a directory, expected a data file [SG201]", "SG201")
    if size == 0:
        raise DataError(f"{path}: data file is empty (0 bytes) [SG203]", "SG203")
    return fmt


def _csv_options(path: Path, dtypes: Mapping[str, str],
                 infer_rows: int | None) -> tuple[list[str], list[str] | None, dict]:
    """(header as polars reads it, the csv module's reading when it differs, read options: the schema
    polars infers from ``infer_rows`` rows with ``try_parse_dates``, pinned; see ``runtime.csv_schema``)."""
    header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    if not header:
        raise DataError(f"{path}: CSV has no header row [SG203]", "SG203")
    names = _csv_header(path)
    # polars (2.1) keeps the doubled quotes of a quoted header field ('"a""b"' -> 'a""b'): use the csv module's
    # reading of the header whenever it agrees on the column count
    rename = names if len(names) == len(header) and names != header else None
    own = dict(zip(rename or header, header))  # a column as the spec names it -> as polars does
    text = {own[c]: pl.String for c in own if dtypes.get(c) in _TEXT_KINDS}
    dated = [own[c] for c in own if dtypes.get(c) == "datetime"]
    schema = infer_schema(str(path), infer_rows, text, dated)
    return header, rename, dict(schema=schema, try_parse_dates=True)


def _read_csv(path: Path, dtypes: Mapping[str, str]) -> pl.DataFrame:
    header, rename, options = _csv_options(path, dtypes, INFER_ROWS)
    try:
        frame = pl.read_csv(path, **options)
    except pl.exceptions.ComputeError:
        # a value far down the file contradicts the type guessed from the top: infer from all rows
        header, rename, options = _csv_options(path, dtypes, None)
        frame = pl.read_csv(path, **options)
    if frame.height == 0:  # every column would read as text and fail its dtype check: say what is wrong
        raise DataError(f"{path}: CSV has a header but no data rows [SG203]", "SG203")
    return frame.rename(dict(zip(header, rename))) if rename else frame


def same_columns(found: Inputs) -> None:
    """SG206 unless every file of ``found`` holds the same columns (read from headers and footers only)."""
    if len(found.files) > 1:
        check_columns(found, [_file_columns(f) for f in found.files])


def _file_columns(path: Path) -> list[str]:
    with reading(path, read_polars_check(path)):
        if FORMATS[path.suffix.lower()] == "parquet":
            return list(pl.read_parquet_schema(path))
        return _csv_header(path)


class InferenceTooShort(Exception):
    """A CSV value after the first ``INFER_ROWS`` rows contradicts the inferred type, after chunks were
    already handed out: the reader must start again with ``infer_all=True`` (as ``read_polars`` does)."""


def iter_csv(path: str | Path, dtypes: Mapping[str, str] | None, chunk_rows: int, *,
             infer_all: bool = False) -> Iterator[pl.DataFrame]:
    """A CSV file in frames of at most ``chunk_rows`` rows, read as ``read_polars`` reads it whole.

    polars' streaming engine parses the file in pieces: memory is bounded by the chunk,
    not the file. Column types are inferred once, from the first ``INFER_ROWS`` rows (or
    all rows with ``infer_all``), so every chunk has the types the whole file would get.
    """
    path = Path(path)
    read_polars_check(path)
    yielded = 0
    try:
        header, rename, options = _csv_options(path, dtypes or {}, None if infer_all else INFER_ROWS)
        scan = pl.scan_csv(path, **options)
        for chunk in scan.collect_batches(chunk_size=chunk_rows):
            if chunk.height == 0:
                continue
            yielded += chunk.height
            yield wide_integers(chunk.rename(dict(zip(header, rename))) if rename else chunk, path)
    except DataError:
        raise
    except pl.exceptions.ComputeError:
        if infer_all:
            raise _parse_error(path, "csv", sys.exc_info()[1]) from None
        if yielded:
            raise InferenceTooShort(str(path)) from None
        yield from iter_csv(path, dtypes, chunk_rows, infer_all=True)
        return
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise _parse_error(path, "csv", exc) from None
    if not yielded:
        raise DataError(f"{path}: CSV has a header but no data rows [SG203]", "SG203")


def wide_integers(frame: pl.DataFrame | pl.LazyFrame, path: Path):
    """Int128 columns (CSV integers beyond int64) as UInt64; a value that does not fit is SG202
    (eagerly here, with the column's range; a lazy frame fails its strict cast when collected)."""
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    wide = [name for name, dtype in schema.items() if dtype == pl.Int128]
    if not wide:
        return frame
    if isinstance(frame, pl.DataFrame):
        for name in wide:
            low, high = frame.select(pl.col(name).min().alias("a"), pl.col(name).max().alias("b")).row(0)
            if low is not None and (low < 0 or high >= 2 ** 64):
                raise DataError(f"{path}: column {name!r} holds integers beyond 64 bits ({low} to {high}); {_WIDE} "
                                "[SG202]", "SG202")
    return frame.with_columns(pl.col(wide).cast(pl.UInt64))


_WIDE = ("specgen reads integers as int64, or as uint64 when they exceed int64 and none is negative: "
         "declare such ids as text (dtype: string)")


def _parse_error(path: Path, fmt: str, exc: BaseException) -> DataError:
    if isinstance(exc, PermissionError):
        return DataError(f"{path}: permission denied [SG201]", "SG201")
    if isinstance(exc, FileNotFoundError):
        return DataError(f"{path}: data file vanished while reading [SG201]", "SG201")
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if fmt == "csv" and "more fields" in first:
        first = _ragged_row(path) or first
    if "from `i128` to `u64` failed" in first:  # wide_integers on a lazy frame
        first = f"{first}: integers beyond 64 bits; {_WIDE}"
    return DataError(f"{path}: cannot parse {fmt} data: {first} [SG202]", "SG202")


def _ragged_row(path: Path) -> str | None:
    """On the error path only: name the first record with more fields than the header (polars does not)."""
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        width = len(next(reader, []))
        for row in reader:
            if len(row) > width:
                return f"line {reader.line_num} has {len(row)} fields, the header has {width}"
    return None


def _csv_header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        return next(csv.reader(handle), [])


def read_pandas(path, dtypes: Mapping[str, str] | None = None, zones: Mapping[str, str] | None = None):
    """The same reading rules, as a pandas DataFrame (what generated schemas validate): a datetime column
    of ``zones`` (its declared ``timezone``) as time-zone-aware values in that zone, its naive values read
    as wall time there; every other datetime as naive UTC (see the module's docstring)."""
    frame = read_polars(path, dtypes)
    zones = zones or {}
    if isinstance(path, SqlData):  # a database holds instants (in UTC): shown in the declared zone
        frame = frame.with_columns(pl.col(name).dt.convert_time_zone(zones[name])
                                   for name, dtype in frame.schema.items()
                                   if isinstance(dtype, pl.Datetime) and dtype.time_zone and name in zones)
    seen = {name: dtype.time_zone for name, dtype in frame.schema.items()
            if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None}
    frame = frame.with_columns(polars_utc(pl.col(name), dtype, zones.get(name)).alias(name)
                               for name, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime | pl.Date)
                               and (name in seen or name in zones))
    out = frame.to_pandas()
    for name in sorted(set(zones) & set(out.columns)):
        if _is_datetime(out[name]):
            out[name] = pandas_in_zone(out[name], zones[name])  # naive UTC by now: shown in the zone
    out.attrs[SOURCE_ZONES] = seen
    return out


def _is_datetime(series) -> bool:
    import pandas as pd

    return pd.api.types.is_datetime64_any_dtype(series)
