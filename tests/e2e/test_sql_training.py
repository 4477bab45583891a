"""``data.training: {sql:, url:}``: the training data is a query or a table in a database, not a file.

A copy of the penguins example gets its training rows in a DuckDB file and (one session-scoped
server) in PostgreSQL. Compile never connects; ``specgen baseline`` reads the rows through
``runtime.sources`` and writes the same statistics as from the same rows in a Parquet file; the
generated data and model suites run against the database in a subprocess and pass; corrupting a
few rows in the database makes the data suite fail naming the column. An unreachable database or a
failing query is exit 2 naming the source with its password masked; a hostile table name is read as
a name (never SQL or Python code).
"""
from __future__ import annotations

import ast
import json

import duckdb
import polars as pl
import pytest

from specgen.runtime import io
from specgen.runtime.sources import quote_identifier
from tests.helpers import copy_example, run_cli, run_pytest
from tests.postgres import load_frame, write_duckdb

TRAINING_LINE = "  training: data/train.csv\n"
SERVING_LINE = "  serving: data/serving.csv\n"
HOSTILE_TABLE = 'train"; DROP TABLE train; --\'\n{{x}}'
#: bill_length_mm is declared in [25, 70]: these rows break it (and nothing else)
CORRUPT = ("UPDATE {table} SET bill_length_mm = 500.0 "
           "WHERE penguin_id IN (SELECT penguin_id FROM {table} ORDER BY penguin_id LIMIT 3)")


@pytest.fixture(scope="module")
def project(compiled_examples, tmp_path_factory):
    """A copy of penguins with its training rows also in data/train.parquet and data/train.duckdb."""
    root = copy_example(compiled_examples, "penguins", tmp_path_factory.mktemp("sql"))
    spec = (root / "spec.yaml").read_text()
    assert TRAINING_LINE in spec
    from specgen.api import build_plan

    frame = io.read_polars(root / "data" / "train.csv", build_plan(root / "spec.yaml").dtypes())
    frame.write_parquet(root / "data" / "train.parquet")
    write_duckdb(root / "data" / "train.duckdb", "train", frame)
    write_duckdb(root / "data" / "train.duckdb", HOSTILE_TABLE, frame)
    serving = io.read_polars(root / "data" / "serving.csv", build_plan(root / "spec.yaml").dtypes())
    write_duckdb(root / "data" / "train.duckdb", "serving", serving)
    _use(root, spec, "data/train.parquet")
    return root, spec, frame, _statistics(_baseline(root))


def _use(root, spec: str, training: str) -> None:
    (root / "spec.yaml").write_text(spec.replace(TRAINING_LINE, f"  training: {training}\n"))


def _baseline(root, env=None) -> dict:
    run_cli("baseline", root / "spec.yaml", env=env, expect=0)
    return json.loads((root / "penguins_baseline.json").read_text())


def _statistics(document: dict) -> str:
    """The baseline's bytes below its header (the header names the data's location, which differs)."""
    from specgen.compiler.baseline import to_text

    return to_text({k: v for k, v in document.items() if k != "header"})


def _suites(root):
    out = root / "generated" / "penguins"
    return out / "test_penguins_data.py", out / "test_penguins_model.py"


def test_duckdb_query_baseline_suites_and_corrupt_rows(project):
    root, spec, frame, from_parquet = project
    _use(root, spec.replace(SERVING_LINE, '  serving: {table: serving, url: "duckdb://data/train.duckdb"}\n'),
         '{sql: "SELECT * FROM train ORDER BY penguin_id;", url: "duckdb://data/train.duckdb"}')
    from_sql = _baseline(root)
    assert from_sql["prediction"]["source"] == "model"  # the serving model ran on the database's rows
    assert _statistics(from_sql) == from_parquet
    assert from_sql["header"]["data"]["path"] == {"sql": "SELECT * FROM train ORDER BY penguin_id;",
                                                  "url": "duckdb://data/train.duckdb"}
    run_cli("compile", "--force", root / "spec.yaml", expect=0)
    run_cli("compile", "--check", root / "spec.yaml", expect=0)
    data, model = _suites(root)
    assert "duckdb://../../data/train.duckdb" in data.with_name("conftest.py").read_text()
    clean = run_pytest(data, model, cwd=root)
    assert clean.returncode == 0 and not clean.failed, clean.output[-3000:]
    run_cli("validate", root / "spec.yaml", expect=0)  # no DATA: the spec's query, pushed down
    run_cli("validate", root / "spec.yaml", "--env", "serving", expect=0)  # no DATA: the spec's query, pushed down
    with duckdb.connect(str(root / "data" / "train.duckdb")) as con:
        con.execute(CORRUPT.format(table="train"))
        con.execute("UPDATE serving SET island = 'Atlantis' WHERE penguin_id = (SELECT min(penguin_id) FROM serving)")
    try:
        broken = run_pytest(data, cwd=root, expect=1)
        pushed = run_cli("validate", root / "spec.yaml", "--format", "json", expect=1)
    finally:
        write_duckdb(root / "data" / "train.duckdb", "train", frame)
    assert any("bill_length_mm" in test for test in broken.failed), broken.output[-3000:]
    serving = [test for test in broken.failed if test.startswith("test_serving")]
    assert serving and all("island" in test for test in serving), sorted(broken.failed)  # data.serving: the table
    assert all("bill_length_mm" in test or "island" in test for test in broken.failed), sorted(broken.failed)
    failures = json.loads(pushed.stdout)["failures"]
    assert {f["column"] for f in failures} == {"bill_length_mm"}, failures
    assert [f["failing_rows"] for f in failures if f["check"] == "range"] == [3], failures


def test_postgres_table_by_url_env(project, postgres_url):
    root, spec, frame, from_parquet = project
    load_frame(postgres_url, "penguins_train", frame)
    env = {"TRAINING_DB_URL": postgres_url}
    _use(root, spec, "{table: penguins_train, url_env: TRAINING_DB_URL}")
    run_cli("baseline", root / "spec.yaml", expect=2)  # the variable is not set: says so
    assert _statistics(_baseline(root, env)) == from_parquet
    run_cli("compile", "--force", root / "spec.yaml", expect=0)
    generated = "".join(p.read_text() for p in (root / "generated" / "penguins").glob("*.py"))
    assert "TRAINING_DB_URL" in generated and "127.0.0.1" not in generated  # the URL is never written out
    data, model = _suites(root)
    # the whole model suite ran on DuckDB above; here the tests that train and score on the rows read
    clean = run_pytest(data, f"{model}::test_quality", f"{model}::test_vs_serving", cwd=root, env=env)
    assert clean.returncode == 0 and not clean.failed, clean.output[-3000:]
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(CORRUPT.format(table="penguins_train"))
    broken = run_pytest(data, cwd=root, env=env, expect=1)
    assert any("bill_length_mm" in test for test in broken.failed), broken.output[-3000:]


def test_unreachable_database_and_failing_query_are_exit_2_with_the_password_masked(project, postgres_url):
    root, spec, *_ = project
    _use(root, spec, "{sql: 'SELECT * FROM train', url_env: TRAINING_DB_URL}")
    port = postgres_url.rsplit(":", 1)[1].split("/")[0]
    dead = postgres_url.replace("specgen@", "specgen:s3cr3t-pw@").replace(f":{port}/", ":1/")
    result = run_cli("baseline", root / "spec.yaml", env={"TRAINING_DB_URL": dead}, expect=2)
    assert "s3cr3t-pw" not in result.output and "specgen:***@127.0.0.1:1" in result.output, result.output
    assert "[SG220]" in result.output and "$TRAINING_DB_URL" in result.output and "Traceback" not in result.output
    _use(root, spec, "{sql: 'SELECT no_such_column FROM nowhere', url: 'duckdb://data/train.duckdb'}")
    result = run_cli("baseline", root / "spec.yaml", expect=2)
    assert "[SG222]" in result.output and "nowhere" in result.output and "Traceback" not in result.output


def test_hostile_table_name_is_a_name(project):
    """The baseline reads the table by its name (what the generated suites call, ``io.read_polars``), and
    the name is a string literal in every generated module."""
    root, spec, _, from_parquet = project
    _use(root, spec, json.dumps({"table": HOSTILE_TABLE, "url": "duckdb://data/train.duckdb"}))
    assert _statistics(_baseline(root)) == from_parquet
    run_cli("compile", "--force", root / "spec.yaml", expect=0)
    for path in (root / "generated" / "penguins").glob("*.py"):
        tree = ast.parse(path.read_text())
        assert HOSTILE_TABLE not in {getattr(n, "id", None) for n in ast.walk(tree)}
    conftest = (root / "generated" / "penguins" / "conftest.py").read_text()
    assert repr(HOSTILE_TABLE) in conftest
    with duckdb.connect(str(root / "data" / "train.duckdb"), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        rows = con.execute(f"SELECT count(*) FROM {quote_identifier(HOSTILE_TABLE)}").fetchone()[0]
    assert tables == {"train", "serving", HOSTILE_TABLE}  # nothing dropped, nothing created
    assert rows == pl.read_parquet(root / "data" / "train.parquet").height
