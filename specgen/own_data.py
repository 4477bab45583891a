"""``specgen validate SPEC`` with no DATA: the spec's own data (``data.training`` or ``data.serving``).

A file is validated as if named on the command line. A table or query in a database
(``data.training: {sql:, url:}``) is pushed down as ``--source URL QUERY`` is: one aggregate query
in the database, no rows fetched. A table name is quoted here as an identifier inside a
``SELECT * FROM``, so the pushdown layer reads it as a query and never takes a name for SQL.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import SpecgenError
from .runtime.sql_text import is_query, names_files

__all__ = ["OwnData", "own_data", "named", "report_rows"]


@dataclass(frozen=True)
class OwnData:
    """What validate reads: ``data`` (a path, or a query for ``source``), and how messages name it."""

    data: str
    source: str | None
    label: str


def own_data(plan, environment: str) -> OwnData:
    """The data the spec names for ``environment``, ready for ``validate_data``."""
    from .runtime.contracts.data import SqlData
    from .runtime.duckdb_url import MEMORY, duckdb_path, is_duckdb

    location = plan.training_rel if environment == "training" else plan.serving_rel
    if location is None:
        raise SpecgenError("the spec names no serving data (data.serving): give DATA to validate [SG104]", "SG104")
    if not isinstance(location, SqlData):
        return OwnData(os.path.normpath(plan.out_dir / location), None, location)
    from .runtime.sources import SqlText, quote_identifier
    from .runtime.sources.location import bind, label, url_of

    bound = bind(location, plan.out_dir)
    url = url_of(bound)
    path = duckdb_path(url) if is_duckdb(url) else None  # the pushdown engine reads the URL by the same rule
    if path is not None and path != MEMORY and not Path(path).is_file():
        raise SpecgenError(f"{label(bound)}: DuckDB database not found [SG201]", "SG201")
    query = SqlText(bound.sql).body() if bound.sql is not None else f"SELECT * FROM {quote_identifier(bound.table)}"
    return OwnData(query, url, label(bound))


def named(own: OwnData | None, run):
    """``run()``, its data errors prefixed with the spec's name for the data (which table or query failed)."""
    from .errors import DataError

    try:
        return run()
    except DataError as exc:
        if own is None or own.source is None:
            raise
        raise DataError(f"{own.label}: {exc}", exc.code) from None


def report_rows(spec_path, data: str | None, environment: str, engine: str | None, source: str | None):
    """What ``validate --html`` draws distributions from: a path (read as a file, chunk by chunk), or a
    function yielding the rows of a table or query in a database (the spec's own, or ``--source``'s) in
    batches, read through ``runtime.sources``. A Spark catalog table cannot be drawn: SG104."""
    from .api import build_plan
    from .runtime.pushdown.open import engine_name

    if data is None:
        own = own_data(build_plan(spec_path), environment)
        data, source = own.data, own.source
        if source is None:
            return data
    from .runtime.duckdb_url import is_duckdb

    chosen = engine_name(engine, source)
    text = str(data).strip()
    duck = chosen == "duckdb" or chosen == "sql" and is_duckdb(source)  # DuckDB reads a path as files
    files = chosen in ("polars", "spark") or duck and names_files(text)
    if chosen == "spark" and text.startswith("table:"):
        raise SpecgenError(f"validate --html: the page's distributions are drawn from files or a SQL database; "
                           f"Spark's catalog table {text[len('table:'):]!r} cannot be read here: validate it "
                           "without --html, or give a file or --source URL [SG104]", "SG104")
    if files and not is_query(text):
        return data
    return lambda: _database_batches(source or "duckdb://", text)


def _database_batches(url: str, text: str):
    import polars as pl
    import polars.selectors as cs

    from .runtime.sources import SqlText, TableQuery, open_source, quote_identifier

    query = text if is_query(text) else "SELECT * FROM " + ".".join(map(quote_identifier, text.split(".")))
    with open_source(url) as opened:
        for batch in opened.batches(TableQuery(SqlText(query))):
            yield batch.with_columns(cs.decimal().cast(pl.Float64))  # as location.read: decimals as floats
