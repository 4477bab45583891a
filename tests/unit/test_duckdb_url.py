"""One rule for what a DuckDB URL names, the same in the sources layer, the pushdown engines and compile
(specgen/runtime/duckdb_url.py): everything after duckdb:// is the path as written."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from specgen.compiler.data_plan import _url
from specgen.runtime.contracts.data import SqlData
from specgen.runtime.duckdb_url import MEMORY, duckdb_path, relative_path
from specgen.runtime.pushdown.sql import open_source as pushdown_open
from specgen.runtime.sources import SqlText, TableQuery, open_source as sources_open
from specgen.runtime.sources.location import bind


@pytest.mark.parametrize("url, path", [
    ("duckdb://data/train.duckdb", "data/train.duckdb"),
    ("duckdb:///var/logs.duckdb", "/var/logs.duckdb"),
    ("duckdb:////var/logs.duckdb", "//var/logs.duckdb"),
    ("train.duckdb", "train.duckdb"),
    ("duckdb://", MEMORY), ("duckdb:", MEMORY), ("duckdb", MEMORY),
    ("duckdb://:memory:", MEMORY), ("duckdb:///:memory:", MEMORY),
])
def test_the_rule(url, path):
    assert duckdb_path(url) == path


def test_only_relative_files_are_rebased():
    assert relative_path("duckdb://data/t.duckdb") == "data/t.duckdb"
    assert relative_path("t.duckdb") == "t.duckdb"
    for url in ("duckdb:///abs/t.duckdb", "duckdb://:memory:", "duckdb://", "postgresql://h/db", None):
        assert relative_path(url) is None


@pytest.fixture
def database(tmp_path, monkeypatch):
    """tmp/db/x.duckdb holding table t (3 rows); the working directory is tmp."""
    (tmp_path / "db").mkdir()
    path = tmp_path / "db" / "x.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT range AS a FROM range(3)")
    monkeypatch.chdir(tmp_path)
    return path


def _both_layers(url: str, data: str) -> tuple[int, list[str]]:
    """Rows through the sources layer, column names through the pushdown engine, for the same URL."""
    table = SqlText(data) if data.startswith("SELECT") else data
    with sources_open(url) as source:
        rows = source.read(TableQuery(table)).height
    return rows, list(pushdown_open(url, data).types)


@pytest.mark.parametrize("form", ["relative", "absolute", "absolute-sqlalchemy", "bare"])
def test_both_layers_open_the_same_file(database, form):
    url = {"relative": "duckdb://db/x.duckdb", "absolute": f"duckdb://{database}",
           "absolute-sqlalchemy": f"duckdb:///{database}", "bare": "db/x.duckdb"}[form]
    assert _both_layers(url, "t") == (3, ["a"])


@pytest.mark.parametrize("url", ["duckdb://", "duckdb://:memory:", "duckdb:///:memory:"])
def test_both_layers_open_memory(tmp_path, url):
    assert _both_layers(url, "SELECT 7 AS b") == (1, ["b"])


def test_an_absolute_url_is_not_read_as_relative(database):
    """The old pushdown regex stripped all three slashes: duckdb:///tmp/.../x.duckdb became tmp/.../x.duckdb,
    a file that does not exist under the working directory; both layers now name the absolute path."""
    url = f"duckdb://{database}"
    assert Path(duckdb_path(url)).is_absolute()
    assert _both_layers(url, "t") == (3, ["a"])


def test_a_missing_relative_file_is_named_relative(database):
    from specgen.errors import DataError

    with pytest.raises(DataError, match=r"nope\.duckdb: DuckDB database not found \[SG201\]"):
        sources_open("duckdb://nope.duckdb")
    with pytest.raises(DataError, match="SG220"):
        pushdown_open("duckdb://nope.duckdb", "t")


def test_spec_relative_urls_reach_the_file_from_the_generated_directory(database, tmp_path):
    """compile rewrites a spec-relative URL relative to the output directory; bind (at run time) makes it
    absolute from there: both land on the file next to the spec whatever the working directory."""
    spec_dir, out_dir = tmp_path, tmp_path / "gen" / "pkg"
    out_dir.mkdir(parents=True)
    import os

    compiled = _url("duckdb://db/x.duckdb", spec_dir, lambda p: os.path.relpath(p, out_dir))
    assert compiled == "duckdb://../../db/x.duckdb"
    bound = bind(SqlData(url=compiled, table="t"), out_dir).url
    assert duckdb_path(bound) == str(database.resolve())
    os.chdir(out_dir)
    assert _both_layers(bound, "t") == (3, ["a"])
    for fixed in ("duckdb:///abs/x.duckdb", "duckdb://:memory:", "postgresql://h/db"):
        assert _url(fixed, spec_dir, lambda p: "unused") == fixed
        assert bind(SqlData(url=fixed, table="t"), out_dir).url == fixed
