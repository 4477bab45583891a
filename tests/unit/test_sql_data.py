"""``data.training: {sql|table, url|url_env}``: located spec errors, a pure plan, and the runtime read."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from specgen.compiler.load import loads
from specgen.compiler.plan import plan
from specgen.compiler.validate import validate
from specgen.errors import DataError, SpecError
from specgen.runtime import io, testing
from specgen.runtime.contracts.data import SqlData
from specgen.runtime.sources import location
from tests.postgres import write_duckdb

BASE = """\
spec_version: 1
name: fares
data:
  training: TRAINING
  label: fare
features:
  trip_miles: {dtype: float, range: [0, 200]}
"""


def _spec(training: str, path: str = "/proj/spec.yaml"):
    raw = loads(textwrap.dedent(BASE).replace("TRAINING", training), path)
    return raw, validate(raw)


def _errors(training: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        _spec(training)
    return [str(d) for d in info.value.diagnostics]


@pytest.mark.parametrize("training, expected", [
    ("{sqll: 'SELECT 1', url_env: DB}",
     "/proj/spec.yaml:4:14: data.training.sqll: unknown key 'sqll'; did you mean 'sql'? [SG101]"),
    ("{sql: 'SELECT 1', url_envv: DB}",
     "/proj/spec.yaml:4:31: data.training.url_envv: unknown key 'url_envv'; did you mean 'url_env'? [SG101]"),
    ("{url_env: DB}",
     "/proj/spec.yaml:4:3: data.training.sql: give exactly one of sql (a query) and table (a table name) [SG102]"),
    ("{sql: 'SELECT 1', table: t, url_env: DB}",
     "/proj/spec.yaml:4:31: data.training.table: give exactly one of sql (a query) and table (a table name) [SG103]"),
    ("{table: t}", "/proj/spec.yaml:4:3: data.training.url: give exactly one of url and url_env (the environment "
                   "variable holding the URL) [SG102]"),
    ("{table: t, url: 'mysql://h/db'}", "/proj/spec.yaml:4:24: data.training.url: url must start with "
                                        "postgresql://, postgres:// or duckdb://, or be a .duckdb path [SG104]"),
    ("{table: t, url: '${DB_URL}'}", "/proj/spec.yaml:4:24: data.training.url: write the environment variable's "
                                     "name as url_env: NAME (the URL is not expanded) [SG104]"),
    ("{table: t, url_env: 'not a name'}", None),
])
def test_bad_sql_sources_are_located_errors(training, expected):
    errors = _errors(training)
    assert len(errors) == 1, errors
    if expected is None:
        assert "data.training.url_env" in errors[0] and "[SG104]" in errors[0], errors
    else:
        assert errors == [expected]


def test_a_password_in_the_url_is_refused_and_never_repeated():
    errors = _errors("{table: t, url: 'postgresql://ann:hunter2@db.example.org/sales'}")
    assert len(errors) == 1 and "data.training.url: url holds a password" in errors[0] and "url_env" in errors[0]
    assert "hunter2" not in errors[0] and "ann" not in errors[0]


def test_a_file_path_still_gets_its_format_error():
    assert "data must be a .csv" in _errors("data/train.txt")[0]


def test_plan_names_the_source_without_connecting(tmp_path):
    raw, spec = _spec("{sql: 'SELECT * FROM t', url: 'duckdb://db/train.duckdb'}", str(tmp_path / "spec.yaml"))
    the_plan = plan(spec, raw, tmp_path / "generated")  # no such database: compile never opens it
    assert the_plan.training_rel == SqlData(url="duckdb://../db/train.duckdb", sql="SELECT * FROM t")
    assert the_plan.reads_database
    raw, spec = _spec("{table: 't', url_env: TRAIN_URL}", str(tmp_path / "spec.yaml"))
    assert plan(spec, raw, tmp_path / "out").training_rel == SqlData(url_env="TRAIN_URL", table="t")


def test_hostile_query_and_table_are_literals_in_generated_code(tmp_path):
    from specgen.compiler.render import py_literal

    hostile = SqlData(url_env="X", table='t"; DROP TABLE t; --\n\'"""', sql=None)
    text = f"DATA = {py_literal(hostile)}\n"
    tree = ast.parse(text)
    assert isinstance(tree.body[0].value, ast.Call) and len(tree.body) == 1  # one call: nothing else runs
    namespace: dict = {"SqlData": SqlData}
    exec(compile(tree, "generated", "exec"), namespace)
    assert namespace["DATA"] == hostile


def test_bind_resolves_a_relative_duckdb_path_from_the_generated_folder(tmp_path):
    data = SqlData(url="duckdb://../db/x.duckdb", table="t")
    assert location.bind(data, tmp_path / "gen").url == f"duckdb://{(tmp_path / 'db' / 'x.duckdb').resolve()}"
    assert location.bind(SqlData(url="postgresql://h/db", table="t"), tmp_path) == \
        SqlData(url="postgresql://h/db", table="t")
    here = tmp_path / "gen" / "conftest.py"
    assert testing.data_path(here, data, "SPECGEN_NOT_SET_ANYWHERE") == location.bind(data, tmp_path / "gen")


def test_read_a_query_and_a_table_from_duckdb(tmp_path):
    frame = pl.DataFrame({"a b": [1, 2, 3], "x": [0.5, None, 2.5]})
    write_duckdb(tmp_path / "d.duckdb", 'odd "name"', frame)
    url = f"duckdb://{tmp_path / 'd.duckdb'}"
    table = io.read_pandas(SqlData(url=url, table='odd "name"'))
    assert table["a b"].tolist() == [1, 2, 3]
    query = io.read_polars(SqlData(url=url, sql='SELECT "a b", x FROM "odd ""name""" WHERE x > 1 -- 100%;\n'))
    assert query.to_dicts() == [{"a b": 3, "x": 2.5}]
    with pytest.raises(DataError, match=r"the query returned no rows \[SG203\]"):
        io.read_polars(SqlData(url=url, sql='SELECT * FROM "odd ""name""" WHERE x > 99'))
    with pytest.raises(DataError, match=r"\[SG221\]"):
        io.read_polars(SqlData(url=url, table="missing"))


def test_url_env_unset_is_sg220_naming_the_variable(monkeypatch):
    monkeypatch.delenv("SPECGEN_TEST_DB_URL", raising=False)
    with pytest.raises(DataError, match=r"SPECGEN_TEST_DB_URL is not set.*\[SG220\]"):
        io.read_polars(SqlData(url_env="SPECGEN_TEST_DB_URL", table="t"))


def test_postgres_query_with_percent_and_a_password_free_error(postgres_url, monkeypatch):
    from tests.postgres import load_frame

    load_frame(postgres_url, "pct", pl.DataFrame({"name": ["100%", "ok", "50%"], "v": [1.0, 2.0, 3.0]}))
    monkeypatch.setenv("SPECGEN_TEST_DB_URL", postgres_url)
    rows = io.read_polars(SqlData(url_env="SPECGEN_TEST_DB_URL", sql="SELECT * FROM pct WHERE name LIKE '%\\%'"))
    assert sorted(rows["name"].to_list()) == ["100%", "50%"]
    wrong = postgres_url.replace("specgen@", "specgen:pa55word@")
    monkeypatch.setenv("SPECGEN_TEST_DB_URL", wrong.rsplit(":", 1)[0] + ":1/postgres")
    with pytest.raises(DataError) as info:
        io.read_polars(SqlData(url_env="SPECGEN_TEST_DB_URL", table="pct"))
    assert "pa55word" not in str(info.value) and "***" in str(info.value) and info.value.code == "SG220"


def test_runtime_paths_stay_paths(tmp_path):
    assert testing.data_path(tmp_path / "x.py", "data/a.csv", "SPECGEN_NOT_SET_ANYWHERE") == \
        (tmp_path / "data" / "a.csv").resolve()
    assert isinstance(testing.data_path(tmp_path / "x.py", "a.csv", "SPECGEN_NOT_SET_ANYWHERE"), Path)


def test_zoned_timestamps_keep_their_instant_and_decimals_read_as_floats(tmp_path):
    import duckdb

    path = tmp_path / "z.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE TABLE t AS SELECT TIMESTAMPTZ '2026-03-01 12:00:00+00' AS at, "
                    "TIMESTAMP '2026-03-01 12:00:00' AS wall, CAST(1.25 AS DECIMAL(6, 2)) AS price")
    data = SqlData(url=f"duckdb://{path}", table="t")
    frame = io.read_polars(data)
    assert frame.schema["at"] == pl.Datetime("us", "UTC") and frame.schema["wall"].time_zone is None
    assert frame.schema["price"] == pl.Float64 and frame["price"][0] == 1.25
    shown = io.read_pandas(data, zones={"at": "Europe/Berlin", "wall": "Europe/Berlin"})
    from specgen.runtime.timezones import SOURCE_ZONES

    assert shown.attrs[SOURCE_ZONES] == {"at": "Europe/Berlin"}  # the timezone check passes for this column
    # a column with a timezone: is read aware in that zone (the generated pandas schema checks it as aware)
    assert str(shown["at"][0]) == "2026-03-01 13:00:00+01:00"  # the instant 12:00 UTC, shown in Berlin
    assert shown["at"][0] == pd.Timestamp("2026-03-01 12:00:00", tz="UTC")
    assert str(shown["wall"][0]) == "2026-03-01 12:00:00+01:00"  # naive: wall time in Berlin (UTC+1 in March)


def test_validate_without_data_reads_the_specs_own_file(tmp_path):
    """No DATA: data.training of the spec (here a file; a database source is covered end to end)."""
    import shutil

    from tests.helpers import EXAMPLES, run_cli

    shutil.copytree(EXAMPLES / "penguins" / "data", tmp_path / "data")
    shutil.copy(EXAMPLES / "penguins" / "spec.yaml", tmp_path / "spec.yaml")
    clean = run_cli("validate", tmp_path / "spec.yaml", in_process=True, expect=0)
    assert clean.stdout.startswith(f"{tmp_path / 'data' / 'train.csv'}: ")
    text = (tmp_path / "data" / "serving.csv").read_text().splitlines()
    header = text[0].split(",")
    row = text[1].split(",")
    row[header.index("island")] = "Atlantis"
    (tmp_path / "data" / "serving.csv").write_text("\n".join([text[0], ",".join(row), *text[2:]]) + "\n")
    broken = run_cli("validate", tmp_path / "spec.yaml", "--env", "serving", in_process=True, expect=1)
    assert "FAIL island: values failed" in broken.stdout, broken.stdout
