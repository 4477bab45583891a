"""Find the inputs and hand them over in chunks of at most ``CHUNK_VALUES`` cells, in file order.

Polars' own streaming (``collect_batches``) runs ahead of a slow consumer and
its memory grows with the file, so chunks are cut here:

* Parquet: ``scan_parquet(...).slice(start, n)``, which decodes only the row
  groups (and pages) that hold those rows.
* CSV: the pass that checks every record's field count (the csv module, one
  record at a time) also notes the byte offset every ``n`` records; each chunk is
  then those bytes, behind the header, parsed by polars with the schema pinned.
  Quoted newlines are handled because the offsets are record boundaries.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import polars as pl

from ..errors import DataError
from ..runtime.csv_schema import infer_schema
from ..runtime.inputs import partition_types, resolve
from ..runtime.io import FORMATS, naive_utc, same_columns, with_partitions

__all__ = ["resolve_inputs", "shown_names", "Source", "open_source", "chunk_rows", "CHUNK_VALUES", "CHUNK_FLOOR"]

CHUNK_VALUES = 1_000_000  # cells per chunk: 50,000 rows of 20 columns (~8 MiB of numbers)
CHUNK_FLOOR = 1_000  # rows per chunk, however wide the table
_CSV_OPTIONS = {"try_parse_dates": True}  # the same reading rules as specgen validate (runtime.io)


def chunk_rows(columns: int) -> int:
    return max(CHUNK_FLOOR, CHUNK_VALUES // max(1, columns))


def resolve_inputs(patterns: Sequence[str]) -> list[Path]:
    """Expand every argument (a file, glob, directory, .csv.gz/.zst, ``-``: ``runtime.inputs.resolve``),
    keep the given order, reject what cannot be a table. The files returned are plain (a compressed
    input's decompressed copy); ``partitions_of`` gives their Hive partition keys."""
    out: list[Path] = []
    _PARTITIONS.clear()
    _SHOWN.clear()
    for pattern in patterns:
        found = resolve(pattern)
        same_columns(found)
        out += found.files
        _SHOWN.update(zip(found.files, found.shown))
        types = partition_types(found)
        _PARTITIONS.update({f: (pairs, types) for f, pairs in zip(found.files, found.partitions) if pairs})
    formats = set()
    for path in out:
        fmt = FORMATS[path.suffix.lower()]
        if not path.is_file():
            raise DataError(f"{path}: data file not found [SG201]", "SG201")
        if not _utf8(str(path)):  # polars takes str names only: bytes that are not UTF-8 crash it
            raise DataError(f"{ascii(str(path))}: the file name is not valid UTF-8; rename it [SG201]", "SG201")
        if path.stat().st_size == 0:
            raise DataError(f"{path}: data file is empty (0 bytes) [SG203]", "SG203")
        formats.add(fmt)
    if len(formats) > 1:
        raise DataError("inputs mix CSV and Parquet; infer from one format at a time [SG204]", "SG204")
    return out


_PARTITIONS: dict[Path, tuple] = {}  # file -> (its Hive pairs, the types of the keys): set by resolve_inputs
_SHOWN: dict[Path, str] = {}  # file read -> the name the user gave (a compressed file, <stdin>)


def shown_names(paths: list[Path]) -> list[str]:
    """The names to print for the files ``resolve_inputs`` returned."""
    return [_SHOWN.get(p, str(p)) for p in paths]


def _partitioned(frame, path: Path):
    pairs, types = _PARTITIONS.get(path, ((), {}))
    return with_partitions(frame, pairs, types)


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class Source:
    paths: list[Path]
    schema: pl.Schema
    rows: int
    lazy: pl.LazyFrame
    offsets: dict[Path, list[int]] = field(default_factory=dict)  # CSV: header end, chunk starts, end
    zones: dict[str, str] = field(default_factory=dict)  # aware datetime column -> its time zone

    def chunks(self) -> Iterator[pl.DataFrame]:
        if not self.offsets:
            step = chunk_rows(len(self.schema))
            for start in range(0, self.rows, step):
                yield self.lazy.slice(start, step).collect()
            return
        for path in self.paths:
            yield from _csv_chunks(path, self.offsets[path], self.schema)


def open_source(paths: list[Path], progress, infer_rows: int | None) -> Source:
    """Check (CSV), pin the schema, count the rows. ``infer_rows``: CSV rows to guess types from (None: all).

    CSV rows are the records the check counted (polars' own count maps the
    whole file into memory); ``Source.rows`` is corrected if polars sees
    another number (see ``scan``).
    """
    offsets, records = {}, 0
    if FORMATS[paths[0].suffix.lower()] == "csv":
        progress.start("specgen infer: checking CSV records", sum(p.stat().st_size for p in paths), "bytes")
        done = 0
        for path in paths:
            offsets[path], count = _index_csv(path, progress, done)
            done += path.stat().st_size
            records += count
    raw = _lazy(paths, infer_rows)
    zones = {name: dtype.time_zone for name, dtype in raw.collect_schema().items()
             if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None}
    lazy = naive_utc(raw)  # zones: as validate compares them (runtime.timezones); the zones go to the draft
    schema = lazy.collect_schema()
    if not schema.names():
        raise DataError(f"{paths[0]}: no columns (no header row) [SG203]", "SG203")
    rows = records if offsets else lazy.select(pl.len()).collect(engine="streaming").item()
    if rows == 0:
        raise DataError(f"{paths[0]}: no data rows (header only) [SG203]", "SG203")
    return Source(paths, schema, rows, lazy, offsets, zones)


def _lazy(paths: list[Path], infer_rows: int | None) -> pl.LazyFrame:
    names = [str(p) for p in paths]
    if FORMATS[paths[0].suffix.lower()] == "parquet":
        if not _PARTITIONS:
            return pl.scan_parquet(names)
        return pl.concat([_partitioned(pl.scan_parquet(p), p) for p in paths], how="vertical_relaxed")
    schema = _csv_schema(names, infer_rows)
    # pinned: otherwise every query of the plan infers the schema again (x10 slower on wide CSVs)
    if not _PARTITIONS:
        return pl.scan_csv(names, schema=schema, **_CSV_OPTIONS)
    return pl.concat([_partitioned(pl.scan_csv(p, schema=schema, **_CSV_OPTIONS), p) for p in paths])


def _csv_schema(names: list[str], infer_rows: int | None) -> pl.Schema:
    """Polars' schema inference with ``try_parse_dates``, paying for dates only where they may be
    (``runtime.csv_schema``: the same reading rules as ``specgen validate``)."""
    return infer_schema(names, infer_rows, {})


def _index_csv(path: Path, progress, done: int) -> tuple[list[int], int]:
    """Check every record has as many fields as the header.

    Returns the byte offsets of the header's end, of every chunk's start and
    of the end, and the number of records after the header.

    Polars fills missing trailing fields with nulls silently (only extra fields
    raise), so a short row would pass as a null. The csv module reads one line
    at a time and stops at the end of a record, so the bytes read so far are
    exactly the records returned. ``done``: bytes of earlier files (progress).
    """
    position = 0

    def lines(raw) -> Iterator[str]:
        nonlocal position
        for line in raw:
            position += len(line)
            yield line.decode("utf-8", errors="replace")

    with open(path, "rb") as raw:
        records = csv.reader(lines(raw))
        header = next(records, None)
        offsets, number = [position], 1
        if not header:
            return offsets, 0
        step = chunk_rows(len(header))
        for number, row in enumerate(records, start=2):
            if row and len(row) != len(header):
                raise DataError(f"{path}: ragged CSV: record {number} has {len(row)} fields, the header has "
                                f"{len(header)} [SG202]", "SG202")
            if (number - 1) % step == 0:
                offsets.append(position)
                progress.update(done + position)
    if offsets[-1] != position:
        offsets.append(position)
    return offsets, number - 1


def _csv_chunks(path: Path, offsets: list[int], schema: pl.Schema) -> Iterator[pl.DataFrame]:
    with open(path, "rb") as handle:
        header = handle.read(offsets[0])
        own = next(csv.reader([header.decode("utf-8", errors="replace")]), [])
        schema = pl.Schema({name: dtype for name, dtype in schema.items() if name in own})  # not partition keys
        for start, end in zip(offsets, offsets[1:]):
            handle.seek(start)
            chunk = pl.read_csv(header + handle.read(end - start), schema=schema, **_CSV_OPTIONS)
            yield naive_utc(_partitioned(chunk, path))
