"""One rule for what DATA text is: a query, data files or a table (pushdown, validate --html, infer drafts)."""

import pytest

from specgen.runtime.sql_text import is_query, names_files


@pytest.mark.parametrize("text", ["SELECT * FROM t", "  with x as (select 1) select * from x", "FROM t",
                                  "VALUES (1), (2)", "TABLE sales", "select\n*\nfrom t"])
def test_statements_are_queries(text):
    assert is_query(text)


@pytest.mark.parametrize("text", ["sales", "table", "selections", "public.sales", "tables_2024", "data/train.csv"])
def test_names_and_paths_are_not_queries(text):
    assert not is_query(text)


@pytest.mark.parametrize("text, files", [("data/train.parquet", True), ("train.csv", True), ("logs/*.parquet", True),
                                          ("part-?.csv", True), ("TRAIN.CSV.GZ", True), ("sales", False),
                                          ("public_sales", False), ("main.sales", False), ("analytics.trips", False)])
def test_what_duckdb_reads_as_files(text, files):
    assert names_files(text) is files


def test_an_existing_file_with_any_suffix_is_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "export.dat").write_text("a\n1\n")
    assert names_files("export.dat") and not names_files("missing.dat")


def test_duckdb_reads_a_schema_qualified_table(tmp_path):
    """``main.sales`` was read as a file path (its suffix ``.sales``): 'data file not found' (SG201)."""
    import duckdb

    from specgen.runtime.pushdown import sql

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE sales AS SELECT 1 AS a UNION ALL SELECT 2")
    q = sql.open_source(f"duckdb://{db}", "main.sales")
    assert q.aggregate([("n", q.rows_expr())])["n"] == 2


def test_every_reader_uses_the_one_rule():
    """A table called ``table`` is a name everywhere (pushdown used to read it as a statement)."""
    from specgen.infer.db_source import read_as
    from specgen.runtime.pushdown import sql

    assert read_as("table", "sql") == {"table": "table"}
    assert read_as("TABLE sales", "sql") == {"sql": "TABLE sales"}
    duck = sql.DuckDB("duckdb://:memory:")
    name, statement = sql._from(duck, "table").parts, sql._from(duck, "TABLE sales").parts
    assert isinstance(name[0], sql.Ident) and name[0].name == "table"
    assert statement[:2] == ["(", "TABLE sales"]


@pytest.mark.parametrize("query", ["SELECT 1 AS x -- one row", "SELECT 1 AS x;", "select 1 as x -- a\n-- b\n ;",
                                   "SELECT 1 AS x; -- one row", "SELECT 1 AS x;\n/* done */\n", "SELECT 1 AS x;;"])
def test_pushdown_reads_a_query_as_the_sources_do(query):
    """A trailing ``--`` comment or ``;`` (which the spec's sources accept, ``SqlText``) made the pushdown's
    subquery a syntax error (SG222): the comment swallowed its closing parenthesis."""
    from specgen.runtime.pushdown.sql import open_source
    from specgen.runtime.sources.query import SqlText

    assert SqlText(query).body().startswith(("SELECT 1 AS x", "select 1 as x"))
    assert open_source(None, query).schema == {"x": __import__("polars").Int64}


@pytest.mark.parametrize("query, body", [("SELECT ';' AS s", "SELECT ';' AS s"),
                                         ("SELECT 'it''s;' AS s;", "SELECT 'it''s;' AS s"),
                                         ('SELECT "a;" FROM t; -- x', 'SELECT "a;" FROM t -- x'),
                                         ("SELECT 1 -- ;", "SELECT 1 -- ;"), ("SELECT 1 /* ; */", "SELECT 1 /* ; */")])
def test_only_a_final_semicolon_outside_quotes_and_comments_is_dropped(query, body):
    from specgen.runtime.sources.query import SqlText

    assert SqlText(query).body() == body
