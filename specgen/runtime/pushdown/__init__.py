"""Engines that push the checks down to where the data is: Spark (``spark.py``) and SQL
databases (``sql.py``: DuckDB embedded, PostgreSQL by URL).

Each check kind gives its pushdown form through the registry (``Kind.pushdown_aggregates`` and,
for a row check, ``Kind.pushdown_violation``), written once against ``query.Query``: Spark
columns and SQL fragments share Python's comparison and boolean operators, and the rest
(``q.is_in``, ``q.quantile``, ...) is a method of the engine's ``Query``. One aggregate query
answers every check (min/max, null counts, set violations, moments); the driver merges the
one result row and judges it with the kind's ``judge``, the same as the polars engine. Only a
failed row check runs again, to count its rows and fetch a few examples with a LIMIT. No raw
rows are collected.

Nothing here is imported by ``specgen.runtime``'s core path: pyspark and the SQL drivers are
imported only when an engine is asked for.
"""
