"""Open the data under check for a pushdown engine: ``--engine spark``, ``--engine duckdb``, ``--source URL``."""
from __future__ import annotations

from ...errors import SpecgenError

__all__ = ["ENGINES", "open_query", "engine_name"]

#: engines ``validate``/``monitor``/``infer`` accept (polars: the default, streaming over files)
ENGINES = ("polars", "spark", "duckdb")


def engine_name(engine: str | None, source: str | None) -> str:
    """The engine a command runs: ``--source`` means SQL (DuckDB or PostgreSQL by its URL)."""
    engine = engine or "polars"
    if source is not None:
        if engine == "spark":
            raise SpecgenError("--source reads a SQL database; it cannot run on --engine spark (give Spark "
                               "the table as table:NAME instead) [SG104]", "SG104")
        return "sql"
    return engine


def open_query(engine: str, data, *, source: str | None = None, dtypes: dict | None = None,
               spark_master: str | None = None, spark_conf: dict | None = None):
    """A ``query.Query`` over ``data`` (a path, glob, ``table:NAME`` for Spark; a query or a table for SQL)."""
    if engine == "spark":
        from . import spark

        return spark.SparkQuery(spark.read(spark.session(spark_master, spark_conf), data, dtypes))
    from . import sql

    return sql.open_source(source, str(data))
