"""DuckDB sources: a ``.duckdb`` database file, and Parquet/CSV files queried through DuckDB.

Identifiers are quoted as DuckDB (and standard SQL) quote them: in double quotes, a double quote inside
doubled; a file path and every value are query parameters. The database is opened read-only, and the
result leaves DuckDB as Arrow batches (``to_arrow_reader``): memory holds one batch, not the table.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ...errors import DataError
from ..duckdb_url import MEMORY
from .base import Source
from .query import QUERY_ALIAS, SqlParts, SqlText, build_aggregate, build_select, checked_name

__all__ = ["DuckDBSource", "FileSource", "quote_identifier"]

_FILE_READERS = {".parquet": "read_parquet", ".pq": "read_parquet", ".csv": "read_csv"}


def quote_identifier(name: str) -> str:
    """``name`` as a DuckDB quoted identifier."""
    return '"' + checked_name(name, "identifier").replace('"', '""') + '"'


_SQL = SqlParts(ident=quote_identifier, raw=str, join="".join, placeholder="?")


def _duckdb():
    import duckdb  # imported here: the runtime library must stay light for generated code
    return duckdb


class _Duck(Source):
    """What the database file and the file sources share: one read-only connection, Arrow out."""

    def __init__(self, connection, label: str):
        self._con = connection
        self.label = label
        self._known: dict = {}

    def _relation(self, table: str | None) -> tuple[str, list]:
        raise NotImplementedError

    def _run(self, text: str, params: list):
        duckdb = _duckdb()
        try:
            return self._con.sql(text, params=params)
        except duckdb.Error as exc:
            raise DataError(f"{self.label}: query failed: {str(exc).splitlines()[0]} [SG222]", "SG222") from None

    def _columns(self, table):
        if table not in self._known:
            relation, params = self._relation(table)
            self._known[table] = list(self._run(f"SELECT * FROM {relation} LIMIT 0", params).columns)
        return self._known[table]

    def _batches(self, query, rows) -> Iterator[pl.DataFrame]:
        relation, params = self._relation(query.table)
        text, more = build_select(query, relation, _SQL)
        for batch in self._run(text, params + more).to_arrow_reader(rows):
            if batch.num_rows:
                yield pl.from_arrow(batch)

    def _batches_empty(self, query):
        relation, params = self._relation(query.table)
        text, more = build_select(query, relation, _SQL)
        return pl.from_arrow(self._run(text, params + more).limit(0).to_arrow_table())

    def _aggregate(self, query, measures, group_by, bucket):
        relation, params = self._relation(query.table)
        text, more = build_aggregate(query, measures, group_by, bucket, relation, _SQL)
        return pl.from_arrow(self._run(text, params + more).to_arrow_table())

    def close(self):
        self._con.close()


class DuckDBSource(_Duck):
    """A table in a DuckDB database file (opened read-only)."""

    def __init__(self, path: str | Path):
        memory = str(path) == MEMORY  # a query over files (read_parquet(...)) needs no database file
        path = Path(path)
        if not memory and not path.is_file():
            raise DataError(f"{path}: DuckDB database not found [SG201]", "SG201")
        duckdb = _duckdb()
        try:
            con = duckdb.connect(MEMORY) if memory else duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise DataError(f"{path}: cannot open DuckDB database: {str(exc).splitlines()[0]} [SG220]",
                            "SG220") from None
        con.execute("SET TimeZone = 'UTC'")
        super().__init__(con, str(path))

    def _table(self, table):
        if not table:
            raise DataError(f"{self.label}: a DuckDB database needs a table name (the spec's `table`) [SG221]",
                            "SG221")
        return table

    def _relation(self, table):
        if isinstance(table, SqlText):  # the author's query, as written (see SqlText)
            return f"({table.body()}\n) AS {quote_identifier(QUERY_ALIAS)}", []  # \n: a trailing -- comment ends
        tables = {r[0] for r in self._con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if table not in tables:
            raise DataError(f"{self.label}: table {table!r} is not in the database; it has {sorted(tables)} [SG221]",
                            "SG221")
        return quote_identifier(table), []


class FileSource(_Duck):
    """A Parquet or CSV file (or a glob of them), queried through an in-memory DuckDB; the file is the table."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        suffix = Path(self.path).suffix.lower()
        if suffix not in _FILE_READERS:
            raise DataError(f"{path}: unsupported source {suffix or '(no extension)'!r}; use .parquet, .csv, "
                            ".duckdb, duckdb://PATH or postgresql://... [SG202]", "SG202")
        if not any(ch in self.path for ch in "*?[") and not Path(self.path).is_file():
            raise DataError(f"{path}: data file not found [SG201]", "SG201")
        self._reader = _FILE_READERS[suffix]
        con = _duckdb().connect()
        con.execute("SET TimeZone = 'UTC'")
        super().__init__(con, self.path)

    def _relation(self, table):
        return f"{self._reader}(?)", [self.path]
