"""The name ``infer`` gives a draft read from a table or a query (``infer.naming.table_name``): the tables a
simple query reads, else ``model``; never the query's text. (The e2e run is in tests/e2e/test_infer_sql.py.)"""
from __future__ import annotations

import pytest

from specgen.infer.naming import input_name, table_name
from specgen.infer.query_tables import query_tables


@pytest.mark.parametrize("sql, name", [
    ("SELECT * FROM trips", "trips"),
    ("FROM trips WHERE fare > 0", "trips"),  # DuckDB's FROM-first
    ("TABLE trips", "trips"),
    ("select t.* from analytics.trips t join zones z on t.zone = z.id where t.note = 'from x'", "trips_zones"),
    ("SELECT * FROM a, b AS bb, c WHERE a.x IS DISTINCT FROM bb.y", "a_b_c"),
    ("SELECT EXTRACT(year FROM ts) AS y FROM \"Trip Data\"", "trip_data"),
    ("SELECT * FROM trips -- from comments\n/* from more */ UNION ALL SELECT * FROM trips", "trips"),
    ("SELECT * FROM 'data/Trips-2024.parquet'", "trips_2024"),  # a DuckDB file: its stem
    ("WITH t AS (SELECT 1) SELECT * FROM t", "model"),
    ("SELECT * FROM (SELECT * FROM trips)", "model"),
    ("SELECT * FROM trips WHERE id IN (SELECT id FROM keep)", "model"),
    ("SELECT * FROM read_parquet('trips.parquet')", "model"),
    ("SELECT * FROM 'data/*.parquet'", "model"),
    ("SELECT 1", "model"),
    ("VALUES (1, 2)", "model"),
])
def test_a_query_is_named_after_the_tables_it_reads_if_simple(sql, name):
    assert table_name(sql, "sql") == name == table_name(sql, "duckdb")


def test_tables_files_and_engines():
    assert table_name("analytics.trips", "sql") == "trips"  # the table, not its schema
    assert table_name("table:db.trips", "spark") == "trips"
    assert table_name("data/trips.parquet", "duckdb") is None  # files: named as without an engine
    assert input_name("data/trips.parquet", "duckdb") == "trips" == input_name("data/trips.csv.gz", "polars")
    assert query_tables("SELECT * FROM x.y AS z JOIN 'f.csv' USING (k)") == (("y", False), ("f.csv", True))
