"""SQL sources with the checks pushed down: DuckDB (embedded, the default) and PostgreSQL by URL.

A source is a table name, a query (``SELECT ...``), or, in DuckDB, data files
(Parquet/CSV paths or globs, read by DuckDB itself). Every check becomes part of ONE
aggregate query (min/max, null counts, set violations, moments, quantiles per column);
value counts and whole-key duplicates are a GROUP BY each. Only a failed row check runs
again: a count of its rows and a few examples with a LIMIT.

Queries are built as parts, never by formatting values into text: names are identifiers
(quoted by psycopg's ``sql.Identifier`` for PostgreSQL, by ``sources.quote_identifier`` for
DuckDB, whose Python API has no quoting function), values are parameters. The user's own query
is the one piece of SQL taken as written: it is theirs, like a file path. Errors use the sources
layer's codes: SG220 (cannot connect; the password is masked), SG222 (the query or table is
rejected).

A SQL table has no row order: ``monotonic`` is reported as not checked (``skipped``), and
row numbers in examples are positions in the order the database returned the rows.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import polars as pl

from ...errors import DataError
from ..duckdb_url import MEMORY, duckdb_path
from ..sql_text import is_query, names_files
from .query import N_EXAMPLES, NotPushable, Query, grouped, judged, plain

__all__ = ["S", "SqlQuery", "open_source", "polars_dtype"]

_SOURCE = "__specgen_source"


class Ident:
    def __init__(self, name: str):
        self.name = name


class Param:
    def __init__(self, value):
        self.value = value


class S:
    """A SQL fragment: text, identifiers and parameters, with Python's operators as SQL's."""

    __hash__ = None  # ``==`` builds SQL

    def __init__(self, *parts):
        self.parts: list = []
        for part in parts:
            self.parts += part.parts if isinstance(part, S) else [part]

    def _op(self, op: str, other) -> "S":
        return S("(", self, f" {op} ", _s(other), ")")

    def __lt__(self, other): return self._op("<", other)
    def __le__(self, other): return self._op("<=", other)
    def __gt__(self, other): return self._op(">", other)
    def __ge__(self, other): return self._op(">=", other)
    def __eq__(self, other): return self._op("=", other)
    def __ne__(self, other): return self._op("<>", other)
    def __and__(self, other): return self._op("AND", other)
    def __or__(self, other): return self._op("OR", other)
    def __invert__(self): return S("(NOT ", self, ")")


def _s(value) -> S:
    return value if isinstance(value, S) else S(Param(value))


def _join(items, sep: str = ", ") -> S:
    out = S()
    for i, item in enumerate(items):
        out = S(out, sep, item) if i else S(item)
    return out


class _Dialect:
    name = ""
    param = "?"

    def quantile(self, x: S, q: float) -> S:
        raise NotImplementedError

    def full_match(self, x: S, pattern: str) -> S:
        raise NotImplementedError

    def rows(self, fragment: S, columns: list[str], schema: dict, size: int):
        raise NotImplementedError

    def render(self, fragment: S) -> tuple[str, list]:
        text, params = [], []
        for part in fragment.parts:
            if isinstance(part, Ident):
                text.append(self.quote(part.name))
            elif isinstance(part, Param):
                text.append(self.param)
                params.append(part.value)
            else:
                text.append(part)
        return "".join(text), params


class DuckDB(_Dialect):
    name = "duckdb"

    def __init__(self, url: str):
        import duckdb

        path = duckdb_path(url or "duckdb")  # the rule runtime/sources and the spec share
        try:
            self.connection = duckdb.connect(path, read_only=path != MEMORY)
        except duckdb.Error as exc:
            raise _source_error(url, exc, "SG220") from None
        # Parquet min/max statistics leave NaN out (polars, Arrow write them so): DuckDB's statistics
        # propagation then takes a float column for NaN-free and folds NULLIF(x, NaN) to x, so NaN
        # (null in specgen) was counted as a value. The rule must hold whatever the file's statistics say.
        self.connection.execute("SET disabled_optimizers = 'statistics_propagation'")

    @staticmethod
    def quote(name: str) -> str:
        from ..sources import quote_identifier

        return quote_identifier(name)

    def quantile(self, x, q):
        return S("quantile_cont(", x, ", ", Param(float(q)), ")")

    def full_match(self, x, pattern):
        return S("regexp_full_match(", x, ", ", Param(f"(?:{pattern})"), ")")

    def execute(self, fragment: S):
        text, params = self.render(fragment)
        return self.connection.execute(text, params)

    def describe(self, source: S) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.execute(S("DESCRIBE SELECT * FROM ", source)).fetchall()]

    def rows(self, fragment, columns, schema, size):
        """Arrow record batches of at most ``size`` rows, as DuckDB streams them."""
        text, params = self.render(fragment)
        relation = self.connection.cursor().sql(text, params=params)  # streams (a DB-API result copies)
        reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader  # DuckDB 2 renamed it
        for batch in reader(size):
            yield pl.from_arrow(batch)

    def files(self, paths: list[str]) -> S:
        kind = "read_csv_auto" if all(p.lower().endswith((".csv", ".csv.gz")) for p in paths) else "read_parquet"
        options = ", hive_partitioning = true" if kind == "read_parquet" else ", header = true"
        return S(f"{kind}(", Param(paths if len(paths) > 1 else paths[0]), options, ")")


class Postgres(_Dialect):
    name = "postgresql"
    param = "%s"

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError:
            raise DataError("a PostgreSQL source needs psycopg; pip install 'specgen[postgres]' [SG220]",
                            "SG220") from None
        from ..sources import redact
        from ..sources.postgres import connect, password_of

        try:
            self.connection = connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise _source_error(redact(url), exc, "SG220", hide=password_of(url)) from None

    def quote(self, name: str) -> str:
        from psycopg import sql

        from ..sources.query import checked_name

        # a % in a name would read as a placeholder: doubled, as psycopg's query syntax asks
        return sql.Identifier(checked_name(name, "column")).as_string(self.connection).replace("%", "%%")

    def quantile(self, x, q):
        return S("percentile_cont(", Param(float(q)), ") WITHIN GROUP (ORDER BY ", x, ")")

    def full_match(self, x, pattern):
        return S("(", x, " ~ ", Param(f"^(?:{pattern})$"), ")")

    def execute(self, fragment: S):
        text, params = self.render(fragment)
        return self.connection.execute(text, params)

    def rows(self, fragment, columns, schema, size):
        """Batches of ``size`` rows from a server-side cursor: only one batch is held on this side."""
        text, params = self.render(fragment)
        with self.connection.transaction(), self.connection.cursor(name="specgen_rows") as cursor:
            cursor.itersize = size
            cursor.execute(text, params)
            while batch := cursor.fetchmany(size):
                yield _frame(batch, columns, schema)

    def describe(self, source: S) -> list[tuple[str, str]]:
        cursor = self.execute(S("SELECT * FROM ", source, " LIMIT 0"))
        types = self.connection.adapters.types
        return [(d.name, getattr(types.get(d.type_code), "name", str(d.type_code))) for d in cursor.description]


def _source_error(where: str, exc: Exception, code: str = "SG222", hide: str | None = None) -> DataError:
    first = " ".join(str(exc).split())[:300] or type(exc).__name__
    if hide:
        first = first.replace(hide, "***")
    why = "cannot connect" if code == "SG220" else "the database rejects the query"
    return DataError(f"{where}: {why}: {first} [{code}]", code)


def _boundaries(edges) -> list[float]:
    return [math.nextafter(float(e), -math.inf) for e in edges[:-1]] + [float(edges[-1])]


def _frame(rows: list[tuple], columns: list[str], schema: dict) -> pl.DataFrame:
    """Database rows as a polars frame of the types the checks read (Decimal -> float, timestamptz -> naive UTC)."""
    data = {c: [judged(r[j]) for r in rows] for j, c in enumerate(columns)}
    return pl.DataFrame({c: pl.Series(c, values, dtype=_simple(schema[c]), strict=False) for c, values in data.items()})


def _simple(dtype):
    return None if dtype == pl.Object or isinstance(dtype, pl.List) else dtype


_TYPES = [  # (pattern on the database's type name, polars dtype)
    (r"(big|small|tiny|huge|u?)int|int[248]|integer|serial", pl.Int64()),
    (r"double|float|real|decimal|numeric", pl.Float64()),
    (r"varchar|text|char|string|name|uuid|enum", pl.String()),
    (r"bool", pl.Boolean()),
    (r"timestamp", pl.Datetime("us")),
    (r"^date$", pl.Date()),
]


def polars_dtype(type_name: str) -> pl.DataType:
    """The polars dtype the checks read for a database type name (``BIGINT``, ``float8``, ...)."""
    name = type_name.lower().strip()
    if name.endswith("[]") or name.startswith(("struct", "map", "list")):
        return pl.List(pl.String)
    for pattern, dtype in _TYPES:
        if re.search(pattern, name):
            return dtype
    return pl.Object()


def open_source(url: str | None, data: str) -> "SqlQuery":
    """``url``: ``postgresql://...``, ``duckdb:///file.duckdb``, or None (DuckDB in memory).
    ``data``: a query (``SELECT``/``WITH``), a table name, or (DuckDB) data file paths/globs."""
    url = url or "duckdb"
    dialect = Postgres(url) if url.startswith(("postgres://", "postgresql://")) else DuckDB(url)
    return SqlQuery(dialect, _from(dialect, data))


def _from(dialect, data: str) -> S:
    text = data.strip()
    if is_query(text):  # read as the sources read a spec's query (SqlText): no trailing ;, and a \n so that a
        from ..sources.query import SqlText  # trailing -- comment ends before the closing parenthesis

        body = SqlText(text).body()
        return S("(", body.replace("%", "%%") if dialect.param == "%s" else body, f"\n) AS {_SOURCE}")
    if dialect.name == "duckdb" and names_files(text):
        if not any(ch in text for ch in "*?[") and not Path(text).exists():
            raise DataError(f"{text}: data file not found [SG201]", "SG201")
        return S(dialect.files([text]), f" AS {_SOURCE}")
    return S(*_qualified(text), f" AS {_SOURCE}")


def _qualified(name: str) -> list:
    """``schema.table`` -> two identifiers; a name with a dot inside it is quoted as the user wrote it."""
    parts = name.split(".")
    out: list = []
    for i, part in enumerate(parts):
        out += (["."] if i else []) + [Ident(part)]
    return out


class SqlQuery(Query):
    """A SQL source under check; expressions are ``S`` fragments."""

    def __init__(self, dialect, source: S):
        self.dialect, self.source = dialect, source
        try:
            described = dialect.describe(source)
        except Exception as exc:  # the driver's own error types: a bad query, a missing table
            raise _source_error(f"{dialect.name} source", exc) from None
        self.types = dict(described)
        self.schema = {name: polars_dtype(t) for name, t in described}

    def _run(self, fragment: S):
        try:
            return self.dialect.execute(fragment)
        except Exception as exc:
            raise _source_error(f"{self.dialect.name} source", exc) from None

    # -- expressions
    def value(self, column):
        dtype, x = self.schema[column], S(Ident(column))
        if dtype.is_float():
            x = S("NULLIF(", x, ", CAST('NaN' AS DOUBLE PRECISION))")  # NaN is null, as everywhere in specgen
        if dtype == pl.Date:
            x = S("CAST(", x, " AS TIMESTAMP)")
        return x

    def false(self):
        return S("FALSE")

    def is_null(self, x):
        return S("(", x, " IS NULL)")

    def is_not_null(self, x):
        return S("(", x, " IS NOT NULL)")

    def is_in(self, x, values):
        return S("(", x, " IN (", _join([Param(v) for v in values]), "))")

    def full_match(self, x, pattern):
        return self.dialect.full_match(x, pattern)

    def length(self, x):
        return S("length(", x, ")")

    def fractional(self, x):
        return S("(", x, " <> floor(", x, "))")

    def previous_non_null(self, x):
        raise NotPushable("a SQL table has no row order")

    def is_duplicated(self, x):
        return S("(count(*) OVER (PARTITION BY ", x, ") > 1)")

    # -- aggregates
    def rows_expr(self):
        return S("count(*)")

    def count_if(self, mask):
        return S("count(CASE WHEN ", mask, " THEN 1 END)")

    def null_count(self, x):
        return self.count_if(self.is_null(x))

    def count(self, x):
        return S("count(", x, ")")

    def count_distinct(self, x):
        return S("count(DISTINCT ", x, ")")

    def ratio(self, a, b):
        return S("CAST(", a, " AS DOUBLE PRECISION) / NULLIF(", b, ", 0)")

    def min(self, x):
        return S("min(", x, ")")

    def max(self, x):
        return S("max(", x, ")")

    def mean(self, x):
        return S("avg(", x, ")")

    def std(self, x):
        return S("stddev_samp(", x, ")")

    def quantile(self, x, q):
        return self.dialect.quantile(x, q)

    # -- monitor
    def bin_parts(self, alias, x, edges):
        if self.dialect.name != "duckdb":
            return super().bin_parts(alias, x, edges)
        # DuckDB: one histogram(x, boundaries) aggregate per feature (a binary search per value) in the one
        # aggregate query. Its buckets are (b[j-1], b[j]]; ours are [e[j-1], e[j]) with the top one closed:
        # x < e  <=>  x <= the double just below e, so every boundary but the top is that double.
        return [(alias, S("histogram(CAST(", x, " AS DOUBLE PRECISION), ", Param(_boundaries(edges)), ")"))], []

    def bin_counts(self, alias, edges, row, groups):
        if self.dialect.name != "duckdb":
            return super().bin_counts(alias, edges, row, groups)
        found = row[alias] or {}  # boundary -> rows, and the values above the top under +inf; None: no values
        return tuple(int(found.get(b, 0)) for b in _boundaries(edges)) + (int(found.get(math.inf, 0)),)

    def text(self, x):
        return S("CAST(", x, " AS VARCHAR)")

    def as_float(self, x):
        return S("CAST(", x, " AS DOUBLE PRECISION)")

    def is_whole(self, x):
        return S("(", x, " = floor(", x, ") AND abs(", x, ") < ", Param(2.0**53), ")")

    def as_integer(self, x):
        return S("CAST(", x, " AS BIGINT)")

    def when(self, mask, x, otherwise=None):
        other = [" ELSE ", _s(otherwise)] if otherwise is not None else []
        return S("(CASE WHEN ", mask, " THEN ", x, *other, " END)")

    def sum(self, x):
        return S("sum(", x, ")")

    def group_counts(self, named, where=None):
        """Rows per value of each expression, in ONE scan (GROUP BY GROUPING SETS, a set per expression);
        null values are not counted (the callers know the null counts)."""
        inner = _join([S(expr, " AS ", Ident(alias)) for alias, expr in named])
        names = _join([Ident(alias) for alias, _ in named])
        sets = _join([S("(", Ident(alias), ")") for alias, _ in named])
        rows = self._run(S("SELECT ", names, ", count(*) FROM (SELECT ", inner, " FROM ", self.source,
                           *([" WHERE ", where] if where is not None else []),
                           ") AS t GROUP BY GROUPING SETS (", sets, ")")).fetchall()
        return grouped(named, rows)

    def frames(self, columns, rows):
        names = _join([Ident(c) for c in columns])
        fragment = S("SELECT ", names, " FROM ", self.source)
        try:  # the consumer's own failures (the model's) never enter here: only reading the rows
            yield from self.dialect.rows(fragment, columns, self.schema, rows)
        except Exception as exc:
            raise _source_error(f"{self.dialect.name} source", exc) from None

    # -- queries
    def aggregate(self, named):
        select = _join([S(expr, " AS ", Ident(alias)) for alias, expr in named])
        row = self._run(S("SELECT ", select, " FROM ", self.source)).fetchone()
        return {alias: judged(value) for (alias, _), value in zip(named, row)}

    def value_counts(self, x, name, text=True):
        value = S("CAST(", x, " AS VARCHAR)") if text else x
        rows = self._run(S("SELECT ", value, ", count(*) FROM ", self.source, " WHERE ", x,
                           " IS NOT NULL GROUP BY 1")).fetchall()
        return [{name: plain(value), "count": int(n)} for value, n in rows]

    def finite(self, x):
        return S("(CASE WHEN abs(", x, ") = ", Param(math.inf), " THEN NULL ELSE ", x, " END)")

    def sample(self, columns, size, seed):
        """At most ``size`` rows drawn by the database's seeded random order."""
        self._run(S("SELECT setseed(", Param((seed % 1000) / 1000.0), ")"))
        names = _join([Ident(c) for c in columns])
        return self._run(S("SELECT ", names, " FROM ", self.source, " ORDER BY random() LIMIT ", Param(size))).fetchall()

    def distinct_rows(self, columns):
        names = _join([Ident(c) for c in columns])
        return int(self._run(S("SELECT count(*) FROM (SELECT DISTINCT ", names, " FROM ", self.source,
                               ") AS t")).fetchone()[0])

    def duplicated_rows(self, columns):
        names = _join([Ident(c) for c in columns])
        return int(self._run(S("SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM ", self.source,
                               " GROUP BY ", names, " HAVING count(*) > 1) AS t")).fetchone()[0])

    def examples(self, columns, mask):
        # rows are numbered first, in the order the source returns them; a window in the mask (a
        # PARTITION BY) would otherwise sort them before they are numbered
        numbered = S("(SELECT *, row_number() OVER () - 1 AS __specgen_row FROM ", self.source, f") AS {_SOURCE}")
        marked = S("(SELECT *, ", mask, " AS __specgen_bad FROM ", numbered, ") AS t WHERE __specgen_bad")
        count = int(self._run(S("SELECT count(*) FROM ", marked)).fetchone()[0])
        names = _join([Ident(c) for c in columns])
        rows = self._run(S("SELECT ", names, ", __specgen_row FROM ", marked, " ORDER BY __specgen_row LIMIT ",
                           Param(N_EXAMPLES))).fetchall()
        values = [plain(r[0]) if len(columns) == 1 else tuple(plain(v) for v in r[:-1]) for r in rows]
        return count, tuple(zip([int(r[-1]) for r in rows], values))
