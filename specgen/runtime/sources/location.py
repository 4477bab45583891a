"""A data set named in the spec as a table or a query in a database (``contracts.SqlData``), read as rows.

What generated tests, ``specgen baseline`` and the model harness read when ``data.training`` (or
``serving``/``evaluation``) is ``{sql: ..., url: ...}`` or ``{table: ..., url_env: ...}`` instead of a
file. The URL comes from the spec (no password allowed there) or from an environment variable; every
message shows it with the password masked (``redact``). Rows leave the database in batches (DuckDB:
Arrow; PostgreSQL: a server-side cursor) and are joined into one polars frame, as a file is read whole.
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import polars as pl
import polars.selectors as cs

from ...errors import DataError
from ..contracts.data import SqlData
from ..duckdb_url import duckdb_url, relative_path
from .postgres import redact
from .query import SqlText, TableQuery

__all__ = ["bind", "url_of", "read", "query_of", "label"]


def bind(data: SqlData, base_dir: str | Path) -> SqlData:
    """``data`` with a relative DuckDB path in ``url`` made absolute from ``base_dir`` (the directory of the
    generated file that names it); other URLs unchanged."""
    path = relative_path(data.url)
    if path is None:
        return data
    return replace(data, url=duckdb_url((Path(base_dir) / path).resolve()))


def url_of(data: SqlData) -> str:
    """The database URL: the spec's, or the value of its environment variable (unset: SG220)."""
    if data.url_env is None:
        return str(data.url)
    value = os.environ.get(data.url_env, "")
    if not value.strip():
        raise DataError(f"{data}: environment variable {data.url_env} is not set; export it with the database "
                        "URL (e.g. postgresql://user:password@host:5432/db) [SG220]", "SG220")
    return value.strip()


def label(data: SqlData) -> str:
    """What messages call the data: the table or query, and where (password masked)."""
    if data.url_env is None:
        return str(data)
    value = os.environ.get(data.url_env)
    return f"{data} ({redact(value)})" if value else str(data)


def query_of(data: SqlData, columns: tuple[str, ...] = ()) -> TableQuery:
    """The sources layer's query for ``data``: its table by name, or its query as a subquery."""
    return TableQuery(data.table if data.table is not None else SqlText(str(data.sql)), tuple(columns))


def read(data: SqlData) -> pl.DataFrame:
    """Every row of ``data`` as one polars frame; a result with no rows is SG203, as an empty data file is.
    A zoned timestamp (``timestamptz``, DuckDB's ``TIMESTAMP WITH TIME ZONE``) stays aware, in UTC (the
    instant; ``io.read_pandas`` converts it to the column's declared zone), a naive one stays naive (wall
    time, read in the declared zone as from a file). Decimals are read as Float64, as Parquet floats are."""
    from . import open_source

    try:
        with open_source(url_of(data)) as source:
            frame = source.read(query_of(data), keep_zones=True)
    except DataError as exc:  # name the spec's data first: which of training/serving/evaluation failed
        raise DataError(f"{data}: {exc}", exc.code) from None
    if frame.height == 0:
        raise DataError(f"{label(data)}: the query returned no rows [SG203]", "SG203")
    return frame.with_columns(cs.decimal().cast(pl.Float64))
