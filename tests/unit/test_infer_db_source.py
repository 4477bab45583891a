"""What infer drafts as data.training for each engine and kind of input (specgen/infer/db_source.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from specgen.compiler.spec import SqlSource
from specgen.infer.db_source import URL_ENV, db_training


@pytest.mark.parametrize("data, engine, source, value", [
    ("table:penguins", "spark", None, {"table": "penguins", "url_env": URL_ENV}),
    ("SELECT 1 AS a", "duckdb", None, {"sql": "SELECT 1 AS a", "url": "duckdb://:memory:"}),
    ("  with t as (select 1) select * from t", "sql", "duckdb:///abs/x.duckdb",
     {"sql": "with t as (select 1) select * from t", "url": "duckdb:///abs/x.duckdb"}),
    ("TABLE trips", "sql", "postgresql://u@h/db", {"sql": "TABLE trips", "url": "postgresql://u@h/db"}),
    ("public.trips", "sql", "postgresql://u@h/db", {"table": "public.trips", "url": "postgresql://u@h/db"}),
    ("trips", "sql", "postgres://u:pw@h/db", {"table": "trips", "url_env": URL_ENV}),
    ("trips", "sql", "postgresql://u@h:notaport/db", {"table": "trips", "url": "postgresql://u@h:notaport/db"}),
    ("trips", "sql", "duckdb://db/x.duckdb", {"table": "trips", "url": "duckdb://../db/x.duckdb"}),
])
def test_database_inputs_draft_a_valid_source(tmp_path, monkeypatch, data, engine, source, value):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir()
    drafted = db_training(data, engine, source, Path("specs"))
    assert drafted.value == value
    SqlSource.model_validate(drafted.value)  # the spec model accepts what infer writes
    if "url_env" in value:
        assert any(f"export {URL_ENV}=" in line for line in drafted.comments)
        assert "pw" not in "".join(drafted.comments)


@pytest.mark.parametrize("data, engine", [("data/x.parquet", "spark"), ("data/*.parquet", "duckdb"),
                                          ("x.csv", "duckdb")])
def test_paths_stay_paths(tmp_path, data, engine):
    assert db_training(data, engine, None, tmp_path) is None
