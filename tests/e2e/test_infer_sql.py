"""``specgen infer --source URL TABLE_OR_QUERY`` drafts ``data.training`` as the table or query in that
database (never as a file path): the draft compiles, ``specgen validate SPEC`` (no DATA) reads it back,
and the generated data suite passes on it and fails once its rows are broken. A URL with a password
never reaches the draft: it names ``TRAINING_DB_URL`` and says what to export."""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from tests.helpers import run_cli, run_pytest
from tests.postgres import load_frame

PENGUINS = Path(__file__).parents[1] / "data" / "penguins.csv"
BREAK_ISLAND = "UPDATE {table} SET island = 'Atlantis' WHERE island = 'Dream'"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """data/p.duckdb (table penguins) under the working directory; specs go to specs/, one level down."""
    root = tmp_path_factory.mktemp("infer-sql")
    (root / "data").mkdir()
    (root / "specs").mkdir()
    with duckdb.connect(str(root / "data" / "p.duckdb")) as con:
        con.execute("CREATE TABLE penguins AS SELECT * FROM read_csv(?)", [str(PENGUINS)])
    return root


def _training(spec: Path) -> dict:
    return yaml.safe_load(spec.read_text())["data"]["training"]


def _compile_and_validate(root: Path, spec: Path, env: dict | None = None) -> Path:
    run_cli("compile", spec, "-o", root / "gen", "--force", cwd=root, expect=0)
    run_cli("validate", spec, cwd=root, env=env, expect=0)
    return root / "gen" / spec.stem / f"test_{spec.stem}_data.py"


@pytest.mark.parametrize("what, expected", [
    ("penguins", {"table": "penguins"}),
    ("SELECT * FROM penguins WHERE body_mass_g IS NOT NULL", {"sql": "SELECT * FROM penguins WHERE "
                                                                     "body_mass_g IS NOT NULL"}),
])
def test_duckdb_table_or_query_relative_to_the_spec(workdir, what, expected):
    spec = workdir / "specs" / f"p_{'sql' if 'sql' in expected else 'table'}.yaml"
    run_cli("infer", "--source", "duckdb://data/p.duckdb", what, "-o", spec, "--label", "species", "--force",
            cwd=workdir, expect=0)
    # the URL was relative to the working directory; the spec reads it relative to itself
    assert _training(spec) == {**expected, "url": "duckdb://../data/p.duckdb"}
    kind = "query" if "sql" in expected else "table"
    assert re.search(rf"from 34[24] rows of the {kind} named in data.training", spec.read_text())
    _compile_and_validate(workdir, spec)


@pytest.mark.parametrize("what, name", [
    ("SELECT * FROM penguins -- from the lab\nWHERE body_mass_g IS NOT NULL -- a trailing comment", "penguins"),
    ("SELECT a.* FROM main.penguins a JOIN penguins b USING (species) WHERE a.island <> 'from x'", "penguins"),
    ("WITH p AS (SELECT * FROM penguins) SELECT * FROM p", "model"),  # not simple: a neutral name
])
def test_without_o_the_draft_is_named_after_the_tables_it_reads(workdir, tmp_path, what, name):
    """Without -o the draft (file, name, baseline) is named after the table(s) a simple query reads, never after
    the query's text (it was select_from_penguins_..., cut at the text's last dot)."""
    run_cli("infer", "--source", f"duckdb://{workdir / 'data' / 'p.duckdb'}", what, cwd=tmp_path, expect=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{name}.yaml", f"{name}_baseline.json"]
    assert yaml.safe_load((tmp_path / f"{name}.yaml").read_text())["name"] == name


def test_the_generated_suite_reads_the_drafted_source_and_fails_on_broken_rows(tmp_path):
    (tmp_path / "data").mkdir()
    db = tmp_path / "data" / "p.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE penguins AS SELECT * FROM read_csv(?)", [str(PENGUINS)])
    spec = tmp_path / "p.yaml"
    run_cli("infer", "--engine", "duckdb", "--source", f"duckdb://{db}", "penguins", "-o", spec,
            "--label", "species", cwd=tmp_path, expect=0)
    assert _training(spec) == {"table": "penguins", "url": f"duckdb://{db}"}  # absolute stays absolute
    suite = _compile_and_validate(tmp_path, spec)
    clean = run_pytest(suite, cwd=tmp_path, expect=0)
    assert not clean.failed
    with duckdb.connect(str(db)) as con:
        con.execute(BREAK_ISLAND.format(table="penguins"))
    broken = run_pytest(suite, cwd=tmp_path, expect=1)
    assert broken.failed and all("island" in test for test in broken.failed), broken.failed
    failed = run_cli("validate", spec, "--format", "json", cwd=tmp_path, expect=1)
    assert {f["column"] for f in json.loads(failed.stdout)["failures"]} == {"island"}


def test_postgres_url_without_and_with_a_password(workdir, postgres_url):
    load_frame(postgres_url, "penguins_pg", pl.read_csv(PENGUINS, null_values="NA"))
    plain = workdir / "specs" / "pg.yaml"
    run_cli("infer", "--source", postgres_url, "penguins_pg", "-o", plain, "--label", "species", cwd=workdir,
            expect=0)
    assert _training(plain) == {"table": "penguins_pg", "url": postgres_url}
    _compile_and_validate(workdir, plain)

    # trust authentication ignores the password, so the same server answers a URL that holds one
    secret_url = postgres_url.replace("specgen@", "specgen:s3cret-pw@")
    hidden = workdir / "specs" / "pg_secret.yaml"
    query = "SELECT * FROM penguins_pg WHERE island <> 'Nowhere'"
    run_cli("infer", "--source", secret_url, query, "-o", hidden, "--label", "species", cwd=workdir, expect=0)
    text = hidden.read_text()
    assert "s3cret-pw" not in text and "s3cret-pw" not in hidden.with_name("pg_secret_baseline.json").read_text()
    assert _training(hidden) == {"sql": query, "url_env": "TRAINING_DB_URL"}
    assert "export TRAINING_DB_URL='postgresql://specgen:***@127.0.0.1" in text
    missing = run_cli("validate", hidden, cwd=workdir, expect=2)
    assert "TRAINING_DB_URL is not set" in missing.stderr and "SG220" in missing.stderr
    suite = _compile_and_validate(workdir, hidden, env={"TRAINING_DB_URL": secret_url})
    generated = sorted(suite.parent.rglob("*.py"))
    assert suite.is_file() and suite in generated  # the folder checked below is the one compile wrote
    assert "s3cret-pw" not in "".join(p.read_text() for p in generated)


def test_duckdb_in_memory_query_over_a_file(tmp_path):
    """``--engine duckdb`` with a query and no --source: an in-memory DuckDB, which both layers open."""
    spec = tmp_path / "mem.yaml"
    query = f"SELECT * FROM read_csv('{PENGUINS.as_posix()}')"
    drafted = run_cli("infer", "--engine", "duckdb", query, "-o", spec, "--label", "species", cwd=tmp_path,
                      expect=0)
    assert _training(spec) == {"sql": query, "url": "duckdb://:memory:"}, drafted.output
    assert "working directory" in spec.read_text()  # the comment on relative paths in the query
    _compile_and_validate(tmp_path, spec)


def test_validate_html_without_data_draws_the_database_rows(tmp_path):
    """validate SPEC --html (no DATA) on a spec whose data.training is a DuckDB table: the page draws the
    table's rows (the same distributions as the same rows from the CSV), where the label used to be read
    as a file (SG202)."""
    from specgen.own_data import report_rows
    from specgen.report import batch

    (tmp_path / "data").mkdir()
    with duckdb.connect(str(tmp_path / "data" / "p.duckdb")) as con:
        con.execute("CREATE TABLE penguins AS SELECT * FROM read_csv(?)", [str(PENGUINS)])
    spec = tmp_path / "p.yaml"
    run_cli("infer", "--source", "duckdb://data/p.duckdb", "penguins", "-o", spec, "--label", "species",
            cwd=tmp_path, expect=0)
    run_cli("compile", spec, cwd=tmp_path, expect=0)  # the default output: the monitoring config the page bins on
    page = tmp_path / "page.html"
    shown = run_cli("validate", spec, "--html", page, cwd=tmp_path, expect=0)
    assert "table 'penguins'" in shown.stdout and page.is_file()
    html = page.read_text()
    assert "Distributions: training baseline vs this data" in html and "bill_length_mm" in html
    loaded = batch.load(spec)
    from_database = batch.data_distributions(loaded, report_rows(spec, None, "training", None, None))
    assert from_database is not None and from_database == batch.data_distributions(loaded, str(PENGUINS))
    # --source with a table name draws the same rows
    assert batch.data_distributions(loaded, report_rows(spec, "penguins", "training", None,
                                                        f"duckdb://{tmp_path / 'data' / 'p.duckdb'}")) == from_database


def test_validate_html_cannot_draw_a_spark_catalog_table():
    from specgen.errors import SpecgenError
    from specgen.own_data import report_rows

    with pytest.raises(SpecgenError, match=r"Spark's catalog table 'trips' cannot be read here.*\[SG104\]"):
        report_rows("unused.yaml", "table:trips", "training", "spark", None)
    assert report_rows("unused.yaml", "data/x.parquet", "training", "spark", None) == "data/x.parquet"


def test_spark_catalog_table_drafts_url_env(spark_session, tmp_path):
    """``--engine spark table:NAME``: the spec cannot name Spark's catalog, so the draft names the table and
    TRAINING_DB_URL, with a comment saying to export it; with the variable pointing at a database holding
    that table, validate SPEC reads it."""
    from specgen.api import infer_spec

    data = tmp_path / "p.parquet"
    pl.read_csv(PENGUINS, null_values="NA").write_parquet(data)
    spark_session.read.parquet(str(data)).createOrReplaceTempView("penguins_view")
    spec = tmp_path / "sp.yaml"
    infer_spec(["table:penguins_view"], spec, label="species", engine="spark")
    assert _training(spec) == {"table": "penguins_view", "url_env": "TRAINING_DB_URL"}
    assert "export TRAINING_DB_URL=" in spec.read_text()
    db = tmp_path / "p.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE penguins_view AS SELECT * FROM read_parquet(?)", [str(data)])
    _compile_and_validate(tmp_path, spec, env={"TRAINING_DB_URL": f"duckdb://{db}"})
