"""PostgreSQL sources by URL (``postgresql://user:password@host:port/db``), read with psycopg 3.

The query is composed with ``psycopg.sql``: names through ``sql.Identifier`` (libpq's quoting), values as
``%s`` parameters. Rows stream from a server-side (named) cursor ``BATCH_ROWS`` at a time, so memory
holds one batch. The session's time zone is UTC, so a ``timestamptz`` column and a naive window bound
mean the same instant. Error messages never carry the password (``redact``).
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import polars as pl

from ...errors import DataError
from ..exposition import mask_credentials
from .base import Source
from .query import QUERY_ALIAS, SqlText, build_aggregate, build_select, checked_name, SqlParts

__all__ = ["PostgresSource", "redact", "password_of", "connect"]

_cursor_ids = itertools.count()


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages and logs); a URL that does not parse
    loses everything between ``scheme://`` and its last ``@``."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # e.g. "Invalid IPv6 URL": mask without parsing
        return mask_credentials(url)
    if password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def password_of(url: str) -> str | None:
    """The URL's password, or None (also for a URL that does not parse)."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def connect(url: str, *settings: str, **options):
    """A psycopg connection that cannot write: an author's query (``WITH d AS (DELETE ...) SELECT``) runs in
    read-only transactions, for the sources layer and the pushdown engine alike. ``settings``: more
    ``name=value`` server settings for the session."""
    import psycopg

    given = " ".join(f"-c {s}" for s in ("default_transaction_read_only=on", *settings))
    return psycopg.connect(url, connect_timeout=10, options=given, **options)


def _scrub(text: str, url: str) -> str:
    password = password_of(url)
    return text.replace(password, "***") if password else text


def _sql():
    from psycopg import sql
    return SqlParts(ident=lambda n: sql.Identifier(checked_name(n, "identifier")), raw=sql.SQL,
                    join=lambda parts: sql.Composed(parts), placeholder="%s")


class PostgresSource(Source):
    """A table in a PostgreSQL database (``table`` may be ``schema.table`` only through ``search_path``)."""

    def __init__(self, url: str):
        self.url = url
        self.label = redact(url)
        try:
            import psycopg
        except ImportError:
            raise DataError(f"{self.label}: reading PostgreSQL needs psycopg: pip install 'specgen[postgres]' "
                            "[SG220]", "SG220") from None
        self._psycopg = psycopg
        try:
            self._con = connect(url, "TimeZone=UTC")
        except psycopg.Error as exc:
            raise DataError(f"{self.label}: cannot connect: {_scrub(str(exc).strip(), url)} [SG220]",
                            "SG220") from None
        self._con.read_only = True
        self._known: dict = {}

    def _table(self, table):
        if not table:
            raise DataError(f"{self.label}: a PostgreSQL source needs a table name (the spec's `table`) [SG221]",
                            "SG221")
        return table

    def _relation(self, table):
        """A table name as an identifier; the author's query (``SqlText``) as a subquery, its ``%`` doubled
        because psycopg reads ``%`` as a parameter mark in a query sent with parameters."""
        from psycopg import sql
        if isinstance(table, SqlText):
            text = "(" + table.body().replace("%", "%%") + "\n) AS "  # \n: a trailing -- comment ends
            return sql.Composed([sql.SQL(text), sql.Identifier(QUERY_ALIAS)])
        return sql.Identifier(table)

    def _execute(self, cursor, query, params):
        try:
            cursor.execute(query, params)
        except self._psycopg.Error as exc:
            self._con.rollback()
            first = _scrub(str(exc).strip().splitlines()[0], self.url)
            missing = isinstance(exc, self._psycopg.errors.UndefinedTable)
            code = "SG221" if missing else "SG222"
            raise DataError(f"{self.label}: query failed: {first} [{code}]", code) from None

    def _columns(self, table):
        if table not in self._known:
            from psycopg import sql
            with self._con.cursor() as cur:
                self._execute(cur, sql.SQL("SELECT * FROM {} LIMIT 0").format(self._relation(table)), [])
                self._known[table] = [d.name for d in cur.description]
        return self._known[table]

    def _frame(self, rows: list, names: list[str]) -> pl.DataFrame:
        return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)

    def _batches(self, query, rows) -> Iterator[pl.DataFrame]:
        text, params = build_select(query, self._relation(query.table), _sql())
        with self._con.transaction(), self._con.cursor(name=f"specgen_{next(_cursor_ids)}") as cur:
            self._execute(cur, text, params)
            while batch := cur.fetchmany(rows):
                yield self._frame(batch, [d.name for d in cur.description])

    def _batches_empty(self, query):
        return pl.DataFrame(schema=list(query.columns) or self.columns(query.table))

    def _aggregate(self, query, measures, group_by, bucket):
        text, params = build_aggregate(query, measures, group_by, bucket, self._relation(query.table), _sql())
        with self._con.cursor() as cur:
            self._execute(cur, text, params)
            return self._frame(cur.fetchall(), [d.name for d in cur.description])

    def close(self):
        self._con.close()
