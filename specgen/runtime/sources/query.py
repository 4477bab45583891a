"""What to read from a source, as data: the SQL is built from it by each backend, never by formatting text.

A ``TableQuery`` names a table, the columns wanted, and an optional time window on one column;
``Measure``s are aggregates pushed down into the engine (one row per group). Every name is an
identifier the backend quotes with its own API and every value travels as a query parameter, so a
hostile table or column name (quotes, semicolons, comments) reads as a name and nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Generic, TypeVar

from ...errors import DataError
from ..sql_text import sql_tokens

__all__ = ["TableQuery", "SqlText", "Measure", "FUNCTIONS", "BUCKETS", "build_select", "build_aggregate", "checked_name",
           "SqlParts"]

#: aggregate function -> SQL template ({c}: the quoted column); the only functions a Measure may name
FUNCTIONS = {
    "count": "count(*)",
    "count_values": "count({c})",
    "count_nulls": "count(*) - count({c})",
    "count_distinct": "count(DISTINCT {c})",
    "sum": "sum({c})",
    "min": "min({c})",
    "max": "max({c})",
    "mean": "avg({c})",
}
#: time buckets an aggregate may group by (date_trunc's unit, the same word in DuckDB and PostgreSQL)
BUCKETS = ("minute", "hour", "day", "week", "month")


@dataclass(frozen=True)
class SqlText:
    """A query the spec's author wrote (``data.training: {sql: ...}``), read as a subquery: it is their SQL,
    taken as written like a file path is theirs; every name and value specgen adds around it stays quoted
    or a parameter. A final ``;`` is dropped (a subquery cannot hold one), also before trailing comments
    (``SELECT ...; -- done``); callers end the body with a newline so a trailing ``--`` comment ends."""

    text: str

    def body(self) -> str:
        text = self.text.strip()
        tokens = sql_tokens(text)
        if tokens and tokens[-1][1] == ";":
            end = tokens[-1][2]
            return SqlText(text[:end - 1].rstrip() + " " + text[end:].lstrip()).body()  # ``;;``, ``; -- a``
        return text


#: the alias of a query read as a subquery (``(SELECT ...) AS specgen_query``)
QUERY_ALIAS = "specgen_query"


@dataclass(frozen=True)
class TableQuery:
    """Rows of ``table`` (a name, or the author's ``SqlText``; ignored by file sources: the file is the
    table), ``columns`` (all when empty),
    with ``start <= time_column < end`` when those are given, ordered by ``order_by``."""

    table: str | SqlText | None = None
    columns: tuple[str, ...] = ()
    time_column: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    order_by: tuple[str, ...] = ()
    limit: int | None = None

    def names(self) -> tuple[str, ...]:
        """Every column the query names (to check against the source's columns before running it)."""
        time = (self.time_column,) if self.time_column else ()
        return tuple(dict.fromkeys(self.columns + time + self.order_by))


@dataclass(frozen=True)
class Measure:
    """``function(column)`` as output column ``name`` (``column`` is None for ``count``)."""

    name: str
    function: str
    column: str | None = None

    def __post_init__(self):
        if self.function not in FUNCTIONS:
            raise ValueError(f"unknown aggregate {self.function!r}; one of {sorted(FUNCTIONS)}")
        if (self.column is None) != (self.function == "count"):
            raise ValueError(f"aggregate {self.function!r} {'takes no' if self.column is None else 'needs a'} column")


def checked_name(name: str, what: str) -> str:
    """A name fit to be quoted as an identifier (no driver accepts NUL; an empty name is a mistake)."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise DataError(f"{what} name {name!r} cannot be used as an SQL identifier [SG221]", "SG221")
    return name


T = TypeVar("T")


@dataclass(frozen=True)
class SqlParts(Generic[T]):
    """A backend's way to write SQL: ``ident`` quotes a name with the driver's own rules, ``raw`` is SQL text
    written here (keywords, never data), ``join`` glues fragments, ``placeholder`` marks one parameter."""

    ident: Callable[[str], T]
    raw: Callable[[str], T]
    join: Callable[[list[T]], T]
    placeholder: str


def _where(q: TableQuery, sql: SqlParts) -> tuple[list, list]:
    parts, params = [], []
    for bound, op in ((q.start, ">="), (q.end, "<")):
        if bound is not None:
            if not q.time_column:
                raise ValueError("a time window needs a time column")
            parts += [sql.raw(" AND " if parts else " WHERE "), sql.ident(q.time_column),
                      sql.raw(f" {op} {sql.placeholder}")]
            params.append(bound)
    return parts, params


def _comma(items: list, sql: SqlParts) -> list:
    out = []
    for i, item in enumerate(items):
        out += [sql.raw(", ")] if i else []
        out.append(item)
    return out


def build_select(q: TableQuery, relation, sql: SqlParts[T]) -> tuple[T, list]:
    """``SELECT columns FROM relation [WHERE window] [ORDER BY] [LIMIT]`` and its parameters."""
    cols = _comma([sql.ident(c) for c in q.columns], sql) if q.columns else [sql.raw("*")]
    where, params = _where(q, sql)
    parts = [sql.raw("SELECT "), *cols, sql.raw(" FROM "), relation, *where]
    if q.order_by:
        parts += [sql.raw(" ORDER BY "), *_comma([sql.ident(c) for c in q.order_by], sql)]
    if q.limit is not None:
        parts.append(sql.raw(f" LIMIT {sql.placeholder}"))
        params.append(int(q.limit))
    return sql.join(parts), params


def build_aggregate(q: TableQuery, measures: tuple[Measure, ...], group_by: tuple[str, ...], bucket: str | None,
                    relation, sql: SqlParts[T]) -> tuple[T, list]:
    """One row per group (``group_by`` columns, plus ``bucket``: ``date_trunc(bucket, time_column)`` as column
    ``bucket``) holding each measure; the window of ``q`` filters rows first."""
    if bucket is not None and (bucket not in BUCKETS or not q.time_column):
        raise ValueError(f"time bucket {bucket!r} needs a time column and one of {BUCKETS}")
    keys = [sql.ident(c) for c in group_by]
    if bucket is not None:  # the unit is one of BUCKETS, a literal of this module
        keys.append(sql.join([sql.raw(f"date_trunc('{bucket}', "), sql.ident(q.time_column), sql.raw(")")]))
    selected = [sql.join([k, sql.raw(" AS "), sql.ident(n)]) for k, n in zip(keys, (*group_by, "bucket"))]
    for m in measures:
        column = sql.ident(m.column) if m.column else sql.raw("")
        head, _, tail = FUNCTIONS[m.function].partition("{c}")
        expr = sql.join([sql.raw(head), column, sql.raw(tail)]) if m.column else sql.raw(head)
        selected.append(sql.join([expr, sql.raw(" AS "), sql.ident(m.name)]))
    where, params = _where(q, sql)
    parts = [sql.raw("SELECT "), *_comma(selected, sql), sql.raw(" FROM "), relation, *where]
    if keys:
        parts += [sql.raw(" GROUP BY "), *_comma(keys, sql), sql.raw(" ORDER BY "), *_comma(keys, sql)]
    return sql.join(parts), params
