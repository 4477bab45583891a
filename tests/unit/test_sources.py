"""The sources layer: the same rows and aggregates from Parquet, CSV, DuckDB and PostgreSQL; hostile names
stay names; missing tables/columns and unreachable servers are DataErrors with a code, password redacted."""
from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from specgen.errors import DataError
from specgen.runtime.sources import Measure, TableQuery, open_source, redact
from tests.postgres import load_frame, write_duckdb

#: names that would end or break an SQL statement if they were ever formatted into it
HOSTILE_TABLE = 'logs"; DROP TABLE logs; --'
HOSTILE_COLUMN = "score') OR 1=1; --\"x"

FRAME = pl.DataFrame({
    "id": [1, 2, 3, 4, 5],
    HOSTILE_COLUMN: [0.5, None, 1.5, 2.0, 4.0],
    "kind": ["a", "b", "a", "b", "a"],
    "at": [datetime(2024, 1, d, 12) for d in (1, 1, 2, 3, 3)],
})
WINDOW = TableQuery(table=HOSTILE_TABLE, columns=("id", HOSTILE_COLUMN, "kind"), time_column="at",
                    start=datetime(2024, 1, 1, 13), end=datetime(2024, 1, 3, 13), order_by=("id",))


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("sources")
    FRAME.write_parquet(base / "logs.parquet")
    FRAME.write_csv(base / "logs.csv")
    write_duckdb(base / "logs.duckdb", HOSTILE_TABLE, FRAME)
    out = {"parquet": str(base / "logs.parquet"), "csv": str(base / "logs.csv"),
           "duckdb": f"duckdb://{base / 'logs.duckdb'}"}
    return out


@pytest.fixture(scope="module")
def loaded_postgres(postgres_url) -> str:
    load_frame(postgres_url, HOSTILE_TABLE, FRAME)
    return postgres_url


@pytest.fixture
def locations(files, request) -> dict[str, str]:
    """Every backend's location; PostgreSQL's only for tests that ask for it (the server starts then)."""
    wanted = request.node.callspec.params.get("backend") if hasattr(request.node, "callspec") else None
    if wanted == "postgres" or "missing_table" in request.node.name:
        return {**files, "postgres": request.getfixturevalue("loaded_postgres")}
    return files


@pytest.mark.parametrize("backend", ["parquet", "csv", "duckdb", "postgres"])
def test_window_read_is_the_same_everywhere(locations, backend):
    with open_source(locations[backend]) as source:
        got = source.read(WINDOW)
        batches = list(source.batches(WINDOW, rows=1))
    assert got.columns == ["id", HOSTILE_COLUMN, "kind"]
    assert got["id"].to_list() == [3, 4, 5]  # 1.1 13:00 <= at < 1.3 13:00
    assert got[HOSTILE_COLUMN].to_list() == [1.5, 2.0, 4.0]
    assert [b.height for b in batches] == [1, 1, 1]


@pytest.mark.parametrize("backend", ["parquet", "duckdb", "postgres"])
def test_aggregates_are_pushed_down_with_hostile_names(locations, backend):
    measures = (Measure("rows", "count"), Measure("nulls", "count_nulls", HOSTILE_COLUMN),
                Measure('total"; --', "sum", HOSTILE_COLUMN))
    with open_source(locations[backend]) as source:
        got = source.aggregate(TableQuery(table=HOSTILE_TABLE, time_column="at"), measures, ("kind",), "day")
    got = got.sort("kind", "bucket")
    assert got["kind"].to_list() == ["a", "a", "a", "b", "b"]
    assert got["rows"].to_list() == [1, 1, 1, 1, 1]
    assert got["nulls"].to_list() == [0, 0, 0, 1, 0]
    assert [float(v) if v is not None else None for v in got['total"; --']] == [0.5, 1.5, 4.0, None, 2.0]
    # the table survived: nothing in a name ran as SQL
    with open_source(locations[backend]) as source:
        assert source.read(TableQuery(table=HOSTILE_TABLE)).height == 5


@pytest.mark.parametrize("backend", ["parquet", "duckdb", "postgres"])
def test_a_missing_column_is_named(locations, backend):
    with open_source(locations[backend]) as source, pytest.raises(DataError, match=r"'kindd'.*'kind'.*SG221"):
        source.read(TableQuery(table=HOSTILE_TABLE, columns=("kindd",)))


def test_a_missing_table_is_sg221(locations):
    for where in ("duckdb", "postgres"):
        with open_source(locations[where]) as source, pytest.raises(DataError) as err:
            source.read(TableQuery(table="no_such_table"))
        assert err.value.code == "SG221"


def test_connection_error_is_sg220_without_the_password():
    url = "postgresql://user:s3cret-pw@127.0.0.1:1/db"
    with pytest.raises(DataError) as err:
        open_source(url)
    assert err.value.code == "SG220" and "s3cret-pw" not in str(err.value) and "***" in str(err.value)
    assert redact(url) == "postgresql://user:***@127.0.0.1:1/db"


def test_unknown_location_kinds_are_sg202_or_sg201(tmp_path):
    with pytest.raises(DataError, match="SG202"):
        open_source("mysql://u:pw@h/db")
    with pytest.raises(DataError, match="SG201"):
        open_source(tmp_path / "absent.parquet")
    with pytest.raises(DataError, match="SG201"):
        open_source(f"duckdb://{tmp_path / 'absent.duckdb'}")
