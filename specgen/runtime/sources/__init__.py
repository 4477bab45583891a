"""Where logged rows come from: Parquet/CSV files, a DuckDB database, PostgreSQL by URL.

``open_source(location)`` picks the backend from the location:

| location | backend |
|---|---|
| ``postgresql://...`` / ``postgres://...`` | ``PostgresSource`` (psycopg 3, server-side cursor) |
| ``duckdb:///abs/path.duckdb``, ``duckdb://rel/path.duckdb``, ``path.duckdb`` (``runtime.duckdb_url``) | ``DuckDBSource`` (read-only) |
| ``*.parquet`` / ``*.pq`` / ``*.csv`` (globs too) | ``FileSource`` (queried through in-memory DuckDB) |

Every backend answers the same ``TableQuery`` (columns, optional time window) with polars frames,
whole (``read``) or batch by batch (``batches``), and pushes ``Measure`` aggregates down (``aggregate``).
SQL is built from names quoted by the driver's API and values passed as parameters (``query.py``).
``location`` reads a table or query the spec names (``data.training: {sql:, url:}``) as one frame.
Errors: a source that cannot be opened or reached is SG220 (password redacted), a missing table or
column SG221, a query the engine rejects SG222; all are ``DataError`` (exit 2).
"""
from __future__ import annotations

from pathlib import Path

from ...errors import DataError
from ..duckdb_url import duckdb_path, is_duckdb
from .base import BATCH_ROWS, Source
from .duck import DuckDBSource, FileSource, quote_identifier
from .postgres import PostgresSource, redact
from .query import BUCKETS, FUNCTIONS, Measure, SqlText, TableQuery

__all__ = ["open_source", "Source", "TableQuery", "SqlText", "Measure", "DuckDBSource", "FileSource", "PostgresSource",
           "redact", "quote_identifier", "is_sql_location", "BATCH_ROWS", "BUCKETS", "FUNCTIONS"]

_PG_SCHEMES = ("postgresql://", "postgres://")


def is_sql_location(location: str) -> bool:
    """Whether ``location`` names a database (a URL or a ``.duckdb`` file) rather than a data file."""
    text = str(location)
    return text.startswith(_PG_SCHEMES) or is_duckdb(text)


def open_source(location: str | Path) -> Source:
    """The source at ``location`` (see the table above), opened; close it (or use ``with``)."""
    text = str(location)
    if text.startswith(_PG_SCHEMES):
        return PostgresSource(text)
    if is_duckdb(text):
        return DuckDBSource(duckdb_path(text))
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise DataError(f"{redact(text)}: unsupported source scheme {scheme!r}; use postgresql://, duckdb:// or "
                        "a .parquet/.csv/.duckdb path [SG202]", "SG202")
    return FileSource(text)
